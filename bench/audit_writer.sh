#!/usr/bin/env bash
# Audit writer bench (bench/audit_writer_bench.cc): group commit throughput of audit::Writer on
# real files (fdatasync per batch, checkpoint every 1000 records) with session-like producers
# that wait until their record is durable, the same producers pipelined (raw capacity), then
# SIGKILL rounds counting acknowledged records missing from disk. Local files only, no network.
# Last two lines (the second is the one to compare):
#   RESULT audit_records_per_s_pipelined=P audit_ack_p99_us=L audit_batch_mean=B
#   RESULT audit_records_per_s=X audit_lost_after_kill9=Y
# X: records/s of the waiting variant (target >= 100000); Y: acknowledged records lost over all
# kill rounds (target 0). Exit 1 when Y > 0, a log does not verify, or a run fails.
# env: BUILD_DIR (default build), BENCH_PRODUCERS (256 sessions), BENCH_SECONDS (3), BENCH_WINDOW (1024),
# BENCH_KILL_ROUNDS (5), BENCH_SEED (42), BENCH_TMPDIR (default /tmp: where the temp dir goes),
# BENCH_REBUILD (non-empty: run ninja first), BENCH_KEEP (non-empty: keep the temp dir).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BIN="$BUILD_DIR/bin/audit_writer_bench"
NAN1="RESULT audit_records_per_s_pipelined=nan audit_ack_p99_us=nan audit_batch_mean=nan"
NAN2="RESULT audit_records_per_s=nan audit_lost_after_kill9=nan"
fail() {
  echo "audit_writer.sh: $*" >&2
  echo "$NAN1"
  echo "$NAN2"
  exit 1
}
if [ ! -x "$BIN" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2 ||
      fail "cannot configure $BUILD_DIR"
  fi
  ninja -C "$BUILD_DIR" audit_writer_bench >&2 || fail "cannot build $BIN"
fi

TMP="$(mktemp -d "${BENCH_TMPDIR:-/tmp}/audit-writer-bench.XXXXXX")"
cleanup() { if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP" >&2; fi; }
trap cleanup EXIT
echo "temp dir $TMP: filesystem $(stat -f -c %T "$TMP"), $(df -P "$TMP" | awk 'NR==2 {print $1 " mounted on " $6}')"
echo "host: $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"

P="${BENCH_PRODUCERS:-256}"
status=0
tp_out="$("$BIN" throughput --dir="$TMP/throughput" --producers="$P" \
  --seconds="${BENCH_SECONDS:-3}" --window="${BENCH_WINDOW:-1024}")" || status=$?
printf '%s\n' "$tp_out" | grep -v '^RESULT ' || true
tp="$(printf '%s\n' "$tp_out" | grep '^RESULT ' | tail -1)" || fail "throughput run failed (exit $status)"
rm -rf "$TMP/throughput"

k9_status=0
k9_out="$("$BIN" kill9 --dir="$TMP/kill9" --producers="$P" --rounds="${BENCH_KILL_ROUNDS:-5}" \
  --seed="${BENCH_SEED:-42}")" || k9_status=$?
printf '%s\n' "$k9_out" | grep -v '^RESULT ' || true
k9="$(printf '%s\n' "$k9_out" | grep '^RESULT ' | tail -1)" || fail "kill9 run failed (exit $k9_status)"

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
X="$(field "$tp" audit_records_per_s)"
Y="$(field "$k9" audit_lost_after_kill9)"
[ -n "$X" ] && [ -n "$Y" ] || fail "no figures in: $tp / $k9"
echo "RESULT audit_records_per_s_pipelined=$(field "$tp" audit_records_per_s_pipelined)" \
  "audit_ack_p99_us=$(field "$tp" audit_ack_p99_us) audit_batch_mean=$(field "$tp" audit_batch_mean)"
echo "RESULT audit_records_per_s=$X audit_lost_after_kill9=$Y"
if [ "$status" -ne 0 ] || [ "$k9_status" -ne 0 ]; then
  echo "audit_writer.sh: a check failed (throughput exit $status, kill9 exit $k9_status): see above" >&2
  exit 1
fi
