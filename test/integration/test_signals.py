"""Process signals: SIGHUP reloads the config without dropping open sessions (a user added to the
file can log in afterwards; a broken file keeps the old config); SIGTERM drains gracefully
(in-flight query finishes, idle sessions are closed, exit code 0). One Warden per test."""

import signal
import time

import common
from common import APP_DB, HarnessError, harness, pgwire, run_psql, wait_until


class SignalsTest(common.GatewayCase):
    START_GATEWAY = False

    def setUp(self):
        self.cfg = self.make_config(f"warden-{self._testMethodName}.yaml")
        self.gw = self.start_gateway(self.cfg, name=f"warden-{self._testMethodName}")
        type(self).gw = self.gw          # tearDownClass / dump_logs show the last one
        self.sessions = []

    def tearDown(self):
        for s in self.sessions:
            try:
                s.close()
            except Exception:
                pass
        if self.gw.alive():
            self.gw.stop()

    def login_ok(self, user, password):
        r = run_psql(self.gw_port(), user, password, APP_DB, "SELECT 'hello ' || 6*7")
        return r.returncode == 0 and r.stdout.strip() == "hello 42"

    def open_psql(self):
        s = harness.PsqlSession(self.gw_port(), "alice", "alice-pw", APP_DB)
        self.sessions.append(s)
        return s

    # --- SIGHUP
    def test_sighup_reload_keeps_sessions_and_adds_user(self):
        ps = self.open_psql()
        lines, err = ps.run("SELECT 'before-reload', pg_backend_pid()")
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("before-reload|"), lines)
        backend_pid = lines[0].split("|")[1]
        ps.run("CREATE TEMP TABLE reload_probe AS SELECT 1 AS x")   # session state on backend
        raw = self.wire()
        self.sessions.append(raw)
        self.assertFalse(self.login_ok("carol", "carol-pw"), "carol logged in before she exists")

        self.cfg.add_user("carol", "carol-pw")
        self.cfg.write()
        self.gw.reload()
        wait_until(lambda: self.login_ok("carol", "carol-pw"), 15, interval=0.25,
                   what="carol to log in after SIGHUP")

        self.assertTrue(self.gw.alive())
        lines, err = ps.run("SELECT 'after-reload', pg_backend_pid(), (SELECT x FROM reload_probe)")
        self.assertEqual(lines, [f"after-reload|{backend_pid}|1"], err)
        self.assertEqual(raw.query("SELECT 'raw-after-reload'"), [("raw-after-reload",)])
        self.assertTrue(self.login_ok("alice", "alice-pw"))

    def test_sighup_removing_user_stops_new_logins_only(self):
        ps = self.open_psql()
        self.assertEqual(ps.run("SELECT 'x'")[0], ["x"])
        self.cfg.users = [u for u in self.cfg.users if u["name"] != "alice"]
        self.cfg.add_user("dave", "dave-pw")
        self.cfg.write()
        self.gw.reload()
        wait_until(lambda: self.login_ok("dave", "dave-pw"), 15, interval=0.25,
                   what="reload (dave logs in)")
        with self.assertRaises(pgwire.PgError) as cm:
            self.wire(user="alice", password="alice-pw")
        self.assertEqual(cm.exception.sqlstate, "28P01")
        # the open session of alice is not dropped by the reload
        self.assertEqual(ps.run("SELECT 'still-open'")[0], ["still-open"])

    def test_sighup_with_broken_config_keeps_running_old_config(self):
        ps = self.open_psql()
        good = self.cfg.path.read_text()
        self.cfg.path.write_text(good + "targets: [this is: not valid\n")
        self.gw.reload()
        time.sleep(2)
        self.assertTrue(self.gw.alive(), "warden died on a broken reload:\n" + self.gw.log_text())
        self.assertTrue(self.login_ok("alice", "alice-pw"))
        self.assertEqual(ps.run("SELECT 'old-config'")[0], ["old-config"])
        # and a later good reload still works
        self.cfg.add_user("erin", "erin-pw")
        self.cfg.write()
        self.gw.reload()
        wait_until(lambda: self.login_ok("erin", "erin-pw"), 15, interval=0.25,
                   what="erin to log in after the good reload")

    # --- SIGTERM
    def test_sigterm_drains_and_exits_0(self):
        idle = self.wire()                                 # authenticated, idle
        self.sessions.append(idle)
        self.assertEqual(idle.query("SELECT 1"), [("1",)])
        busy = self.wire()
        self.sessions.append(busy)
        busy.send_query("SELECT 'drained' FROM pg_sleep(2) AS drain_probe")
        self.wait_backend_active("drain_probe")

        t0 = time.monotonic()
        self.gw.signal(signal.SIGTERM)
        # the idle session is closed promptly
        self.assertTrue(idle.wait_closed(10), "idle session not closed within 10 s of SIGTERM")
        # the in-flight query still completes
        rows, _ = busy.read_result()
        self.assertEqual(rows, [("drained",)])
        code = self.gw.wait(40)
        self.assertIsNotNone(code, "warden did not exit within 40 s of SIGTERM")
        self.assertEqual(code, 0, self.gw.log_text())
        print(f"  exited {time.monotonic() - t0:.2f}s after SIGTERM")
        # nothing left on the backend from Warden's sessions
        wait_until(lambda: self.pg.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'") == "0", 10,
            interval=0.2, what="backend sessions to go away after warden exit")

    def test_sigterm_with_idle_psql_exits_0(self):
        ps = self.open_psql()
        self.assertEqual(ps.run("SELECT 'idle-psql'")[0], ["idle-psql"])
        self.gw.signal(signal.SIGTERM)
        code = self.gw.wait(40)
        self.assertEqual(code, 0, self.gw.log_text())
        # the psql session was closed: its next statement fails
        try:
            lines, err = ps.run("SELECT 'after-exit'", timeout=10)
        except HarnessError:
            lines, err = [], "psql gone"
        self.assertNotIn("after-exit", lines)
        self.assertTrue(err.strip(), "psql saw no error after warden exited")

    def test_sigterm_refuses_new_connections(self):
        busy = self.wire()
        self.sessions.append(busy)
        busy.send_query("SELECT 'finished' FROM pg_sleep(5) AS refuse_probe")
        self.wait_backend_active("refuse_probe")
        self.gw.signal(signal.SIGTERM)
        # while the in-flight query keeps Warden draining, new logins are refused
        wait_until(lambda: not self.login_ok("alice", "alice-pw"), 4, interval=0.2,
                   what="new logins to be refused after SIGTERM")
        self.assertTrue(self.gw.alive(), "warden exited before the in-flight query finished")
        self.assertTrue(self.pg.active_queries("refuse_probe"))
        rows, _ = busy.read_result()
        self.assertEqual(rows, [("finished",)])
        self.assertEqual(self.gw.wait(40), 0, self.gw.log_text())


if __name__ == "__main__":
    common.main()
