"""pgbench through Warden: -i (COPY + DDL), then -S at 8 clients with -M simple, extended and
prepared, and a short TPC-B run; zero failed transactions, every transaction processed."""

import re
import subprocess

import common
from common import APP_DB, LOCALHOST, harness

CLIENTS = 8
TXNS_PER_CLIENT = 1500


def run_pgbench(port, user, password, args, timeout=300):
    cmd = ["pgbench", "-h", LOCALHOST, "-p", str(port), "-U", user] + list(args) + [APP_DB]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=harness.clean_env(PGPASSWORD=password, PGSSLMODE="disable"),
                          stdin=subprocess.DEVNULL)


class PgbenchTest(common.GatewayCase):

    @classmethod
    def prepare(cls):
        r = run_pgbench(cls.gw.port("pg"), "alice", "alice-pw", ["-i", "-s", "2", "-q"])
        cls.init_result = r

    def test_init_through_warden(self):
        r = self.init_result
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("done", r.stderr + r.stdout)
        # verify directly on the backend: scale 2 = 200000 accounts, 2 branches, 20 tellers
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM pgbench_accounts", APP_DB), "200000")
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM pgbench_branches", APP_DB), "2")
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM pgbench_tellers", APP_DB), "20")
        self.assertEqual(self.pg.scalar(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'pgbench_accounts'", APP_DB), "1")

    def check_run(self, r, expected):
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out)
        m = re.search(r"number of transactions actually processed: (\d+)/(\d+)", out)
        self.assertIsNotNone(m, out)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (expected, expected), out)
        m = re.search(r"number of failed transactions: (\d+)", out)
        self.assertIsNotNone(m, out)
        self.assertEqual(int(m.group(1)), 0, out)
        self.assertNotIn("error", r.stderr.lower(), r.stderr)
        m = re.search(r"tps = ([\d.]+)", out)
        self.assertIsNotNone(m, out)
        print(f"  {self.id().rsplit('.', 1)[-1]}: tps = {m.group(1)}")

    def select_only(self, mode):
        self.assertEqual(self.init_result.returncode, 0, "pgbench -i failed")
        r = run_pgbench(self.gw_port(), "alice", "alice-pw",
                        ["-S", "-M", mode, "-c", str(CLIENTS), "-j", "2",
                         "-t", str(TXNS_PER_CLIENT), "-n"])
        self.check_run(r, CLIENTS * TXNS_PER_CLIENT)

    def test_select_only_simple_8_clients(self):
        self.select_only("simple")

    def test_select_only_extended_8_clients(self):
        self.select_only("extended")

    def test_select_only_prepared_8_clients(self):
        self.select_only("prepared")

    def test_tpcb_prepared_8_clients(self):
        self.assertEqual(self.init_result.returncode, 0, "pgbench -i failed")
        before = int(self.pg.scalar("SELECT count(*) FROM pgbench_history", APP_DB))
        r = run_pgbench(self.gw_port(), "alice", "alice-pw",
                        ["-M", "prepared", "-c", str(CLIENTS), "-j", "2", "-t", "200", "-n"])
        self.check_run(r, CLIENTS * 200)
        after = int(self.pg.scalar("SELECT count(*) FROM pgbench_history", APP_DB))
        self.assertEqual(after - before, CLIENTS * 200)


if __name__ == "__main__":
    common.main()
