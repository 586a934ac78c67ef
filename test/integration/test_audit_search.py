"""Searching the audit trail (SPEC.md `warden audit search`, `GET /api/v1/audit`, README
"Searching the audit trail"): a log generated here in Python (canonical JSON + SHA-256 chain,
checked with `warden audit verify`) across rotated files; the CLI's filters, --json, --limit,
since/until, garbage and partial lines, exit codes; the admin API on a running Warden (bearer
token, filters, URL decoding, 400s naming the parameter, limit bounds) and the /ui page."""

import base64
import hashlib
import http.client
import json
import sys
import unittest
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))

import harness  # noqa: E402
from harness import LOCALHOST, Session, WardenConfig, run_warden, wait_until  # noqa: E402

GENESIS = "0" * 64
TOKEN = "audit-search-token-0123456789"
# Users only this generator writes: a Warden writing its own records into the same dir
# cannot disturb assertions filtered by them.
ALICE, BOB, CAROL = "srch-alice", "srch-bob", "srch-Carol \"q\""


def canonical(rec):
    return json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class LogGen:
    """Writes chained records (record.h canonical form) into audit-*.jsonl files."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.seq, self.prev = 0, GENESIS
        self.records = []  # (file name, line) in write order

    def record(self, ts, user, kind="select", action="allow", target="prod-pg",
               text="SELECT * FROM users WHERE id = ?", event="statement", session="s-1",
               rows=1, error=None):
        self.seq += 1
        rec = {"seq": self.seq, "ts": ts, "instance": "gen-1", "event": event,
               "session": session, "client": "10.0.0.7:5432", "target": target,
               "environment": "prod", "dialect": "postgres",
               "identity": {"user": user, "groups": ["dba"], "kind": "human", "method": "scram"},
               "statement": {"text": text, "fingerprint": "ab12", "kind": kind,
                             "tables": ["public.users"]},
               "decision": {"action": action, "rule": "rule-" + action, "reason": ""},
               "result": {"rows": rows, "duration_us": 100},
               "prev": self.prev}
        if error is not None:
            rec["result"]["error"] = error
        body = canonical(rec)
        h = hashlib.sha256((self.prev + "\n" + body).encode()).hexdigest()
        rec["hash"] = h
        self.prev = h
        return canonical(rec)

    def write(self, name, lines, tail=""):
        with open(self.dir / name, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line + "\n")
                self.records.append((name, line))
            f.write(tail)


def ts(hour, minute, second=0):
    return f"2024-05-01T{hour:02d}:{minute:02d}:{second:02d}.000001Z"


def generate(directory):
    """Three files (10:00, 12:00, 14:00), 12 records each, every 5 minutes; users alternate
    ALICE/BOB, one CAROL record, kinds select/insert/drop_table (drop_table denied)."""
    g = LogGen(directory)
    for k, hour in enumerate((10, 12, 14)):
        lines = []
        for i in range(12):
            user = ALICE if i % 2 == 0 else BOB
            if k == 1 and i == 3:
                user = CAROL
            kind = ("select", "insert", "drop_table")[i % 3]
            action = "deny" if kind == "drop_table" else "allow"
            lines.append(g.record(ts(hour, i * 5), user, kind=kind, action=action,
                                  target="dev-pg" if k == 2 and i == 11 else "prod-pg",
                                  text=f"SELECT {k * 100 + i} FROM Users -- é",
                                  session=f"s-{k}", error="boom" if i == 7 else None))
        g.write(f"audit-20240501T{hour:02d}0000Z-{k + 1:06d}.jsonl", lines)
    return g


class AuditSearchCliTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.s = Session()
        cls.dir = cls.s.path("log")
        cls.gen = generate(cls.dir)
        cls.key = cls.s.path("test.pub")
        cls.key.write_text(base64.b64encode(bytes(range(32))).decode() + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def search(self, *args, code=0):
        r = run_warden("audit", "search", *args)
        self.assertEqual(r.returncode, code, f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def json_lines(self, *args):
        r = self.search(str(self.dir), "--json", *args)
        return [line for line in r.stdout.splitlines()]

    def seqs(self, *args):
        return [json.loads(line)["seq"] for line in self.json_lines(*args)]

    def test_generator_writes_a_verifiable_chain(self):
        r = run_warden("audit", "verify", self.dir, "--key", self.key)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("audit log intact: 36 records", r.stdout)

    def test_no_filter_is_every_record_newest_first_as_stored(self):
        lines = self.json_lines()
        self.assertEqual(lines, [line for _, line in reversed(self.gen.records)])
        human = self.search(str(self.dir)).stdout.splitlines()
        self.assertEqual(len(human), 36)
        self.assertEqual(human[0], f"{ts(14, 55)} statement {BOB} dev-pg deny drop_table"
                         " SELECT 211 FROM Users -- é")

    def test_filters(self):
        self.assertEqual(self.seqs("--user", CAROL), [16])
        self.assertEqual(self.seqs("--user", "srch-carol"), [])  # exact, case-sensitive
        self.assertEqual(self.seqs("--target", "dev-pg"), [36])
        self.assertEqual(len(self.seqs("--action", "deny")), 12)
        self.assertEqual(len(self.seqs("--kind", "drop_table")), 12)
        self.assertEqual(len(self.seqs("--kind", "drop_*")), 12)
        self.assertEqual(self.seqs("--kind", "drop"), [])
        self.assertEqual(self.seqs("--session", "s-0", "--user", BOB, "--action", "deny"),
                         [12, 6])
        self.assertEqual(len(self.seqs("--event", "statement")), 36)
        self.assertEqual(self.seqs("--event", "auth"), [])
        self.assertEqual(self.seqs("--text", "select 107 from USERS"), [20])
        self.assertEqual(len(self.seqs("--text", "-- É")), 0)  # ASCII-only case folding
        self.assertEqual(len(self.seqs("--text", "-- é")), 36)
        self.assertEqual(self.seqs("--user=" + ALICE, "--limit", "3"), [35, 33, 31])
        r = self.search(str(self.dir), "--limit", "2")
        self.assertEqual(len(r.stdout.splitlines()), 2)
        self.assertIn("more records match", r.stderr)

    def test_since_until(self):
        got = self.seqs("--since", "2024-05-01T12:30:00Z", "--until", "2024-05-01T14:10:00Z")
        # 12:30..12:55 (i = 6..11: seq 19..24), 14:00 and 14:05 (seq 25, 26)
        self.assertEqual(got, [26, 25, 24, 23, 22, 21, 20, 19])
        self.assertEqual(self.seqs("--since", "2024-05-01T16:50:00+02:00"), [36, 35])
        self.assertEqual(len(self.seqs("--until", "2024-05-01")), 0)

    def test_no_match_is_exit_0(self):
        r = self.search(str(self.dir), "--user", "nobody")
        self.assertEqual((r.stdout, r.stderr), ("", ""))

    def test_usage_errors_are_exit_1(self):
        r = self.search(str(self.dir), "--bogus", "x", code=1)
        self.assertIn("unknown option --bogus", r.stderr)
        r = self.search(str(self.dir), "--since", "yesterday", code=1)
        self.assertIn("RFC 3339", r.stderr)
        self.assertIn("yesterday", r.stderr)
        r = self.search(str(self.dir), "--until", "2024-05-01T12:00:00", code=1)
        self.assertIn("time zone", r.stderr)
        self.search(str(self.dir), "--limit", "ten", code=1)
        self.search(str(self.dir), "--limit", "-1", code=1)
        r = self.search(str(self.dir), "--user", code=1)
        self.assertIn("--user needs a value", r.stderr)
        r = self.search(code=1)
        self.assertIn("no DIR", r.stderr)
        r = self.search(str(self.s.path("no-such-dir")), code=1)
        self.assertIn("no-such-dir", r.stderr)
        self.search(str(self.dir), str(self.dir), code=1)
        r = run_warden("audit", "frobnicate")
        self.assertEqual(r.returncode, 1)
        self.assertIn("audit search", r.stderr)

    def test_garbage_and_partial_lines(self):
        d = self.s.path("messy")
        g = LogGen(d)
        good = [g.record(ts(10, i), ALICE, session="m") for i in range(3)]
        g.write("audit-20240501T100000Z-000001.jsonl", [good[0], "not json", "[1,2]", good[1]])
        half = g.record(ts(10, 9), ALICE)
        g.write("audit-20240501T110000Z-000002.jsonl", [good[2]], tail=half[: len(half) // 2])
        r = self.search(str(d), "--json")
        self.assertEqual([json.loads(x)["seq"] for x in r.stdout.splitlines()], [3, 2, 1])
        self.assertIn("2 unreadable line(s) skipped", r.stderr)


class AuditSearchApiTest(unittest.TestCase):
    """A running Warden (no PostgreSQL needed: nobody connects to the target) whose audit.dir
    holds the generated log."""

    @classmethod
    def setUpClass(cls):
        cls.s = Session()
        try:
            cls.admin_port = harness.free_port()
            cfg = WardenConfig(cls.s.path("warden.yaml"), cls.s.dir)
            cfg.add_target("pg", None, client_tls="disabled")
            cfg.add_user("alice", "alice-pw")
            cfg.extra = (f"admin:\n  listen: \"{LOCALHOST}:{cls.admin_port}\"\n"
                         f"  tokens:\n    - token: \"{TOKEN}\"\n      user: ops\n")
            cfg.write()
            cls.gen = generate(cls.s.dir / "audit")  # the harness's audit.dir
            cls.gw = cls.s.warden(cfg)
            wait_until(lambda: harness.port_accepts(cls.admin_port), 15, what="admin listener")
        except BaseException:
            cls.s.close()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.gw.stop()
        finally:
            cls.s.close()

    def http(self, path, token=TOKEN, method="GET"):
        conn = http.client.HTTPConnection(LOCALHOST, self.admin_port, timeout=30)
        try:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            conn.request(method, path, headers=headers)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def audit(self, status=200, **params):
        code, headers, body = self.http("/api/v1/audit?" + urllib.parse.urlencode(params))
        self.assertEqual(code, status, body)
        self.assertEqual(headers.get("content-type"), "application/json")
        return json.loads(body)

    def test_needs_the_token(self):
        for token in (None, "wrong"):
            code, headers, body = self.http("/api/v1/audit?user=x", token=token)
            self.assertEqual(code, 401, body)
            self.assertEqual(headers.get("www-authenticate"), 'Bearer realm="warden"')

    def test_filters_newest_first(self):
        body = self.audit(user=ALICE)
        self.assertEqual(set(body), {"records", "truncated", "timed_out"})
        self.assertFalse(body["truncated"])
        self.assertEqual([r["seq"] for r in body["records"]], list(range(35, 0, -2)))
        # the records come back exactly as stored (hash included)
        stored = {json.loads(line)["seq"]: json.loads(line) for _, line in self.gen.records}
        for r in body["records"]:
            self.assertEqual(r, stored[r["seq"]])
        self.assertEqual([r["seq"] for r in self.audit(user=CAROL)["records"]], [16])
        body = self.audit(user=BOB, kind="drop_*", action="deny", target="prod-pg")
        self.assertEqual([r["seq"] for r in body["records"]], [30, 24, 18, 12, 6])
        body = self.audit(user=ALICE, text="SELECT 204 from users")
        self.assertEqual([r["seq"] for r in body["records"]], [29])
        body = self.audit(user=ALICE, since="2024-05-01T14:00:00Z", until="2024-05-01T14:20:00Z")
        self.assertEqual([r["seq"] for r in body["records"]], [27, 25])

    def test_limit_and_truncated(self):
        body = self.audit(user=ALICE, limit=2)
        self.assertEqual([r["seq"] for r in body["records"]], [35, 33])
        self.assertTrue(body["truncated"])
        body = self.audit(user=ALICE, limit=18)
        self.assertEqual(len(body["records"]), 18)
        self.assertFalse(body["truncated"])

    def test_url_decoding(self):
        # CAROL has a space and a quote: %-escapes and '+' both decode
        q = "user=" + urllib.parse.quote(CAROL, safe="")
        code, _, body = self.http("/api/v1/audit?" + q)
        self.assertEqual((code, [r["seq"] for r in json.loads(body)["records"]]), (200, [16]))
        q = "user=" + urllib.parse.quote_plus(CAROL) + "&limit=5&kind="
        code, _, body = self.http("/api/v1/audit?" + q)
        self.assertEqual((code, [r["seq"] for r in json.loads(body)["records"]]), (200, [16]))

    def test_bad_parameters_are_400_naming_them(self):
        for params, name in ((dict(since="yesterday"), "since"), (dict(until="2024-13-01"), "until"),
                             (dict(limit="0"), "limit"), (dict(limit="10001"), "limit"),
                             (dict(limit="x"), "limit"), (dict(usr="x"), "usr")):
            body = self.audit(status=400, **params)
            self.assertIn(f"'{name}'", body["error"], params)
        code, _, body = self.http("/api/v1/audit?user=a%zz")
        self.assertEqual(code, 400)
        self.assertIn("'user'", json.loads(body)["error"])
        code, _, body = self.http("/api/v1/audit?user=a&user=b")
        self.assertEqual(code, 400)
        self.assertIn("more than once", json.loads(body)["error"])

    def test_post_is_405(self):
        code, headers, _ = self.http("/api/v1/audit", method="POST")
        self.assertEqual(code, 405)
        self.assertEqual(headers.get("allow"), "GET, HEAD")

    def test_many_searches_keep_the_loop_responsive(self):
        import threading
        results = []

        def one():
            code, _, body = self.http("/api/v1/audit?limit=10000&text=zzz-no-match")
            results.append(code)

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        code, _, _ = self.http("/healthz", token=None)
        self.assertEqual(code, 200)
        for t in threads:
            t.join(30)
        self.assertEqual(results, [200] * 8)

    def test_ui_page(self):
        for path in ("/ui", "/ui/audit"):
            code, headers, body = self.http(path, token=None)
            self.assertEqual(code, 200, body)
            self.assertTrue(headers["content-type"].startswith("text/html"), headers)
            self.assertIn("default-src 'none'", headers.get("content-security-policy", ""))
            page = body.decode()
            self.assertIn('id="view-audit"', page)
            self.assertIn("/api/v1/audit", page)
            self.assertIn('data-view="audit"', page)
            self.assertIn("sessionStorage", page)
            self.assertNotIn("innerHTML", page)
            self.assertNotIn("src=\"http", page)
        code, _, _ = self.http("/ui/nope", token=None)
        self.assertEqual(code, 401)


if __name__ == "__main__":
    unittest.main(verbosity=2)
