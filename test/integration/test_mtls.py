"""mTLS client login (README "Identity"): with tls.client_ca_file, psql presenting a client
certificate signed by the test CA logs in as the certificate's CN without a password; a
certificate from another CA fails the TLS handshake; a certificate for another user is 28P01;
clients without a certificate still use their password; groups come from the static user."""

import subprocess
from pathlib import Path

import common
from common import APP_DB, HarnessError, run_psql


def openssl(*args):
    r = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise HarnessError(f"openssl {' '.join(args[:2])} failed: {r.stderr}")


def make_ca(directory, name):
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    crt, key = d / f"{name}.crt", d / f"{name}.key"
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-sha256", "-days", "3", "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(crt),
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return crt, key


def make_client_cert(directory, cn, ca_crt, ca_key, email=None):
    d = Path(directory)
    crt, key, csr, ext = (d / f"{cn}.crt", d / f"{cn}.key", d / f"{cn}.csr", d / f"{cn}.ext")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", f"/CN={cn}", "-keyout", str(key), "-out", str(csr))
    lines = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature",
             "extendedKeyUsage=clientAuth"]
    if email:
        lines.append(f"subjectAltName=email:{email}")
    ext.write_text("\n".join(lines) + "\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
            "-CAcreateserial", "-days", "3", "-sha256", "-extfile", str(ext), "-out", str(crt))
    key.chmod(0o600)
    return crt, key


class MtlsTest(common.GatewayCase):
    USERS = (("alice", "alice-pw"), ("bob", "bob-pw"))

    @classmethod
    def make_config(cls, name="warden.yaml"):
        certs = cls.s.path("client-certs")
        cls.ca_crt, cls.ca_key = make_ca(certs, "test-ca")
        cls.other_crt, cls.other_key = make_ca(certs, "other-ca")
        cls.alice_crt, cls.alice_key = make_client_cert(certs, "alice", cls.ca_crt, cls.ca_key)
        cls.mallory_crt, cls.mallory_key = make_client_cert(certs, "alice-forged", cls.other_crt,
                                                            cls.other_key)
        cfg = super().make_config(name)
        cfg.tls_extra = f"  client_ca_file: {cls.ca_crt}\n"
        # alice may not drop tables: the rule must follow the identity the certificate gives.
        cfg.extra = ("rules:\n"
                     "  - name: alice-no-drops\n"
                     "    when: {users: [alice], statements: [drop_table]}\n"
                     "    action: deny\n")
        cfg.write()
        return cfg

    def cert_psql(self, sql, user, crt, key, password=""):
        return run_psql(self.gw_port(), user, password, APP_DB, sql, sslmode="require",
                        extra={"sslcert": str(crt), "sslkey": str(key)})

    def test_certificate_from_the_test_ca_logs_in_without_a_password(self):
        r = self.cert_psql("SELECT 'mtls-ok'", "alice", self.alice_crt, self.alice_key)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "mtls-ok")
        log = self.gw.log_text(200000)
        self.assertIn('"method":"mtls"', log.replace(" ", ""))
        # Rules see the certificate's identity.
        r = self.cert_psql("DROP TABLE IF EXISTS mtls_nothing", "alice", self.alice_crt, self.alice_key)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("warden: statement denied by rule 'alice-no-drops'", r.stderr)

    def test_certificate_from_another_ca_is_refused(self):
        r = self.cert_psql("SELECT 'should-not-run'", "alice", self.mallory_crt, self.mallory_key,
                           password="alice-pw")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertNotIn("should-not-run", r.stdout)
        err = r.stderr.lower()
        self.assertTrue("certificate" in err or "ssl" in err or "tls" in err, r.stderr)

    def test_certificate_for_another_user_is_28P01(self):
        r = self.cert_psql("SELECT 'should-not-run'", "bob", self.alice_crt, self.alice_key,
                           password="bob-pw")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertNotIn("should-not-run", r.stdout)
        self.assertIn("password authentication failed", r.stderr)
        self.assertIn("client certificate is for", self.gw.log_text(200000))

    def test_clients_without_a_certificate_use_their_password(self):
        r = run_psql(self.gw_port(), "bob", "bob-pw", APP_DB, "SELECT 'pw-ok'", sslmode="require")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "pw-ok")
        r = run_psql(self.gw_port(), "bob", "wrong", APP_DB, "SELECT 1", sslmode="require")
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    common.main()
