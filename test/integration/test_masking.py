"""Dynamic masking end to end (SPEC.md `masking`, `detectors`; issue 7): a real PostgreSQL 15 with
a table of realistic PII behind a running Warden. Every check reads the raw bytes the client
received (not only the parsed values): no raw value of a masked column may appear anywhere in
them, in text or binary result format, while an exempt group sees the values.

Cases: plain columns, aliases, `*`, `t.*`, expressions over a masked column (lower, ||, substr,
casts), CTEs, subqueries, UNION branches, views over masked columns (a renamed column and an
expression), whole-row JSON (row_to_json, json_agg, to_jsonb), RETURNING of INSERT/UPDATE/
DELETE, cursors (DECLARE/FETCH, simple and extended protocol), prepared statements with binary
results (a hashed int4 stays 4 bytes), COPY TO STDOUT (text, CSV with options, legacy syntax,
binary, a query), the value
detectors on a prod target (true and false positives), the audit record's `masked` list, and a
1M-row result through masking with Warden's memory measured.
"""

import json
import os
import re
import struct
import time

import common
from common import APP_DB, APP_ROLE, APP_PASSWORD, harness, pgwire
from harness import LOCALHOST, wait_until

ALICE, ALICE_PW = "alice", "alice-pw"        # masked
BOB, BOB_PW = "bob", "bob-pw"                # pii-readers: exempt from customer-pii


def luhn_complete(prefix):
    """Appends the Luhn check digit to a digit string."""
    digits = [int(c) for c in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)


def people(n=40):
    rows = []
    first = ["Alice", "Bruno", "Chiara", "Dmitri", "Esther", "Farid", "Greta", "Hiroshi"]
    for i in range(1, n + 1):
        name = f"{first[i % len(first)]} Tester{i:03d}"
        email = f"{first[i % len(first)].lower()}.tester{i:03d}@example.com"
        ssn = f"{100 + i:03d}-{10 + i % 80:02d}-{1000 + i * 7:04d}"
        card = luhn_complete(f"4{i:014d}"[:15])
        phone = f"+1 415 555 {1000 + i:04d}"
        salary = 50000 + i * 1013
        api_key = f"sk_live_{i:04d}_Zq8vLr2Xn5Tw"
        rows.append(dict(id=i, name=name, email=email, ssn=ssn, card=card, phone=phone,
                         salary=salary, api_key=api_key))
    return rows


PEOPLE = people()


def secret_values(row):
    return [row["email"], row["ssn"], row["card"], row["api_key"]]


class RecordingSocket:
    """Wraps a socket; keeps every byte received."""

    def __init__(self, sock):
        self.sock, self.data = sock, bytearray()

    def recv(self, n):
        chunk = self.sock.recv(n)
        self.data += chunk
        return chunk

    def __getattr__(self, name):
        return getattr(self.sock, name)


def cstr(s):
    return s.encode() + b"\0"


class MaskingTest(common.GatewayCase):
    TARGETS = (("pg", "optional"),)
    USERS = ((ALICE, ALICE_PW), (BOB, BOB_PW))

    @classmethod
    def make_config(cls, name="warden.yaml"):
        cfg = harness.WardenConfig(cls.s.path(name), cls.s.dir, cls.cert, cls.key)
        cfg.add_target("pg", cls.pg, backend_user=APP_ROLE, backend_password=APP_PASSWORD,
                       database=APP_DB, environment="test")
        cfg.add_target("prod", cls.pg, backend_user=APP_ROLE, backend_password=APP_PASSWORD,
                       database=APP_DB, environment="prod")
        cfg.add_user(ALICE, ALICE_PW, groups=["dev"])
        cfg.add_user(BOB, BOB_PW, groups=["dev", "pii-readers"])
        cfg.extra = """
masking:
  - name: customer-pii
    columns: ["public.users.email", "*.ssn", "users.card", "public.big.email", "accounts.contact",
              "accounts.level"]
    method: partial
    exempt_groups: [pii-readers]
  - name: pay
    columns: ["users.salary"]
    method: hash
  - name: secrets
    columns: ["public.users.api_key"]
    method: redact
  - name: capped
    columns: ["capped.v"]
    method: redact
    max_rows: 3
detectors:
  enabled: [email, credit_card, us_ssn, iban, aws_key, jwt, private_key]
  method: redact
  environments: [prod]
"""
        cfg.write()
        return cfg

    @classmethod
    def prepare(cls):
        values = ",".join(
            "({id},'{name}','{email}','{ssn}','{card}','{phone}',{salary},'{api_key}')".format(**p)
            for p in PEOPLE)
        sql = f"""
CREATE TABLE users (id int PRIMARY KEY, name text, email text, ssn text, card text, phone text,
                    salary int4, api_key text);
INSERT INTO users VALUES {values};
CREATE VIEW v_contacts AS SELECT id, email AS contact, name FROM users;
CREATE VIEW v_lower AS SELECT id, lower(email) AS le FROM users;
CREATE TABLE notes (id int, body text);
INSERT INTO notes VALUES
  (1, 'write to dana.scully@fbi.example.org about it'),
  (2, 'card 4242 4242 4242 4242 exp 12/29'),
  (3, 'ssn 219-09-9999 on file'),
  (4, 'order 123456789 shipped, tracking 987654321'),
  (5, 'iban GB82 WEST 1234 5698 7654 32 for payroll'),
  (6, 'key AKIAIOSFODNN7EXAMPLE leaked'),
  (7, 'nothing to see here, version 1.2.3, 2024-05-01'),
  (8, 'card 4242 4242 4242 4241 is not luhn-valid');
CREATE DOMAIN email_t AS text;
CREATE TYPE tier AS ENUM ('gold', 'silver');
CREATE TABLE accounts (id int, contact email_t, level tier);
INSERT INTO accounts VALUES (1, 'owner.one@example.com', 'gold'), (2, 'owner.two@example.com', 'silver');
ALTER TABLE accounts OWNER TO {APP_ROLE};
CREATE TABLE capped (id int, v text);
INSERT INTO capped SELECT i, 'value ' || i FROM generate_series(1, 10) i;
ALTER TABLE capped OWNER TO {APP_ROLE};
CREATE TABLE big (i int, email text);
INSERT INTO big SELECT i, 'person' || i || '@example.com' FROM generate_series(1, 1000000) i;
GRANT ALL ON ALL TABLES IN SCHEMA public TO {APP_ROLE};
ALTER TABLE users OWNER TO {APP_ROLE};
ALTER TABLE notes OWNER TO {APP_ROLE};
ALTER TABLE big OWNER TO {APP_ROLE};
ALTER VIEW v_contacts OWNER TO {APP_ROLE};
ALTER VIEW v_lower OWNER TO {APP_ROLE};
"""
        r = cls.pg.psql(sql, dbname=APP_DB, args=["-v", "ON_ERROR_STOP=1"])
        if r.returncode != 0:
            raise harness.HarnessError(f"seed failed: {r.stderr}")

    # --- helpers -------------------------------------------------------------------------
    def conn(self, user=ALICE, password=ALICE_PW, target="pg"):
        c = pgwire.connect(LOCALHOST, self.gw_port(target), user, APP_DB, password)
        c.sock = RecordingSocket(c.sock)
        self.addCleanup(c.terminate)
        return c

    def simple(self, sql, **kw):
        """(rows, raw bytes of the reply) for a simple query."""
        c = self.conn(**kw)
        before = len(c.sock.data)
        rows = c.query(sql)
        return rows, bytes(c.sock.data[before:])

    def assert_no_raw(self, raw, values, what):
        for v in values:
            self.assertNotIn(v.encode(), raw, f"{what}: raw value {v!r} reached the client")

    def assert_masked_everywhere(self, sql, values=secret_values, **kw):
        """Simple query (text), then the extended protocol with text and binary results."""
        rows, raw = self.simple(sql, **kw)
        self.assertTrue(rows, f"{sql}: no rows")
        for p in PEOPLE:
            self.assert_no_raw(raw, values(p), sql)
        c = self.conn(**kw)
        for fmt in (0, 1):
            _, xrows, xraw = self.extended(c, sql, result_format=fmt)
            self.assertEqual(len(xrows), len(rows), f"{sql} (format {fmt})")
            for p in PEOPLE:
                self.assert_no_raw(xraw, values(p), f"{sql} (extended, format {fmt})")
        return rows, raw

    def extended(self, c, sql, result_format=1, params=()):
        """Parse/Bind (all results in `result_format`)/Describe/Execute/Sync; returns
        (row description, rows as lists of raw bytes or None, raw reply bytes)."""
        before = len(c.sock.data)
        body = cstr("") + cstr(sql) + struct.pack("!H", 0)
        msg = pgwire.message(b"P", body)
        bind = cstr("") + cstr("") + struct.pack("!H", 0) + struct.pack("!H", len(params))
        for p in params:
            bind += struct.pack("!i", len(p)) + p
        bind += struct.pack("!HH", 1, result_format)
        msg += pgwire.message(b"B", bind)
        msg += pgwire.message(b"D", b"P" + cstr(""))
        msg += pgwire.message(b"E", cstr("") + struct.pack("!i", 0))
        msg += pgwire.message(b"S")
        c.send(msg)
        desc, rows, error = None, [], None
        while True:
            kind, body = c.read_message()
            if kind == b"T":
                desc = self.row_description(body)
            elif kind == b"D":
                rows.append(self.data_row(body))
            elif kind == b"E":
                error = pgwire.parse_error_fields(body)
            elif kind == b"Z":
                break
        if error:
            raise pgwire.PgError(error)
        return desc, rows, bytes(c.sock.data[before:])

    @staticmethod
    def row_description(body):
        (n,), i, out = struct.unpack("!H", body[:2]), 2, []
        for _ in range(n):
            end = body.index(b"\0", i)
            name = body[i:end].decode()
            i = end + 1
            table, col, typ, size, mod, fmt = struct.unpack("!IhIhih", body[i:i + 18])
            i += 18
            out.append(dict(name=name, table=table, type=typ, format=fmt))
        return out

    @staticmethod
    def data_row(body):
        (n,), i, row = struct.unpack("!H", body[:2]), 2, []
        for _ in range(n):
            (ln,) = struct.unpack("!i", body[i:i + 4])
            i += 4
            row.append(None if ln < 0 else body[i:i + ln])
            i += max(ln, 0)
        return row

    # --- column rules, lineage ------------------------------------------------------------
    def test_plain_columns_partial_shapes(self):
        rows, _ = self.assert_masked_everywhere("SELECT id, email, ssn, card FROM users ORDER BY id")
        r = rows[0]
        self.assertRegex(r[1], r"^[a-z]\*\*\*@example\.com$")
        self.assertRegex(r[2], r"^\*\*\*-\*\*-\d{4}$")
        self.assertTrue(r[2].endswith(PEOPLE[0]["ssn"][-4:]))
        self.assertTrue(r[3].endswith(PEOPLE[0]["card"][-4:]), r[3])
        self.assertEqual(r[0], "1")

    def test_aliases_star_and_table_star(self):
        for sql in ("SELECT email AS e, ssn AS \"S\" FROM users u",
                    "SELECT * FROM users",
                    "SELECT u.* FROM users u",
                    "SELECT x.* FROM users x JOIN notes n ON n.id = x.id",
                    "SELECT * FROM public.users WHERE id < 5"):
            with self.subTest(sql=sql):
                self.assert_masked_everywhere(sql)

    def test_expressions_over_masked_columns(self):
        for sql in ("SELECT lower(email) FROM users",
                    "SELECT email || '' FROM users",
                    "SELECT substr(email, 1, 40) FROM users",
                    "SELECT email::varchar(200) FROM users",
                    "SELECT CAST(ssn AS text) AS s FROM users",
                    "SELECT upper(card) || '-' || lower(email) FROM users",
                    "SELECT coalesce(api_key, 'none') FROM users"):
            with self.subTest(sql=sql):
                self.assert_masked_everywhere(sql)

    def test_ctes_subqueries_unions(self):
        for sql in ("WITH c AS (SELECT email, ssn, card, api_key FROM users) SELECT * FROM c",
                    "WITH c(e) AS (SELECT lower(email) FROM users) SELECT e FROM c",
                    "SELECT x.e FROM (SELECT email AS e FROM users) x",
                    "SELECT * FROM (SELECT lower(email) e, ssn, card, api_key FROM users) x",
                    "SELECT name FROM users UNION ALL SELECT email FROM users "
                    "UNION ALL SELECT ssn FROM users UNION ALL SELECT card FROM users "
                    "UNION ALL SELECT api_key FROM users",
                    "SELECT (SELECT email FROM users u2 WHERE u2.id = u.id) FROM users u"):
            with self.subTest(sql=sql):
                self.assert_masked_everywhere(sql)

    def test_views_over_masked_columns(self):
        for sql in ("SELECT contact FROM v_contacts", "SELECT * FROM v_contacts",
                    "SELECT upper(contact) FROM v_contacts", "SELECT le FROM v_lower",
                    "SELECT * FROM v_lower"):
            with self.subTest(sql=sql):
                self.assert_masked_everywhere(sql, values=lambda p: [p["email"]])
        # The view's other columns stay readable.
        rows, _ = self.simple("SELECT name FROM v_contacts ORDER BY id LIMIT 1")
        self.assertEqual(rows[0][0], PEOPLE[0]["name"])

    def test_whole_row_json(self):
        for sql in ("SELECT row_to_json(u) FROM users u",
                    "SELECT json_agg(u) FROM users u",
                    "SELECT to_jsonb(u) FROM users u",
                    "SELECT json_agg(x) FROM (SELECT * FROM users) x"):
            with self.subTest(sql=sql):
                rows, _ = self.assert_masked_everywhere(sql)
        rows, _ = self.simple("SELECT row_to_json(u) FROM users u WHERE id = 1")
        doc = json.loads(rows[0][0])
        self.assertEqual(doc["name"], PEOPLE[0]["name"])      # unmasked members kept
        self.assertEqual(doc["id"], 1)
        self.assertNotEqual(doc["email"], PEOPLE[0]["email"])
        # Binary results: json is its text, jsonb a version byte and the text; both rewritten.
        c = self.conn()
        for sql, prefix in (("SELECT row_to_json(u) FROM users u WHERE id = 1", b""),
                            ("SELECT to_jsonb(u) FROM users u WHERE id = 1", b"\x01")):
            _, xrows, _ = self.extended(c, sql, result_format=1)
            value = xrows[0][0]
            self.assertIsNotNone(value, sql)
            self.assertTrue(value.startswith(prefix + b"{"), value[:20])
            doc = json.loads(value[len(prefix):])
            self.assertEqual(doc["name"], PEOPLE[0]["name"])
            self.assertNotEqual(doc["email"], PEOPLE[0]["email"])

    def test_returning(self):
        c = self.conn()
        c.query("BEGIN")
        before = len(c.sock.data)
        c.query("UPDATE users SET name = name WHERE id <= 3 RETURNING email, ssn")
        c.query("INSERT INTO users VALUES (900, 'New', 'new.person@example.com', '123-45-6789', "
                "'4111111111111111', '+1 1', 1, 'sk_new_secret_value') RETURNING *")
        c.query("DELETE FROM users WHERE id = 900 RETURNING email, card, api_key")
        raw = bytes(c.sock.data[before:])
        c.query("ROLLBACK")
        for p in PEOPLE[:3]:
            self.assert_no_raw(raw, [p["email"], p["ssn"]], "RETURNING")
        self.assert_no_raw(raw, ["new.person@example.com", "123-45-6789", "4111111111111111",
                                 "sk_new_secret_value"], "RETURNING")

    def test_cursors_simple_and_extended(self):
        c = self.conn()
        c.query("BEGIN")
        c.query("DECLARE cur CURSOR FOR SELECT lower(email) AS e, ssn FROM users ORDER BY id")
        before = len(c.sock.data)
        rows = c.query("FETCH 5 FROM cur")
        self.assertEqual(len(rows), 5)
        _, xrows, _ = self.extended(c, "FETCH 5 FROM cur", result_format=1)
        self.assertEqual(len(xrows), 5)
        raw = bytes(c.sock.data[before:])
        c.query("COMMIT")
        for p in PEOPLE[:10]:
            self.assert_no_raw(raw, [p["email"], p["ssn"]], "FETCH")

    def test_prepared_binary_and_text(self):
        c = self.conn()
        for fmt in (0, 1):
            with self.subTest(format=fmt):
                desc, rows, raw = self.extended(
                    c, "SELECT id, email, salary, ssn FROM users WHERE id <= $1 ORDER BY id",
                    result_format=fmt, params=[b"40"])
                self.assertEqual(len(rows), 40)
                self.assertEqual([d["format"] for d in desc], [fmt] * 4)
                for p in PEOPLE:
                    self.assert_no_raw(raw, secret_values(p), f"extended format {fmt}")
                if fmt == 1:
                    # int4 in binary: still exactly 4 bytes (or NULL), never text.
                    for r in rows:
                        self.assertEqual(len(r[0]), 4)
                        self.assertTrue(r[2] is None or len(r[2]) == 4, r[2])
                    salaries = [struct.unpack("!i", r[2])[0] for r in rows if r[2] is not None]
                    self.assertFalse(set(salaries) & {p["salary"] for p in PEOPLE})

    def test_hash_is_deterministic_for_joins(self):
        rows1, _ = self.simple("SELECT salary FROM users WHERE id = 7")
        rows2, _ = self.simple("SELECT salary FROM users WHERE id = 7", user=BOB, password=BOB_PW)
        self.assertEqual(rows1, rows2)  # hash applies to bob too (not exempt from `pay`)
        self.assertNotEqual(rows1[0][0], str(PEOPLE[6]["salary"]))

    def test_exempt_group_sees_values(self):
        rows, raw = self.simple("SELECT email, ssn, card, api_key FROM users ORDER BY id",
                                user=BOB, password=BOB_PW)
        self.assertEqual(rows[0][0], PEOPLE[0]["email"])
        self.assertEqual(rows[0][1], PEOPLE[0]["ssn"])
        self.assertEqual(rows[0][2], PEOPLE[0]["card"])
        self.assertEqual(rows[0][3], "****")  # `secrets` has no exemption

    def copy_out(self, c, sql):
        """COPY ... TO STDOUT over the wire: the CopyData payloads joined, raw bytes checked."""
        c.send_query(sql)
        data, error = b"", None
        while True:
            kind, body = c.read_message()
            if kind == b"d":
                data += body
            elif kind == b"E":
                error = pgwire.parse_error_fields(body)
            elif kind == b"Z":
                break
        if error:
            raise pgwire.PgError(error)
        return data

    def test_copy_to_stdout_masked(self):
        c = self.conn()
        before = len(c.sock.data)
        text = self.copy_out(c, "COPY users TO STDOUT")
        csv = self.copy_out(c, "COPY users (id, email, name, ssn) TO STDOUT WITH (FORMAT csv, "
                               "HEADER true, DELIMITER ';')")
        query = self.copy_out(c, "COPY (SELECT id, lower(email), ssn || '' FROM users) TO STDOUT")
        legacy = self.copy_out(c, "COPY users TO STDOUT CSV DELIMITER '|'")
        binary = self.copy_out(c, "COPY users (id, email, salary, card) TO STDOUT (FORMAT binary)")
        raw = bytes(c.sock.data[before:])
        for p in PEOPLE:
            self.assert_no_raw(raw, secret_values(p), "COPY")
        lines = text.decode().splitlines()
        self.assertEqual(len(lines), len(PEOPLE))
        first = lines[0].split("\t")
        self.assertEqual(first[0], "1")
        self.assertEqual(first[1], PEOPLE[0]["name"])            # unmasked column kept
        self.assertRegex(first[2], r"^[a-z]\*\*\*@example\.com$")
        self.assertEqual(first[5], PEOPLE[0]["phone"])
        self.assertNotEqual(first[6], str(PEOPLE[0]["salary"]))  # hashed int stays an int
        self.assertRegex(first[6], r"^-?\d+$")
        self.assertEqual(first[7], "****")
        csv_lines = csv.decode().splitlines()
        self.assertEqual(csv_lines[0], "id;email;name;ssn")      # header passes
        self.assertEqual(csv_lines[1].split(";")[2], PEOPLE[0]["name"])
        self.assertEqual(len(query.decode().splitlines()), len(PEOPLE))
        self.assertEqual(legacy.decode().splitlines()[0].split("|")[1], PEOPLE[0]["name"])
        self.assertTrue(binary.startswith(b"PGCOPY\n\xff\r\n\0"))
        self.assertEqual(c.query("SELECT 1"), [("1",)])         # the session goes on

    def test_copy_exempt_group_unmasked(self):
        c = self.conn(user=BOB, password=BOB_PW)
        data = self.copy_out(c, "COPY users (email) TO STDOUT")
        self.assertIn(PEOPLE[0]["email"].encode(), data)

    def test_unmasked_results_untouched(self):
        rows, _ = self.simple("SELECT id, name, phone FROM users ORDER BY id LIMIT 2")
        self.assertEqual(rows[0], ("1", PEOPLE[0]["name"], PEOPLE[0]["phone"]))
        rows, _ = self.simple("SELECT body FROM notes ORDER BY id")  # detectors off in env test
        self.assertIn("dana.scully@fbi.example.org", rows[0][0])

    def test_new_table_created_in_session_is_masked(self):
        c = self.conn()
        c.query("CREATE TEMP VIEW tv AS SELECT email AS x FROM users")
        before = len(c.sock.data)
        c.query("SELECT * FROM tv")
        raw = bytes(c.sock.data[before:])
        for p in PEOPLE:
            self.assert_no_raw(raw, [p["email"]], "view created in the session")

    def test_user_defined_text_types_keep_their_shape(self):
        # A domain over text and an enum: masked as text (partial shape), not nulled.
        c = self.conn()
        for fmt in (0, 1):
            _, rows, raw = self.extended(c, "SELECT contact, level FROM accounts ORDER BY id",
                                         result_format=fmt)
            self.assertNotIn(b"owner.one@example.com", raw)
            self.assertNotIn(b"silver", raw)
            self.assertEqual(rows[0][0], b"o***@example.com")
            self.assertEqual(rows[0][1], b"****")

    def test_max_rows_cuts_cleanly(self):
        c = self.conn()
        c.notices.clear()
        c.send_query("SELECT id, v FROM capped ORDER BY id")
        rows, tags = c.read_result()
        self.assertEqual(len(rows), 3)
        self.assertEqual(tags, ["SELECT 3"])
        self.assertTrue(any("max_rows" in n.get("M", "") for n in c.notices), c.notices)
        # Extended protocol, binary: the same limit; the session stays usable.
        _, xrows, _ = self.extended(c, "SELECT id, v FROM capped", result_format=1)
        self.assertEqual(len(xrows), 3)
        self.assertEqual(len(c.query("SELECT id FROM users")), len(PEOPLE))  # no limit there

    def test_max_rows_spans_a_portal_fetched_in_parts(self):
        c = self.conn()
        c.query("BEGIN")
        parse = pgwire.message(b"P", cstr("") + cstr("SELECT id, v FROM capped ORDER BY id") +
                               struct.pack("!H", 0))
        bind = pgwire.message(b"B", cstr("") + cstr("") + struct.pack("!HHH", 0, 0, 0))
        execute = pgwire.message(b"E", cstr("") + struct.pack("!i", 2))
        sync = pgwire.message(b"S")
        got, tags = [], []
        c.notices.clear()
        c.send(parse + bind + execute + sync)
        for _ in range(10):   # fetches of 2 until the portal completes: the limit spans them
            while True:
                kind, body = c.read_message()
                if kind == b"D":
                    got.append(self.data_row(body))
                elif kind in (b"C", b"s"):
                    tags.append(kind + body.rstrip(b"\0"))
                elif kind == b"N":
                    c.notices.append(pgwire.parse_error_fields(body))
                elif kind == b"E":
                    self.fail(pgwire.parse_error_fields(body))
                elif kind == b"Z":
                    break
            if tags[-1].startswith(b"C"):
                break
            c.send(execute + sync)
        c.query("COMMIT")
        self.assertEqual([int(r[0]) for r in got], [1, 2, 3])
        self.assertTrue(tags[-1].startswith(b"CSELECT"), tags)
        self.assertTrue(any("max_rows" in n.get("M", "") for n in c.notices), c.notices)

    # --- detectors --------------------------------------------------------------------------
    def test_detectors_on_prod(self):
        rows, raw = self.simple("SELECT id, body FROM notes ORDER BY id", target="prod")
        bodies = {int(r[0]): r[1] for r in rows}
        for leaked in ("dana.scully@fbi.example.org", "4242 4242 4242 4242", "219-09-9999",
                       "GB82 WEST 1234 5698 7654 32", "AKIAIOSFODNN7EXAMPLE"):
            self.assertNotIn(leaked.encode(), raw, leaked)
        self.assertIn("write to", bodies[1])                            # text around kept
        self.assertIn("123456789", bodies[4])                           # not an SSN
        self.assertEqual(bodies[7], "nothing to see here, version 1.2.3, 2024-05-01")
        self.assertIn("4242 4242 4242 4241", bodies[8])                 # fails Luhn

    # --- audit -------------------------------------------------------------------------------
    def test_audit_lists_masked_columns(self):
        self.simple("SELECT email, salary /* audit-mask-probe */ FROM users WHERE id = 1")

        def records():
            out = []
            for f in sorted((self.s.dir / "audit").glob("audit-*.jsonl")):
                for line in f.read_text().splitlines():
                    r = json.loads(line)
                    if r.get("event") == "statement" and "salary" in (r.get("statement") or {}).get("text", ""):
                        out.append(r)
            return out

        recs = wait_until(lambda: [r for r in records() if "result" in r] and records(), 10,
                          what="statement records")
        decision = [r for r in recs if "result" not in r][0]
        result = [r for r in recs if "result" in r][0]
        self.assertIn("users.email", decision["masked"])
        self.assertIn("users.salary", decision["masked"])
        self.assertIn("public.users.email", result["masked"])

    # --- bounded memory ------------------------------------------------------------------------
    def test_million_rows_bounded_memory(self):
        def rss_kb():
            for line in open(f"/proc/{self.gw.proc.pid}/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
            return 0

        c = self.conn()
        base = rss_kb()
        peak = base
        c.send_query("SELECT i, email FROM big")
        rows = 0
        checked = 0
        while True:
            kind, body = c.read_message()
            if kind == b"D":
                rows += 1
                if rows % 50000 == 0:
                    peak = max(peak, rss_kb())
                    if b"@example.com" in body and not checked:
                        checked = 1
                    self.assertNotIn(b"person", body)
                    c.sock.data.clear()
            elif kind == b"Z":
                break
        peak = max(peak, rss_kb())
        self.assertEqual(rows, 1000000)
        growth_mb = (peak - base) / 1024
        print(f"1M masked rows: warden RSS growth {growth_mb:.1f} MB", flush=True)
        self.assertLess(growth_mb, 48, "memory grew with the result size")


if __name__ == "__main__":
    common.main()
