"""Query cancellation through Warden (psql's Ctrl-C → CancelRequest to Warden → the right
backend), and a client killed mid-query leaves nothing running on the backend."""

import os
import signal
import subprocess
import time

import common
from common import APP_DB, LOCALHOST, harness, pgwire


class CancelTest(common.GatewayCase):

    def start_psql(self, sql, user="alice"):
        cmd = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
               harness.conninfo(self.gw_port(), user, APP_DB, sslmode="disable"), "-c", sql]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL,
                                env=harness.clean_env(PGPASSWORD=dict(self.USERS)[user]))

    def finish(self, proc, timeout):
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=10)
            return None, out, err
        return proc.returncode, out, err

    def test_cancel_only_the_targeted_query(self):
        p1 = self.start_psql("SELECT pg_sleep(30) AS cancel_probe_one")
        p2 = self.start_psql("SELECT pg_sleep(30) AS cancel_probe_two")
        try:
            self.wait_backend_active("cancel_probe_one")
            self.wait_backend_active("cancel_probe_two")
            t0 = time.monotonic()
            p1.send_signal(signal.SIGINT)     # psql sends a CancelRequest to Warden
            code, out, err = self.finish(p1, timeout=10)
            elapsed = time.monotonic() - t0
            self.assertIsNotNone(code, "psql did not return within 10 s of the cancel")
            self.assertLess(elapsed, 5.0)
            self.assertNotEqual(code, 0, out)
            self.assertIn("canceling statement due to user request", err)
            # the other session's query is untouched: still active on the backend, psql alive
            time.sleep(0.5)
            self.assertTrue(self.pg.active_queries("cancel_probe_two"),
                            "the second session's query was cancelled too")
            self.assertFalse(self.pg.active_queries("cancel_probe_one"))
            self.assertIsNone(p2.poll(), "second psql ended early")
            # cancel the second one the same way
            p2.send_signal(signal.SIGINT)
            code2, _, err2 = self.finish(p2, timeout=10)
            self.assertIsNotNone(code2)
            self.assertIn("canceling statement due to user request", err2)
        finally:
            for p in (p1, p2):
                if p.poll() is None:
                    p.kill()
                    p.communicate(timeout=10)

    def test_cancel_with_wrong_key_does_nothing(self):
        c = self.wire()
        try:
            self.assertIsNotNone(c.backend_pid)
            c.send_query("SELECT pg_sleep(3) AS wrong_key_probe")
            self.wait_backend_active("wrong_key_probe")
            pgwire.cancel(LOCALHOST, self.gw_port(), c.backend_pid, (c.secret_key + 1) & 0xFFFFFFFF)
            pgwire.cancel(LOCALHOST, self.gw_port(), (c.backend_pid + 1) & 0xFFFFFFFF,
                          c.secret_key)
            rows, _ = c.read_result()        # completes normally, no 57014
            self.assertEqual(rows, [("",)])
        finally:
            c.terminate()

    def test_raw_cancel_request_with_warden_key(self):
        c = self.wire()
        try:
            c.send_query("SELECT pg_sleep(30) AS raw_cancel_probe")
            self.wait_backend_active("raw_cancel_probe")
            t0 = time.monotonic()
            pgwire.cancel(LOCALHOST, self.gw_port(), c.backend_pid, c.secret_key)
            with self.assertRaises(pgwire.PgError) as cm:
                c.read_result()
            self.assertEqual(cm.exception.sqlstate, "57014", cm.exception.fields)
            self.assertLess(time.monotonic() - t0, 5.0)
            self.assertEqual(c.query("SELECT 'usable'"), [("usable",)])
        finally:
            c.terminate()

    def test_client_key_does_not_cancel_on_backend_directly(self):
        # Warden hands out its own key (PROTOCOL_NOTES: CancelRequest): the (pid, key) a client
        # sees must not cancel anything when sent to the backend around Warden.
        c = self.wire()
        try:
            c.send_query("SELECT pg_sleep(2) AS direct_key_probe")
            self.wait_backend_active("direct_key_probe")
            pgwire.cancel(LOCALHOST, self.pg.port, c.backend_pid, c.secret_key)
            rows, _ = c.read_result()        # completes normally, no 57014
            self.assertEqual(rows, [("",)])
        finally:
            c.terminate()

    def test_kill_9_client_mid_query_stops_backend_query(self):
        p = self.start_psql("SELECT pg_sleep(30) AS kill9_probe")
        try:
            self.wait_backend_active("kill9_probe")
            os.kill(p.pid, signal.SIGKILL)
            p.communicate(timeout=10)
            t0 = time.monotonic()
            deadline = t0 + 5.0
            while self.pg.active_queries("kill9_probe") and time.monotonic() < deadline:
                time.sleep(0.1)
            left = self.pg.active_queries("kill9_probe")
            self.assertEqual(left, [], "query still running on the backend 5 s after kill -9 "
                             "of the client")
            print(f"  backend query gone {time.monotonic() - t0:.2f}s after kill -9")
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate(timeout=10)

    def test_client_socket_closed_mid_query_stops_backend_query(self):
        c = self.wire()
        c.send_query("SELECT pg_sleep(30) AS closed_probe")
        self.wait_backend_active("closed_probe")
        c.close()                               # no Terminate: just the TCP close
        deadline = time.monotonic() + 5.0
        while self.pg.active_queries("closed_probe") and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.pg.active_queries("closed_probe"), [])

    def test_warden_still_serves_after_cancels(self):
        self.assertEqual(self.psql_ok("SELECT 'ok'").strip(), "ok")


if __name__ == "__main__":
    common.main()
