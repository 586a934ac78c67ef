"""COPY through Warden in both directions with a ~100 MB payload, byte-exact round trip;
COPY errors leave the session usable."""

import hashlib
import os
import time

import common
from common import APP_DB, pgwire

ROWS = int(os.environ.get("WARDEN_TEST_COPY_ROWS", "1100000"))  # ~110 MB of COPY text


def write_payload(path, rows):
    """Deterministic COPY text: id, varied ASCII/UTF-8 text with escapes, number, NULLs."""
    h = hashlib.sha256()
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 é€"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        chunk = []
        for i in range(1, rows + 1):
            k = (i * 7919) % 61
            text = (alphabet[k:] + alphabet[:k]) + f" row {i}" + ("\\t tab \\\\ bs" if i % 97 == 0 else "")
            note = "\\N" if i % 13 == 0 else f"n{i % 1000}"
            chunk.append(f"{i}\t{text}\t{i * 3}\t{note}\n")
            if len(chunk) == 10000:
                s = "".join(chunk)
                f.write(s)
                h.update(s.encode())
                chunk = []
        if chunk:
            s = "".join(chunk)
            f.write(s)
            h.update(s.encode())
    return h.hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class CopyTest(common.GatewayCase):

    @classmethod
    def prepare(cls):
        cls.pg.query("CREATE TABLE bulk (id bigint PRIMARY KEY, body text NOT NULL, "
                     "n bigint NOT NULL, note text)", APP_DB)
        cls.pg.query("ALTER TABLE bulk OWNER TO app", APP_DB)
        cls.payload = cls.s.path("payload.copy")
        cls.payload_sha = write_payload(cls.payload, ROWS)
        cls.payload_size = os.path.getsize(cls.payload)

    def test_1_copy_in_then_out_100mb(self):
        if ROWS >= 1100000:
            self.assertGreater(self.payload_size, 100 * 1000 * 1000)
        # COPY FROM STDIN through Warden
        t0 = time.monotonic()
        with open(self.payload, "rb") as f:
            r = self.psql("COPY bulk FROM STDIN", input=f, timeout=300)
        t_in = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), f"COPY {ROWS}")
        # verify on the backend directly
        row = self.pg.query("SELECT count(*), sum(id), sum(n), count(note), "
                            "sum(octet_length(body)) FROM bulk", APP_DB)[0]
        self.assertEqual(int(row[0]), ROWS)
        self.assertEqual(int(row[1]), ROWS * (ROWS + 1) // 2)
        self.assertEqual(int(row[2]), 3 * ROWS * (ROWS + 1) // 2)
        self.assertEqual(int(row[3]), ROWS - ROWS // 13)
        # COPY TO STDOUT through Warden, byte-exact against the input
        out = self.s.path("copy-out.copy")
        t0 = time.monotonic()
        with open(out, "wb") as f:
            r = self.psql("COPY (SELECT * FROM bulk ORDER BY id) TO STDOUT", stdout=f,
                          timeout=300)
        t_out = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        self.assertEqual(os.path.getsize(out), self.payload_size)
        self.assertEqual(sha256_file(out), self.payload_sha)
        mb = self.payload_size / 1e6
        print(f"  COPY in {mb:.0f} MB: {t_in:.1f}s, out: {t_out:.1f}s")
        os.unlink(out)

    def test_2_copy_out_over_tls(self):
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM bulk", APP_DB), str(ROWS),
                         "needs the rows loaded by test_1")
        out = self.s.path("copy-out-tls.copy")
        with open(out, "wb") as f:
            r = self.psql("COPY (SELECT * FROM bulk WHERE id <= 200000 ORDER BY id) TO STDOUT",
                          sslmode="require", stdout=f, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        expected = hashlib.sha256()
        with open(self.payload, "rb") as f:
            for i, line in enumerate(f):
                if i >= min(200000, ROWS):
                    break
                expected.update(line)
        self.assertEqual(sha256_file(out), expected.hexdigest())
        os.unlink(out)

    def test_3_copy_in_error_keeps_session_usable(self):
        c = self.wire()
        try:
            c.send_query("COPY bulk FROM STDIN")
            kind, _ = c.read_message()
            self.assertEqual(kind, b"G", "expected CopyInResponse")
            good = f"{ROWS + 1}\tok\t1\t\\N\n".encode()
            bad = b"not-a-number\tx\t1\t\\N\n"
            c.send(pgwire.message(b"d", good) + pgwire.message(b"d", bad) + pgwire.message(b"c"))
            with self.assertRaises(pgwire.PgError) as cm:
                c.read_result()
            self.assertEqual(cm.exception.sqlstate, "22P02", cm.exception.fields)
            # same session continues; the failed COPY inserted nothing
            self.assertEqual(c.query(f"SELECT count(*) FROM bulk WHERE id > {ROWS}"), [("0",)])
        finally:
            c.terminate()

    def test_4_copy_fail_from_client(self):
        c = self.wire()
        try:
            c.send_query("COPY bulk FROM STDIN")
            kind, _ = c.read_message()
            self.assertEqual(kind, b"G")
            c.send(pgwire.message(b"d", f"{ROWS + 5}\tx\t1\t\\N\n".encode())
                   + pgwire.message(b"f", b"client gave up\0"))
            with self.assertRaises(pgwire.PgError) as cm:
                c.read_result()
            self.assertEqual(cm.exception.sqlstate, "57014", cm.exception.fields)
            self.assertEqual(c.query(f"SELECT count(*) FROM bulk WHERE id > {ROWS}"), [("0",)])
        finally:
            c.terminate()


if __name__ == "__main__":
    common.main()
