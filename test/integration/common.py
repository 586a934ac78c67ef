"""Shared fixture for the integration/e2e suites: one throwaway PostgreSQL 15 + one Warden per
test file (class), both on 127.0.0.1 free ports.

WARDEN_TEST_GATEWAY=pgbouncer runs the same suites against PgBouncer instead of Warden. It exists
only to validate the tests and the harness themselves (PgBouncer is expected to fail some of
them, e.g. kill -9 cleanup); the default is Warden.
"""

import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))

import harness  # noqa: E402
import pgwire  # noqa: E402
from harness import (LOCALHOST, HarnessError, PgBouncer, Session, WardenConfig,  # noqa: E402,F401
                     run_psql, wait_until)

GATEWAY = os.environ.get("WARDEN_TEST_GATEWAY", "warden")
APP_ROLE, APP_PASSWORD, APP_DB = "app", "app-password", "app"


class PgBouncerGateway:
    """Stands in for Warden (same methods) with one PgBouncer per target."""

    def __init__(self, session, cfg, pg):
        self.session, self.cfg, self.pg = session, cfg, pg
        self.bouncers = {}
        self.proc = None

    def _users(self):
        return {u["name"]: u["password"] for u in self.cfg.users}

    def start(self):
        mode = {"optional": "allow", "required": "require", "disabled": None}
        for t in self.cfg.targets:
            b = PgBouncer(self.session, self.pg, users=self._users(), name=f"bouncer-{t['name']}",
                          client_tls=mode[t["client_tls"]], cert=self.cfg.cert,
                          key=self.cfg.key, port=t["port"])
            b.start()
            self.bouncers[t["name"]] = b
        self.proc = next(iter(self.bouncers.values())).proc
        return self

    def port(self, target):
        return self.bouncers[target].port

    def alive(self):
        return all(b.proc.poll() is None for b in self.bouncers.values())

    def reload(self):
        for b in self.bouncers.values():
            b.users = self._users()
            b.write()
            b.reload()

    def signal(self, sig):
        for b in self.bouncers.values():
            b.proc.send_signal(sig)

    def stop(self, timeout=30):
        codes = [b.stop(timeout) for b in self.bouncers.values()]
        return codes[0] if codes else None

    def wait(self, timeout):
        import subprocess
        codes = []
        for b in self.bouncers.values():
            try:
                codes.append(b.proc.wait(timeout=timeout))
            except subprocess.TimeoutExpired:
                return None
        return codes[0]

    def kill(self):
        for b in self.bouncers.values():
            b.kill()

    def log_text(self, max_bytes=20000):
        return "\n".join(b.log_text(max_bytes) for b in self.bouncers.values())


class GatewayCase(unittest.TestCase):
    """Base class: PostgreSQL with role/database `app`, TLS cert, Warden in front of it."""

    TARGETS = (("pg", "optional"),)        # (name, client_tls)
    USERS = (("alice", "alice-pw"),)
    START_GATEWAY = True

    @classmethod
    def setUpClass(cls):
        cls.s = Session()
        try:
            cls.pg = cls.s.postgres()
            cls.pg.create_app(APP_ROLE, APP_PASSWORD, APP_DB)
            cls.cert, cls.key = cls.s.tls_cert()
            cls.cfg = cls.make_config()
            cls.gw = None
            if cls.START_GATEWAY:
                cls.gw = cls.start_gateway(cls.cfg)
            cls.prepare()
        except BaseException:
            cls.dump_logs()
            cls.s.close()
            raise

    @classmethod
    def make_config(cls, name="warden.yaml"):
        cfg = WardenConfig(cls.s.path(name), cls.s.dir, cls.cert, cls.key)
        for target, client_tls in cls.TARGETS:
            cfg.add_target(target, cls.pg, client_tls=client_tls, backend_user=APP_ROLE,
                           backend_password=APP_PASSWORD, database=APP_DB)
        for user, password in cls.USERS:
            cfg.add_user(user, password)
        cfg.write()
        return cfg

    @classmethod
    def start_gateway(cls, cfg, name="warden"):
        if GATEWAY == "pgbouncer":
            return PgBouncerGateway(cls.s, cfg, cls.pg).start()
        return cls.s.warden(cfg, name=name)

    @classmethod
    def prepare(cls):
        """Hook for per-class setup after the gateway is up."""

    @classmethod
    def tearDownClass(cls):
        try:
            if getattr(cls, "gw", None) is not None:
                code = cls.gw.stop()
                print(f"[{cls.__name__}] gateway stop exit code: {code}", file=sys.stderr)
            cls.dump_logs()
        finally:
            cls.s.close()

    @classmethod
    def dump_logs(cls):
        gw = getattr(cls, "gw", None)
        if gw is not None:
            sys.stderr.write(f"--- {GATEWAY} log ({cls.__name__}) ---\n{gw.log_text(12000)}\n")
        elif hasattr(cls, "s"):
            log = cls.s.path("warden.log")
            if log.exists():
                sys.stderr.write(f"--- warden log ---\n{harness.tail(log, 12000)}\n")

    def tearDown(self):
        # attribute a crash to the test during which it happened
        gw = getattr(type(self), "gw", None)
        if (self.START_GATEWAY and gw is not None and not gw.alive()
                and not getattr(type(self), "_death_reported", False)):
            type(self)._death_reported = True
            code = gw.proc.returncode if gw.proc is not None else None
            self.fail(f"{GATEWAY} died during this test (exit {code}):\n{gw.log_text(8000)}")

    # helpers ------------------------------------------------------------------------------
    def gw_port(self, target="pg"):
        return self.gw.port(target)

    def psql(self, sql, user="alice", password=None, target="pg", sslmode="disable", **kw):
        if password is None:
            password = dict(self.USERS)[user]
        return run_psql(self.gw_port(target), user, password, APP_DB, sql, sslmode=sslmode, **kw)

    def psql_ok(self, sql, **kw):
        r = self.psql(sql, **kw)
        self.assertEqual(r.returncode, 0, f"psql failed: {r.stderr}")
        return r.stdout

    def wire(self, user="alice", password=None, target="pg", tls=False):
        if password is None:
            password = dict(self.USERS)[user]
        return pgwire.connect(LOCALHOST, self.gw_port(target), user, APP_DB, password, tls=tls)

    def wait_backend_active(self, token, timeout=15):
        """Waits until a query containing token is active on the backend; returns its rows."""
        return wait_until(lambda: self.pg.active_queries(token), timeout, interval=0.1,
                          what=f"backend query containing {token!r}")


def main():
    unittest.main(verbosity=2)
