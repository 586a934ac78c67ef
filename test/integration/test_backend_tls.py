"""Backend-facing TLS (Warden → PostgreSQL): backend.tls disable | prefer | require |
verify-full against a PostgreSQL serving TLS, a plain PostgreSQL and one whose pg_hba.conf
accepts only hostssl. Whether the backend session is encrypted is read on the backend itself
(pg_stat_ssl of the session's own pid), through Warden; refusals are seen with pgwire (SQLSTATE
08006, message "warden: ...")."""

import sys
import unittest

import common
from common import APP_DB, APP_PASSWORD, APP_ROLE, LOCALHOST, harness, pgwire

SSL_OF_SESSION = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
HOSTSSL_ONLY_HBA = """\
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
hostssl all       all   127.0.0.1/32  scram-sha-256
"""


class BackendTlsConfig(harness.WardenConfig):
    """WardenConfig whose targets may also carry backend.ca_file / backend.server_name."""

    def text(self):
        out, current = [], None
        by_name = {t["name"]: t for t in self.targets}
        for line in super().text().split("\n"):
            out.append(line)
            if line.startswith("  - name: "):
                current = by_name.get(line[len("  - name: "):].strip('"'))
            elif line.startswith("      tls: ") and current is not None:
                for key in ("ca_file", "server_name"):
                    if current.get(key):
                        out.append(f"      {key}: {harness._q(current[key])}")
        return "\n".join(out)


class BackendTlsTest(common.GatewayCase):

    @classmethod
    def setUpClass(cls):
        if common.GATEWAY != "warden":
            raise unittest.SkipTest("backend.tls per target is a Warden setting")
        cls.s = harness.Session()
        cls.gw = None
        try:
            s = cls.s
            cls.cert, cls.key = s.tls_cert("backend")                 # SAN localhost, 127.0.0.1
            cls.other_ca, _ = s.tls_cert("other-ca")                   # an unrelated self-signed
            cls.pg = s.postgres("pg-tls", ssl_cert=cls.cert, ssl_key=cls.key)
            cls.pg.create_app(APP_ROLE, APP_PASSWORD, APP_DB)
            cls.pg_plain = s.postgres("pg-plain")
            cls.pg_plain.create_app(APP_ROLE, APP_PASSWORD, APP_DB)
            cls.pg_hostssl = s.postgres("pg-hostssl", ssl_cert=cls.cert, ssl_key=cls.key,
                                        hba=HOSTSSL_ONLY_HBA)
            for sql in (f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}'",
                        f"CREATE DATABASE {APP_DB} OWNER {APP_ROLE}"):
                harness.run_psql(cls.pg_hostssl.port, "postgres", cls.pg_hostssl.password,
                                 "postgres", sql, sslmode="require", check=True)

            cfg = BackendTlsConfig(s.path("warden.yaml"), s.dir, cls.cert, cls.key)

            def target(name, pg, tls, **extra):
                t = cfg.add_target(name, pg, client_tls="optional", backend_user=APP_ROLE,
                                   backend_password=APP_PASSWORD, database=APP_DB,
                                   backend_tls=tls)
                t.update(extra)

            target("require", cls.pg, "require")
            target("prefer", cls.pg, "prefer")
            target("disable", cls.pg, "disable")
            target("vfull", cls.pg, "verify-full", ca_file=cls.cert)
            target("vfull_name", cls.pg, "verify-full", ca_file=cls.cert,
                   server_name="localhost")
            target("vfull_other_ca", cls.pg, "verify-full", ca_file=cls.other_ca)
            target("vfull_wrong_name", cls.pg, "verify-full", ca_file=cls.cert,
                   server_name="wrong.example")
            target("plain_require", cls.pg_plain, "require")
            target("plain_prefer", cls.pg_plain, "prefer")
            target("plain_vfull", cls.pg_plain, "verify-full", ca_file=cls.cert)
            target("hostssl_prefer", cls.pg_hostssl, "prefer")
            target("hostssl_require", cls.pg_hostssl, "require")
            target("hostssl_disable", cls.pg_hostssl, "disable")
            cfg.add_user("alice", "alice-pw")
            cfg.write()
            cls.cfg = cfg
            cls.gw = s.warden(cfg)
        except BaseException:
            cls.dump_logs()
            cls.s.close()
            raise

    # helpers ------------------------------------------------------------------------------
    def connect(self, target):
        return pgwire.connect(LOCALHOST, self.gw.port(target), "alice", APP_DB, "alice-pw",
                              timeout=15)

    def session_ssl(self, target):
        """Connects through `target`, checks a query works, returns pg_stat_ssl.ssl ('t'/'f')."""
        c = self.connect(target)
        try:
            self.assertEqual(c.query(f"SELECT 'via-{target}'"), [(f"via-{target}",)])
            rows = c.query(SSL_OF_SESSION)
            self.assertEqual(len(rows), 1, rows)
            return rows[0][0]
        finally:
            c.terminate()

    def assert_refused(self, target, expect_in=None):
        with self.assertRaises(pgwire.PgError, msg=f"{target}: login through Warden succeeded") \
                as cm:
            c = self.connect(target)
            c.terminate()
        e = cm.exception
        print(f"  {target}: {e.sqlstate} {e.message}", file=sys.stderr)
        self.assertEqual(e.sqlstate, "08006", e.fields)
        self.assertTrue(e.message.startswith("warden: "), e.fields)
        if expect_in:
            self.assertIn(expect_in, e.message.lower(), e.fields)
        return e

    # --- PostgreSQL with TLS on
    def test_require_is_encrypted(self):
        self.assertEqual(self.session_ssl("require"), "t")

    def test_prefer_is_encrypted(self):
        self.assertEqual(self.session_ssl("prefer"), "t")

    def test_disable_is_plaintext(self):
        self.assertEqual(self.session_ssl("disable"), "f")

    def test_require_backend_sees_tls_from_its_side(self):
        # Cross-check from outside Warden: the superuser sees the app session as TLS.
        c = self.connect("require")
        try:
            (pid,) = c.query("SELECT pg_backend_pid()")[0]
            rows = self.pg.query(f"SELECT ssl, version FROM pg_stat_ssl WHERE pid = {int(pid)}")
            self.assertEqual(len(rows), 1, rows)
            self.assertEqual(rows[0][0], "t", rows)
            self.assertTrue(rows[0][1].startswith("TLS"), rows)
        finally:
            c.terminate()

    def test_verify_full_with_ca_file_and_ip_host(self):
        self.assertEqual(self.session_ssl("vfull"), "t")

    def test_verify_full_with_server_name_localhost(self):
        self.assertEqual(self.session_ssl("vfull_name"), "t")

    def test_verify_full_other_ca_refused(self):
        self.assert_refused("vfull_other_ca", expect_in="certificate")

    def test_verify_full_wrong_server_name_refused(self):
        self.assert_refused("vfull_wrong_name", expect_in="certificate")

    # --- PostgreSQL without TLS
    def test_plain_backend_require_refused(self):
        self.assert_refused("plain_require", expect_in="tls")

    def test_plain_backend_verify_full_refused(self):
        self.assert_refused("plain_vfull", expect_in="tls")

    def test_plain_backend_prefer_falls_back_to_plaintext(self):
        self.assertEqual(self.session_ssl("plain_prefer"), "f")

    # --- PostgreSQL accepting only hostssl
    def test_hostssl_only_prefer_works(self):
        self.assertEqual(self.session_ssl("hostssl_prefer"), "t")

    def test_hostssl_only_require_works(self):
        self.assertEqual(self.session_ssl("hostssl_require"), "t")

    def test_hostssl_only_disable_refused(self):
        # the backend's own refusal (28000, no pg_hba.conf entry) reaches the client as 08006
        self.assert_refused("hostssl_disable", expect_in="pg_hba.conf")

    def test_refusals_leave_warden_serving(self):
        for target in ("vfull_other_ca", "plain_require"):
            self.assert_refused(target)
        self.assertEqual(self.session_ssl("require"), "t")
        r = harness.run_psql(self.gw.port("vfull"), "alice", "alice-pw", APP_DB, SSL_OF_SESSION)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "t")


if __name__ == "__main__":
    common.main()
