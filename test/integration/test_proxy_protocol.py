"""PROXY protocol v1/v2 in front of Warden (a target behind a load balancer): a stand-in
balancer (a TCP relay in this process) prepends the header and pipes bytes both ways; real psql
connects through it. Warden logs the original client address, cancels still work through the
balancer, and connections without a valid header are refused."""

import os
import signal
import socket
import struct
import subprocess
import threading
import time

import common
from common import APP_DB, LOCALHOST, harness, pgwire

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def v1_header(src_ip, src_port, dst_port):
    return f"PROXY TCP4 {src_ip} 127.0.0.1 {src_port} {dst_port}\r\n".encode()


def v2_header(src_ip, src_port, dst_port):
    addrs = socket.inet_aton(src_ip) + socket.inet_aton("127.0.0.1") + struct.pack(
        ">HH", src_port, dst_port)
    tlv = b"\x04" + struct.pack(">H", 3) + b"abc"          # a NOOP TLV that must be skipped
    body = addrs + tlv
    return V2_SIGNATURE + b"\x21\x11" + struct.pack(">H", len(body)) + body


class Balancer:
    """Accepts on a free loopback port; each connection gets `header()` sent to the upstream
    first, then bytes are piped both ways until either side closes."""

    def __init__(self, upstream_port, header):
        self.upstream_port, self.header = upstream_port, header
        self.sock = socket.socket()
        self.sock.bind((LOCALHOST, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            up = socket.create_connection((LOCALHOST, self.upstream_port), timeout=10)
            up.sendall(self.header())
            for a, b in ((client, up), (up, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.closed = True
        self.sock.close()


class ProxyConfig(harness.WardenConfig):
    """Adds `proxy_protocol: true` to the targets named in `proxied`."""

    proxied = ()

    def text(self):
        out, current = [], None
        for line in super().text().split("\n"):
            out.append(line)
            if line.startswith("  - name: "):
                current = line[len("  - name: "):].strip('"')
            elif line.startswith("    client_tls: ") and current in self.proxied:
                out.append("    proxy_protocol: true")
        return "\n".join(out)


class ProxyProtocolTest(common.GatewayCase):
    TARGETS = (("pg", "optional"), ("lb", "optional"))

    @classmethod
    def make_config(cls, name="warden.yaml"):
        cfg = ProxyConfig(cls.s.path(name), cls.s.dir, cls.cert, cls.key)
        cfg.proxied = ("lb",)
        for target, client_tls in cls.TARGETS:
            cfg.add_target(target, cls.pg, client_tls=client_tls, backend_user=common.APP_ROLE,
                           backend_password=common.APP_PASSWORD, database=APP_DB)
        for user, password in cls.USERS:
            cfg.add_user(user, password)
        cfg.write()
        return cfg

    @classmethod
    def prepare(cls):
        if common.GATEWAY != "warden":
            raise common.unittest.SkipTest("proxy_protocol is a Warden target setting")
        lb_port = cls.gw.port("lb")
        cls.v1 = Balancer(lb_port, lambda: v1_header("203.0.113.7", 4242, lb_port))
        cls.v2 = Balancer(lb_port, lambda: v2_header("198.51.100.9", 5353, lb_port))
        cls.bad = Balancer(lb_port, lambda: b"PROXY TCP4 1.2.3.256 127.0.0.1 1 2\r\n")

    @classmethod
    def tearDownClass(cls):
        for b in ("v1", "v2", "bad"):
            if hasattr(cls, b):
                getattr(cls, b).close()
        super().tearDownClass()

    def psql_via(self, port, sql, **kw):
        return harness.run_psql(port, "alice", "alice-pw", APP_DB, sql, **kw)

    def wait_log(self, needle, timeout=5):
        return harness.wait_until(lambda: needle in self.gw.log_text(200000), timeout,
                                  what=f"warden log containing {needle!r}")

    def test_v1_header_carries_the_client_address(self):
        r = self.psql_via(self.v1.port, "SELECT 'through-v1'")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("through-v1", r.stdout)
        self.wait_log('"client":"203.0.113.7:4242"')

    def test_v2_header_with_tlv_carries_the_client_address(self):
        r = self.psql_via(self.v2.port, "SELECT 'through-v2'", sslmode="require")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("through-v2", r.stdout)
        self.wait_log('"client":"198.51.100.9:5353"')

    def test_connection_without_header_is_refused(self):
        r = self.psql_via(self.gw.port("lb"), "SELECT 1")
        self.assertNotEqual(r.returncode, 0)
        self.wait_log("invalid PROXY protocol header")
        # The same Warden still serves the target that does not expect the header.
        self.assertEqual(self.psql_ok("SELECT 'plain-ok'").strip(), "plain-ok")

    def test_invalid_header_is_refused(self):
        r = self.psql_via(self.bad.port, "SELECT 1")
        self.assertNotEqual(r.returncode, 0)

    def test_cancel_through_the_balancer(self):
        env = harness.clean_env(PGPASSWORD="alice-pw")
        p = subprocess.Popen(
            ["psql", harness.conninfo(self.v1.port, "alice", APP_DB, sslmode="disable"),
             "-X", "-c", "SELECT pg_sleep(30) AS lb_cancel_probe"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.wait_backend_active("lb_cancel_probe")
            t0 = time.monotonic()
            os.kill(p.pid, signal.SIGINT)
            _, err = p.communicate(timeout=10)
            self.assertLess(time.monotonic() - t0, 5.0)
            self.assertIn("canceling statement", err)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate(timeout=10)
        self.assertEqual(self.pg.active_queries("lb_cancel_probe"), [])

    def test_raw_v2_local_header_keeps_socket_address(self):
        # LOCAL (health checks from the balancer itself): the session proceeds normally.
        hdr = V2_SIGNATURE + b"\x20\x00\x00\x00"
        s = socket.create_connection((LOCALHOST, self.gw.port("lb")), timeout=10)
        try:
            s.sendall(hdr + struct.pack(">II", 8, 80877104))     # then a GSSENCRequest
            self.assertEqual(s.recv(1), b"N")
        finally:
            s.close()


if __name__ == "__main__":
    common.main()
