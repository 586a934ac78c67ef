"""Admin HTTP API (SPEC.md "Admin API") of a running Warden: /healthz and /readyz without a
token, /metrics and POST /api/v1/reload with a bearer token (401 without or with a wrong one),
404/405, keep-alive and garbage on a raw socket; a reload through the API that adds a deny rule
(DROP TABLE then fails with 42501 'warden: ...' and the table survives), a broken config
rejected with its errors while the previous rules keep applying; /readyz 503 while draining."""

import http.client
import json
import re
import signal
import socket
import time

import common
from common import APP_DB, LOCALHOST, harness, run_psql, wait_until

TOKEN = "admin-test-token-0123456789"
DENY_DROP = """rules:
  - name: no-drop
    when: {statements: [drop_table]}
    action: deny
"""
BROKEN = """rules:
  - name: no-drop
    when: {statements: [drop_table, no_such_statement_kind]}
    action: deny
"""


class AdminTest(common.GatewayCase):

    @classmethod
    def make_config(cls, name="warden.yaml"):
        cls.admin_port = harness.free_port()
        cfg = super().make_config(name)
        cfg.extra = cls.admin_yaml()
        cfg.write()
        return cfg

    @classmethod
    def admin_yaml(cls, rules=""):
        return (f"admin:\n  listen: \"{LOCALHOST}:{cls.admin_port}\"\n"
                f"  tokens:\n    - token: \"{TOKEN}\"\n      user: ops\n      groups: [dba]\n"
                + rules)

    @classmethod
    def prepare(cls):
        wait_until(lambda: harness.port_accepts(cls.admin_port), 15, what="admin listener")
        cls.pg.query("CREATE TABLE admin_probe (x int); INSERT INTO admin_probe VALUES (42);"
                     "ALTER TABLE admin_probe OWNER TO app", APP_DB)

    def tearDown(self):
        if not getattr(self, "stopped_on_purpose", False):
            super().tearDown()

    # helpers ------------------------------------------------------------------------------
    def http(self, method, path, token=None, body=None, headers=None):
        conn = http.client.HTTPConnection(LOCALHOST, self.admin_port, timeout=15)
        try:
            h = dict(headers or {})
            if token is not None:
                h["Authorization"] = f"Bearer {token}"
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def json_of(self, method, path, token=None, **kw):
        status, headers, body = self.http(method, path, token, **kw)
        self.assertEqual(headers.get("content-type"), "application/json", body)
        return status, json.loads(body)

    def metrics(self):
        status, headers, body = self.http("GET", "/metrics", TOKEN)
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers)
        values = {}
        for line in body.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    def drop_attempt(self):
        """DROP TABLE admin_probe through psql with verbose errors → CompletedProcess."""
        return run_psql(self.gw_port(), "alice", "alice-pw", APP_DB,
                        input="\\set VERBOSITY verbose\nDROP TABLE admin_probe;\n")

    def assert_drop_denied(self):
        r = self.drop_attempt()
        self.assertNotEqual(r.returncode, 0, f"DROP went through: {r.stdout} {r.stderr}")
        self.assertRegex(r.stderr, r"ERROR:  42501: warden: ", r.stderr)
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM admin_probe", APP_DB), "1",
                         "the table is gone")

    def write_config(self, rules):
        self.cfg.extra = self.admin_yaml(rules)
        self.cfg.write()

    # tests --------------------------------------------------------------------------------
    def test_health_and_readiness_need_no_token(self):
        self.assertEqual(self.json_of("GET", "/healthz"), (200, {"status": "ok"}))
        status, body = self.json_of("GET", "/readyz")
        self.assertEqual(status, 200, body)
        status, headers, body = self.http("HEAD", "/healthz")
        self.assertEqual((status, body), (200, b""))
        status, headers, _ = self.http("POST", "/healthz", body=b"")
        self.assertEqual(status, 405)
        self.assertEqual(headers.get("allow"), "GET, HEAD")

    def test_protected_routes_need_the_token(self):
        for method, path in (("GET", "/metrics"), ("POST", "/api/v1/reload"), ("GET", "/nope")):
            for token in (None, "wrong-token", TOKEN + "x", TOKEN[:-1]):
                status, headers, body = self.http(method, path, token, body=b"" if method == "POST" else None)
                self.assertEqual(status, 401, (method, path, token, body))
                self.assertIn("error", json.loads(body))
                self.assertEqual(headers.get("www-authenticate"), 'Bearer realm="warden"')
        status, headers, body = self.http("GET", "/metrics", headers={"Authorization": "Basic b3BzOng="})
        self.assertEqual(status, 401)
        # with the token: 404 for unknown paths, 405 with Allow for the wrong method
        self.assertEqual(self.json_of("GET", "/nope", TOKEN)[0], 404)
        status, headers, _ = self.http("GET", "/api/v1/reload", TOKEN)
        self.assertEqual((status, headers.get("allow")), (405, "POST"))

    def test_metrics(self):
        m = self.metrics()
        self.assertEqual(m["warden_up"], 1)
        self.assertGreaterEqual(m["warden_config_generation"], 1)
        self.assertIn('warden_config_reloads_total{result="ok"}', m)
        self.assertIn('warden_config_reloads_total{result="rejected"}', m)
        self.assertEqual(m["warden_draining"], 0)
        # a psql session shows up as a client session
        ps = harness.PsqlSession(self.gw_port(), "alice", "alice-pw", APP_DB)
        try:
            self.assertEqual(ps.run("SELECT 'metrics-probe'")[0], ["metrics-probe"])
            self.assertGreaterEqual(self.metrics()["warden_client_sessions"], 1)
        finally:
            ps.close()

    def test_raw_keepalive_pipelining_and_garbage(self):
        with socket.create_connection((LOCALHOST, self.admin_port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /metrics HTTP/1.1\r\nAuthorization: Bearer " + TOKEN.encode() +
                      b"\r\n\r\nGET /readyz HTTP/1.1\r\n\r\n")
            data = self.read_until(s, lambda d: d.count(b"HTTP/1.1 ") >= 3 and
                                   d.rstrip().endswith(b"}"))
            statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", data)
            self.assertEqual(statuses, [b"200", b"200", b"200"], data)
            self.assertIn(b"warden_up 1", data)
            # the same connection still serves, then garbage ends it with a 400
            s.sendall(b"this is not http\r\n\r\n")
            data = self.read_until(s, None)
            self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data)
            self.assertIn(b"Connection: close", data)
        # an oversized header block: 431, closed
        with socket.create_connection((LOCALHOST, self.admin_port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
            data = self.read_until(s, None)
            self.assertTrue(data.startswith(b"HTTP/1.1 431 "), data[:200])
        # Warden is fine afterwards
        self.assertEqual(self.json_of("GET", "/healthz")[0], 200)

    @staticmethod
    def read_until(sock, done, timeout=10):
        """Reads until done(data) or, with done=None, until the peer closes."""
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done is not None and done(data):
                return data
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk
        raise AssertionError(f"no complete answer within {timeout}s: {data[:300]!r}")

    def test_reload_through_the_api(self):
        before = self.metrics()
        # no rule yet: the table can be read (and DROP is not attempted)
        self.assertEqual(self.psql_ok("SELECT x FROM admin_probe").strip(), "42")

        self.write_config(DENY_DROP)
        status, body = self.json_of("POST", "/api/v1/reload", TOKEN, body=b"")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "reloaded")
        generation = body["generation"]
        self.assertEqual(generation, before["warden_config_generation"] + 1)
        self.assert_drop_denied()
        self.assertEqual(self.psql_ok("SELECT x FROM admin_probe").strip(), "42")

        # a broken config is rejected with its errors; the deny rule keeps applying
        self.write_config(BROKEN)
        status, body = self.json_of("POST", "/api/v1/reload", TOKEN, body=b"{}",
                                    headers={"Content-Type": "application/json"})
        self.assertIn(status, (400, 422), body)
        self.assertEqual(body["status"], "rejected")
        self.assertTrue(body["errors"], body)
        self.assertTrue(any("no_such_statement_kind" in e for e in body["errors"]), body)
        self.assertTrue(any(self.cfg.path.name in e for e in body["errors"]), body)
        self.assertTrue(self.gw.alive())
        self.assert_drop_denied()
        self.assertEqual(self.psql_ok("SELECT x FROM admin_probe").strip(), "42")

        after = self.metrics()
        self.assertEqual(after["warden_config_generation"], generation)
        ok, rejected = ('warden_config_reloads_total{result="ok"}',
                        'warden_config_reloads_total{result="rejected"}')
        self.assertEqual(after[ok], before[ok] + 1)
        self.assertEqual(after[rejected], before[rejected] + 1)

        # SIGHUP runs the same reload: counted in the same metrics
        self.write_config(DENY_DROP)
        self.gw.reload()
        wait_until(lambda: self.metrics()[ok] == before[ok] + 2, 15, interval=0.2,
                   what="the SIGHUP reload to show in the metrics")
        self.assert_drop_denied()

    def test_zz_readyz_503_while_draining(self):
        # runs last (unittest sorts by name): it stops this class's Warden
        self.stopped_on_purpose = True
        busy = self.wire()
        try:
            busy.send_query("SELECT 'drained' FROM pg_sleep(3) AS admin_drain_probe")
            self.wait_backend_active("admin_drain_probe")
            self.gw.signal(signal.SIGTERM)
            status, body = wait_until(
                lambda: (lambda r: r if r[0] == 503 else None)(self.json_of("GET", "/readyz")),
                5, interval=0.1, what="/readyz to say 503 while draining")
            self.assertEqual(body["status"], "draining")
            self.assertEqual(self.json_of("GET", "/healthz")[0], 200)
            self.assertEqual(self.metrics()["warden_draining"], 1)
            status, body = self.json_of("POST", "/api/v1/reload", TOKEN, body=b"")
            self.assertEqual(status, 503, body)
            rows, _ = busy.read_result()
            self.assertEqual(rows, [("drained",)])
        finally:
            busy.close()
        self.assertEqual(self.gw.wait(40), 0, self.gw.log_text())
        # the admin listener is gone with the process
        self.assertFalse(harness.port_accepts(self.admin_port))


if __name__ == "__main__":
    common.main()
