#!/usr/bin/env bash
# Analysis micro-bench: Warden's PostgreSQL analysis on a cache miss (warm DFA) and on a cache
# hit vs libpg_query's parse of the same corpus statements, plus the SLL success rate. See
# bench/README.md. Last line:
#   RESULT pg_analysis_miss_ratio_vs_libpg_query=X pg_analysis_hit_us=Y sll_rate=Z
# env: BUILD_DIR (default build), BENCH_ROUNDS (default 7), BENCH_CORPUS (default
# test/corpus/postgres), BENCH_ONLY (file-name prefix filter, e.g. "pgbench").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
ROUNDS="${BENCH_ROUNDS:-7}"
CORPUS="${BENCH_CORPUS:-$ROOT/test/corpus/postgres}"
BIN="$BUILD_DIR/bin/pg_analysis_bench"
if [ ! -x "$BIN" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  if ! ninja -C "$BUILD_DIR" pg_analysis_bench >&2; then
    echo "pg_analysis.sh: cannot build $BIN" >&2
    echo "RESULT pg_analysis_miss_ratio_vs_libpg_query=nan pg_analysis_hit_us=nan sll_rate=nan"
    exit 1
  fi
fi
ARGS=(--rounds="$ROUNDS")
[ -n "${BENCH_ONLY:-}" ] && ARGS+=(--only="$BENCH_ONLY")
if ! out="$("$BIN" "${ARGS[@]}" "$CORPUS")"; then
  printf '%s\n' "$out"
  echo "pg_analysis.sh: bench failed" >&2
  echo "RESULT pg_analysis_miss_ratio_vs_libpg_query=nan pg_analysis_hit_us=nan sll_rate=nan"
  exit 1
fi
printf '%s\n' "$out" | grep -v '^RESULT '
printf '%s\n' "$out" | grep '^RESULT ' | tail -1
