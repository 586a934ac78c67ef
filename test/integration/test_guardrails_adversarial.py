"""Guardrails under attack: statements written the way someone trying to get past Warden would
write them, against conf/policy-prod.yaml's rules plus one table rule (no DELETE on
public.users at all in prod). Every test asserts the client was refused by Warden (SQLSTATE
42501, `warden: `) AND that the side effect is absent on the backend (table, rows, role, files,
large objects). The unguarded `dev` target on the same database serves as the control where a
test would otherwise pass for the wrong reason (the backend refusing on its own).

A test that fails here because the dangerous statement executed is a bypass: it is kept
failing on purpose and reported, never weakened.
"""

import struct
import uuid

import common
import test_guardrails as g
from common import pgwire
from test_guardrails import (AGENT, HUMAN, SYNC, bind, errors_of, execute, msg, parse,
                             query_msg, read_until_ready, segment, types_of)

USERS_ROWS = 5

# Table rules match names. A table is only protected when the ways to reach it under another
# name (views, rewrite rules, renames) are closed too: the second rule does that.
TABLE_RULE = """\
  - name: no-delete-users
    when: {environments: [prod], statements: [delete], tables: ["public.users"]}
    action: deny
    message: "deleting from public.users is not allowed in prod"
  - name: no-indirection-over-users
    when:
      environments: [prod]
      statements: [create_view, create_materialized_view, create_rule, create_trigger,
                   alter_table, rename_table]
      tables: ["public.users"]
    action: deny
"""


class AdversarialTest(g.GuardrailCase):

    RULES = g.PROD_RULES + TABLE_RULE

    def setUp(self):
        self.fresh_users()

    def fresh_users(self):
        self.backend("DROP VIEW IF EXISTS users_v; DROP TABLE IF EXISTS users_x CASCADE")
        self.fresh_table("users", rows=USERS_ROWS)

    def users_intact(self):
        self.assertTrue(self.table_exists("public.users"), "public.users was dropped")
        self.assertEqual(self.count("public.users"), USERS_ROWS, "rows of public.users changed")
        self.assertEqual(self.count("public.users", "name LIKE 'row%'"), USERS_ROWS,
                         "rows of public.users were updated")

    def attempt(self, c, sql):
        """Sends one Query (str or raw bytes); returns all replies up to ReadyForQuery."""
        body = sql if isinstance(sql, bytes) else sql.encode()
        c.send(msg(b"Q", body + b"\0"))
        return read_until_ready(c)

    def blocked(self, c, sql, rule=None):
        replies = self.attempt(c, sql)
        errs = errors_of(replies)
        self.assertEqual(len(errs), 1, f"{sql!r}: {replies}")
        self.assertEqual(errs[0].get("C"), "42501", f"{sql!r}: {errs[0]}")
        self.assertTrue(errs[0].get("M", "").startswith("warden: "), f"{sql!r}: {errs[0]}")
        if rule:
            self.assertEqual(errs[0].get("D"), f"rule: {rule}", f"{sql!r}: {errs[0]}")
        self.assertNotIn(b"C", types_of(replies), f"{sql!r}: part of it ran: {replies}")
        return errs[0]

    def blocked_all(self, user, statements, rule=None, extended=True):
        """Each statement refused on simple Query (and as an extended-protocol Parse); the
        session stays usable; users untouched after each."""
        c = self.wire(user=user, target="prod")
        try:
            for sql in statements:
                with self.subTest(sql=sql):
                    self.blocked(c, sql, rule)
                    self.users_intact()
                    if extended and ";" not in sql.rstrip().rstrip(";"):
                        c.send(segment(sql))
                        replies = read_until_ready(c)
                        errs = errors_of(replies)
                        self.assertEqual(len(errs), 1, f"{sql!r} (extended): {replies}")
                        self.assertEqual(errs[0].get("C"), "42501", errs[0])
                        self.assertTrue(errs[0]["M"].startswith("warden: "), errs[0])
                        self.users_intact()
            self.assert_usable(c)
        finally:
            c.terminate()

    # ------------------------------------------------------------------ lexical games
    def test_case_and_whitespace_games(self):
        self.blocked_all(AGENT, [
            "dRoP   TaBlE users",
            "DROP\tTABLE\tusers",
            "DROP\nTABLE\nusers",
            "DROP\r\nTABLE\r\nusers",
            "DROP\fTABLE\fusers",
            "DROP\vTABLE users",
            "\n\n   \t DROP TABLE users   ;  \n",
            "drop table USERS",
            "DROP TABLE IF EXISTS users",
            "DROP TABLE no_such_table_x, users CASCADE",
            "tRuNcAtE\tusers",
            "DeLeTe\nFrOm\fusers",
        ], extended=True)

    def test_comments_in_every_position(self):
        self.blocked_all(AGENT, [
            "DROP/**/TABLE/**/users",
            "/* leading */DROP TABLE users",
            "-- leading\nDROP TABLE users",
            "DROP -- x\nTABLE users",
            "DROP TABLE -- x\nusers",
            "DROP /* /* nested */ still comment */ TABLE users",
            "DROP TABLE users /* trailing */",
            "DROP TABLE users -- trailing",
            "DELETE/**/FROM/**/users",
            "DELETE FROM users -- WHERE id = 1",
            "DELETE FROM users /* WHERE id = 1 */",
        ])

    def test_quoted_qualified_and_unicode_identifiers(self):
        self.blocked_all(AGENT, [
            'DROP TABLE "users"',
            'DROP TABLE "public"."users"',
            "DROP TABLE public . users",
            "DROP TABLE app.public.users",
            'DROP TABLE "app"."public"."users"',
            'DROP TABLE U&"\\0075sers"',
            "DROP TABLE U&\"!0075sers\" UESCAPE '!'",
            'DROP TABLE public.U&"\\0075\\0073\\0065\\0072\\0073"',
            'TRUNCATE "public".users',
        ])
        # the table rule (no DELETE on public.users) sees through the same spellings
        self.blocked_all(AGENT, [
            "DELETE FROM users WHERE id = 1",
            'DELETE FROM "users" WHERE id = 1',
            'DELETE FROM "public"."users" WHERE id = 1',
            "DELETE FROM PUBLIC.USERS WHERE id = 1",
            "DELETE FROM app.public.users WHERE id = 1",
            'DELETE FROM U&"\\0075sers" WHERE id = 1',
            "DELETE FROM ONLY users WHERE id = 1",
            "DELETE FROM users AS u WHERE u.id = 1",
            "WITH d AS (DELETE FROM users WHERE id = 1 RETURNING 1) SELECT count(*) FROM d",
        ], rule="no-delete-users")

    def test_search_path_tricks(self):
        self.backend("CREATE SCHEMA IF NOT EXISTS decoy")
        c = self.wire(user=AGENT, target="prod")
        try:
            c.query("SET search_path = decoy, public")
            self.blocked(c, "DELETE FROM users WHERE id = 1", "no-delete-users")
            self.users_intact()
            self.blocked(c, "SET search_path = decoy, public; DELETE FROM users WHERE id = 2")
            self.users_intact()
            c.query("SELECT set_config('search_path', 'decoy,public', false)")
            self.blocked(c, "DELETE FROM users WHERE id = 3", "no-delete-users")
            self.blocked(c, "DELETE FROM users AS x WHERE x.id = 3", "no-delete-users")
            c.query("RESET search_path")
            self.assert_usable(c)
        finally:
            c.terminate()
        self.users_intact()
        # search_path through the startup packet (a forwarded setting) changes nothing either
        try:
            c = pgwire.connect(common.LOCALHOST, self.gw_port("prod"), AGENT, common.APP_DB,
                               g.AGENT_PW, search_path="decoy,public")
        except pgwire.PgError:
            return   # refused at start-up: nothing to bypass
        try:
            self.blocked(c, "DELETE FROM users WHERE id = 4", "no-delete-users")
        finally:
            c.terminate()
        self.users_intact()

    # ------------------------------------------------------------------ multi-statement smuggling
    def test_multi_statement_smuggling(self):
        self.blocked_all(AGENT, [
            "SELECT 1; DELETE FROM users",
            "SELECT 1;DELETE FROM users WHERE id = 1",
            "SELECT 'x';;; DROP TABLE users",
            "BEGIN; DROP TABLE users; COMMIT",
            "SELECT 1; SELECT 2; SELECT 3; TRUNCATE users",
            "SELECT E'\\\\'; DROP TABLE users; --'",     # E'\\' ends: the DROP is real
            "SELECT $a$ x $a$; DROP TABLE users",
            "SELECT 1 /* a */; /* b */ DROP TABLE users",
        ], extended=False)
        r = self.psql("SELECT 1; DELETE FROM users", user=AGENT, target="prod")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("ERROR:  warden: ", r.stderr)
        self.users_intact()

    def test_sql_inside_strings_is_not_a_statement(self):
        c = self.wire(user=AGENT, target="prod")
        try:
            self.assertEqual(c.query("SELECT 'DROP TABLE users'"), [("DROP TABLE users",)])
            self.assertEqual(c.query("SELECT 'x; DROP TABLE users; --'"),
                             [("x; DROP TABLE users; --",)])
            self.assertEqual(c.query("SELECT $$; DROP TABLE users; $$"),
                             [("; DROP TABLE users; ",)])
            self.assertEqual(c.query("SELECT $t$ $a$; DELETE FROM users; $a$ $t$"),
                             [(" $a$; DELETE FROM users; $a$ ",)])
            self.assertEqual(c.query("SELECT 1 /* ; DROP TABLE users; */"), [("1",)])
            self.assertEqual(c.query("SELECT 1 -- ; DROP TABLE users"), [("1",)])
            self.assertEqual(c.query('SELECT 1 AS "; DROP TABLE users; "'), [("1",)])
        finally:
            c.terminate()
        self.users_intact()

    SCS_OFF = (
        ["SET standard_conforming_strings = off"],
        ["SET standard_conforming_strings TO 'off'"],
        ["SELECT set_config('standard_conforming_strings', 'off', false)"],
        ["UPDATE pg_settings SET setting = 'off' WHERE name = 'standard_conforming_strings'"],
        ["BEGIN", "SET LOCAL standard_conforming_strings = off"],
    )

    def test_standard_conforming_strings_off_changes_where_strings_end(self):
        """With standard_conforming_strings off the server reads \\' as an escaped quote: the
        text below is one harmless SELECT for a reader assuming the default (on), but a SELECT
        followed by DROP TABLE for the server."""
        attack = "SELECT 'a\\'' ; DROP TABLE users; --'"
        for setup in self.SCS_OFF:
            with self.subTest(setup=setup):
                self.fresh_users()
                c = self.wire(user=AGENT, target="prod")
                try:
                    refused = False
                    for sql in setup:
                        errs = errors_of(self.attempt(c, sql))
                        if errs:
                            # refusing to switch the lexer is a fine defence
                            self.assertEqual(errs[0].get("C"), "42501", errs[0])
                            refused = True
                            break
                    if refused:
                        continue
                    replies = self.attempt(c, attack)
                    self.attempt(c, "COMMIT")   # the BEGIN variant: keep what ran
                    self.users_intact()
                    errs = errors_of(replies)
                    self.assertEqual(len(errs), 1, replies)
                    self.assertEqual(errs[0].get("C"), "42501", errs[0])
                finally:
                    c.terminate()

    def test_standard_conforming_strings_off_as_database_default(self):
        """The same through a per-database default the next session starts with."""
        c = self.wire(user=AGENT, target="prod")
        try:
            errs = errors_of(self.attempt(
                c, "ALTER DATABASE app SET standard_conforming_strings = off"))
        finally:
            c.terminate()
        self.addCleanup(self.pg.query, "ALTER DATABASE app RESET standard_conforming_strings")
        if errs:
            self.assertEqual(errs[0].get("C"), "42501", errs[0])
            return
        # The default took effect: the server reports it at login and Warden refuses the session.
        try:
            c = self.wire(user=AGENT, target="prod")
        except pgwire.PgError as e:
            self.assertEqual(e.sqlstate, "0A000", e)
            self.assertIn("standard_conforming_strings", str(e))
            self.users_intact()
            return
        try:
            replies = self.attempt(c, "SELECT 'a\\'' ; DROP TABLE users; --'")
            self.users_intact()
            self.assertEqual(len(errors_of(replies)), 1, replies)
        finally:
            c.terminate()

    def test_client_encoding_sjis_hides_a_quote(self):
        """In SJIS, 0x95 0x5C is one character whose second byte is a backslash. The bytes
        E3 81 95 5C are valid UTF-8 (U+3055 then '\\') but SJIS [E3 81][95 5C]: inside E'...'
        a UTF-8 reader sees an escaped quote, the server sees the string end."""
        c = self.wire(user=AGENT, target="prod")
        try:
            try:
                c.query("SET client_encoding = 'SJIS'")
            except pgwire.PgError as e:
                self.assertEqual(e.sqlstate, "42501")
                return
            sql = b"SELECT E'\xe3\x81\x95\\' ; DROP TABLE users; --'"
            replies = self.attempt(c, sql)
            self.users_intact()
            errs = errors_of(replies)
            self.assertEqual(len(errs), 1, replies)
        finally:
            c.terminate()

    # ------------------------------------------------------------------ analysis cache
    def test_same_shape_other_literals_are_decided_afresh(self):
        """Warden caches analyses by normalised text (literals replaced): a harmless statement
        first must not lend its decision to the same shape with other literals (shape_t has
        no table rule of its own)."""
        pairs = (
            ("DELETE FROM shape_t WHERE 1 = 2", "DELETE FROM shape_t WHERE 1 = 1"),
            ("DELETE FROM shape_t WHERE id = 0 OR 1 = 2", "DELETE FROM shape_t WHERE id = 0 OR 1 = 1"),
            ("DELETE FROM shape_t WHERE 'a' = 'b'", "DELETE FROM shape_t WHERE 'a' = 'a'"),
            ("UPDATE shape_t SET name = 'x' WHERE 2 < 1", "UPDATE shape_t SET name = 'x' WHERE 2 > 1"),
            ("EXPLAIN (ANALYZE 0) DELETE FROM shape_t", "EXPLAIN (ANALYZE 1) DELETE FROM shape_t"),
            ("EXPLAIN (ANALYZE 'off') DELETE FROM shape_t",
             "EXPLAIN (ANALYZE 'on') DELETE FROM shape_t"),
            ("SELECT set_config('application_name', 'x', false)",
             "SELECT set_config('role', 'guard_admin', false)"),
        )
        for harmless, attack in pairs:
            with self.subTest(attack=attack):
                self.fresh_table("shape_t", rows=5)
                c = self.wire(user=AGENT, target="prod")
                try:
                    for _ in range(2):
                        self.attempt(c, harmless)
                    replies = self.attempt(c, attack)
                    who = c.query("SELECT current_user")
                    self.assertEqual(who, [("app",)])
                    self.assert_intact("shape_t", 5)
                    self.assertEqual(self.count("shape_t", "name LIKE 'row%'"), 5)
                    errs = errors_of(replies)
                    self.assertEqual(len(errs), 1, replies)
                    self.assertEqual(errs[0].get("C"), "42501", errs[0])
                finally:
                    c.terminate()

    # ------------------------------------------------------------------ prepared statements
    def test_protocol_named_statement_then_sql_execute(self):
        c = self.wire(user=AGENT, target="prod")
        try:
            c.send(parse("pw", "DELETE FROM users") + SYNC)
            errs = errors_of(read_until_ready(c))
            self.assertEqual([e.get("C") for e in errs], ["42501"])
            replies = self.attempt(c, "EXECUTE pw")
            self.assertEqual(len(errors_of(replies)), 1, replies)
            self.assertNotIn(b"C", types_of(replies))
            self.users_intact()
            # an allowed named statement, then a denied re-Parse of the same name: the server
            # keeps the first body, EXECUTE must not run the second
            c.send(parse("pv", "SELECT count(*) FROM users") + SYNC)
            self.assertEqual(types_of(read_until_ready(c)), [b"1", b"Z"])
            c.send(parse("pv", "DELETE FROM users") + bind("pv") + execute() + SYNC)
            self.assertEqual([e.get("C") for e in errors_of(read_until_ready(c))], ["42501"])
            self.attempt(c, "EXECUTE pv")
            self.users_intact()
            self.blocked(c, "CREATE TABLE users_x AS EXECUTE pw")
            self.assertFalse(self.table_exists("users_x"))
        finally:
            c.terminate()
        self.users_intact()

    def test_sql_prepare_then_execute_as_agent(self):
        c = self.wire(user=AGENT, target="prod")
        try:
            self.blocked(c, "PREPARE px AS DELETE FROM users")
            self.attempt(c, "EXECUTE px")
            self.users_intact()
            self.blocked(c, "PREPARE py(int) AS DELETE FROM users WHERE id = $1",
                         "no-delete-users")
            self.attempt(c, "EXECUTE py(1)")
            self.users_intact()
            self.blocked(c, "PREPARE pz AS UPDATE users SET name = 'owned'")
            self.attempt(c, "EXECUTE pz")
            self.users_intact()
            # swap the body behind a known name within one request
            self.attempt(c, "PREPARE pq AS SELECT 1")
            self.blocked(c, "DEALLOCATE pq; PREPARE pq AS DELETE FROM users; EXECUTE pq")
            self.blocked(c, "EXECUTE pq; DEALLOCATE pq; PREPARE pq AS TRUNCATE users")
            self.attempt(c, "EXECUTE pq")
            self.blocked(c, "DISCARD ALL; PREPARE pq AS DELETE FROM users")
            self.users_intact()
            self.blocked(c, "EXPLAIN ANALYZE EXECUTE px")
        finally:
            c.terminate()
        self.users_intact()

    # ------------------------------------------------------------------ wrapped writes
    def test_cte_wrapped_writes(self):
        self.blocked_all(AGENT, [
            "WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d",
            "WITH d AS (UPDATE users SET name = 'x' RETURNING 1) SELECT 1",
            "WITH a AS (SELECT 1), d AS (DELETE FROM users RETURNING 1) SELECT * FROM a",
            "WITH d AS (DELETE FROM users RETURNING id) INSERT INTO users SELECT id + 100, "
            "'x' FROM d",
            "WITH RECURSIVE r AS (SELECT 1), d AS (DELETE FROM users WHERE true RETURNING 1) "
            "SELECT 1",
            "WITH d AS MATERIALIZED (DELETE FROM users WHERE 1 = 1 RETURNING 1) SELECT 1",
            "COPY (DELETE FROM users RETURNING *) TO STDOUT",
            "COPY (WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d) TO STDOUT",
        ])

    def test_explain_analyze_wrapping_writes(self):
        self.blocked_all(AGENT, [
            "EXPLAIN ANALYZE DELETE FROM users",
            "explain analyse delete from users",
            "EXPLAIN (ANALYZE) UPDATE users SET name = 'x'",
            "EXPLAIN (ANALYZE 1, COSTS off) DELETE FROM users",
            "EXPLAIN (ANALYZE on) DELETE FROM users",
            "EXPLAIN (FORMAT JSON, ANALYZE) DELETE FROM users",
            "EXPLAIN (ANALYZE false, ANALYZE true) DELETE FROM users",
            "EXPLAIN ANALYZE VERBOSE DELETE FROM users",
            "EXPLAIN ANALYZE WITH d AS (DELETE FROM users RETURNING 1) SELECT 1",
            "EXPLAIN ANALYZE DELETE FROM users WHERE id = 1",
        ])
        # planned only: allowed, and nothing happens
        c = self.wire(user=AGENT, target="prod")
        try:
            c.query("EXPLAIN DELETE FROM users")
            c.query("EXPLAIN (ANALYZE true, ANALYZE false) DELETE FROM users")
        finally:
            c.terminate()
        self.users_intact()

    # ------------------------------------------------------------------ dynamic SQL (agents)
    def test_functions_that_execute_sql(self):
        self.blocked_all(AGENT, [
            "SELECT query_to_xml('DELETE FROM users RETURNING 1', true, true, '')",
            "SELECT query_to_xml($q$SELECT 1$q$, true, true, '')",
            "SELECT * FROM query_to_xml_and_xmlschema('SELECT 1', true, true, '')",
            "DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$",
            "DO $$ BEGIN EXECUTE 'DELETE FROM ' || 'users'; END $$",
            "DO LANGUAGE plpgsql $x$ BEGIN DELETE FROM users; END $x$",
            "do $$begin execute format('TRUNCATE %I', 'users'); end$$",
            "SELECT dblink_exec('dbname=app', 'DROP TABLE users')",
            "CREATE TABLE users_x AS EXECUTE never_prepared",
        ], rule="no-dynamic-sql-in-prod")
        self.assertFalse(self.table_exists("users_x"))

    def test_ts_stat_runs_the_query_text_it_is_given(self):
        """ts_stat(query) executes its argument as SQL: dynamic SQL for an agent."""
        c = self.wire(user=AGENT, target="prod")
        try:
            self.blocked(c, "SELECT * FROM ts_stat('SELECT to_tsvector(name) FROM users')",
                         "no-dynamic-sql-in-prod")
        finally:
            c.terminate()

    def test_sql_function_wrapping_drop_table(self):
        """An agent defines a function whose body drops the table, then calls it: the DROP runs
        inside the function where Warden never sees it."""
        c = self.wire(user=AGENT, target="prod")
        try:
            create = self.attempt(c, "CREATE FUNCTION evil_drop() RETURNS void LANGUAGE sql "
                                     "AS 'DROP TABLE users'")
            call = self.attempt(c, "SELECT evil_drop()")
            self.users_intact()
            self.assertTrue(errors_of(create) or errors_of(call), (create, call))
        finally:
            c.terminate()
            self.backend("DROP FUNCTION IF EXISTS evil_drop()")

    def test_plpgsql_function_executing_dynamic_sql(self):
        """The dynamic-SQL ban for agents: a plpgsql function with EXECUTE is a DO block with a
        name."""
        c = self.wire(user=AGENT, target="prod")
        try:
            create = self.attempt(
                c, "CREATE FUNCTION evil_exec(q text) RETURNS void LANGUAGE plpgsql "
                   "AS $$ BEGIN EXECUTE q; END $$")
            call = self.attempt(c, "SELECT evil_exec('TRUNCATE users')")
            self.users_intact()
            self.assertTrue(errors_of(create) or errors_of(call), (create, call))
        finally:
            c.terminate()
            self.backend("DROP FUNCTION IF EXISTS evil_exec(text)")

    def test_procedure_wrapping_unbounded_delete(self):
        c = self.wire(user=AGENT, target="prod")
        try:
            create = self.attempt(c, "CREATE PROCEDURE evil_proc() LANGUAGE sql "
                                     "BEGIN ATOMIC DELETE FROM users; END")
            call = self.attempt(c, "CALL evil_proc()")
            self.users_intact()
            self.assertTrue(errors_of(create) or errors_of(call), (create, call))
        finally:
            c.terminate()
            self.backend("DROP PROCEDURE IF EXISTS evil_proc()")

    def test_rewrite_rule_turning_insert_into_unbounded_delete(self):
        c = self.wire(user=AGENT, target="prod")
        try:
            create = self.attempt(c, "CREATE RULE evil_rule AS ON INSERT TO users "
                                     "DO INSTEAD DELETE FROM users")
            self.assertEqual(errors_of(create)[0].get("C"), "42501", create)
            self.assertEqual(self.backend("SELECT count(*) FROM pg_rules WHERE rulename = 'evil_rule'"),
                             [("0",)])
            ins = self.attempt(c, "INSERT INTO users VALUES (1000, 'trigger')")
            self.assertFalse(errors_of(ins), ins)
            self.backend("DELETE FROM users WHERE id = 1000")
            self.users_intact()
        finally:
            c.terminate()
            self.backend("DROP RULE IF EXISTS evil_rule ON users")

    def test_delete_through_an_updatable_view(self):
        """The table rule names public.users; a simple view over it is auto-updatable."""
        c = self.wire(user=AGENT, target="prod")
        try:
            create = self.attempt(c, "CREATE VIEW users_v AS SELECT * FROM users")
            dele = self.attempt(c, "DELETE FROM users_v WHERE id = 1")
            self.users_intact()
            self.assertTrue(errors_of(create) or errors_of(dele), (create, dele))
        finally:
            c.terminate()

    def test_merge_deleting_every_row(self):
        """MERGE ... WHEN MATCHED THEN DELETE is an unbounded delete that is not `delete`."""
        c = self.wire(user=AGENT, target="prod")
        try:
            replies = self.attempt(c, "MERGE INTO users u USING users s ON u.id = s.id "
                                      "WHEN MATCHED THEN DELETE")
            self.users_intact()
            self.assertEqual(errors_of(replies)[0].get("C"), "42501")
        finally:
            c.terminate()

    def test_human_do_block_dropping_a_table_in_prod(self):
        """Humans may run DO blocks under the example policy, but the drop rule applies to
        everyone in prod: a DROP inside a DO body is still a DROP."""
        c = self.wire(user=HUMAN, target="prod")
        try:
            replies = self.attempt(c, "DO $$ BEGIN DROP TABLE users; END $$")
            self.users_intact()
            self.assertEqual(errors_of(replies)[0].get("C"), "42501")
        finally:
            c.terminate()

    # ------------------------------------------------------------------ role changes
    def test_set_config_role_is_set_role(self):
        for sql in ("SET ROLE guard_admin", "SET role = 'guard_admin'",
                    "SET SESSION ROLE guard_admin",
                    "BEGIN; SET LOCAL role TO guard_admin; SELECT 1",
                    "SELECT set_config('role', 'guard_admin', false)",
                    "SELECT set_config('ro' || 'le', 'guard_admin', false)",
                    "SELECT set_config(x, 'guard_admin', false) FROM (VALUES ('role')) v(x)",
                    "SELECT set_config('role', 'guard_admin', true)"):
            with self.subTest(sql=sql):
                c = self.wire(user=AGENT, target="prod")   # fresh session: RESET ROLE is DCL too
                try:
                    replies = self.attempt(c, sql)
                    self.attempt(c, "ROLLBACK")
                    who = c.query("SELECT current_user")
                    self.assertEqual(who, [("app",)], f"{sql!r} switched the role")
                    errs = errors_of(replies)
                    self.assertEqual(len(errs), 1, replies)
                    self.assertEqual(errs[0].get("C"), "42501", errs[0])
                    self.assertTrue(errs[0]["M"].startswith("warden: "), errs[0])
                finally:
                    c.terminate()
        # control: the privilege is real on the unguarded target
        out = self.psql_ok("SELECT set_config('role', 'guard_admin', false); SELECT current_user",
                           user=AGENT, target="dev")
        self.assertEqual(out.split()[-1], "guard_admin")

    # ------------------------------------------------------------------ protocol-level tricks
    def test_fastpath_function_call_refused(self):
        lo_creat = self.backend("SELECT 'lo_creat'::regproc::oid")[0][0]
        before = self.backend("SELECT count(*) FROM pg_largeobject_metadata")[0][0]
        c = self.wire(user=HUMAN, target="prod")
        try:
            # FunctionCall lo_creat(-1): one int4 argument in binary
            body = (struct.pack("!I", int(lo_creat)) + struct.pack("!hh", 1, 1)
                    + struct.pack("!h", 1) + struct.pack("!i", 4) + struct.pack("!i", -1)
                    + struct.pack("!h", 1))
            c.send(msg(b"F", body))
            replies = read_until_ready(c)
            self.assertEqual(types_of(replies), [b"E", b"Z"], replies)
            f = errors_of(replies)[0]
            self.assertEqual(f.get("C"), "42501")
            self.assertTrue(f["M"].startswith("warden: "))
            self.assert_usable(c)
        finally:
            c.terminate()
        after = self.backend("SELECT count(*) FROM pg_largeobject_metadata")[0][0]
        self.assertEqual(before, after, "lo_creat ran through fastpath")

    def test_very_long_statements(self):
        c = self.wire(user=AGENT, target="prod")
        try:
            for sql in ("SELECT 1" + " " * 4_000_000 + "; DROP TABLE users",
                        "/*" + "x" * 2_000_000 + "*/ DROP TABLE users",
                        "SELECT 1;" * 20000 + " DROP TABLE users",
                        "SELECT '" + "a" * 3_000_000 + "'; TRUNCATE users",
                        "DELETE FROM users WHERE id IN (" + ",".join(["1"] * 200000) + ") "
                        "OR true",
                        "SELECT " + "(" * 3000 + "1" + ")" * 3000 + "; DROP TABLE users"):
                with self.subTest(sql=sql[:40] + "..." + sql[-30:]):
                    self.blocked(c, sql)
                    self.users_intact()
            self.assert_usable(c)
        finally:
            c.terminate()

    def _raw_attempt(self, data):
        """Sends raw bytes; returns (replies, closed). Never raises on a closed connection."""
        c = self.wire(user=AGENT, target="prod")
        replies, closed = [], False
        try:
            c.send(data)
            try:
                replies = read_until_ready(c)
            except (ConnectionError, OSError):
                closed = True
            if not closed:
                try:
                    self.assert_usable(c)
                except (ConnectionError, OSError):
                    closed = True
        finally:
            c.close()
        return replies, closed

    def test_nul_bytes_in_query_text(self):
        for data in (msg(b"Q", b"SELECT 1\0DROP TABLE users\0"),
                     msg(b"Q", b"DROP TABLE users\0"[:-1]),          # no terminator
                     msg(b"Q", b"SELECT 1; \0; DROP TABLE users\0"),
                     msg(b"P", b"\0DROP TABLE users\0x\0\0\0") + bind("") + execute() + SYNC,
                     msg(b"P", b"\0SELECT 1\0DROP TABLE users\0\0\0") + bind("") + execute()
                     + SYNC):
            with self.subTest(data=data[:40]):
                replies, closed = self._raw_attempt(data)
                self.users_intact()
                self.assertNotIn(b"C", types_of(replies), replies)
                if not closed:
                    self.assertTrue(errors_of(replies), replies)

    def test_invalid_utf8_in_query_text(self):
        for sql in (b"DROP TABLE users -- \xff",
                    b"SELECT '\xc0\xa7'; DROP TABLE users; --'",
                    b"SELECT 1 /* \xff\xfe */; DROP TABLE users",
                    b"SELECT '\xed\xa0\x80'; TRUNCATE users",
                    b"DELETE FROM users -- \x80 WHERE id = 1",
                    b"SELECT 'caf\xe9'; DROP TABLE users"):
            with self.subTest(sql=sql):
                replies, closed = self._raw_attempt(msg(b"Q", sql + b"\0"))
                self.users_intact()
                self.assertNotIn(b"C", types_of(replies), replies)
                if not closed:
                    errs = errors_of(replies)
                    self.assertEqual(len(errs), 1, replies)
                    self.assertIn(errs[0].get("C"), ("42501", "22021", "08P01"), errs[0])


if __name__ == "__main__":
    common.main()
