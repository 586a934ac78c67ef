"""A small PostgreSQL v3 wire client (stdlib only) for what psql cannot show: SQLSTATEs of login
failures, raw SSLRequest/GSSENCRequest behaviour, cancel keys, idle sessions held open.

It is independent of Warden's codec on purpose (written from the protocol documentation).
"""

import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
import time

SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102
PROTOCOL_3_0 = 196608


class PgError(Exception):
    """An ErrorResponse. fields: {'S': severity, 'C': sqlstate, 'M': message, ...}."""

    def __init__(self, fields):
        self.fields = fields
        self.sqlstate = fields.get("C")
        self.message = fields.get("M", "")
        super().__init__(f"{fields.get('S', 'ERROR')} {self.sqlstate}: {self.message}")


class ProtocolError(Exception):
    pass


def _cstr(s):
    return s.encode() + b"\0"


def startup_packet(user, database, **params):
    body = struct.pack("!I", PROTOCOL_3_0)
    pairs = {"user": user, "database": database, "application_name": "warden-pgwire"}
    pairs.update(params)
    for k, v in pairs.items():
        body += _cstr(k) + _cstr(v)
    body += b"\0"
    return struct.pack("!I", len(body) + 4) + body


def request_packet(code):
    return struct.pack("!II", 8, code)


def message(kind, body=b""):
    return kind + struct.pack("!I", len(body) + 4) + body


def parse_error_fields(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return fields


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def read_until_closed(sock, timeout):
    """All bytes the peer sends until it closes (returns (data, closed))."""
    sock.settimeout(0.2)
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, ssl.SSLError, OSError):
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def split_messages(data):
    """[(type byte, body)] from a buffer of complete backend messages (trailing partial ignored)."""
    out, i = [], 0
    while i + 5 <= len(data):
        kind = data[i:i + 1]
        (length,) = struct.unpack("!I", data[i + 1:i + 5])
        if length < 4 or i + 1 + length > len(data):
            break
        out.append((kind, data[i + 5:i + 1 + length]))
        i += 1 + length
    return out


class ScramClient:
    """SCRAM-SHA-256 client side (RFC 5802/7677), no channel binding, as libpq without -PLUS."""

    def __init__(self, password):
        self.password = password.encode()
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"
        self.server_signature = None

    def first(self):
        return ("n,," + self.first_bare).encode()

    def final(self, server_first):
        attrs = dict(kv.split("=", 1) for kv in server_first.decode().split(","))
        rnonce, salt, iters = attrs["r"], base64.b64decode(attrs["s"]), int(attrs["i"])
        if not rnonce.startswith(self.nonce):
            raise ProtocolError("server nonce does not extend client nonce")
        salted = hashlib.pbkdf2_hmac("sha256", self.password, salt, iters)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={rnonce}"
        auth_message = f"{self.first_bare},{server_first.decode()},{without_proof}".encode()
        client_sig = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, client_sig))
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        self.server_signature = hmac.new(server_key, auth_message, hashlib.sha256).digest()
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final):
        attrs = dict(kv.split("=", 1) for kv in server_final.decode().split(","))
        if "e" in attrs:
            raise ProtocolError(f"server-final error: {attrs['e']}")
        if base64.b64decode(attrs.get("v", "")) != self.server_signature:
            raise ProtocolError("server signature mismatch (server does not know the password)")


class Connection:
    """One client connection. connect() → authenticated and ReadyForQuery, or raises PgError."""

    def __init__(self, host, port, timeout=10):
        self.host, self.port = host, port
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.params = {}
        self.backend_pid = None
        self.secret_key = None
        self.tls = False
        self.auth_methods = []
        self.notices = []

    # --- raw I/O
    def send(self, data):
        self.sock.sendall(data)

    def recv_byte(self):
        return recv_exact(self.sock, 1)

    def read_message(self):
        while True:
            if len(self.buf) >= 5:
                (length,) = struct.unpack("!I", self.buf[1:5])
                if length < 4:
                    raise ProtocolError(f"bad message length {length}")
                if len(self.buf) >= 1 + length:
                    kind, body = self.buf[:1], self.buf[5:1 + length]
                    self.buf = self.buf[1 + length:]
                    return kind, body
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk

    # --- session start
    def request_ssl(self, server_hostname="localhost"):
        """SSLRequest; on 'S' wraps the socket in TLS (no verification). Returns the answer."""
        self.send(request_packet(SSL_REQUEST_CODE))
        answer = self.recv_byte()
        if answer == b"S":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock, server_hostname=server_hostname)
            self.tls = True
        return answer

    def request_gssenc(self):
        self.send(request_packet(GSSENC_REQUEST_CODE))
        return self.recv_byte()

    def startup(self, user, database, password, **params):
        self.send(startup_packet(user, database, **params))
        scram = None
        while True:
            kind, body = self.read_message()
            if kind == b"E":
                raise PgError(parse_error_fields(body))
            if kind == b"N":
                self.notices.append(parse_error_fields(body))
            elif kind == b"R":
                (code,) = struct.unpack("!I", body[:4])
                if code == 0:
                    self.auth_methods.append("ok")
                elif code == 3:
                    self.auth_methods.append("cleartext")
                    self.send(message(b"p", _cstr(password)))
                elif code == 5:
                    self.auth_methods.append("md5")
                    salt = body[4:8]
                    inner = hashlib.md5(password.encode() + user.encode()).hexdigest()
                    outer = hashlib.md5(inner.encode() + salt).hexdigest()
                    self.send(message(b"p", _cstr("md5" + outer)))
                elif code == 10:
                    mechs = [m.decode() for m in body[4:].split(b"\0") if m]
                    self.auth_methods.append("sasl:" + ",".join(mechs))
                    if "SCRAM-SHA-256" not in mechs:
                        raise ProtocolError(f"no SCRAM-SHA-256 in {mechs}")
                    scram = ScramClient(password)
                    first = scram.first()
                    self.send(message(b"p", _cstr("SCRAM-SHA-256") + struct.pack("!I", len(first))
                                      + first))
                elif code == 11:
                    self.send(message(b"p", scram.final(body[4:])))
                elif code == 12:
                    scram.verify(body[4:])
                else:
                    raise ProtocolError(f"unsupported auth request {code}")
            elif kind == b"S":
                k, v, _ = body.split(b"\0", 2)
                self.params[k.decode()] = v.decode()
            elif kind == b"K":
                self.backend_pid, self.secret_key = struct.unpack("!II", body[:8])
            elif kind == b"Z":
                return self
            else:
                raise ProtocolError(f"unexpected message {kind!r} during startup")

    # --- queries
    def send_query(self, sql):
        self.send(message(b"Q", _cstr(sql)))

    def read_result(self):
        """Reads until ReadyForQuery: returns (rows, tags); raises PgError after RFQ on error."""
        rows, tags, error = [], [], None
        while True:
            kind, body = self.read_message()
            if kind == b"D":
                (n,) = struct.unpack("!H", body[:2])
                i, row = 2, []
                for _ in range(n):
                    (ln,) = struct.unpack("!i", body[i:i + 4])
                    i += 4
                    if ln < 0:
                        row.append(None)
                    else:
                        row.append(body[i:i + ln].decode())
                        i += ln
                rows.append(tuple(row))
            elif kind == b"C":
                tags.append(body.rstrip(b"\0").decode())
            elif kind == b"E":
                error = PgError(parse_error_fields(body))
            elif kind == b"N":
                self.notices.append(parse_error_fields(body))
            elif kind == b"Z":
                if error:
                    raise error
                return rows, tags
            # T, I, S, A: ignored

    def query(self, sql):
        self.send_query(sql)
        return self.read_result()[0]

    def terminate(self):
        try:
            self.send(message(b"X"))
        except OSError:
            pass
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def wait_closed(self, timeout):
        """True if the server closes this connection within timeout (any messages ignored)."""
        data, closed = read_until_closed(self.sock, timeout)
        self.buf += data
        return closed


def connect(host, port, user, database, password, tls=False, timeout=10, **params):
    c = Connection(host, port, timeout)
    try:
        if tls:
            answer = c.request_ssl()
            if answer != b"S":
                raise ProtocolError(f"server answered {answer!r} to SSLRequest")
        return c.startup(user, database, password, **params)
    except BaseException:
        c.close()
        raise


def cancel(host, port, pid, key, timeout=10):
    """Sends a CancelRequest on a fresh connection and waits for the server to close it."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(struct.pack("!IIII", 16, CANCEL_REQUEST_CODE, pid, key))
        read_until_closed(s, timeout)
