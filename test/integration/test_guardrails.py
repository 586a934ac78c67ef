"""Guardrail enforcement end to end (SPEC.md "rules", "Errors"): real PostgreSQL 15 behind a
running Warden whose config carries the example production policy (conf/policy-prod.yaml) plus
a few rules of its own (dry-run, require_approval, a rule without message), for a `prod` target
and an unguarded `dev` target on the same database.

Every path is checked three ways: the client gets SQLSTATE 42501 with a message starting
`warden: `; the denied statement did NOT run (table still there, row counts unchanged, no file
written, role unchanged — observed directly on the backend); and the same session goes on
working. Where the backend would otherwise refuse a statement on its own (privileges), the
`app` role is given that privilege first and the `dev` target shows the statement really runs
without the guardrail, so every denial test can fail.

Paths: simple Query (psql and raw wire), batches (decided as a whole), extended protocol
(Parse/Bind/Describe/Execute/Sync, pipelined segments, named and unnamed statements), SQL
PREPARE/EXECUTE, EXPLAIN [ANALYZE], data-modifying CTEs, DO, COPY PROGRAM / server files,
SET ROLE / SESSION AUTHORIZATION, TRUNCATE, dry-run rules, default_action deny,
require_approval, unparsed text, transaction blocks.
"""

import os
import re
import struct
from pathlib import Path
import uuid

import common
from common import APP_DB, APP_PASSWORD, APP_ROLE, harness, pgwire
from harness import WardenConfig, run_psql, wait_until

HUMAN, HUMAN_PW = "alice", "alice-pw"
AGENT, AGENT_PW = "ci-bot", "ci-bot-pw"

# The shipped example production policy's rules, read from conf/policy-prod.yaml itself (its
# `rules:` block), so these tests always check the policy users start from.
def _prod_rules():
    lines = (Path(__file__).resolve().parents[2] / "conf" / "policy-prod.yaml").read_text().splitlines()
    out = []
    for line in lines[lines.index("rules:") + 1:]:
        if line and not line.startswith((" ", "#")):
            break
        out.append(line)
    return "\n".join(out) + "\n"


PROD_RULES = _prod_rules()

EXTRA_RULES = """\
  - name: dry-insert-watch
    when: {environments: [prod], statements: [insert], tables: ["public.dry_t"]}
    action: deny
    mode: dry_run
    message: "would deny inserts into dry_t"
  - name: approve-alter-appr
    when: {environments: [prod], statements: [alter_table], tables: ["appr_t"]}
    action: require_approval
    approval: {groups: [dba], quorum: 1}
  - name: no-insert-audit-log
    when: {environments: [prod], statements: [insert], tables: ["audit_log"]}
    action: deny
"""

# ---------------------------------------------------------------------------------------------
# raw wire helpers


def msg(t, body=b""):
    return t + struct.pack("!I", len(body) + 4) + body


def cstr(s):
    return (s if isinstance(s, bytes) else s.encode()) + b"\0"


def parse(name, sql):
    return msg(b"P", cstr(name) + cstr(sql) + struct.pack("!h", 0))


def bind(statement, portal=""):
    return msg(b"B", cstr(portal) + cstr(statement) + struct.pack("!hhh", 0, 0, 0))


def describe_statement(name):
    return msg(b"D", b"S" + cstr(name))


def describe_portal(name=""):
    return msg(b"D", b"P" + cstr(name))


def execute(portal=""):
    return msg(b"E", cstr(portal) + struct.pack("!i", 0))


def close_statement(name):
    return msg(b"C", b"S" + cstr(name))


SYNC = msg(b"S")


def query_msg(sql):
    return msg(b"Q", cstr(sql))


def segment(sql, name=""):
    """Parse/Bind/Execute/Sync of one statement."""
    return parse(name, sql) + bind(name) + execute() + SYNC


def read_until_ready(c, limit=100000):
    out = []
    for _ in range(limit):
        t, body = c.read_message()
        out.append((t, body))
        if t == b"Z":
            return out
    raise AssertionError("no ReadyForQuery")


def read_ready_n(c, n):
    out = []
    for _ in range(n):
        out += read_until_ready(c)
    return out


def split_segments(replies):
    """[(types, replies)] split after each ReadyForQuery."""
    segs, cur = [], []
    for t, body in replies:
        cur.append((t, body))
        if t == b"Z":
            segs.append(cur)
            cur = []
    return segs


def error_fields(body):
    return pgwire.parse_error_fields(body)


def errors_of(replies):
    return [error_fields(b) for t, b in replies if t == b"E"]


def types_of(replies):
    return [t for t, _ in replies]


def rows_of(replies):
    rows = []
    for t, body in replies:
        if t != b"D":
            continue
        (n,) = struct.unpack("!H", body[:2])
        i, row = 2, []
        for _ in range(n):
            (ln,) = struct.unpack("!i", body[i:i + 4])
            i += 4
            row.append(None if ln < 0 else body[i:i + ln].decode())
            i += max(ln, 0)
        rows.append(tuple(row))
    return rows


# ---------------------------------------------------------------------------------------------


class GuardrailCase(common.GatewayCase):
    """prod (guarded, environment prod) and dev (environment dev) targets; a human and an agent."""

    TARGETS = (("prod", "optional"), ("dev", "optional"))
    USERS = ((HUMAN, HUMAN_PW), (AGENT, AGENT_PW))
    KINDS = {HUMAN: ("human", ["dba"]), AGENT: ("agent", [])}
    RULES = PROD_RULES + EXTRA_RULES
    DEFAULT_ACTION = "allow"
    LOG_LEVEL = "info"

    @classmethod
    def make_config(cls, name="warden.yaml", rules=None, default_action=None):
        cfg = WardenConfig(cls.s.path(name), cls.s.dir, cls.cert, cls.key)
        for target, client_tls in cls.TARGETS:
            cfg.add_target(target, cls.pg, client_tls=client_tls, backend_user=APP_ROLE,
                           backend_password=APP_PASSWORD, database=APP_DB,
                           environment="prod" if target == "prod" else "dev")
        for user, password in cls.USERS:
            kind, groups = cls.KINDS[user]
            cfg.add_user(user, password, groups=groups, kind=kind)
        cfg.default_action = default_action or cls.DEFAULT_ACTION
        cfg.extra = f"log_level: {cls.LOG_LEVEL}\nrules:\n" + (rules if rules is not None
                                                                 else cls.RULES)
        cfg.write()
        return cfg

    @classmethod
    def prepare(cls):
        # Privileges the guardrails must stand in for: without them the backend itself would
        # refuse COPY PROGRAM / server files / SET ROLE, and a denial test could not fail.
        cls.pg.query("GRANT pg_execute_server_program, pg_write_server_files, "
                     "pg_read_server_files TO app")
        cls.pg.query("CREATE ROLE guard_admin NOLOGIN")
        cls.pg.query("GRANT guard_admin TO app")
        cls.pg.query("CREATE ROLE guard_other NOLOGIN")

    # backend-side observation (as `app`, directly on PostgreSQL, bypassing Warden) ------------
    def backend(self, sql):
        r = run_psql(self.pg.port, APP_ROLE, APP_PASSWORD, APP_DB, sql, args=["-F", "\x1f"])
        if r.returncode != 0:
            raise AssertionError(f"backend query failed: {sql!r}: {r.stderr}")
        return [tuple(line.split("\x1f")) for line in r.stdout.splitlines() if line != ""]

    def fresh_table(self, name, rows=3):
        self.backend(f"DROP TABLE IF EXISTS {name} CASCADE; "
                     f"CREATE TABLE {name} (id int PRIMARY KEY, name text); "
                     f"INSERT INTO {name} SELECT g, 'row' || g FROM generate_series(1, {rows}) g")

    def table_exists(self, name):
        return self.backend(f"SELECT to_regclass('{name}') IS NOT NULL")[0][0] == "t"

    def count(self, name, where="true"):
        return int(self.backend(f"SELECT count(*) FROM {name} WHERE {where}")[0][0])

    def assert_intact(self, name, rows):
        self.assertTrue(self.table_exists(name), f"table {name} was dropped")
        self.assertEqual(self.count(name), rows, f"rows of {name} changed")

    # client-side assertions -----------------------------------------------------------------
    def assert_denial_fields(self, f, rule=None, message=None):
        self.assertEqual(f.get("C"), "42501", f)
        self.assertTrue(f.get("M", "").startswith("warden: "), f)
        if rule is not None:
            self.assertEqual(f.get("D"), f"rule: {rule}", f)
        if message is not None:
            self.assertIn(message, f.get("M", ""), f)

    def assert_denied(self, c, sql, rule=None, message=None):
        """Simple Query through pgwire: exactly ErrorResponse + ReadyForQuery, a denial."""
        c.send(query_msg(sql))
        replies = read_until_ready(c)
        errs = errors_of(replies)
        self.assertEqual(len(errs), 1, replies)
        self.assert_denial_fields(errs[0], rule, message)
        self.assertNotIn(b"C", types_of(replies), f"something ran: {replies}")
        return errs[0], replies

    def assert_usable(self, c):
        token = uuid.uuid4().hex[:8]
        self.assertEqual(c.query(f"SELECT 'usable-{token}'"), [(f"usable-{token}",)])

    def psql_as(self, sql, user=HUMAN, target="prod", **kw):
        return self.psql(sql, user=user, target=target, **kw)

    def assert_psql_denied(self, r, message=None):
        self.assertEqual(r.returncode, 1, f"psql should fail: {r.stdout} {r.stderr}")
        self.assertIn("ERROR:  warden: ", r.stderr)
        if message:
            self.assertIn(message, r.stderr)


class GuardrailsTest(GuardrailCase):

    # --- simple query via psql --------------------------------------------------------------
    def test_psql_drop_table_denied_table_survives(self):
        self.fresh_table("g_psql")
        r = self.psql_as("DROP TABLE g_psql")
        self.assert_psql_denied(r, "dropping or truncating in prod is not allowed")
        self.assert_intact("g_psql", 3)
        # control: the same statement through the unguarded target really drops it
        self.fresh_table("g_psql_ctl")
        self.psql_ok("DROP TABLE g_psql_ctl", user=HUMAN, target="dev")
        self.assertFalse(self.table_exists("g_psql_ctl"))

    def test_psql_session_continues_after_denial(self):
        self.fresh_table("g_psql2")
        script = ("DELETE FROM g_psql2;\n"
                  "SELECT 'after-' || count(*) FROM g_psql2;\n"
                  "DELETE FROM g_psql2 WHERE id = 1;\n"
                  "SELECT 'left-' || count(*) FROM g_psql2;\n")
        r = self.psql_as(None, input=script, args=["-v", "ON_ERROR_STOP=0"])
        self.assertIn("ERROR:  warden: DELETE/UPDATE without a WHERE clause", r.stderr)
        self.assertIn("after-3", r.stdout.splitlines())
        self.assertIn("left-2", r.stdout.splitlines())
        self.assertEqual(self.count("g_psql2"), 2)

    def test_psql_unparsed_is_a_warden_denial_not_a_syntax_error(self):
        r = self.psql_as("SELEC * FROM pg_class")
        self.assert_psql_denied(r, "Warden could not parse this statement")
        self.assertNotIn("syntax error", r.stderr)
        c = self.wire(user=AGENT, target="prod")
        try:
            f, _ = self.assert_denied(c, "DELET FROM g_whatever", rule="unparsed-denied")
            self.assertNotEqual(f.get("C"), "42601")
            self.assert_usable(c)
        finally:
            c.terminate()

    # --- batches ----------------------------------------------------------------------------
    def test_batch_with_denied_part_runs_nothing(self):
        self.fresh_table("g_batch")
        c = self.wire(user=HUMAN, target="prod")
        try:
            _, replies = self.assert_denied(c, "SELECT 1; DROP TABLE g_batch")
            self.assertEqual(types_of(replies), [b"E", b"Z"], "SELECT 1 must not answer either")
            self.assert_denied(c, "INSERT INTO g_batch VALUES (77, 'smuggled'); DROP TABLE g_batch")
            self.assert_intact("g_batch", 3)
            self.assertEqual(self.count("g_batch", "id = 77"), 0, "INSERT of a denied batch ran")
            self.assert_usable(c)
            # an allowed batch still runs whole
            c.query("INSERT INTO g_batch VALUES (78, 'ok'); INSERT INTO g_batch VALUES (79, 'ok')")
            self.assertEqual(self.count("g_batch"), 5)
        finally:
            c.terminate()

    def test_psql_c_batch_denied(self):
        self.fresh_table("g_batch2")
        r = self.psql_as("INSERT INTO g_batch2 VALUES (9, 'x'); TRUNCATE g_batch2")
        self.assert_psql_denied(r, "dropping or truncating in prod")
        self.assert_intact("g_batch2", 3)

    # --- extended protocol -----------------------------------------------------------------
    def test_extended_denied_parse_error_then_ready(self):
        self.fresh_table("g_ext")
        c = self.wire(user=HUMAN, target="prod")
        try:
            c.send(parse("", "DROP TABLE g_ext") + bind("") + describe_portal() + execute() + SYNC)
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"E", b"Z"], replies)
            self.assert_denial_fields(error_fields(replies[0][1]), "no-drop-truncate-in-prod")
            self.assertEqual(replies[1][1], b"I")
            self.assert_intact("g_ext", 3)
            self.assert_usable(c)
        finally:
            c.terminate()

    def test_extended_pipeline_denied_segment_in_the_middle(self):
        self.fresh_table("g_pipe")
        c = self.wire(user=HUMAN, target="prod")
        try:
            c.send(segment("INSERT INTO g_pipe VALUES (10, 'a')")
                   + segment("DELETE FROM g_pipe")
                   + segment("INSERT INTO g_pipe VALUES (11, 'b')")
                   + segment("DROP TABLE g_pipe")
                   + segment("SELECT count(*) FROM g_pipe"))
            segs = split_segments(read_ready_n(c, 5))
            self.assertEqual(len(segs), 5)
            self.assertEqual(types_of(segs[0]), [b"1", b"2", b"C", b"Z"], segs[0])
            self.assertEqual(types_of(segs[1]), [b"E", b"Z"], segs[1])
            self.assert_denial_fields(errors_of(segs[1])[0], "no-unbounded-writes-in-prod")
            self.assertEqual(types_of(segs[2]), [b"1", b"2", b"C", b"Z"], segs[2])
            self.assertEqual(types_of(segs[3]), [b"E", b"Z"], segs[3])
            self.assert_denial_fields(errors_of(segs[3])[0], "no-drop-truncate-in-prod")
            self.assertEqual(types_of(segs[4]), [b"1", b"2", b"D", b"C", b"Z"], segs[4])
            self.assertEqual(rows_of(segs[4]), [("5",)])
            for s in segs:
                self.assertEqual(s[-1][1], b"I")
            self.assert_intact("g_pipe", 5)
            self.assert_usable(c)
        finally:
            c.terminate()

    def test_extended_pipeline_without_intermediate_sync(self):
        """One segment: allowed INSERT, denied DELETE, allowed INSERT, then one Sync. The
        implicit transaction fails at the denial: nothing of the segment commits."""
        self.fresh_table("g_pipe2")
        c = self.wire(user=HUMAN, target="prod")
        try:
            c.send(parse("", "INSERT INTO g_pipe2 VALUES (20, 'a')") + bind("") + execute()
                   + parse("", "DELETE FROM g_pipe2") + bind("") + execute()
                   + parse("", "INSERT INTO g_pipe2 VALUES (21, 'b')") + bind("") + execute()
                   + SYNC)
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"1", b"2", b"C", b"E", b"Z"], replies)
            self.assert_denial_fields(errors_of(replies)[0])
            self.assert_intact("g_pipe2", 3)
            self.assert_usable(c)
        finally:
            c.terminate()

    def test_named_statement_denied_parse_then_bind_and_describe(self):
        self.fresh_table("g_named")
        c = self.wire(user=HUMAN, target="prod")
        try:
            c.send(parse("s_drop", "DROP TABLE g_named") + SYNC)
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"E", b"Z"], replies)
            self.assert_denial_fields(errors_of(replies)[0], "no-drop-truncate-in-prod")
            # a later Bind of that name: the same denial, not PostgreSQL's 26000
            c.send(bind("s_drop") + execute() + SYNC)
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"E", b"Z"], replies)
            self.assert_denial_fields(errors_of(replies)[0], "no-drop-truncate-in-prod",
                                      "dropping or truncating in prod")
            # Describe of the statement: the same
            c.send(describe_statement("s_drop") + SYNC)
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"E", b"Z"], replies)
            self.assert_denial_fields(errors_of(replies)[0], "no-drop-truncate-in-prod")
            # pipelined in one write with an allowed segment after it
            c.send(bind("s_drop") + execute() + SYNC + segment("SELECT count(*) FROM g_named"))
            segs = split_segments(read_ready_n(c, 2))
            self.assertEqual(types_of(segs[0]), [b"E", b"Z"], segs[0])
            self.assert_denial_fields(errors_of(segs[0])[0])
            self.assertEqual(rows_of(segs[1]), [("3",)])
            self.assert_intact("g_named", 3)
            # Close forgets the denial: the server's own answer (no such statement) comes back
            c.send(close_statement("s_drop") + SYNC)
            self.assertEqual(types_of(read_until_ready(c)), [b"3", b"Z"])
            c.send(bind("s_drop") + execute() + SYNC)
            errs = errors_of(read_until_ready(c))
            self.assertEqual(errs[0].get("C"), "26000", errs)
            self.assert_intact("g_named", 3)
            self.assert_usable(c)
        finally:
            c.terminate()

    def test_unnamed_statement_denied_parse_then_bind(self):
        self.fresh_table("g_unnamed")
        c = self.wire(user=HUMAN, target="prod")
        try:
            c.send(parse("", "DELETE FROM g_unnamed") + SYNC)
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"E", b"Z"], replies)
            self.assert_denial_fields(errors_of(replies)[0], "no-unbounded-writes-in-prod")
            c.send(bind("") + execute() + SYNC)
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"E", b"Z"], replies)
            self.assert_denial_fields(errors_of(replies)[0], "no-unbounded-writes-in-prod")
            c.send(describe_statement("") + SYNC)
            replies = read_until_ready(c)
            self.assert_denial_fields(errors_of(replies)[0], "no-unbounded-writes-in-prod")
            self.assert_intact("g_unnamed", 3)
            # an allowed re-Parse of the unnamed statement clears it
            c.send(segment("DELETE FROM g_unnamed WHERE id = 3"))
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"1", b"2", b"C", b"Z"], replies)
            self.assertEqual(self.count("g_unnamed"), 2)
        finally:
            c.terminate()

    def test_allowed_named_statement_is_usable_and_executes(self):
        self.fresh_table("g_named_ok")
        c = self.wire(user=AGENT, target="prod")
        try:
            c.send(parse("s_ok", "DELETE FROM g_named_ok WHERE id = 2") + SYNC)
            self.assertEqual(types_of(read_until_ready(c)), [b"1", b"Z"])
            c.send(bind("s_ok") + execute() + SYNC)
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"2", b"C", b"Z"], replies)
            self.assertEqual(self.count("g_named_ok"), 2)
        finally:
            c.terminate()

    # --- SQL-level PREPARE / EXECUTE --------------------------------------------------------
    def test_sql_prepare_of_denied_body_is_denied(self):
        self.fresh_table("g_prep")
        c = self.wire(user=HUMAN, target="prod")
        try:
            self.assert_denied(c, "PREPARE p_del AS DELETE FROM g_prep",
                               rule="no-unbounded-writes-in-prod")
            with self.assertRaises(pgwire.PgError) as cm:
                c.query("EXECUTE p_del")
            self.assertIn(cm.exception.sqlstate, ("26000", "42501"))
            self.assert_intact("g_prep", 3)
            # PREPARE + EXECUTE in one batch: denied as a whole
            self.assert_denied(c, "PREPARE p_del2 AS DELETE FROM g_prep; EXECUTE p_del2")
            self.assert_intact("g_prep", 3)
            self.assert_usable(c)
        finally:
            c.terminate()

    def test_sql_prepare_allowed_then_execute(self):
        self.fresh_table("g_prep2")
        for deleted, user in enumerate((HUMAN, AGENT)):
            c = self.wire(user=user, target="prod")
            try:
                c.query("PREPARE p_cnt AS SELECT count(*) FROM g_prep2")
                self.assertEqual(c.query("EXECUTE p_cnt"), [(str(3 - deleted),)])
                c.query("PREPARE p_one(int) AS DELETE FROM g_prep2 WHERE id = $1")
                c.query("EXECUTE p_one(1)")
            finally:
                c.terminate()
        self.assertEqual(self.count("g_prep2"), 2)

    def test_execute_is_decided_as_its_body(self):
        self.fresh_table("g_exec")
        c = self.wire(user=AGENT, target="prod")
        try:
            # An agent's EXECUTE of a name Warden never saw prepared is dynamic SQL: denied.
            self.assert_denied(c, "EXECUTE never_prepared", rule="no-dynamic-sql-in-prod")
            # A protocol-level named statement (allowed body) can be run by SQL EXECUTE.
            c.send(parse("s_cnt", "SELECT count(*) FROM g_exec") + SYNC)
            self.assertEqual(types_of(read_until_ready(c)), [b"1", b"Z"])
            self.assertEqual(c.query("EXECUTE s_cnt"), [("3",)])
            # A protocol-level named statement whose Parse was denied is not run by EXECUTE.
            c.send(parse("s_trunc", "TRUNCATE g_exec") + SYNC)
            self.assert_denial_fields(errors_of(read_until_ready(c))[0])
            with self.assertRaises(pgwire.PgError) as cm:
                c.query("EXECUTE s_trunc")
            self.assertIn(cm.exception.sqlstate, ("26000", "42501"))
            self.assert_intact("g_exec", 3)
            # CREATE TABLE AS EXECUTE of a known body runs
            c.query("CREATE TABLE g_exec_copy AS EXECUTE s_cnt")
            self.assertTrue(self.table_exists("g_exec_copy"))
            self.assert_usable(c)
        finally:
            c.terminate()

    # --- EXPLAIN, CTE -----------------------------------------------------------------------
    def test_explain_analyze_delete_denied_explain_allowed(self):
        self.fresh_table("g_expl")
        c = self.wire(user=HUMAN, target="prod")
        try:
            self.assert_denied(c, "EXPLAIN ANALYZE DELETE FROM g_expl",
                               rule="no-unbounded-writes-in-prod")
            self.assert_denied(c, "EXPLAIN (ANALYZE true, COSTS off) DELETE FROM g_expl")
            self.assert_intact("g_expl", 3)
            rows = c.query("EXPLAIN DELETE FROM g_expl")
            self.assertTrue(any("Delete on g_expl" in r[0] for r in rows), rows)
            self.assert_intact("g_expl", 3)
        finally:
            c.terminate()

    def test_data_modifying_cte_denied(self):
        self.fresh_table("g_cte")
        c = self.wire(user=HUMAN, target="prod")
        try:
            self.assert_denied(c, "WITH d AS (DELETE FROM g_cte RETURNING *) "
                                  "SELECT count(*) FROM d", rule="no-unbounded-writes-in-prod")
            self.assert_denied(c, "WITH u AS (UPDATE g_cte SET name = 'x' RETURNING 1) "
                                  "SELECT 1")
            self.assert_intact("g_cte", 3)
            self.assertEqual(self.count("g_cte", "name = 'x'"), 0)
            self.assert_usable(c)
        finally:
            c.terminate()

    # --- DO ---------------------------------------------------------------------------------
    def test_do_block_denied_for_agent_allowed_for_human(self):
        """The example policy denies dynamic SQL in prod for everyone and for automated clients
        everywhere: a human's DO block runs only outside prod."""
        self.fresh_table("g_do")
        for user, target, rule in ((AGENT, "prod", "no-dynamic-sql-in-prod"),
                                   (AGENT, "dev", "no-dynamic-sql-for-agents"),
                                   (HUMAN, "prod", "no-dynamic-sql-in-prod")):
            c = self.wire(user=user, target=target)
            try:
                self.assert_denied(c, "DO $$ BEGIN INSERT INTO g_do VALUES (100, 'x'); END $$",
                                   rule=rule)
                self.assertEqual(self.count("g_do", "id = 100"), 0)
                self.assert_usable(c)
            finally:
                c.terminate()
        c = self.wire(user=HUMAN, target="dev")
        try:
            c.query("DO $$ BEGIN INSERT INTO g_do VALUES (101, 'human'); END $$")
            self.assertEqual(self.count("g_do", "id = 101"), 1)
        finally:
            c.terminate()

    # --- COPY PROGRAM / server files --------------------------------------------------------
    def test_copy_to_program_denied_no_file(self):
        self.fresh_table("g_copy")
        marker = f"/tmp/warden-guard-{uuid.uuid4().hex}"
        self.addCleanup(lambda: os.path.exists(marker) and os.unlink(marker))
        c = self.wire(user=HUMAN, target="prod")
        try:
            self.assert_denied(c, f"COPY g_copy TO PROGRAM 'touch {marker}'",
                               rule="no-server-side-effects-in-prod")
            self.assert_denied(c, f"COPY (SELECT 1) TO PROGRAM 'touch {marker}'")
            self.assert_denied(c, f"COPY g_copy FROM PROGRAM 'touch {marker}'")
            self.assert_usable(c)
        finally:
            c.terminate()
        self.assertFalse(os.path.exists(marker), "COPY PROGRAM ran")
        self.assert_intact("g_copy", 3)
        # control: unguarded target runs the program (the privilege is real)
        ctl = marker + "-ctl"
        self.addCleanup(lambda: os.path.exists(ctl) and os.unlink(ctl))
        # `cat >` reads every row: `touch` may exit first and the server then fails on EPIPE.
        self.psql_ok(f"COPY g_copy TO PROGRAM 'cat > {ctl}'", user=HUMAN, target="dev")
        self.assertTrue(os.path.exists(ctl))

    def test_copy_to_server_file_denied(self):
        self.fresh_table("g_copyf")
        path = f"/tmp/warden-guard-{uuid.uuid4().hex}.csv"
        self.addCleanup(lambda: os.path.exists(path) and os.unlink(path))
        c = self.wire(user=HUMAN, target="prod")
        try:
            self.assert_denied(c, f"COPY g_copyf TO '{path}'", rule="no-server-side-effects-in-prod")
            self.assert_denied(c, f"COPY g_copyf FROM '/etc/hostname'")
            self.assert_usable(c)
        finally:
            c.terminate()
        self.assertFalse(os.path.exists(path), "COPY TO a server file ran")
        self.assert_intact("g_copyf", 3)
        # COPY TO STDOUT is fine
        out = self.psql_ok("COPY g_copyf TO STDOUT", user=HUMAN, target="prod")
        self.assertEqual(len(out.splitlines()), 3)

    # --- DCL / TRUNCATE ---------------------------------------------------------------------
    def test_set_role_and_session_authorization_denied(self):
        self.fresh_table("g_dcl")
        c = self.wire(user=HUMAN, target="prod")
        try:
            self.assert_denied(c, "SET ROLE guard_admin", rule="no-dcl-in-prod")
            self.assert_denied(c, "SET SESSION AUTHORIZATION postgres", rule="no-dcl-in-prod")
            self.assert_denied(c, "SET LOCAL ROLE guard_admin", rule="no-dcl-in-prod")
            self.assertEqual(c.query("SELECT current_user, session_user"), [("app", "app")])
            self.assert_denied(c, "GRANT ALL ON g_dcl TO guard_other", rule="no-dcl-in-prod")
            self.assert_denied(c, "REVOKE ALL ON g_dcl FROM app", rule="no-dcl-in-prod")
            self.assert_usable(c)
        finally:
            c.terminate()
        self.assertEqual(self.backend("SELECT has_table_privilege('guard_other', 'g_dcl', 'DELETE'),"
                                      " has_table_privilege('app', 'g_dcl', 'SELECT')"),
                         [("f", "t")])
        # control: on dev, SET ROLE really switches
        out = self.psql_ok("SET ROLE guard_admin; SELECT current_user", user=HUMAN, target="dev")
        self.assertEqual(out.split(), ["SET", "guard_admin"])

    def test_truncate_denied(self):
        self.fresh_table("g_trunc")
        c = self.wire(user=AGENT, target="prod")
        try:
            self.assert_denied(c, "TRUNCATE g_trunc", rule="no-drop-truncate-in-prod")
            self.assert_denied(c, "TRUNCATE TABLE ONLY g_trunc RESTART IDENTITY CASCADE")
            self.assert_intact("g_trunc", 3)
            self.assert_usable(c)
        finally:
            c.terminate()

    # --- rule modes and actions -------------------------------------------------------------
    def test_dry_run_rule_lets_the_statement_through_and_logs_it(self):
        self.fresh_table("dry_t", rows=0)
        c = self.wire(user=HUMAN, target="prod")
        try:
            c.query("INSERT INTO dry_t VALUES (1, 'dry')")
        finally:
            c.terminate()
        self.assertEqual(self.count("dry_t"), 1, "a dry-run rule must not block")

        def logged():
            for line in self.gw.log_text(400000).splitlines():
                if "dry-run" in line and "dry-insert-watch" in line:
                    return line
            return None
        line = wait_until(logged, 10, what="dry-run match in the Warden log")
        self.assertIn("deny", line)

    def test_rule_without_message_names_the_rule(self):
        self.fresh_table("audit_log", rows=0)
        c = self.wire(user=HUMAN, target="prod")
        try:
            f, _ = self.assert_denied(c, "INSERT INTO audit_log VALUES (1, 'forged')",
                                      rule="no-insert-audit-log")
            self.assertEqual(f["M"], "warden: statement denied by rule 'no-insert-audit-log'")
            self.assert_usable(c)
        finally:
            c.terminate()
        self.assertEqual(self.count("audit_log"), 0)

    def test_require_approval_answers_42501_with_request_id(self):
        self.fresh_table("appr_t")
        c = self.wire(user=HUMAN, target="prod")
        try:
            f, _ = self.assert_denied(c, "ALTER TABLE appr_t ADD COLUMN sneaky int")
            self.assertRegex(f["M"], r"^warden: statement requires approval \(request apr-[0-9a-f]+\)")
            ids = set()
            f2, _ = self.assert_denied(c, "ALTER TABLE appr_t ADD COLUMN sneaky int")
            for x in (f, f2):
                ids.add(re.search(r"apr-[0-9a-f]+", x["M"]).group(0))
            self.assertEqual(len(ids), 2, "each request gets its own approval id")
            # extended protocol: the same
            c.send(segment("ALTER TABLE appr_t ADD COLUMN sneaky2 int"))
            errs = errors_of(read_until_ready(c))
            self.assertEqual(len(errs), 1)
            self.assert_denial_fields(errs[0])
            self.assertIn("apr-", errs[0]["M"])
            self.assert_usable(c)
        finally:
            c.terminate()
        cols = self.backend("SELECT count(*) FROM information_schema.columns "
                            "WHERE table_name = 'appr_t' AND column_name LIKE 'sneaky%'")
        self.assertEqual(cols, [("0",)])

    # --- transactions -----------------------------------------------------------------------
    def test_denial_in_transaction_block_then_rollback(self):
        self.fresh_table("g_tx")
        c = self.wire(user=HUMAN, target="prod")
        try:
            c.query("BEGIN")
            c.query("INSERT INTO g_tx VALUES (50, 'in-tx')")
            c.send(query_msg("DROP TABLE g_tx"))
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"E", b"Z"], replies)
            self.assert_denial_fields(errors_of(replies)[0], "no-drop-truncate-in-prod")
            self.assertEqual(replies[-1][1], b"E", "the transaction is failed like after any error")
            with self.assertRaises(pgwire.PgError) as cm:
                c.query("SELECT 1")
            self.assertEqual(cm.exception.sqlstate, "25P02")
            c.send(query_msg("ROLLBACK"))
            replies = read_until_ready(c)
            self.assertIn(b"C", types_of(replies))
            self.assertEqual(replies[-1][1], b"I")
            self.assert_usable(c)
            self.assert_intact("g_tx", 3)
            self.assertEqual(self.count("g_tx", "id = 50"), 0)
            # COMMIT of a failed transaction rolls back too
            c.query("BEGIN")
            c.query("INSERT INTO g_tx VALUES (51, 'in-tx')")
            with self.assertRaises(pgwire.PgError):
                c.query("UPDATE g_tx SET name = 'all'")
            c.send(query_msg("COMMIT"))
            tags = [b.rstrip(b"\0").decode() for t, b in read_until_ready(c) if t == b"C"]
            self.assertEqual(tags, ["ROLLBACK"])
            self.assertEqual(self.count("g_tx", "id = 51"), 0)
            self.assertEqual(self.count("g_tx", "name = 'all'"), 0)
        finally:
            c.terminate()


class DefaultDenyTest(GuardrailCase):
    """default_action: deny with one allow rule: only what a rule allows passes."""

    TARGETS = (("prod", "optional"),)
    DEFAULT_ACTION = "deny"
    RULES = """\
  - name: allow-reads-and-tcl
    when: {statements: [read, tcl]}
    action: allow
  - name: allow-writes-to-open_t
    when: {statements: [insert], tables: ["open_t"]}
    action: allow
"""

    def test_default_deny_with_allow_rule(self):
        self.fresh_table("closed_t")
        self.fresh_table("open_t")
        c = self.wire(user=HUMAN, target="prod")
        try:
            self.assertEqual(c.query("SELECT count(*) FROM closed_t"), [("3",)])
            f, _ = self.assert_denied(c, "INSERT INTO closed_t VALUES (9, 'x')")
            self.assertIn("default action", f["M"])
            self.assert_denied(c, "DELETE FROM closed_t WHERE id = 1")
            self.assert_denied(c, "CREATE TABLE new_t (x int)")
            c.query("INSERT INTO open_t VALUES (9, 'x')")
            c.query("BEGIN")
            c.query("INSERT INTO open_t VALUES (10, 'y')")
            c.query("COMMIT")
            self.assert_usable(c)
        finally:
            c.terminate()
        self.assert_intact("closed_t", 3)
        self.assertEqual(self.count("open_t"), 5)
        self.assertFalse(self.table_exists("new_t"))
        r = self.psql_as("UPDATE closed_t SET name = 'z' WHERE id = 1", user=AGENT)
        self.assert_psql_denied(r, "statement denied by the default action")
        self.assertEqual(self.count("closed_t", "name = 'z'"), 0)

    def test_default_deny_batch_is_not_allowed_by_its_allowed_part(self):
        """A batch is decided as a whole: an allowed SELECT in front must not carry statements
        that only the default action decides (and denies) through with it."""
        self.fresh_table("closed_b")
        c = self.wire(user=HUMAN, target="prod")
        try:
            self.assert_denied(c, "DELETE FROM closed_b WHERE id = 1")
            self.assert_denied(c, "SELECT 1; DELETE FROM closed_b WHERE id = 2")
            self.assert_denied(c, "SELECT 1; DROP TABLE closed_b")
            self.assert_usable(c)
        finally:
            c.terminate()
        self.assert_intact("closed_b", 3)
        r = self.psql_as("SELECT 1; INSERT INTO closed_b VALUES (4, 'smuggled')")
        self.assert_psql_denied(r)
        self.assert_intact("closed_b", 3)


if __name__ == "__main__":
    common.main()
