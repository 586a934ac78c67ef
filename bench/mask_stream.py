#!/usr/bin/python3
"""1M-row SELECT through masking: Warden's RSS growth while streaming, and the time to read the
whole result direct vs through Warden with a column rule on the result (same run, alternating).

One throwaway PostgreSQL 15 and one Warden on 127.0.0.1 (test/harness). Table big(i int, email
text, note text) with 1,000,000 rows; rule: big.email partial; detectors on. The reader is a
raw protocol client that discards rows as they arrive (its own memory stays flat), so the RSS
measured is Warden's alone (sampled from /proc every 50k rows).

Last line: RESULT mask_1m_rows_rss_growth_mb=Y mask_1m_rows_time_ratio_vs_direct=R
Environment: BENCH_ROWS (1000000), BENCH_ROUNDS (3), WARDEN_BIN (build/bin/warden).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "test" / "harness"))

import pgwire  # noqa: E402
from harness import LOCALHOST, Session, WardenConfig  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_all(port, user, password, pid=None):
    c = pgwire.connect(LOCALHOST, port, user, "app", password)
    peak = rss_kb(pid) if pid else 0
    t0 = time.monotonic()
    c.send_query("SELECT i, email, note FROM big")
    n = 0
    while True:
        kind, body = c.read_message()
        if kind == b"D":
            n += 1
            if pid and n % 50000 == 0:
                peak = max(peak, rss_kb(pid))
            if n == 1 and pid and b"@example.com" in body and b"person1@" in body:
                raise SystemExit("unmasked row through Warden")
        elif kind == b"Z":
            break
    elapsed = time.monotonic() - t0
    c.terminate()
    if n != ROWS:
        raise SystemExit(f"read {n} rows, expected {ROWS}")
    return elapsed, peak


def main():
    s = Session()
    try:
        pg = s.postgres()
        pg.create_app("app", "app-password", "app")
        r = pg.psql(f"CREATE TABLE big (i int, email text, note text); "
                    f"INSERT INTO big SELECT i, 'person' || i || '@example.com', "
                    f"'order ' || i || ' shipped' FROM generate_series(1, {ROWS}) i; "
                    f"ALTER TABLE big OWNER TO app;", dbname="app")
        if r.returncode != 0:
            raise SystemExit(r.stderr)
        cfg = WardenConfig(s.path("warden.yaml"), s.dir)
        cfg.add_target("pg", pg)
        cfg.add_user("bench", "bench-pw")
        cfg.extra = ("masking:\n  - name: pii\n    columns: [\"big.email\"]\n    method: partial\n"
                     "detectors:\n  enabled: [email, credit_card, us_ssn, iban, phone, aws_key, "
                     "jwt, private_key]\n")
        cfg.write()
        w = s.warden(cfg)
        pid = w.proc.pid
        direct, warden, growth = [], [], []
        for rnd in range(ROUNDS):
            base = rss_kb(pid)
            t_w, peak = read_all(cfg.port("pg"), "bench", "bench-pw", pid)
            t_d, _ = read_all(pg.port, "app", "app-password")
            warden.append(t_w)
            direct.append(t_d)
            growth.append((peak - base) / 1024)
            print(f"round {rnd + 1}: direct {t_d:.2f}s  warden+masking {t_w:.2f}s  "
                  f"warden RSS {base / 1024:.1f} MB -> peak {peak / 1024:.1f} MB", flush=True)
        ratio = statistics.median(warden) / statistics.median(direct)
        print(f"RESULT mask_1m_rows_rss_growth_mb={max(growth):.1f} "
              f"mask_1m_rows_time_ratio_vs_direct={ratio:.2f}", flush=True)
    finally:
        s.close()


if __name__ == "__main__":
    main()
