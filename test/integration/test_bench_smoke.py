"""bench/pgbench_compare.sh still runs end to end (1 s x 1 round) and prints its RESULT line.
Checks the script, not the numbers."""

import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class BenchSmokeTest(unittest.TestCase):
    def test_pgbench_compare_prints_result(self):
        env = dict(os.environ, BENCH_DURATION="1", BENCH_ROUNDS="1", BENCH_SCALE="1")
        r = subprocess.run(["bash", str(REPO / "bench" / "pgbench_compare.sh")], env=env,
                           capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        sys.stdout.write(r.stdout[-3000:])
        self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-3000:])
        last = r.stdout.strip().splitlines()[-1]
        self.assertRegex(last, r"^RESULT pg_c1_added_latency_ratio_vs_pgbouncer=(-?[0-9.]+|nan|inf) "
                               r"pg_c8_tps_ratio_vs_pgbouncer=[0-9]+\.[0-9]+$")
        for system in ("direct", "pgbouncer", "warden"):
            self.assertTrue(re.search(rf"-c8 +simple +{system} +latency", r.stdout), system)


if __name__ == "__main__":
    unittest.main(verbosity=2)
