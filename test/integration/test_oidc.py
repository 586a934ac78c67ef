"""OIDC login end to end with a real OpenID provider (npm oidc-provider, test/harness/oidc/).

Clients get client_credentials access tokens (JWT, RS256 or ES256) from the provider over HTTP
and log in to Warden with psql (PGPASSWORD=<token>, sslmode=require); Warden fetches the JWKS
from the provider itself. Crafted tokens (test/harness/oidc/sign.mjs) cover every check that
must refuse a login (28P01 and a `login failed` log line naming the reason), the JWKS cache when
the provider goes away, a session closed when its token expires, and login throttling.

Needs node + `npm ci --prefix test/harness/oidc` (done by .ci/setup).
"""

import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import common
from common import APP_DB, LOCALHOST, HarnessError, pgwire, run_psql, wait_until

harness = common.harness

OIDC_DIR = Path(__file__).resolve().parents[1] / "harness" / "oidc"
PROVIDER_JS = OIDC_DIR / "provider.mjs"
SIGN_JS = OIDC_DIR / "sign.mjs"
NODE = shutil.which("node") or "node"
AUDIENCE = "warden"
RESOURCE = "urn:warden:db"
OTHER_RESOURCE = "urn:other:api"

# client_id, secret, signing alg, extra token claims
CLIENTS = (
    ("svc-rs", "svc-rs-secret", "RS256", {"groups": ["dba", "ops"], "warden_kind": "service"}),
    ("svc-es", "svc-es-secret", "ES256", {"groups": ["dev"], "warden_kind": "agent"}),
)

HIGH = 100000   # login_throttle thresholds for instances that fail logins on purpose


# --------------------------------------------------------------------------------------------
# helpers: node scripts, tokens

def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_part(token, i):
    return json.loads(b64url_decode(token.split(".")[i]))


def node(script, *args, stdin=None, timeout=60):
    r = subprocess.run([NODE, str(script), *args], input=stdin, capture_output=True, text=True,
                       timeout=timeout, cwd=str(OIDC_DIR))
    if r.returncode != 0:
        raise HarnessError(f"{script.name} {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout.strip()


def genkeys(suffix):
    """{'rsa': jwk, 'ec': jwk, 'ed': jwk}: private JWKs with kid rsa-/ec-/ed-SUFFIX and alg."""
    keys = json.loads(node(SIGN_JS, "genkeys", suffix))["keys"]
    return {k["kid"].split("-", 1)[0]: k for k in keys}


def sign(jwk, payload, header=None, mode="sign"):
    spec = {"mode": mode, "jwk": jwk, "header": dict(header or {}), "payload": payload}
    spec["header"].setdefault("kid", jwk["kid"])
    spec["header"].setdefault("typ", "at+jwt")
    return node(SIGN_JS, "sign", stdin=json.dumps(spec))


def write_jwks(path, *jwks):
    Path(path).write_text(json.dumps({"keys": list(jwks)}))
    return path


class OidcProvider:
    """provider.mjs as a child process on 127.0.0.1:<port>; its request log in the session."""

    def __init__(self, session, name, jwks_file, port=None):
        self.session = session
        self.name = name
        self.jwks_file = Path(jwks_file)
        self.port = port
        self.proc = None
        self._key = None
        self.log = session.path(f"{name}.log")
        self.cfg_path = session.path(f"{name}.json")

    @property
    def issuer(self):
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def jwks_url(self):
        return f"{self.issuer}/jwks"

    def _write_config(self):
        self.cfg_path.write_text(json.dumps({
            "port": self.port,
            "jwks_file": str(self.jwks_file),
            "access_token_ttl": 600,
            "resources": {RESOURCE: {"audience": AUDIENCE},
                          OTHER_RESOURCE: {"audience": "other-api"}},
            "default_resource": RESOURCE,
            "clients": [{"client_id": cid, "client_secret": secret, "alg": alg, "claims": claims}
                        for cid, secret, alg, claims in CLIENTS],
        }))

    def start(self, timeout=30):
        """Starts (or restarts on the same port, so the issuer stays the same)."""
        fixed = self.port is not None
        for _ in range(5):
            if not fixed:
                self.port = harness.free_port()
            self._write_config()
            mark = self.log.stat().st_size if self.log.exists() else 0
            with open(self.log, "ab") as logf:
                self.proc = subprocess.Popen(
                    [NODE, str(PROVIDER_JS), str(self.cfg_path), "--port", str(self.port)],
                    stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    cwd=str(OIDC_DIR))
            self._key = self.session.register(self.stop, f"kill -KILL {self.proc.pid}")

            def up():
                if self.proc.poll() is not None:
                    return True
                return '"listening"' in self.log_text(mark) and harness.port_accepts(self.port)

            wait_until(up, timeout, what=f"{self.name} listening")
            if self.proc.poll() is None:
                return self
            self._release()
            if fixed and "EADDRINUSE" not in self.log_text(mark):
                break
            time.sleep(0.3)
        raise HarnessError(f"{self.name} failed to start:\n{self.log_text()[-4000:]}")

    def stop(self, timeout=15):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._release()

    def _release(self):
        if self._key is not None:
            self.session.unregister(self._key)
            self._key = None

    def log_text(self, offset=0):
        try:
            with open(self.log, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def requests(self, path, method="GET"):
        """How many requests for path the provider has answered (from its request log)."""
        n = 0
        for line in self.log_text().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("event") == "request" and rec.get("path") == path \
                    and rec.get("method") == method:
                n += 1
        return n

    def token(self, client_id, resource=None, timeout=10):
        """A client_credentials access token from the token endpoint (HTTP, urllib)."""
        secret = {c[0]: c[1] for c in CLIENTS}[client_id]
        form = {"grant_type": "client_credentials"}
        if resource:
            form["resource"] = resource
        req = urllib.request.Request(
            f"{self.issuer}/token", data=urllib.parse.urlencode(form).encode(), method="POST",
            headers={"Authorization": "Basic " + base64.b64encode(
                f"{client_id}:{secret}".encode()).decode(),
                     "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body = json.loads(resp.read())
        except urllib.error.HTTPError as e:
            raise HarnessError(f"token endpoint: HTTP {e.code}: {e.read()[:500]!r}") from None
        if body.get("token_type") != "Bearer" or "access_token" not in body:
            raise HarnessError(f"unexpected token response {body}")
        return body["access_token"]


class OidcWardenConfig(harness.WardenConfig):
    """WardenConfig plus identity.oidc / identity.login_throttle (inside the identity section)."""

    def __init__(self, *args, oidc=None, throttle=None, **kw):
        super().__init__(*args, **kw)
        self.oidc = dict(oidc or {})
        self.throttle = dict(throttle or {})

    def text(self):
        base = super().text()
        lines = []
        if self.oidc:
            lines.append("  oidc:")
            lines += [f"    {k}: {harness._q(v)}" for k, v in self.oidc.items()]
        if self.throttle:
            lines.append("  login_throttle:")
            lines += [f"    {k}: {harness._q(v)}" for k, v in self.throttle.items()]
        marker = "\ntargets:\n"
        if marker not in base:
            raise HarnessError("WardenConfig layout changed: no 'targets:' section")
        return base.replace(marker, "\n" + "\n".join(lines) + marker, 1)


def log_records(warden, offset=0):
    try:
        with open(warden.log, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict):
            out.append(rec)
    return out


def log_mark(warden):
    return warden.log.stat().st_size if warden.log.exists() else 0


def read_until_error_or_close(conn, timeout):
    """Messages the server sends until it closes the connection: [(kind, body)], closed."""
    conn.sock.settimeout(timeout)
    msgs = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msgs.append(conn.read_message())
        except socket.timeout:
            break
        except (ConnectionError, ssl.SSLError, OSError):
            return msgs, True
        if msgs[-1][0] == b"Z":
            break
    return msgs, False


# --------------------------------------------------------------------------------------------

class OidcTest(common.GatewayCase):
    USERS = (("alice", "alice-pw"),)

    @classmethod
    def make_config(cls, name="warden.yaml"):
        if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            raise HarnessError(f"{OIDC_DIR}/node_modules missing: run "
                               "`npm ci --prefix test/harness/oidc` (bash .ci/setup does)")
        cls.keys = genkeys("main")
        cls.rogue = genkeys("rogue")          # never published by any provider
        cls.jwks_main = write_jwks(cls.s.path("jwks-main.json"), *cls.keys.values())
        cls.provider = OidcProvider(cls.s, "oidc-main", cls.jwks_main).start()
        cfg = cls.oidc_config(name, cls.provider, workers=2, oidc={
            "leeway": "0s", "refresh_min_interval": "3s", "fetch_timeout": "3s",
            "on_token_expiry": "close"})
        # default deny: a dba token may create tables, everyone reads, agents not secret_*
        cfg.default_action = "deny"
        cfg.extra = """
rules:
  - name: dba-may-create
    when: {groups: [dba], statements: [create_table]}
    action: allow
  - name: everyone-reads
    when: {statements: [read]}
    action: allow
  - name: agents-no-secrets
    when: {kinds: [agent], tables: ["secret_*"], statements: [read]}
    action: deny
    message: "agents may not read secrets"
"""
        cfg.write()
        return cfg

    @classmethod
    def oidc_config(cls, name, provider, workers=2, oidc=None, throttle=None, workdir=None):
        wd = cls.s.path(workdir) if workdir else cls.s.dir
        wd.mkdir(exist_ok=True)
        o = {"issuer": provider.issuer, "audience": AUDIENCE, "jwks_url": provider.jwks_url}
        o.update(oidc or {})
        t = {"delay_after": HIGH, "lockout_after": HIGH}
        t.update(throttle or {})
        cfg = OidcWardenConfig(cls.s.path(name), wd, cls.cert, cls.key, workers=workers,
                               oidc=o, throttle=t)
        cfg.add_target("pg", cls.pg, client_tls="optional", backend_user=common.APP_ROLE,
                       backend_password=common.APP_PASSWORD, database=APP_DB)
        for user, password in cls.USERS:
            cfg.add_user(user, password)
        cfg.write()
        return cfg

    @classmethod
    def prepare(cls):
        cls.pg.query("CREATE TABLE secret_notes (note text); "
                     "INSERT INTO secret_notes VALUES ('launch codes'); "
                     f"ALTER TABLE secret_notes OWNER TO {common.APP_ROLE}", dbname=APP_DB)

    # --- helpers ------------------------------------------------------------------------------
    def claims(self, **over):
        now = int(time.time())
        c = {"iss": self.provider.issuer, "aud": AUDIENCE, "sub": "crafted-user",
             "iat": now, "exp": now + 600, "groups": ["dev"], "warden_kind": "human"}
        c.update(over)
        return {k: v for k, v in c.items() if v is not None}

    def psql_token(self, token, sql, user=None, port=None, sslmode="require", **kw):
        if user is None:
            try:
                user = jwt_part(token, 1).get("sub") or "token-user"
            except Exception:
                user = "token-user"
        return run_psql(port or self.gw_port(), user, token, APP_DB, sql, sslmode=sslmode, **kw)

    def psql_token_ok(self, token, sql, **kw):
        r = self.psql_token(token, sql, **kw)
        self.assertEqual(r.returncode, 0, f"psql with token failed: {r.stderr}")
        return r.stdout.strip()

    def wait_log(self, warden, mark, pred, what, timeout=10):
        try:
            return wait_until(lambda: next((r for r in log_records(warden, mark) if pred(r)), None),
                              timeout, interval=0.1, what=what)
        except HarnessError as e:
            self.fail(f"{e}\n--- warden log since the attempt ---\n"
                      + "\n".join(json.dumps(r) for r in log_records(warden, mark))[-4000:])

    def assert_login_refused(self, token, reasons, warden=None, user="svc-rs", psql=True):
        """Refused with FATAL 28P01 (raw client over TLS, and psql), and Warden logs
        `login failed` with a reason starting with one of `reasons`. Returns (error, record)."""
        warden = warden or self.gw
        reasons = (reasons,) if isinstance(reasons, str) else tuple(reasons)
        mark = log_mark(warden)
        port = warden.port("pg")
        with self.assertRaises(pgwire.PgError, msg="login with this token was accepted") as cm:
            c = pgwire.connect(LOCALHOST, port, user, APP_DB, token, tls=True)
            c.terminate()
        err = cm.exception
        self.assertEqual(err.sqlstate, "28P01", err.fields)
        self.assertEqual(err.fields.get("S"), "FATAL", err.fields)
        self.assertTrue(err.message.startswith("warden: "), err.message)
        rec = self.wait_log(
            warden, mark,
            lambda r: r.get("msg") == "login failed" and str(r.get("reason", "")).startswith(reasons),
            f"'login failed' with reason {reasons}")
        self.assertEqual(rec.get("method"), "jwt", rec)
        if psql:
            r = self.psql_token(token, "SELECT 'should-not-run'", user=user, port=port)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertNotIn("should-not-run", r.stdout)
            self.assertIn("FATAL", r.stderr)
        return err, rec

    # --- 1. real provider tokens, groups and kind from the token drive rules ------------------
    def test_provider_tokens_rs256_and_es256_log_in(self):
        for client, alg in (("svc-rs", "RS256"), ("svc-es", "ES256")):
            with self.subTest(client=client):
                token = self.provider.token(client)
                header, claims = jwt_part(token, 0), jwt_part(token, 1)
                self.assertEqual(header.get("alg"), alg, header)
                self.assertEqual(claims.get("aud"), AUDIENCE, claims)
                self.assertEqual(claims.get("sub"), client, claims)
                mark = log_mark(self.gw)
                out = self.psql_token_ok(token, "SELECT current_user, current_database(), 6*7")
                self.assertEqual(out, f"{common.APP_ROLE}|{APP_DB}|42")
                rec = self.wait_log(self.gw, mark, lambda r: r.get("msg") == "authenticated",
                                    "'authenticated' log line")
                self.assertEqual(rec.get("user"), client, rec)
                self.assertEqual(rec.get("method"), "jwt", rec)

    def test_provider_token_groups_drive_rules(self):
        exists = "SELECT to_regclass('public.oidc_dba_table') IS NOT NULL"
        dev = self.provider.token("svc-es")       # groups [dev]
        dba = self.provider.token("svc-rs")       # groups [dba, ops]
        r = self.psql_token(dev, "CREATE TABLE oidc_dba_table (id int)")
        self.assertNotEqual(r.returncode, 0, "dev token created a table: " + r.stdout)
        self.assertIn("42501", self.psql_token(
            dev, "CREATE TABLE oidc_dba_table (id int)",
            args=["-v", "VERBOSITY=verbose"]).stderr)
        self.assertEqual(self.pg.scalar(exists, dbname=APP_DB), "f")
        self.psql_token_ok(dba, "CREATE TABLE oidc_dba_table (id int)")
        self.assertEqual(self.pg.scalar(exists, dbname=APP_DB), "t")
        # the static user (groups [dev]) is still denied: the allow came from the token's groups
        r = self.psql("CREATE TABLE oidc_alice_table (id int)")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertEqual(self.pg.scalar("SELECT to_regclass('public.oidc_alice_table') IS NULL",
                                        dbname=APP_DB), "t")

    def test_provider_token_kind_drives_rules(self):
        agent = self.provider.token("svc-es")      # warden_kind agent
        service = self.provider.token("svc-rs")    # warden_kind service
        r = self.psql_token(agent, "SELECT note FROM secret_notes",
                            args=["-v", "VERBOSITY=verbose"])
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("42501", r.stderr)
        self.assertIn("agents may not read secrets", r.stderr)
        self.assertEqual(self.psql_token_ok(service, "SELECT note FROM secret_notes"),
                         "launch codes")

    def test_static_user_still_logs_in_with_scram(self):
        c = self.wire()
        try:
            self.assertTrue(any(m.startswith("sasl:") for m in c.auth_methods), c.auth_methods)
            self.assertEqual(c.query("SELECT 'static-ok'"), [("static-ok",)])
        finally:
            c.terminate()

    def test_crafted_eddsa_token_logs_in(self):
        token = sign(self.keys["ed"], self.claims(sub="ed-user"))
        self.assertEqual(jwt_part(token, 0)["alg"], "EdDSA")
        self.assertEqual(self.psql_token_ok(token, "SELECT 'eddsa-ok'"), "eddsa-ok")

    def test_group_names_match_exactly(self):
        # Only the listed groups count: "dba-not" / "xdba" must not match groups: [dba].
        token = sign(self.keys["rsa"], self.claims(sub="tricky", groups=["xdba", "dba-not"]))
        r = self.psql_token(token, "CREATE TABLE oidc_tricky_table (id int)")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertEqual(self.pg.scalar("SELECT to_regclass('public.oidc_tricky_table') IS NULL",
                                        dbname=APP_DB), "t")

    # --- 2. refused tokens ----------------------------------------------------------------------
    def test_provider_token_for_other_audience_refused(self):
        token = self.provider.token("svc-rs", resource=OTHER_RESOURCE)
        self.assertEqual(jwt_part(token, 1).get("aud"), "other-api")
        self.assert_login_refused(token, "wrong_audience")

    def test_expired_token_refused(self):
        now = int(time.time())
        token = sign(self.keys["rsa"], self.claims(iat=now - 900, exp=now - 120))
        self.assert_login_refused(token, "expired")

    def test_not_yet_valid_token_refused(self):
        now = int(time.time())
        token = sign(self.keys["rsa"], self.claims(nbf=now + 300))
        self.assert_login_refused(token, "not_yet_valid")

    def test_wrong_issuer_refused(self):
        token = sign(self.keys["rsa"], self.claims(iss="http://127.0.0.1:1/not-the-issuer"))
        self.assert_login_refused(token, "wrong_issuer")

    def test_wrong_audience_refused(self):
        token = sign(self.keys["ec"], self.claims(aud="someone-else"))
        self.assert_login_refused(token, "wrong_audience")

    def test_bad_signature_refused(self):
        good = self.provider.token("svc-rs")
        h, p, s = good.split(".")
        sig = bytearray(b64url_decode(s))
        sig[len(sig) // 2] ^= 0x01
        self.assert_login_refused(f"{h}.{p}.{b64url(bytes(sig))}", "bad_signature")
        # a payload changed under a valid signature
        claims = jwt_part(good, 1)
        claims["groups"] = ["dba", "superusers"]
        forged = f"{h}.{b64url(json.dumps(claims).encode())}.{s}"
        self.assert_login_refused(forged, "bad_signature")

    def test_alg_none_refused(self):
        token = sign(self.keys["rsa"], self.claims(), mode="none")
        self.assertTrue(token.endswith("."), token)
        self.assert_login_refused(token, ("alg_none", "alg_not_allowed"))

    def test_hs256_with_public_key_as_secret_refused(self):
        for mode in ("hs256-public-pem", "hs256-public-jwk"):
            with self.subTest(mode=mode):
                token = sign(self.keys["rsa"], self.claims(), mode=mode)
                self.assertEqual(jwt_part(token, 0)["alg"], "HS256")
                self.assert_login_refused(token, ("alg_not_allowed", "key_alg_mismatch"))

    def test_alg_not_matching_key_type_refused(self):
        # signed with the RSA key but naming the EC key's kid
        token = sign(self.keys["rsa"], self.claims(), header={"kid": self.keys["ec"]["kid"]})
        self.assert_login_refused(token, ("key_alg_mismatch", "alg_not_allowed"))

    def test_unknown_kid_refetches_jwks_then_refused(self):
        token = sign(self.rogue["rsa"], self.claims())
        time.sleep(3.2)      # past refresh_min_interval (3s) since any earlier fetch
        before = self.provider.requests("/jwks")
        self.assert_login_refused(token, "unknown_kid", psql=False)
        first = self.provider.requests("/jwks")
        self.assertGreaterEqual(first - before, 1, "Warden did not refetch the JWKS on an unknown kid")
        # Within refresh_min_interval: no refetch per attempt (at most one per worker).
        for _ in range(4):
            self.assert_login_refused(token, "unknown_kid", psql=False)
        self.assertLessEqual(self.provider.requests("/jwks") - before, 2,
                             "JWKS refetched on every unknown kid (refresh_min_interval ignored)")

    def test_token_over_plaintext_refused_before_password(self):
        token = self.provider.token("svc-rs")
        mark = log_mark(self.gw)
        c = pgwire.Connection(LOCALHOST, self.gw_port())
        try:
            c.send(pgwire.startup_packet("svc-rs", APP_DB))
            msgs, closed = read_until_error_or_close(c, 10)
        finally:
            c.close()
        kinds = [k for k, _ in msgs]
        self.assertNotIn(b"R", kinds, f"Warden asked for the token over plaintext: {msgs}")
        self.assertIn(b"E", kinds, msgs)
        fields = pgwire.parse_error_fields(dict(msgs)[b"E"])
        self.assertEqual(fields.get("C"), "28P01", fields)
        self.assertEqual(fields.get("S"), "FATAL", fields)
        self.assertIn("TLS", fields.get("M", ""), fields)
        self.assertTrue(closed, "connection left open")
        self.wait_log(self.gw, mark, lambda r: r.get("msg") == "login failed"
                      and r.get("method") == "jwt", "'login failed' for the plaintext attempt")
        r = self.psql_token(token, "SELECT 'should-not-run'", sslmode="disable")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertNotIn("should-not-run", r.stdout)
        self.assertIn("TLS", r.stderr)

    def test_garbage_token_refused(self):
        self.assert_login_refused("not-a-jwt", "malformed")
        self.assert_login_refused("a.b.c", "malformed", psql=False)
        self.assert_login_refused("", ("malformed", "empty"), psql=False)

    # --- 4. token expiry during a session ---------------------------------------------------------
    def test_session_closed_when_token_expires(self):
        exp = int(time.time()) + 5
        token = sign(self.keys["rsa"], self.claims(sub="short-lived", exp=exp,
                                                   groups=["dba"]))
        c = pgwire.connect(LOCALHOST, self.gw_port(), "short-lived", APP_DB, token, tls=True)
        try:
            self.assertIn("cleartext", c.auth_methods)
            self.assertEqual(c.query("SELECT 'before-expiry'"), [("before-expiry",)])
            time.sleep(max(0.0, exp - time.time()) + 1.5)
            mark = log_mark(self.gw)
            c.send_query("CREATE TABLE oidc_after_expiry (id int)")
            msgs, closed = read_until_error_or_close(c, 10)
        finally:
            c.close()
        errors = [pgwire.parse_error_fields(b) for k, b in msgs if k == b"E"]
        self.assertTrue(errors, f"no error after the token expired: {msgs}")
        self.assertEqual(errors[0].get("S"), "FATAL", errors[0])
        self.assertEqual(errors[0].get("C"), "28000", errors[0])
        self.assertIn("expired", errors[0].get("M", ""), errors[0])
        self.assertTrue(closed, "session left open after its token expired")
        self.assertEqual(self.pg.scalar("SELECT to_regclass('public.oidc_after_expiry') IS NULL",
                                        dbname=APP_DB), "t",
                         "the statement after expiry reached the backend")
        self.wait_log(self.gw, mark, lambda r: r.get("msg") == "token expired",
                      "'token expired' log line")

    # --- default leeway (60 s) ---------------------------------------------------------------------
    def test_default_leeway_applies_to_exp_and_nbf(self):
        cfg = self.oidc_config("warden-leeway.yaml", self.provider, workdir="leeway")
        w = self.s.warden(cfg, name="warden-leeway")
        try:
            port = w.port("pg")
            now = int(time.time())
            base = self.claims(sub="leeway-user", iat=now - 900, groups=None, warden_kind=None)
            self.assert_login_refused(sign(self.keys["rsa"], dict(base, exp=now - 120)),
                                      "expired", warden=w, psql=False)
            self.assert_login_refused(sign(self.keys["rsa"], dict(base, nbf=now + 120)),
                                      "not_yet_valid", warden=w, psql=False)
            # inside the leeway: accepted, and the session is usable
            self.assertEqual(self.psql_token_ok(sign(self.keys["rsa"], dict(base, nbf=now + 20)),
                                                "SELECT 'nbf-in-leeway'", port=port),
                             "nbf-in-leeway")
            token = sign(self.keys["ec"], dict(base, exp=now - 20))
            c = pgwire.connect(LOCALHOST, port, "leeway-user", APP_DB, token, tls=True)
            try:
                self.assertIn("ok", c.auth_methods)     # the login itself was accepted
                c.send_query("SELECT 'exp-in-leeway'")
                msgs, closed = read_until_error_or_close(c, 10)
                errors = [pgwire.parse_error_fields(b) for k, b in msgs if k == b"E"]
                self.assertFalse(closed or errors,
                                 "a token accepted at login inside the leeway (exp 20 s ago, "
                                 "leeway 60 s) has its session closed at the first statement: "
                                 f"{errors}")
                self.assertIn(b"D", [k for k, _ in msgs], msgs)
            finally:
                c.close()
        finally:
            w.stop()

    # --- 3. JWKS provider goes away -------------------------------------------------------------
    def _provider_down_scenario(self, workers):
        name = f"dn{workers}"
        keys = genkeys(name)
        jwks = write_jwks(self.s.path(f"jwks-{name}.json"), keys["rsa"], keys["ec"])
        provider = OidcProvider(self.s, f"oidc-{name}", jwks).start()
        cfg = self.oidc_config(f"warden-{name}.yaml", provider, workers=workers, workdir=name,
                               oidc={"refresh_min_interval": "0s", "fetch_timeout": "2s"})
        w = self.s.warden(cfg, name=f"warden-{name}")
        try:
            port = w.port("pg")
            early_rs = provider.token("svc-rs")
            early_es = provider.token("svc-es")
            self.assertEqual(self.psql_token_ok(provider.token("svc-rs"), "SELECT 'up'",
                                                port=port), "up")
            self.assertGreaterEqual(provider.requests("/jwks"), 1)
            now = int(time.time())
            rot_claims = dict(iss=provider.issuer, aud=AUDIENCE, sub="rotated", iat=now,
                              exp=now + 600)
            tokens = [("early RS256", early_rs), ("early ES256", early_es)]
            if workers == 1:   # two workers: exactly one login before the provider goes away
                tokens.append(("crafted, rotated-in kid", self._rotation(
                    w, provider, keys, jwks, name, rot_claims)))
            self._provider_stopped(w, provider, keys, name, rot_claims, tokens)
        finally:
            w.stop()
            provider.stop()

    def _rotation(self, w, provider, keys, jwks, name, rot_claims):
        port = w.port("pg")
        # key rotation: the provider restarts with a new key; the new kid is fetched
        rot = genkeys(name + "rot")["rsa"]
        write_jwks(jwks, keys["rsa"], keys["ec"], rot)
        provider.stop()
        provider.start()
        before = provider.requests("/jwks")
        self.assertEqual(self.psql_token_ok(sign(rot, rot_claims), "SELECT 'rotated'",
                                            port=port), "rotated")
        self.assertGreater(provider.requests("/jwks"), before)
        return sign(rot, dict(rot_claims, sub="rotated-after-stop"))

    def _provider_stopped(self, w, provider, keys, name, rot_claims, tokens):
        port = w.port("pg")
        # the provider goes away
        provider.stop()
        self.assertFalse(harness.port_accepts(provider.port), "provider still listening")
        crafted = sign(keys["rsa"], dict(rot_claims, sub="crafted-after-stop"))
        for i in range(6):    # several logins: with N workers each must have the keys
            for label, token in tokens + [("crafted, known kid", crafted)]:
                r = self.psql_token(token, "SELECT 'cached'", port=port)
                self.assertEqual(r.returncode, 0,
                                 f"login #{i + 1} with {label} token failed while the "
                                 f"provider is down: {r.stderr}\n--- warden log ---\n"
                                 f"{w.log_text(3000)}")
        # a kid nobody has seen: fail closed
        new_kid = sign(genkeys(name + "new")["rsa"], dict(rot_claims, sub="new-kid"))
        self.assert_login_refused(new_kid, "unknown_kid", warden=w)

    def test_provider_down_cached_keys_serve_one_worker(self):
        self._provider_down_scenario(workers=1)

    def test_provider_down_cached_keys_serve_two_workers(self):
        self._provider_down_scenario(workers=2)

    # --- 5. login throttling ---------------------------------------------------------------------
    def test_login_throttle_locks_out_good_token(self):
        cfg = self.oidc_config("warden-throttle.yaml", self.provider, workdir="throttle",
                               throttle={"delay_after": 2, "lockout_after": 4, "window": "1m",
                                         "lockout": "1m", "max_delay": "2s"})
        w = self.s.warden(cfg, name="warden-throttle")
        try:
            good = self.provider.token("svc-rs")
            self.assertEqual(self.psql_token_ok(good, "SELECT 'good'", port=w.port("pg")), "good")
            bad = sign(self.keys["rsa"], self.claims(sub="svc-rs", iss="http://127.0.0.1:1/evil"))
            took = []
            for i in range(4):
                t0 = time.monotonic()
                self.assert_login_refused(bad, "wrong_issuer", warden=w, psql=False)
                took.append(time.monotonic() - t0)
            # failures from the 2nd on are answered late (250 ms, doubling)
            self.assertGreaterEqual(took[2], 0.4, f"no slow-down after 3 failures: {took}")
            mark = log_mark(w)
            with self.assertRaises(pgwire.PgError) as cm:
                pgwire.connect(LOCALHOST, w.port("pg"), "svc-rs", APP_DB, good, tls=True).terminate()
            self.assertEqual(cm.exception.sqlstate, "28P01", cm.exception.fields)
            self.assertIn("too many failed logins", cm.exception.message)
            r = self.psql_token(good, "SELECT 'should-not-run'", port=w.port("pg"))
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("too many failed logins", r.stderr)
            self.wait_log(w, mark, lambda r: r.get("msg") == "login refused",
                          "'login refused' log line")
            # the main instance (own process) is unaffected
            self.assertEqual(self.psql_token_ok(good, "SELECT 'main-ok'"), "main-ok")
        finally:
            w.stop()

    # --- 6. the audit trail carries the token's identity ---------------------------------------
    def test_audit_records_carry_token_identity(self):
        audit_dir = self.cfg.workdir / "audit"
        groups = ["dba", "audit-readers"]
        token = sign(self.keys["rsa"], self.claims(sub="audit-subject", groups=groups,
                                                   warden_kind="service"))
        self.assertEqual(self.psql_token_ok(token, "SELECT 1 AS audit_identity_probe"), "1")
        bad = sign(self.keys["rsa"], self.claims(sub="audit-denied", aud="someone-else"))
        self.assert_login_refused(bad, "wrong_audience", user="audit-denied-login", psql=False)

        def records():
            out = []
            for p in sorted(audit_dir.glob("audit-*.jsonl")):
                for line in p.read_text(errors="replace").splitlines():
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
            return out

        def session_records():
            recs = records()
            probe = [r for r in recs if r.get("event") == "statement"
                     and "audit_identity_probe" in (r.get("statement") or {}).get("text", "")]
            if not probe:
                return None
            sid = probe[0].get("session")
            mine = {e: [r for r in recs if r.get("session") == sid and r.get("event") == e]
                    for e in ("auth", "session_start", "statement")}
            return mine if all(mine.values()) else None

        mine = wait_until(session_records, 10, interval=0.1,
                          what="auth, session_start and statement records of the token session")
        for event, recs in mine.items():
            for r in recs:
                ident = r.get("identity") or {}
                self.assertEqual(ident.get("user"), "audit-subject", (event, r))
                self.assertEqual(ident.get("method"), "jwt", (event, r))
                self.assertEqual(ident.get("groups"), groups, (event, r))
                self.assertEqual(ident.get("kind"), "service", (event, r))
        self.assertEqual([r["decision"]["action"] for r in mine["auth"]], ["allow"], mine["auth"])
        self.assertEqual({r["decision"]["action"] for r in mine["statement"]}, {"allow"})
        denied = wait_until(lambda: [r for r in records() if r.get("event") == "auth"
                                     and (r.get("identity") or {}).get("user")
                                     == "audit-denied-login"], 10, interval=0.1,
                            what="auth record of the refused token login")
        self.assertEqual(len(denied), 1, denied)
        self.assertEqual(denied[0]["decision"]["action"], "deny", denied[0])
        self.assertEqual(denied[0]["identity"].get("method"), "jwt", denied[0])
        self.assertIn("wrong_audience", denied[0]["decision"].get("reason", ""), denied[0])
        self.assertFalse([r for r in records() if r.get("event") in ("session_start", "statement")
                          and (r.get("identity") or {}).get("user") == "audit-denied-login"])


if __name__ == "__main__":
    common.main()
