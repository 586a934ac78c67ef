"""Protocol edges through Warden against a real PostgreSQL, driven with raw wire messages:
a denied statement (FastPath FunctionCall, always refused) inside a transaction block leaves
the transaction failed exactly as a server error would; an extended-protocol COPY FROM STDIN
with the extra Sync that libpq sends keeps the ReadyForQuery accounting right (the session is
idle afterwards: a later denial is answered at once and a drain closes it immediately)."""

import struct

import common
from common import pgwire


def msg(t, body=b""):
    return t + struct.pack("!I", len(body) + 4) + body


def cstr(s):
    return s.encode() + b"\0"


def read_until_ready(c, limit=10000):
    """Reads messages up to and including ReadyForQuery; returns [(type, body)]."""
    out = []
    for _ in range(limit):
        t, body = c.read_message()
        out.append((t, body))
        if t == b"Z":
            return out
    raise AssertionError("no ReadyForQuery")


def error_fields(body):
    fields, i = {}, 0
    while i < len(body) and body[i] != 0:
        code = chr(body[i])
        end = body.index(b"\0", i + 1)
        fields[code] = body[i + 1:end].decode()
        i = end + 1
    return fields


FUNCTION_CALL = msg(b"F", struct.pack("!I", 1299) + struct.pack("!hh", 0, 0) + struct.pack("!h", 0))


class ProtocolEdgesTest(common.GatewayCase):

    def test_function_call_refused_with_42501(self):
        c = self.wire()
        try:
            c.send(FUNCTION_CALL)
            replies = read_until_ready(c)
            types = [t for t, _ in replies]
            self.assertEqual(types, [b"E", b"Z"], replies)
            f = error_fields(replies[0][1])
            self.assertEqual(f.get("C"), "42501", f)
            self.assertTrue(f.get("M", "").startswith("warden: "), f)
            self.assertEqual(replies[1][1], b"I")
            self.assertEqual(c.query("SELECT 'still-usable'"), [("still-usable",)])
        finally:
            c.terminate()

    def test_denial_inside_a_transaction_fails_it_like_a_server_error(self):
        c = self.wire()
        try:
            c.query("CREATE TEMP TABLE t_deny (x int)")
            c.query("BEGIN")
            c.query("INSERT INTO t_deny VALUES (1)")
            c.send(FUNCTION_CALL)
            replies = read_until_ready(c)
            self.assertEqual([t for t, _ in replies], [b"E", b"Z"], replies)
            self.assertEqual(error_fields(replies[0][1]).get("C"), "42501")
            self.assertEqual(replies[1][1], b"E", "transaction must be failed after a denial")
            c.send(msg(b"Q", cstr("COMMIT")))
            replies = read_until_ready(c)
            tags = [b.rstrip(b"\0").decode() for t, b in replies if t == b"C"]
            self.assertEqual(tags, ["ROLLBACK"], replies)
            self.assertEqual(c.query("SELECT count(*) FROM t_deny"), [("0",)])
        finally:
            c.terminate()

    def test_denied_extended_segment_rolls_back_its_implicit_transaction(self):
        c = self.wire()
        try:
            c.query("CREATE TEMP TABLE t_seg (x int)")
            insert = (msg(b"P", cstr("") + cstr("INSERT INTO t_seg VALUES (7)") + b"\0\0") +
                      msg(b"B", cstr("") + cstr("") + b"\0\0\0\0\0\0") +
                      msg(b"E", cstr("") + b"\0\0\0\0"))
            c.send(insert + FUNCTION_CALL + msg(b"S"))
            replies = []
            for _ in range(2):
                replies += read_until_ready(c)
            types = [t for t, _ in replies]
            self.assertIn(b"E", types, replies)
            self.assertEqual(c.query("SELECT count(*) FROM t_seg"), [("0",)],
                             "the INSERT before the denial must not commit")
        finally:
            c.terminate()

    def test_extended_copy_in_with_extra_sync_keeps_the_session_in_step(self):
        c = self.wire()
        try:
            c.query("CREATE TEMP TABLE t_copy (x int)")
            # What libpq's PQexecParams + PQputCopyData/PQputCopyEnd sends:
            c.send(msg(b"P", cstr("") + cstr("COPY t_copy FROM STDIN") + b"\0\0") +
                   msg(b"B", cstr("") + cstr("") + b"\0\0\0\0\0\0") +
                   msg(b"D", b"P" + cstr("")) + msg(b"E", cstr("") + b"\0\0\0\0") + msg(b"S"))
            seen = []
            while True:
                t, body = c.read_message()
                seen.append(t)
                if t == b"G":
                    break
                self.assertNotEqual(t, b"E", body)
            c.send(msg(b"d", b"1\n2\n3\n") + msg(b"c") + msg(b"S"))
            replies = read_until_ready(c)
            self.assertIn(b"C", [t for t, _ in replies])
            # In step: the next exchange gets exactly its own replies, and a denial right after
            # is answered at once.
            self.assertEqual(c.query("SELECT count(*) FROM t_copy"), [("3",)])
            c.send(FUNCTION_CALL)
            self.assertEqual([t for t, _ in read_until_ready(c)], [b"E", b"Z"])
            self.assertEqual(c.query("SELECT 'after-copy'"), [("after-copy",)])
        finally:
            c.terminate()


if __name__ == "__main__":
    common.main()
