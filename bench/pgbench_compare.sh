#!/usr/bin/env bash
# pgbench -S at -c1 and -c8 (simple and prepared): direct PostgreSQL vs PgBouncer (session mode)
# vs Warden, side by side in one run, alternating, several rounds; prints medians and a last line
#   RESULT pg_c1_added_latency_ratio_vs_pgbouncer=X pg_c8_tps_ratio_vs_pgbouncer=Y
# Everything runs on 127.0.0.1 in a temp dir and is stopped at the end.
#
# Usage: bash bench/pgbench_compare.sh            (5 s x 3 rounds, about 4 minutes)
#   BENCH_DURATION=10 BENCH_ROUNDS=5 bash bench/pgbench_compare.sh
# Needs: a built warden (bash .ci/setup), postgresql-15, pgbench, pgbouncer, python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
export WARDEN_BIN="${WARDEN_BIN:-$repo/build/bin/warden}"
if [[ "${BENCH_UNDER_TEST:-warden}" == warden && ! -x "$WARDEN_BIN" ]]; then
  echo "warden binary not found at $WARDEN_BIN: run 'bash .ci/setup' first" >&2
  exit 1
fi
for tool in pgbench pgbouncer /usr/lib/postgresql/15/bin/initdb; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run 'bash .ci/setup' first" >&2; exit 1; }
done
exec /usr/bin/python3 "$here/pgbench_compare.py" "$@"
