"""Client-facing TLS: sslmodes against client_tls optional/required/disabled, certificate
verification, plaintext smuggled after SSLRequest, GSSENCRequest answered 'N'."""

import socket
import struct

import common
from common import APP_DB, LOCALHOST, pgwire


def has_ssl(conninfo_output):
    return "SSL connection" in conninfo_output


class TlsTest(common.GatewayCase):
    TARGETS = (("pg", "optional"), ("pgreq", "required"), ("pgoff", "disabled"))

    # --- client_tls: optional
    def test_optional_sslmode_disable_is_plaintext(self):
        out = self.psql_ok("\\conninfo", sslmode="disable")
        self.assertIn("You are connected", out)
        self.assertFalse(has_ssl(out), out)

    def test_optional_sslmode_require_is_tls(self):
        out = self.psql_ok("\\conninfo", sslmode="require")
        self.assertTrue(has_ssl(out), out)
        self.assertEqual(self.psql_ok("SELECT 'q-over-tls'", sslmode="require").strip(),
                         "q-over-tls")

    def test_optional_sslmode_prefer_is_tls(self):
        out = self.psql_ok("\\conninfo", sslmode="prefer")
        self.assertTrue(has_ssl(out), out)

    def test_verify_full_with_configured_certificate(self):
        # The served certificate is the configured one: it verifies against itself as the CA
        # (SAN IP:127.0.0.1 and DNS:localhost).
        for host in ("127.0.0.1", "localhost"):
            r = common.run_psql(self.gw_port("pg"), "alice", "alice-pw", APP_DB, "SELECT 'vf'",
                                sslmode="verify-full", host=host,
                                extra={"sslrootcert": self.cert})
            self.assertEqual(r.returncode, 0, f"{host}: {r.stderr}")
            self.assertEqual(r.stdout.strip(), "vf")

    def test_verify_full_rejects_other_ca(self):
        other_crt, _ = common.harness.make_tls_cert(self.s.path("other-ca"), "other")
        r = common.run_psql(self.gw_port("pg"), "alice", "alice-pw", APP_DB, "SELECT 1",
                            sslmode="verify-full", extra={"sslrootcert": other_crt})
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("certificate", r.stderr.lower())

    # --- client_tls: required
    def test_required_sslmode_require_works(self):
        out = self.psql_ok("\\conninfo", target="pgreq", sslmode="require")
        self.assertTrue(has_ssl(out), out)

    def test_required_sslmode_disable_refused(self):
        r = self.psql("SELECT 'leaked'", target="pgreq", sslmode="disable")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertNotIn("leaked", r.stdout)

    def test_required_plaintext_startup_gets_no_auth_request(self):
        # Raw client: StartupMessage without SSLRequest. Warden must not start authentication
        # (no password may travel in clear) — an error and/or close, never 'R'.
        with socket.create_connection((LOCALHOST, self.gw_port("pgreq")), timeout=10) as s:
            s.sendall(pgwire.startup_packet("alice", APP_DB))
            data, closed = pgwire.read_until_closed(s, 10)
        self.assertTrue(closed, f"connection left open; got {data!r}")
        kinds = [k for k, _ in pgwire.split_messages(data)]
        self.assertNotIn(b"R", kinds, data)
        self.assertNotIn(b"Z", kinds, data)

    # --- client_tls: disabled
    def test_disabled_answers_N_and_prefer_connects_plain(self):
        c = pgwire.Connection(LOCALHOST, self.gw_port("pgoff"))
        try:
            self.assertEqual(c.request_ssl(), b"N")
            c.startup("alice", APP_DB, "alice-pw")
            self.assertEqual(c.query("SELECT 'plain'"), [("plain",)])
        finally:
            c.terminate()
        out = self.psql_ok("\\conninfo", target="pgoff", sslmode="prefer")
        self.assertFalse(has_ssl(out), out)

    def test_disabled_sslmode_require_refused(self):
        r = self.psql("SELECT 1", target="pgoff", sslmode="require")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)

    # --- SSLRequest traps
    def test_plaintext_after_sslrequest_rejected(self):
        # SSLRequest and a plaintext StartupMessage in one write (CVE-2021-23222 style): the
        # buffered plaintext must never be processed as if it came over TLS.
        with socket.create_connection((LOCALHOST, self.gw_port("pg")), timeout=10) as s:
            s.sendall(pgwire.request_packet(pgwire.SSL_REQUEST_CODE)
                      + pgwire.startup_packet("alice", APP_DB))
            data, closed = pgwire.read_until_closed(s, 10)
        self.assertTrue(closed, f"connection not closed; got {data!r}")
        rest = data[1:] if data[:1] in (b"S", b"N") else data
        kinds = [k for k, _ in pgwire.split_messages(rest)]
        self.assertNotIn(b"R", kinds, f"plaintext startup was processed: {data!r}")
        # and Warden is still serving
        self.assertEqual(self.psql_ok("SELECT 'alive'", sslmode="require").strip(), "alive")

    def test_sslrequest_then_tls_garbage_closes(self):
        with socket.create_connection((LOCALHOST, self.gw_port("pg")), timeout=10) as s:
            s.sendall(pgwire.request_packet(pgwire.SSL_REQUEST_CODE))
            self.assertEqual(pgwire.recv_exact(s, 1), b"S")
            s.sendall(b"this is not a TLS ClientHello\r\n" * 4)
            data, closed = pgwire.read_until_closed(s, 10)
        self.assertTrue(closed, f"connection not closed; got {data!r}")
        self.assertNotIn(b"R", [k for k, _ in pgwire.split_messages(data)])

    def test_gssencrequest_answered_N_then_startup_proceeds(self):
        c = pgwire.Connection(LOCALHOST, self.gw_port("pg"))
        try:
            self.assertEqual(c.request_gssenc(), b"N")
            # libpq then falls back: SSLRequest on the same connection, then startup
            self.assertEqual(c.request_ssl(), b"S")
            c.startup("alice", APP_DB, "alice-pw")
            self.assertEqual(c.query("SELECT 'after-gss'"), [("after-gss",)])
        finally:
            c.terminate()

    def test_gssencrequest_then_plain_startup(self):
        c = pgwire.Connection(LOCALHOST, self.gw_port("pg"))
        try:
            self.assertEqual(c.request_gssenc(), b"N")
            c.startup("alice", APP_DB, "alice-pw")
            self.assertEqual(c.query("SELECT 1"), [("1",)])
        finally:
            c.terminate()

    def test_psql_gssencmode_prefer_connects(self):
        out = self.psql_ok("SELECT 'gss-prefer'", sslmode="prefer",
                           extra={"gssencmode": "prefer"})
        self.assertEqual(out.strip(), "gss-prefer")

    def test_bad_startup_length_closes(self):
        # A length field far beyond any sane startup packet: rejected, not buffered forever.
        with socket.create_connection((LOCALHOST, self.gw_port("pg")), timeout=10) as s:
            s.sendall(struct.pack("!II", 0x7FFFFFF0, pgwire.PROTOCOL_3_0) + b"user\0")
            data, closed = pgwire.read_until_closed(s, 10)
        self.assertTrue(closed, f"connection not closed; got {data!r}")


if __name__ == "__main__":
    common.main()
