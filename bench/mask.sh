#!/usr/bin/env bash
# Masking bench: (1) bench/mask_rewrite_bench.cc — DataRow rewriting MB/s on one core with two
# column rules and every detector on; (2) bench/mask_stream.py — a 1M-row SELECT through a
# running Warden with masking on: Warden's RSS growth, and read time vs direct in the same run.
# Last line:  RESULT mask_mb_s=X mask_1m_rows_rss_growth_mb=Y     (targets X >= 200, Y <= 16)
# env: BUILD_DIR (default build), BENCH_ROWS (1000000), BENCH_ROUNDS (3).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
if [ ! -x "$BUILD_DIR/bin/mask_rewrite_bench" ] || [ ! -x "$BUILD_DIR/bin/warden" ]; then
  ninja -C "$BUILD_DIR" mask_rewrite_bench warden warden_dialect_postgres >&2
fi
rewrite="$("$BUILD_DIR/bin/mask_rewrite_bench" | tee /dev/stderr | grep '^RESULT')"
stream="$(WARDEN_BIN="$BUILD_DIR/bin/warden" /usr/bin/python3 "$ROOT/bench/mask_stream.py" | tee /dev/stderr | grep '^RESULT')"
x="$(sed -n 's/.*mask_mb_s=\([0-9.]*\).*/\1/p' <<<"$rewrite")"
y="$(sed -n 's/.*mask_1m_rows_rss_growth_mb=\([0-9.]*\).*/\1/p' <<<"$stream")"
echo "$stream"
echo "RESULT mask_mb_s=$x mask_1m_rows_rss_growth_mb=$y"
