#!/usr/bin/env bash
# Policy evaluation micro-bench: the guardrail engine's evaluate() per statement on a cached
# analysis (conf/policy-prod.yaml, target prod-pg), with and without a session scope, and
# allocations per allowed evaluation. See bench/README.md. Last line:
#   RESULT policy_eval_ns=X policy_eval_ns_noscope=Y policy_eval_allocs=Z
# env: BUILD_DIR (default build), BENCH_ROUNDS (default 7), BENCH_ITERATIONS (default 200000),
# BENCH_CONFIG (default conf/policy-prod.yaml), BENCH_TARGET (default prod-pg),
# BENCH_KIND (default human), BENCH_REBUILD (non-empty: run ninja first).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BIN="$BUILD_DIR/bin/policy_eval_bench"
NAN="RESULT policy_eval_ns=nan policy_eval_ns_noscope=nan policy_eval_allocs=nan"
if [ ! -x "$BIN" ] || [ ! -e "$BUILD_DIR/bin/libwarden_dialect_postgres.so" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  if ! ninja -C "$BUILD_DIR" policy_eval_bench warden_dialect_postgres >&2; then
    echo "policy_eval.sh: cannot build $BIN" >&2
    echo "$NAN"
    exit 1
  fi
fi
# The example config reads the backend password from the environment; never used here.
export WARDEN_PG_PASSWORD="${WARDEN_PG_PASSWORD:-bench-unused}"
ARGS=(--config="${BENCH_CONFIG:-$ROOT/conf/policy-prod.yaml}" --target="${BENCH_TARGET:-prod-pg}"
      --kind="${BENCH_KIND:-human}" --rounds="${BENCH_ROUNDS:-7}"
      --iterations="${BENCH_ITERATIONS:-200000}")
if ! out="$("$BIN" "${ARGS[@]}")"; then
  printf '%s\n' "$out"
  echo "policy_eval.sh: bench failed" >&2
  echo "$NAN"
  exit 1
fi
printf '%s\n' "$out" | grep -v '^RESULT '
printf '%s\n' "$out" | grep '^RESULT ' | tail -1
