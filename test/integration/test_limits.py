"""limits.max_client_connections: connections beyond the limit are refused with PostgreSQL's own
"too many connections" error (SQLSTATE 53300) while the admitted sessions keep working, and a
slot frees up when a session ends."""

import common
from common import APP_DB, harness, pgwire


class LimitsTest(common.GatewayCase):

    @classmethod
    def make_config(cls, name="warden.yaml"):
        cfg = super().make_config(name)
        cfg.extra = "limits:\n  max_client_connections: 2\n"
        cfg.write()
        return cfg

    def admitted_session(self, tag):
        """A psql session that got a slot. Connections of the set-up (readiness probes) may
        still hold a slot for a moment after their client went away (the gateway sees the
        close asynchronously; slow under a loaded CI machine), so a refusal is retried."""
        def attempt():
            s = harness.PsqlSession(self.gw_port(), "alice", "alice-pw", APP_DB)
            try:
                if s.run(f"SELECT '{tag}'")[0] == [tag]:
                    return s
            except harness.HarnessError:
                pass
            s.close()
            return None
        return harness.wait_until(attempt, 10, interval=0.2, what=f"session {tag} admitted")

    def test_connections_over_the_limit_get_53300(self):
        a = self.admitted_session("a")
        b = self.admitted_session("b")
        try:
            with self.assertRaises(pgwire.PgError) as cm:
                self.wire()
            self.assertEqual(cm.exception.sqlstate, "53300", cm.exception.fields)
            self.assertTrue(cm.exception.fields.get("M", "").startswith("warden: "))
            r = self.psql("SELECT 1")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("too many clients", r.stderr)
            # The admitted sessions are unaffected.
            self.assertEqual(a.run("SELECT 'a-again'")[0], ["a-again"])
        finally:
            a.close()
        # A slot is free again once a session ended.
        harness.wait_until(lambda: self.psql("SELECT 'third'").returncode == 0, 10,
                           what="a connection to be admitted after one closed")
        b.close()


if __name__ == "__main__":
    common.main()
