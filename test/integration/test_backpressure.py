"""Backpressure: a client that does not read (or reads slowly) must pause Warden's reads from
the backend instead of making Warden buffer the result. Warden runs with small write
watermarks; its RSS (/proc/<pid>/status VmRSS) is sampled while ~3 GB of rows wait to be read,
and the backend query is seen blocked on its socket (pg_stat_activity wait_event ClientWrite).
A slow but steady reader still gets every row, byte-exact and in order."""

import hashlib
import struct
import sys
import time

import common
from common import LOCALHOST, harness, pgwire, wait_until

MB = 1024 * 1024
HIGH_WATERMARK = 65536
LOW_WATERMARK = 16384
RSS_GROWTH_LIMIT = 64 * MB      # over the baseline taken just before the query
HOLD_SECONDS = 4.0              # how long the client does not read once the backend is blocked

BIG_SELECT = "SELECT repeat('x', 1000) AS {tag} FROM generate_series(1, 3000000)"
BIG_COPY = "COPY (SELECT repeat('x', 1000) AS {tag} FROM generate_series(1, 3000000)) TO STDOUT"


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise harness.HarnessError(f"no VmRSS for pid {pid}")


def data_row(body):
    """Column values (bytes or None) of a DataRow body."""
    (n,) = struct.unpack_from("!H", body, 0)
    i, cols = 2, []
    for _ in range(n):
        (ln,) = struct.unpack_from("!i", body, i)
        i += 4
        if ln < 0:
            cols.append(None)
        else:
            cols.append(bytes(body[i:i + ln]))
            i += ln
    if i != len(body):
        raise pgwire.ProtocolError(f"DataRow has {len(body) - i} trailing bytes")
    return cols


class BackpressureTest(common.GatewayCase):
    LIMITS = {"write_high_watermark": HIGH_WATERMARK, "write_low_watermark": LOW_WATERMARK}

    @classmethod
    def make_config(cls, name="warden.yaml"):
        cfg = super().make_config(name)
        cfg.extra = "limits:\n" + "".join(f"  {k}: {v}\n" for k, v in cls.LIMITS.items())
        cfg.write()
        return cfg

    @classmethod
    def prepare(cls):
        # warm-up: a session with a few MB of rows, so that the baseline includes buffers a
        # first session allocates anyway
        c = pgwire.connect(LOCALHOST, cls.gw.port("pg"), "alice", common.APP_DB, "alice-pw")
        try:
            c.query("SELECT repeat('w', 1000) FROM generate_series(1, 5000)")
        finally:
            c.terminate()

    # helpers ------------------------------------------------------------------------------
    def rss(self):
        return rss_bytes(self.gw.proc.pid)

    def backend_waits(self, tag):
        """(state, wait_event_type, wait_event) of the backend session running `tag`."""
        return self.pg.query(
            "SELECT state, coalesce(wait_event_type, ''), coalesce(wait_event, '') "
            "FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            f"AND query LIKE '%{tag}%'")

    def hold_not_reading(self, tag, baseline):
        """Waits (client not reading) until the backend blocks in ClientWrite, then HOLD_SECONDS
        more; samples Warden's RSS throughout. Returns the peak RSS."""
        peak = [baseline]

        def blocked():
            peak[0] = max(peak[0], self.rss())
            # fail early (and spare the machine) when Warden is buffering the result
            self.assertLess(peak[0] - baseline, RSS_GROWTH_LIMIT,
                            f"{tag}: Warden RSS grew by {(peak[0] - baseline) / MB:.1f} MB before "
                            "the backend blocked: backend reads not paused")
            rows = self.backend_waits(tag)
            return rows and rows[0][0] == "active" and rows[0][2] == "ClientWrite"

        wait_until(blocked, 20, interval=0.1, what=f"backend query {tag} waiting in ClientWrite")
        t_blocked = time.monotonic()
        end = t_blocked + HOLD_SECONDS
        while time.monotonic() < end:
            peak[0] = max(peak[0], self.rss())
            time.sleep(0.1)
        rows = self.backend_waits(tag)
        self.assertTrue(rows, f"{tag}: the backend query disappeared while the client held")
        self.assertEqual((rows[0][0], rows[0][2]), ("active", "ClientWrite"),
                         f"{tag}: backend not blocked on the client after {HOLD_SECONDS}s: {rows}")
        growth = peak[0] - baseline
        print(f"  {tag}: baseline RSS {baseline / MB:.1f} MB, peak {peak[0] / MB:.1f} MB "
              f"(+{growth / MB:.1f} MB) over {HOLD_SECONDS}s blocked", file=sys.stderr)
        self.assertLess(growth, RSS_GROWTH_LIMIT,
                        f"{tag}: Warden RSS grew by {growth / MB:.1f} MB while the client did not "
                        f"read (limit {RSS_GROWTH_LIMIT / MB:.0f} MB): backend reads not paused")
        return peak[0]

    def wait_backend_gone(self, tag, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.backend_waits(tag):
                return
            time.sleep(0.1)
        self.fail(f"{tag}: still on the backend {timeout}s later: {self.backend_waits(tag)}")

    def assert_warden_serves(self):
        self.assertEqual(self.psql_ok("SELECT 'still-serving'").strip(), "still-serving")

    def drain_until_ready(self, c, timeout=30):
        """Reads (and discards) until ReadyForQuery; returns (rows, error fields or None)."""
        c.sock.settimeout(5)
        deadline = time.monotonic() + timeout
        rows, error = 0, None
        while True:
            self.assertLess(time.monotonic(), deadline,
                            f"no ReadyForQuery within {timeout}s ({rows} rows read)")
            kind, body = c.read_message()
            if kind == b"D":
                rows += 1
            elif kind == b"E":
                error = pgwire.parse_error_fields(body)
            elif kind == b"Z":
                return rows, error

    # tests --------------------------------------------------------------------------------
    def test_non_reading_client_pauses_backend_then_cancel(self):
        tag = "bp_select_nonreader"
        c = self.wire()
        try:
            baseline = self.rss()
            c.send_query(BIG_SELECT.format(tag=tag))
            self.hold_not_reading(tag, baseline)
            # cancel through Warden; the backend acts on it once its blocked write completes,
            # so read what is in flight up to the error
            pgwire.cancel(LOCALHOST, self.gw_port(), c.backend_pid, c.secret_key)
            t0 = time.monotonic()
            rows, error = self.drain_until_ready(c)
            print(f"  {tag}: {rows} rows in flight after the cancel, ReadyForQuery after "
                  f"{time.monotonic() - t0:.2f}s", file=sys.stderr)
            self.assertIsNotNone(error, f"query completed instead of being cancelled ({rows} rows)")
            self.assertEqual(error.get("C"), "57014", error)
            self.assertLess(rows, 3000000)
            self.assertEqual(c.query("SELECT 'usable'"), [("usable",)])
        finally:
            c.terminate()
        self.wait_backend_gone(tag)
        self.assert_warden_serves()

    def test_non_reading_copy_to_stdout_then_close(self):
        tag = "bp_copy_nonreader"
        c = self.wire()
        try:
            baseline = self.rss()
            c.send_query(BIG_COPY.format(tag=tag))
            self.hold_not_reading(tag, baseline)
        finally:
            c.close()       # just the TCP close, no Terminate
        self.wait_backend_gone(tag)
        self.assert_warden_serves()
        self.assertLess(self.rss() - baseline, RSS_GROWTH_LIMIT)

    def test_slow_reader_gets_exact_rows_in_order(self):
        tag = "bp_slow_reader"
        n_rows = 200000
        c = self.wire()
        try:
            baseline = self.rss()
            peak = baseline
            c.send_query(f"SELECT g, md5(g::text) AS {tag} FROM generate_series(1, {n_rows}) g")
            c.sock.settimeout(10)
            buf = bytearray(c.buf)
            c.buf = b""
            expected, total, done, error = 1, 0, False, None
            seen_client_write = False
            t0 = time.monotonic()
            deadline = t0 + 60
            reads = 0
            while not done:
                self.assertLess(time.monotonic(), deadline, f"stalled at row {expected}")
                chunk = c.sock.recv(65536)
                if not chunk:
                    self.fail(f"connection closed at row {expected}")
                total += len(chunk)
                buf += chunk
                pos = 0
                while len(buf) - pos >= 5:
                    kind = buf[pos:pos + 1]
                    (length,) = struct.unpack_from("!I", buf, pos + 1)
                    if len(buf) - pos < 1 + length:
                        break
                    body = memoryview(buf)[pos + 5:pos + 1 + length]
                    pos += 1 + length
                    if kind == b"D":
                        cols = data_row(body)
                        want = [str(expected).encode(),
                                hashlib.md5(str(expected).encode()).hexdigest().encode()]
                        if cols != want:
                            self.fail(f"row {expected}: got {cols!r}, want {want!r}")
                        expected += 1
                    elif kind == b"E":
                        error = pgwire.parse_error_fields(bytes(body))
                    elif kind == b"Z":
                        done = True
                    body.release()
                del buf[:pos]
                reads += 1
                if reads % 10 == 0:
                    peak = max(peak, self.rss())
                    if not seen_client_write:
                        w = self.backend_waits(tag)
                        seen_client_write = bool(w) and w[0][2] == "ClientWrite"
                time.sleep(0.02)
            elapsed = time.monotonic() - t0
            peak = max(peak, self.rss())
            print(f"  {tag}: {expected - 1} rows, {total / MB:.1f} MB in {elapsed:.1f}s "
                  f"({reads} reads); backend seen in ClientWrite: {seen_client_write}; RSS "
                  f"+{(peak - baseline) / MB:.1f} MB", file=sys.stderr)
            self.assertIsNone(error, error)
            self.assertEqual(expected - 1, n_rows)
            self.assertEqual(bytes(buf), b"", "bytes after ReadyForQuery")
            self.assertLess(peak - baseline, RSS_GROWTH_LIMIT)
            self.assertEqual(c.query("SELECT 'after-slow'"), [("after-slow",)])
        finally:
            c.terminate()
        self.assert_warden_serves()

    def test_zz_warden_healthy_and_backend_clean(self):
        self.assert_warden_serves()
        left = self.pg.query("SELECT pid, state, query FROM pg_stat_activity WHERE "
                             "pid <> pg_backend_pid() AND query LIKE '%bp\\_%' "
                             "AND backend_type = 'client backend' AND state <> 'idle'")
        self.assertEqual(left, [])


if __name__ == "__main__":
    common.main()
