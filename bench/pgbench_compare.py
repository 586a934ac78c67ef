#!/usr/bin/python3
"""pgbench -S side by side: direct PostgreSQL vs PgBouncer (session mode) vs Warden.

One throwaway PostgreSQL 15, one PgBouncer and one Warden on 127.0.0.1, started here and stopped
at the end. For each round, each configuration (-c1/-c8 x simple/prepared) runs against the three
systems back to back in a rotating order, so drift hits all of them alike. Medians over rounds.

Last line: RESULT pg_c1_added_latency_ratio_vs_pgbouncer=X pg_c8_tps_ratio_vs_pgbouncer=Y
  X = (warden_latency - direct_latency) / (pgbouncer_latency - direct_latency), -c1 simple
  Y = warden_tps / pgbouncer_tps, -c8 simple
(the prepared-mode ratios are printed on the line before it).

Environment: BENCH_DURATION (s per run, 5), BENCH_ROUNDS (3), BENCH_SCALE (pgbench scale, 5),
BENCH_HIGH_CLIENTS (8), BENCH_MODES ("simple prepared"), BENCH_WARDEN_WORKERS (2),
WARDEN_BIN (build/bin/warden), BENCH_UNDER_TEST=pgbouncer (put a second PgBouncer in Warden's
slot: validates this script without a working Warden).
"""

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "test" / "harness"))

from harness import (LOCALHOST, HarnessError, PgBouncer, Session, WardenConfig,  # noqa: E402
                     clean_env, warden_bin)

DURATION = int(os.environ.get("BENCH_DURATION", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCALE = int(os.environ.get("BENCH_SCALE", "5"))
HIGH = int(os.environ.get("BENCH_HIGH_CLIENTS", "8"))
MODES = os.environ.get("BENCH_MODES", "simple prepared").split()
WORKERS = int(os.environ.get("BENCH_WARDEN_WORKERS", "2"))
UNDER_TEST = os.environ.get("BENCH_UNDER_TEST", "warden")

SYSTEMS = ("direct", "pgbouncer", "warden")
DB, ROLE, ROLE_PW = "app", "app", "app-password"
CLIENT_USER, CLIENT_PW = "bench", "bench-password"


def log(msg):
    print(msg, flush=True)


def pgbench(port, user, password, args, timeout):
    cmd = ["pgbench", "-h", LOCALHOST, "-p", str(port), "-U", user] + args + [DB]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL,
                          env=clean_env(PGPASSWORD=password, PGSSLMODE="disable"))


def run_select(endpoint, clients, mode, duration):
    port, user, password = endpoint
    args = ["-S", "-n", "-M", mode, "-c", str(clients), "-j", str(min(clients, 2)),
            "-T", str(duration)]
    r = pgbench(port, user, password, args, timeout=duration + 60)
    out = r.stdout + r.stderr
    if r.returncode != 0:
        raise HarnessError(f"pgbench failed ({r.returncode}) on port {port}:\n{out[-3000:]}")
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    tps = re.search(r"tps = ([\d.]+)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    if not lat or not tps:
        raise HarnessError(f"cannot parse pgbench output:\n{out[-3000:]}")
    if failed and int(failed.group(1)) != 0:
        raise HarnessError(f"pgbench reported failed transactions:\n{out[-3000:]}")
    return float(lat.group(1)) * 1000.0, float(tps.group(1))   # µs, tps


def ratio(num, den):
    if den <= 0 or num != num:
        return float("nan")
    return num / den


def main():
    configs = [(1, m) for m in MODES] + [(HIGH, m) for m in MODES]
    log(f"pgbench -S: {DURATION}s x {ROUNDS} rounds, scale {SCALE}, configs "
        + ", ".join(f"-c{c} {m}" for c, m in configs) + f"; under test: {UNDER_TEST}")
    with Session(prefix="warden-bench-") as s:
        pg = s.postgres(settings={"max_connections": "300", "shared_buffers": "256MB"})
        pg.create_app(ROLE, ROLE_PW, DB)
        r = pgbench(pg.port, ROLE, ROLE_PW, ["-i", "-q", "-s", str(SCALE)], timeout=600)
        if r.returncode != 0:
            raise HarnessError(f"pgbench -i failed: {r.stderr}")
        bouncer = s.pgbouncer(pg, users={CLIENT_USER: CLIENT_PW}, backend_user=ROLE,
                              backend_password=ROLE_PW, database=DB, pool_size=HIGH + 4)
        if UNDER_TEST == "pgbouncer":
            w = s.pgbouncer(pg, users={CLIENT_USER: CLIENT_PW}, backend_user=ROLE,
                            backend_password=ROLE_PW, database=DB, pool_size=HIGH + 4,
                            name="pgbouncer-under-test")
            warden_port = w.port
        else:
            cert, key = s.tls_cert()
            cfg = WardenConfig(s.path("warden.yaml"), s.dir, cert, key, workers=WORKERS)
            cfg.add_target("bench", pg, client_tls="optional", backend_user=ROLE,
                           backend_password=ROLE_PW, database=DB, backend_tls="disable")
            cfg.add_user(CLIENT_USER, CLIENT_PW)
            cfg.write()
            w = s.warden(cfg, binary=warden_bin())
            warden_port = cfg.port("bench")
        endpoints = {"direct": (pg.port, ROLE, ROLE_PW),
                     "pgbouncer": (bouncer.port, CLIENT_USER, CLIENT_PW),
                     "warden": (warden_port, CLIENT_USER, CLIENT_PW)}
        log("endpoints: " + ", ".join(f"{k}=127.0.0.1:{v[0]}" for k, v in endpoints.items()))

        # warm-up: caches, pools, Warden's analysis cache
        for name in SYSTEMS:
            for mode in MODES:
                run_select(endpoints[name], 2, mode, 1)

        samples = {(n, c, m): [] for n in SYSTEMS for c, m in configs}
        for rnd in range(ROUNDS):
            order = SYSTEMS[rnd % 3:] + SYSTEMS[:rnd % 3]
            for c, m in configs:
                for name in order:
                    lat, tps = run_select(endpoints[name], c, m, DURATION)
                    samples[(name, c, m)].append((lat, tps))
                    log(f"round {rnd + 1}/{ROUNDS} -c{c:<2} {m:<8} {name:<9} "
                        f"latency {lat:9.1f} us  tps {tps:10.0f}")

        med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
               for k, v in samples.items()}
        log("")
        log(f"medians over {ROUNDS} rounds ({DURATION}s each):")
        log(f"{'config':<16}" + "".join(f"{n + ' us':>14}{n + ' tps':>15}" for n in SYSTEMS))
        for c, m in configs:
            log(f"{f'-c{c} {m}':<16}" + "".join(
                f"{med[(n, c, m)][0]:14.1f}{med[(n, c, m)][1]:15.0f}" for n in SYSTEMS))
        log("")
        results = {}
        for m in MODES:
            d, b, w_ = (med[(n, 1, m)][0] for n in SYSTEMS)
            results[f"c1_{m}_added_latency_ratio"] = ratio(w_ - d, b - d)
            log(f"-c1 {m:<8}: added latency pgbouncer {b - d:+.1f} us, warden {w_ - d:+.1f} us"
                f" -> ratio {results[f'c1_{m}_added_latency_ratio']:.2f}")
            bt, wt = med[("pgbouncer", HIGH, m)][1], med[("warden", HIGH, m)][1]
            results[f"c{HIGH}_{m}_tps_ratio"] = ratio(wt, bt)
            log(f"-c{HIGH} {m:<8}: tps direct {med[('direct', HIGH, m)][1]:.0f}, pgbouncer "
                f"{bt:.0f}, warden {wt:.0f} -> ratio {results[f'c{HIGH}_{m}_tps_ratio']:.2f}")
        if UNDER_TEST == "warden":
            w.stop()
    primary = "simple" if "simple" in MODES else MODES[0]
    extra = " ".join(f"pg_{k}={v:.3f}" for k, v in results.items())
    log(f"DETAIL {extra}")
    log(f"RESULT pg_c1_added_latency_ratio_vs_pgbouncer={results[f'c1_{primary}_added_latency_ratio']:.3f} "
        f"pg_c8_tps_ratio_vs_pgbouncer={results[f'c{HIGH}_{primary}_tps_ratio']:.3f}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HarnessError as e:
        print(f"bench failed: {e}", file=sys.stderr, flush=True)
        print("RESULT pg_c1_added_latency_ratio_vs_pgbouncer=nan pg_c8_tps_ratio_vs_pgbouncer=nan",
              flush=True)
        sys.exit(1)
