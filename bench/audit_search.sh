#!/usr/bin/env bash
# Audit search bench: a synthetic chained audit log (~1M records across rotated files, real
# hashes) in a temp dir, then `warden audit search`'s library timed on it: a selective user
# filter without and with the per-file index, a statement-text search, the newest 100. See
# bench/README.md. Last line:
#   RESULT audit_search_ms_user=A audit_search_ms_user_indexed=B audit_search_ms_text=C
#          audit_search_ms_newest100=D audit_search_ms_index_build=E audit_search_records=N
# env: BUILD_DIR (default build), BENCH_RECORDS (default 1000000), BENCH_FILES (default 20),
# BENCH_ROUNDS (default 5), BENCH_DIR (default: a temp dir, removed at the end),
# BENCH_REBUILD (non-empty: run ninja first).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BIN="$BUILD_DIR/bin/audit_search_bench"
NAN="RESULT audit_search_ms_user=nan audit_search_ms_user_indexed=nan audit_search_ms_text=nan audit_search_ms_newest100=nan audit_search_ms_index_build=nan audit_search_records=nan"
if [ ! -x "$BIN" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  if ! ninja -C "$BUILD_DIR" audit_search_bench >&2; then
    echo "audit_search.sh: cannot build $BIN" >&2
    echo "$NAN"
    exit 1
  fi
fi
if [ -n "${BENCH_DIR:-}" ]; then
  DIR="$BENCH_DIR"
else
  DIR="$(mktemp -d "${TMPDIR:-/tmp}/warden-audit-bench.XXXXXX")"
  trap 'rm -rf "$DIR"' EXIT
fi
if ! out="$("$BIN" --dir="$DIR" --records="${BENCH_RECORDS:-1000000}" \
              --files="${BENCH_FILES:-20}" --rounds="${BENCH_ROUNDS:-5}")"; then
  printf '%s\n' "$out"
  echo "audit_search.sh: bench failed" >&2
  echo "$NAN"
  exit 1
fi
printf '%s\n' "$out" | grep -v '^RESULT '
printf '%s\n' "$out" | grep '^RESULT ' | tail -1
