"""Login through Warden: static identities, SCRAM, wrong/unknown credentials (SQLSTATE 28P01),
backend credentials held by Warden."""

import common
from common import APP_DB, APP_ROLE, LOCALHOST, pgwire


class AuthTest(common.GatewayCase):
    USERS = (("alice", "alice-pw"), ("bob", "bob-pw"))

    def test_psql_plain_login_runs_on_backend_as_warden_role(self):
        out = self.psql_ok("SELECT current_user, current_database(), 6*7")
        self.assertEqual(out.strip(), f"{APP_ROLE}|{APP_DB}|42")

    def test_psql_tls_login(self):
        out = self.psql_ok("SELECT 'tls-ok'", sslmode="require")
        self.assertEqual(out.strip(), "tls-ok")

    def test_second_identity_logs_in(self):
        out = self.psql_ok("SELECT 'bob-ok'", user="bob")
        self.assertEqual(out.strip(), "bob-ok")

    def test_psql_wrong_password_refused(self):
        r = self.psql("SELECT 'should-not-run'", password="not-the-password")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertNotIn("should-not-run", r.stdout)
        self.assertIn("FATAL", r.stderr)

    def test_wrong_password_sqlstate_28P01(self):
        with self.assertRaises(pgwire.PgError) as cm:
            self.wire(password="not-the-password")
        self.assertEqual(cm.exception.sqlstate, "28P01", cm.exception.fields)
        self.assertEqual(cm.exception.fields.get("S"), "FATAL", cm.exception.fields)

    def test_wrong_password_over_tls_sqlstate_28P01(self):
        with self.assertRaises(pgwire.PgError) as cm:
            self.wire(password="not-the-password", tls=True)
        self.assertEqual(cm.exception.sqlstate, "28P01", cm.exception.fields)

    def test_login_error_message_starts_with_warden(self):
        with self.assertRaises(pgwire.PgError) as cm:
            self.wire(password="not-the-password")
        self.assertTrue(cm.exception.message.startswith("warden: "), cm.exception.message)

    def test_unknown_user_sqlstate_28P01(self):
        with self.assertRaises(pgwire.PgError) as cm:
            self.wire(user="mallory", password="whatever")
        self.assertEqual(cm.exception.sqlstate, "28P01", cm.exception.fields)

    def test_backend_password_is_not_a_client_password(self):
        # The backend role's own credentials must not open a session through Warden.
        with self.assertRaises(pgwire.PgError) as cm:
            self.wire(user=APP_ROLE, password=common.APP_PASSWORD)
        self.assertEqual(cm.exception.sqlstate, "28P01", cm.exception.fields)

    def test_scram_mutual_auth_and_backend_key(self):
        c = self.wire()
        try:
            # plaintext connection: SCRAM offered, server signature verified by the client
            self.assertTrue(any(m.startswith("sasl:") and "SCRAM-SHA-256" in m
                                for m in c.auth_methods), c.auth_methods)
            self.assertIn("ok", c.auth_methods)
            self.assertIsNotNone(c.backend_pid, "no BackendKeyData sent")
            self.assertIn("server_version", c.params)
            self.assertEqual(c.query("SELECT 1 + 1"), [("2",)])
        finally:
            c.terminate()

    def test_failed_logins_do_not_break_later_logins(self):
        for _ in range(5):
            with self.assertRaises(pgwire.PgError):
                self.wire(password="bad")
        c = self.wire()
        try:
            self.assertEqual(c.query("SELECT 'still-fine'"), [("still-fine",)])
        finally:
            c.terminate()

    def test_many_sequential_sessions(self):
        for i in range(20):
            c = pgwire.connect(LOCALHOST, self.gw_port(), "alice", APP_DB, "alice-pw")
            try:
                self.assertEqual(c.query(f"SELECT {i}"), [(str(i),)])
            finally:
                c.terminate()


if __name__ == "__main__":
    common.main()
