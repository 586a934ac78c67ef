"""Throwaway servers for Warden's integration tests, demo and benchmarks (Python 3 stdlib only).

Everything listens on 127.0.0.1 on ports picked free at run time; every wait is bounded.

    with Session() as s:                       # temp dir + cleanup watchdog
        pg = s.postgres()                       # PostgreSQL 15, scram-sha-256, fsync=off
        pg.create_app()                         # role `app` + database `app`
        cert, key = s.tls_cert()                # self-signed, CN=localhost, SAN IP:127.0.0.1
        cfg = WardenConfig(s.path("warden.yaml"), s.dir, cert, key)
        cfg.add_target("pg", pg, client_tls="optional")
        cfg.add_user("alice", "alice-pw")
        cfg.write()
        w = s.warden(cfg)                       # started, ports accept connections
        run_psql(w.port("pg"), "alice", "alice-pw", "app", "SELECT 1")
    # on exit: Warden SIGTERM, PostgreSQL stopped, temp dir removed

Robust cleanup: a watchdog process (own session) watches this process; if it dies without
cleaning up (SIGKILL from a ctest timeout), the watchdog kills what was started and removes the
temp dir. WARDEN_KEEP_TMP=1 keeps the temp dir for inspection.

Environment: WARDEN_BIN (default BUILD/bin/warden), WARDEN_BUILD_DIR (default REPO/build),
WARDEN_PG_BIN (default /usr/lib/postgresql/15/bin).
"""

import atexit
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("WARDEN_PG_BIN", "/usr/lib/postgresql/15/bin"))
LOCALHOST = "127.0.0.1"


class HarnessError(RuntimeError):
    pass


def build_dir():
    return Path(os.environ.get("WARDEN_BUILD_DIR", REPO_ROOT / "build"))


def warden_bin():
    return Path(os.environ.get("WARDEN_BIN", build_dir() / "bin" / "warden"))


def is_root():
    return os.geteuid() == 0


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (callers retry on a bind race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOCALHOST, 0))
        return s.getsockname()[1]


def port_accepts(port, host=LOCALHOST, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Polls predicate() until truthy or timeout seconds pass; returns its value or raises."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise HarnessError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def tail(path, max_bytes=20000):
    try:
        data = Path(path).read_bytes()
    except OSError:
        return ""
    return data[-max_bytes:].decode("utf-8", "replace")


def clean_env(**extra):
    """Environment for client programs: no PG* variables leaking in from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.setdefault("LC_ALL", "C.UTF-8")
    env["PGCONNECT_TIMEOUT"] = "10"
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def conninfo(port, user, dbname, host=LOCALHOST, **params):
    parts = [f"host={host}", f"port={port}", f"user={user}", f"dbname={dbname}"]
    for k, v in params.items():
        if v is not None:
            parts.append(f"{k}={v}")
    return " ".join(parts)


def run_psql(port, user, password, dbname, sql=None, sslmode="disable", host=LOCALHOST,
             timeout=60, input=None, args=(), extra=None, stdout=None, check=False):
    """Runs the real psql (-X -At, ON_ERROR_STOP) and returns the CompletedProcess (text)."""
    params = {"sslmode": sslmode}
    params.update(extra or {})
    cmd = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", conninfo(port, user, dbname, host, **params)]
    if sql is not None:
        cmd += ["-c", sql]
    cmd += list(args)
    env = clean_env(PGPASSWORD=password)
    kwargs = dict(env=env, timeout=timeout, text=stdout is None)
    if stdout is not None:
        kwargs.update(stdout=stdout, stderr=subprocess.PIPE)
    else:
        kwargs.update(capture_output=True)
    if isinstance(input, (str, bytes)):
        kwargs["input"] = input if stdout is None or isinstance(input, bytes) else input.encode()
    elif input is not None:
        kwargs["stdin"] = input
    else:
        kwargs["stdin"] = subprocess.DEVNULL
    r = subprocess.run(cmd, **kwargs)
    if check and r.returncode != 0:
        raise HarnessError(f"psql failed ({r.returncode}): {r.stderr}")
    return r


# --------------------------------------------------------------------------------------------
# Session: temp dir, cleanup registry, watchdog

_WATCHDOG = r"""
parent=$1; script=$2; dir=$3; keep=$4
for ((i = 0; i < 14400; i++)); do
  kill -0 "$parent" 2>/dev/null || break
  sleep 1
done
[ -f "$script" ] && timeout 60 bash "$script" >/dev/null 2>&1
[ "$keep" = 1 ] || rm -rf -- "$dir"
"""


class Session:
    """Owns a temp dir and everything started in it; close() (or `with`) stops it all."""

    def __init__(self, prefix="warden-test-"):
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        # PostgreSQL runs as `postgres` (initdb refuses root) and must reach files in here.
        os.chmod(self.dir, 0o755)
        self.keep = os.environ.get("WARDEN_KEEP_TMP") == "1"
        self._cleanups = []        # [(key, python_callable)], run in reverse
        self._shell = {}           # key -> shell command for the watchdog
        self._next_key = 0
        self._closed = False
        self._script = self.dir / ".cleanup.sh"
        self._write_script()
        self._watchdog = subprocess.Popen(
            ["bash", "-c", _WATCHDOG, "warden-watchdog", str(os.getpid()), str(self._script),
             str(self.dir), "1" if self.keep else "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        atexit.register(self.close)
        _install_signal_exit()

    def path(self, *parts):
        return self.dir.joinpath(*parts)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def register(self, fn, shell_cmd=None):
        key = self._next_key
        self._next_key += 1
        self._cleanups.append((key, fn))
        if shell_cmd:
            self._shell[key] = shell_cmd
            self._write_script()
        return key

    def unregister(self, key):
        self._cleanups = [(k, f) for k, f in self._cleanups if k != key]
        if self._shell.pop(key, None) is not None:
            self._write_script()

    def _write_script(self):
        lines = [self._shell[k] for k in sorted(self._shell, reverse=True)]
        tmp = self._script.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        os.replace(tmp, self._script)

    def close(self):
        if self._closed:
            return
        self._closed = True
        errors = []
        for key, fn in reversed(list(self._cleanups)):
            try:
                fn()
            except Exception as e:  # keep cleaning up
                errors.append(e)
        self._cleanups = []
        self._shell = {}
        try:
            self._write_script()
        except OSError:
            pass
        try:
            os.killpg(self._watchdog.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self._watchdog.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        if errors:
            raise HarnessError(f"cleanup errors: {errors}")

    # convenience constructors -------------------------------------------------------------
    def postgres(self, name="pg", **kw):
        pg = PgServer(self, name, **kw)
        pg.start()
        return pg

    def tls_cert(self, name="server", cn="localhost"):
        return make_tls_cert(self.path("tls"), name, cn)

    def warden(self, config, start=True, attempts=3, **kw):
        """A Warden for `config`; started unless start=False. A listen port taken between
        choosing it and binding it (parallel tests) is re-chosen and the start retried."""
        w = Warden(self, config, **kw)
        if not start:
            return w
        for attempt in range(attempts):
            try:
                return w.start()
            except HarnessError as e:
                text = str(e).lower()
                if attempt + 1 == attempts or not ("in use" in text or "eaddrinuse" in text):
                    raise
                for t in config.targets:
                    t["port"] = free_port()
                config.write()
        return w

    def pgbouncer(self, pg, **kw):
        b = PgBouncer(self, pg, **kw)
        b.start()
        return b


_signal_installed = False


def _install_signal_exit():
    """SIGTERM/SIGHUP to the test process run atexit cleanups (SIGKILL is the watchdog's job)."""
    global _signal_installed
    if _signal_installed:
        return
    _signal_installed = True

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, handler)
        except ValueError:  # not the main thread
            pass


# --------------------------------------------------------------------------------------------
# PostgreSQL 15

def _as_postgres(cmd):
    """Commands that must not run as root run as user postgres."""
    if is_root():
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


def _chown_postgres(path):
    if is_root():
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)


class PgServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1:<free port>, superuser `postgres`.

    ssl_cert/ssl_key: serve TLS with this certificate (the key is copied into the cluster,
    owned by postgres, mode 0600). hba: replaces pg_hba.conf with this text (else initdb's).
    """

    def __init__(self, session, name="pg", superuser_password="pg-super-password",
                 port=None, settings=None, ssl_cert=None, ssl_key=None, hba=None):
        self.session = session
        self.name = name
        self.host = LOCALHOST
        self.port = port
        self.superuser = "postgres"
        self.password = superuser_password
        self.base = session.path(name)
        self.data = self.base / "data"
        self.sock = self.base / "sock"
        self.log = self.base / "postgres.log"
        self.settings = {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off",
                         "max_connections": "200", "log_min_messages": "warning"}
        self.settings.update(settings or {})
        self.ssl_cert, self.ssl_key = ssl_cert, ssl_key
        self.hba = hba
        self._key = None

    def _pg(self, tool):
        return str(PG_BIN / tool)

    def start(self, timeout=60):
        self.base.mkdir(mode=0o755)
        self.sock.mkdir(mode=0o700)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        for p in (self.base, self.sock, pwfile):
            _chown_postgres(p)
        r = subprocess.run(_as_postgres([
            self._pg("initdb"), "-D", str(self.data), "-U", self.superuser,
            f"--pwfile={pwfile}", "-A", "scram-sha-256", "--no-sync", "-E", "UTF8",
            "--locale=C.UTF-8"]), capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise HarnessError(f"initdb failed: {r.stdout}\n{r.stderr}")
        pwfile.unlink()
        if self.ssl_cert:
            crt, key = self.data / "server.crt", self.data / "server.key"
            shutil.copyfile(self.ssl_cert, crt)
            shutil.copyfile(self.ssl_key, key)
            os.chmod(key, 0o600)
            for p in (crt, key):
                _chown_postgres(p)
            self.settings.update({"ssl": "on", "ssl_cert_file": str(crt),
                                  "ssl_key_file": str(key)})
        if self.hba is not None:
            hba = self.data / "pg_hba.conf"
            hba.write_text(self.hba.rstrip("\n") + "\n")
            _chown_postgres(hba)
        self._key = self.session.register(
            self.stop, " ".join(shlex.quote(a) for a in _as_postgres(
                [self._pg("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-t", "20", "stop"])))
        fixed = self.port is not None
        for attempt in range(5):
            if not fixed:
                self.port = free_port()
            opts = [f"-p {self.port}", f"-c listen_addresses={self.host}",
                    f"-c unix_socket_directories={self.sock}"]
            opts += [f"-c {k}={v}" for k, v in self.settings.items()]
            r = subprocess.run(_as_postgres([
                self._pg("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                "-t", str(timeout), "-o", " ".join(opts), "start"]),
                capture_output=True, text=True, timeout=timeout + 10)
            if r.returncode == 0:
                return self
            log = tail(self.log, 4000)
            if fixed or "could not bind" not in log and "already in use" not in log:
                raise HarnessError(f"pg_ctl start failed: {r.stdout}\n{r.stderr}\n{log}")
        raise HarnessError("could not find a free port for PostgreSQL")

    def stop(self, mode="fast"):
        if self._key is None:
            return
        r = subprocess.run(_as_postgres([self._pg("pg_ctl"), "-D", str(self.data), "-m", mode,
                                         "-t", "20", "stop"]), capture_output=True, text=True,
                           timeout=40)
        if r.returncode != 0 and "is not running" not in r.stderr + r.stdout:
            subprocess.run(_as_postgres([self._pg("pg_ctl"), "-D", str(self.data), "-m",
                                         "immediate", "-t", "20", "stop"]),
                           capture_output=True, timeout=40)
        self.session.unregister(self._key)
        self._key = None

    # SQL as superuser, directly on the backend ----------------------------------------------
    def psql(self, sql, dbname="postgres", user=None, password=None, **kw):
        return run_psql(self.port, user or self.superuser, password or self.password, dbname,
                        sql, **kw)

    def query(self, sql, dbname="postgres", timeout=30):
        """Rows of a query run directly on the backend as superuser: list of tuples of str."""
        r = run_psql(self.port, self.superuser, self.password, dbname, sql, timeout=timeout,
                     args=["-F", "\x1f"])
        if r.returncode != 0:
            raise HarnessError(f"backend query failed: {sql!r}: {r.stderr}")
        return [tuple(line.split("\x1f")) for line in r.stdout.splitlines() if line != ""]

    def scalar(self, sql, dbname="postgres"):
        rows = self.query(sql, dbname)
        return rows[0][0] if rows else None

    def create_app(self, role="app", password="app-password", dbname="app"):
        """Role with LOGIN (scram) owning a fresh database."""
        self.query(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        self.query(f"CREATE DATABASE {dbname} OWNER {role}")
        return role, password, dbname

    def active_queries(self, like):
        """(pid, state, query) of other sessions whose query text contains `like`."""
        like = like.replace("'", "''")
        return self.query(
            "SELECT pid, state, query FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            f"AND query LIKE '%{like}%' AND state = 'active'")


# --------------------------------------------------------------------------------------------
# TLS material

def make_tls_cert(directory, name="server", cn="localhost", days=3):
    """Self-signed RSA cert + key (openssl CLI). SAN: DNS:localhost, IP:127.0.0.1."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    crt, key = directory / f"{name}.crt", directory / f"{name}.key"
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                        "-keyout", str(key), "-out", str(crt), "-days", str(days),
                        "-subj", f"/CN={cn}",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise HarnessError(f"openssl failed: {r.stderr}")
    os.chmod(key, 0o600)
    return crt, key


# --------------------------------------------------------------------------------------------
# Warden config + process

def _q(value):
    """A YAML scalar: JSON strings are valid YAML double-quoted scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value))


def _flow_list(values):
    return "[" + ", ".join(_q(v) for v in values) + "]"


class WardenConfig:
    """Writes a warden YAML config (SPEC.md format) and remembers the ports it chose."""

    def __init__(self, path, workdir, cert=None, key=None, workers=2):
        self.path = Path(path)
        self.workdir = Path(workdir)
        self.cert, self.key = cert, key
        self.workers = workers
        self.targets = []
        self.users = []
        self.extra = ""            # raw YAML appended at the end (rules, masking, ...)
        self.tls_extra = ""        # raw YAML lines inside `tls:` (client_ca_file, ...)
        self.default_action = "allow"

    def add_target(self, name, pg, client_tls="optional", backend_user="app",
                   backend_password="app-password", database="app", backend_tls="disable",
                   environment="test", port=None, password_env=None):
        t = dict(name=name, port=port or free_port(), client_tls=client_tls,
                 host=pg.host if pg else LOCALHOST, backend_port=pg.port if pg else 5432,
                 database=database, user=backend_user, password=backend_password,
                 password_env=password_env, tls=backend_tls, environment=environment)
        self.targets.append(t)
        return t

    def add_user(self, name, password, groups=("dev",), kind="human"):
        self.users.append(dict(name=name, password=password, groups=list(groups), kind=kind))

    def port(self, target):
        for t in self.targets:
            if t["name"] == target:
                return t["port"]
        raise KeyError(target)

    def text(self):
        out = [f"workers: {self.workers}"]
        if self.cert:
            out += ["tls:", f"  cert_file: {_q(self.cert)}", f"  key_file: {_q(self.key)}"]
            if self.tls_extra:
                out += [line for line in self.tls_extra.rstrip("\n").split("\n")]
        out += ["identity:", "  users:"]
        for u in self.users:
            out += [f"    - name: {_q(u['name'])}", f"      password: {_q(u['password'])}",
                    f"      groups: {_flow_list(u['groups'])}", f"      kind: {u['kind']}"]
        out += ["targets:"]
        for t in self.targets:
            listen = f"{LOCALHOST}:{t['port']}"
            out += [f"  - name: {_q(t['name'])}", "    dialect: postgres",
                    f"    listen: {_q(listen)}",
                    f"    environment: {_q(t['environment'])}",
                    f"    client_tls: {t['client_tls']}",
                    "    backend:", f"      host: {_q(t['host'])}",
                    f"      port: {t['backend_port']}",
                    f"      database: {_q(t['database'])}", f"      user: {_q(t['user'])}"]
            if t["password_env"]:
                out.append(f"      password_env: {_q(t['password_env'])}")
            else:
                out.append(f"      password: {_q(t['password'])}")
            out.append(f"      tls: {t['tls']}")
        out.append(f"default_action: {self.default_action}")
        out += ["audit:", f"  dir: {_q(self.workdir / 'audit')}",
                "state:", "  backend: embedded", f"  dir: {_q(self.workdir / 'state')}"]
        text = "\n".join(out) + "\n"
        if self.extra:
            text += self.extra.rstrip("\n") + "\n"
        return text

    def write(self, path=None):
        p = Path(path or self.path)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(self.text())
        os.replace(tmp, p)   # atomic: a reload never sees half a file
        return p


class Warden:
    """`warden run --config F` as a child process, log in the session dir."""

    def __init__(self, session, config, binary=None, name="warden", env=None):
        self.session = session
        self.config = config
        self.binary = Path(binary or warden_bin())
        self.log = session.path(f"{name}.log")
        self.env = env or {}
        self.proc = None
        self._key = None
        self._logf = None

    def port(self, target):
        return self.config.port(target)

    def start(self, timeout=20):
        if not self.binary.exists():
            raise HarnessError(f"warden binary not found at {self.binary} (build first)")
        self._logf = open(self.log, "ab")
        env = dict(os.environ)
        env.update(self.env)
        self.proc = subprocess.Popen([str(self.binary), "run", "--config", str(self.config.path)],
                                     stdout=self._logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=str(self.session.dir), env=env)
        self._key = self.session.register(lambda: self.stop(timeout=15),
                                          f"kill -KILL {self.proc.pid}")

        def ready():
            if self.proc.poll() is not None:
                raise HarnessError(f"warden exited with {self.proc.returncode} during start-up:\n"
                                   + self.log_text())
            return all(port_accepts(t["port"]) for t in self.config.targets)

        try:
            wait_until(ready, timeout, what="warden listeners")
        except HarnessError as e:
            if self.proc.poll() is None:
                self.kill()
            raise HarnessError(f"{e}\n--- warden log ---\n{self.log_text()}") from None
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)

    def stop(self, timeout=30):
        """SIGTERM and wait: returns the exit code, or None if it had to be killed."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        self._release()
        return code

    def wait(self, timeout):
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._release()
        return code

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._release()

    def _release(self):
        if self._key is not None:
            self.session.unregister(self._key)
            self._key = None
        if self._logf:
            self._logf.close()
            self._logf = None

    def log_text(self, max_bytes=20000):
        return tail(self.log, max_bytes)


def run_warden(*args, timeout=60, binary=None, cwd=None):
    """Runs a one-shot warden command (version, check, ...) → CompletedProcess (text)."""
    return subprocess.run([str(binary or warden_bin())] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          stdin=subprocess.DEVNULL)


# --------------------------------------------------------------------------------------------
# PgBouncer (session mode), for the benchmark and for validating the tests themselves

class PgBouncer:
    """PgBouncer on 127.0.0.1:<free port>, session pooling, scram-sha-256 via userlist.txt.

    users: {name: password} clients may log in as; every client database maps to the backend
    database `database` as `backend_user`.
    """

    def __init__(self, session, pg, users=None, backend_user="app",
                 backend_password="app-password", database="app", name="pgbouncer",
                 client_tls=None, cert=None, key=None, pool_size=20, port=None):
        self.session = session
        self.pg = pg
        self.users = dict(users or {backend_user: backend_password})
        self.backend_user, self.backend_password = backend_user, backend_password
        self.database = database
        self.base = session.path(name)
        self.ini = self.base / "pgbouncer.ini"
        self.log = self.base / "pgbouncer.log"
        self.pidfile = self.base / "pgbouncer.pid"
        self.client_tls = client_tls      # None | allow | require
        self.cert, self.key = cert, key
        self.pool_size = pool_size
        self.port = port
        self.proc = None
        self._key = None

    def write(self):
        self.base.mkdir(mode=0o755, exist_ok=True)
        _chown_postgres(self.base)
        userlist = self.base / "userlist.txt"
        userlist.write_text("".join(f'"{u}" "{p}"\n' for u, p in self.users.items()))
        db = (f"host={self.pg.host} port={self.pg.port} dbname={self.database} "
              f"user={self.backend_user} password={self.backend_password}")
        lines = ["[databases]", f"* = {db}", "", "[pgbouncer]",
                 f"listen_addr = {LOCALHOST}", f"listen_port = {self.port}",
                 "unix_socket_dir =", "auth_type = scram-sha-256",
                 f"auth_file = {userlist}", "pool_mode = session",
                 "max_client_conn = 200", f"default_pool_size = {self.pool_size}",
                 "server_tls_sslmode = disable", f"logfile = {self.log}",
                 f"pidfile = {self.pidfile}", "ignore_startup_parameters = extra_float_digits",
                 "server_check_delay = 0", "log_connections = 0", "log_disconnections = 0"]
        if self.client_tls:
            lines += [f"client_tls_sslmode = {self.client_tls}",
                      f"client_tls_cert_file = {self.cert}", f"client_tls_key_file = {self.key}"]
        self.ini.write_text("\n".join(lines) + "\n")
        for p in (self.ini, userlist):
            _chown_postgres(p)
        if self.key and is_root():
            # the key must be readable by user postgres: give it a private copy
            kcopy = self.base / "client_tls.key"
            shutil.copyfile(self.key, kcopy)
            os.chmod(kcopy, 0o600)
            _chown_postgres(kcopy)
            self.ini.write_text(self.ini.read_text().replace(
                f"client_tls_key_file = {self.key}", f"client_tls_key_file = {kcopy}"))

    def start(self, timeout=20):
        fixed = self.port is not None
        for attempt in range(5):
            if not fixed:
                self.port = free_port()
            self.write()
            logf = open(self.base / "stdout.log", "ab")
            # PgBouncer refuses to run as root; exec it directly as postgres so that
            # self.proc.pid is PgBouncer itself (signals reach it, no runuser in between).
            as_user = dict(user="postgres", group="postgres", extra_groups=[]) if is_root() else {}
            self.proc = subprocess.Popen(["pgbouncer", str(self.ini)], stdout=logf,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         **as_user)
            logf.close()
            self._key = self.session.register(lambda: self.stop(timeout=15),
                                              f"kill -KILL {self.proc.pid}")
            try:
                wait_until(lambda: self.proc.poll() is not None or port_accepts(self.port),
                           timeout, what="pgbouncer")
            except HarnessError:
                self.kill()
                raise
            if self.proc.poll() is None:
                return self
            self._release()
            if fixed:
                break
        raise HarnessError("pgbouncer failed to start:\n" + tail(self.log, 4000)
                           + tail(self.base / "stdout.log", 4000))

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)

    def stop(self, timeout=20):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)   # safe shutdown
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        self._release()
        return code

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._release()

    def _release(self):
        if self._key is not None:
            self.session.unregister(self._key)
            self._key = None

    def log_text(self, max_bytes=20000):
        return tail(self.log, max_bytes)


class PsqlSession:
    """A long-lived interactive psql (stdin/stdout pipes): one session kept open across events.

    run(sql) sends the statement plus an \\echo marker and returns (stdout lines, stderr text)
    produced before the marker, or raises HarnessError on timeout / psql exit.
    """

    def __init__(self, port, user, password, dbname, sslmode="disable", host=LOCALHOST):
        import threading
        cmd = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=0",
               conninfo(port, user, dbname, host, sslmode=sslmode)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1,
                                     env=clean_env(PGPASSWORD=password))
        self._out = ""   # stdout is read raw from its fd (no hidden buffering)
        self._err = []
        self._lock = threading.Lock()
        self._t = threading.Thread(target=self._pump_stderr, daemon=True)
        self._t.start()
        self._n = 0

    def _pump_stderr(self):
        for line in self.proc.stderr:
            with self._lock:
                self._err.append(line)

    def take_stderr(self):
        with self._lock:
            text, self._err = "".join(self._err), []
        return text

    def run(self, sql, timeout=15):
        import select
        self._n += 1
        marker = f"__psql_marker_{self._n}__"
        try:
            self.proc.stdin.write(f"{sql.rstrip().rstrip(';')};\n\\echo {marker}\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise HarnessError(f"psql is gone: {e}; stderr: {self.take_stderr()}")
        lines = []
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            while "\n" in self._out:
                line, self._out = self._out.split("\n", 1)
                if line == marker:
                    time.sleep(0.05)   # let stderr of this statement arrive
                    return lines, self.take_stderr()
                lines.append(line)
            left = deadline - time.monotonic()
            if left <= 0:
                raise HarnessError(f"psql gave no answer to {sql!r} in {timeout}s; "
                                   f"stderr: {self.take_stderr()}")
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if not ready:
                if self.proc.poll() is not None:
                    raise HarnessError(f"psql exited ({self.proc.returncode}); "
                                       f"stderr: {self.take_stderr()}")
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise HarnessError(f"psql closed its output; stderr: {self.take_stderr()}")
            self._out += chunk.decode("utf-8", "replace")

    def close(self, timeout=10):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("\\q\n")
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._t.join(timeout=5)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass
        return self.proc.returncode
