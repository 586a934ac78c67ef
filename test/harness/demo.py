#!/usr/bin/python3
"""Quick-start demo (run by .ci/demo after the build): a throwaway PostgreSQL 15 on 127.0.0.1
with database `app` and role `app`, then `warden run --config conf/warden.yaml` in front of it,
in the foreground until Ctrl-C / SIGTERM; PostgreSQL is stopped and removed on exit.

The backend port comes from the config (5432 in conf/warden.yaml). If that port, or Warden's
listen port, is taken, a temp copy of the config with free ports (and absolute paths) is used.
Environment: WARDEN_DEMO_CONFIG (default conf/warden.yaml), WARDEN_BIN.
"""

import os
import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (LOCALHOST, REPO_ROOT, PgServer, Session, free_port,  # noqa: E402
                     make_tls_cert, port_accepts, warden_bin)


def first(pattern, text, default=None, flags=re.M):
    m = re.search(pattern, text, flags)
    return m.group(1) if m else default


def port_free(port):
    return not port_accepts(port)


def main():
    config = Path(os.environ.get("WARDEN_DEMO_CONFIG", REPO_ROOT / "conf" / "warden.yaml")).resolve()
    if not config.exists():
        print(f"demo: {config} not found", file=sys.stderr)
        return 1
    conf_dir = config.parent
    text = config.read_text()

    backend_port = int(first(r"^\s*backend:\s*\n(?:[ \t]+.*\n|\s*\n)*?[ \t]+port:\s*(\d+)", text, "5432"))
    listen = first(r"^\s*listen:\s*[\"']?([0-9.]+:\d+|\[[^\]]+\]:\d+)", text, "127.0.0.1:6432")
    listen_host, listen_port = listen.rsplit(":", 1)
    listen_port = int(listen_port)
    user = first(r"^\s*-\s*name:\s*[\"']?([\w.@-]+)", text, "alice")
    password = first(r"^\s*-\s*name:\s*[\"']?" + re.escape(user) + r"[\"']?\s*\n(?:[ \t]+#.*\n)*"
                     r"[ \t]+password:\s*[\"']?([^\"'\n]+)", text, "alice-dev-password")
    password_env = first(r"^\s*password_env:\s*[\"']?(\w+)", text, "WARDEN_PG_PASSWORD")
    database = first(r"^\s*backend:\s*\n(?:[ \t]+.*\n)*?[ \t]+database:\s*[\"']?(\w+)", text, "app")
    role = first(r"^\s*backend:\s*\n(?:[ \t]+.*\n)*?[ \t]+user:\s*[\"']?(\w+)", text, "app")

    # client-facing TLS material (gitignored), relative paths resolve against the config's dir
    cert = first(r"^\s*cert_file:\s*[\"']?([^\"'\s#]+)", text)
    key = first(r"^\s*key_file:\s*[\"']?([^\"'\s#]+)", text)
    if cert and key:
        cert_p, key_p = (p if Path(p).is_absolute() else conf_dir / p for p in (cert, key))
        if not cert_p.exists() or not key_p.exists():
            crt, k = make_tls_cert(cert_p.parent, "demo-tmp", "localhost", days=365)
            os.replace(crt, cert_p)
            os.replace(k, key_p)
            print(f"demo: generated self-signed {cert_p} and {key_p}")

    with Session(prefix="warden-demo-") as s:
        pg_port = backend_port if port_free(backend_port) else free_port()
        pg = PgServer(s, "pg", port=pg_port)
        pg.start()
        app_password = secrets.token_urlsafe(18)
        pg.create_app(role, app_password, database)
        pg.query("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, "
                 "email text, created_at timestamptz DEFAULT now())", database)
        pg.query(f"ALTER TABLE customers OWNER TO {role}", database)
        pg.query("INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com'), "
                 "('Grace', 'grace@example.com'), ('Linus', 'linus@example.com')", database)

        run_config = config
        w_port = listen_port if port_free(listen_port) else free_port()
        if pg_port != backend_port or w_port != listen_port:
            new = re.sub(r"(^\s*backend:\s*\n(?:[ \t]+.*\n|\s*\n)*?[ \t]+port:\s*)\d+",
                         lambda m: m.group(1) + str(pg_port), text, count=1, flags=re.M)
            new = new.replace(f"{listen_host}:{listen_port}", f"{listen_host}:{w_port}", 1)

            def absolutize(m):
                value = m.group(3)
                if Path(value).is_absolute():
                    return m.group(0)
                return f"{m.group(1)}{m.group(2)}{conf_dir / value}{m.group(2)}"
            new = re.sub(r"^(\s*(?:cert_file|key_file|jwks_file|password_file|plugin_dir|"
                         r"ca_file|dir):\s*)([\"']?)([^\"'\s#]+)\2", absolutize, new, flags=re.M)
            run_config = s.path("warden.yaml")
            run_config.write_text(new)
            print(f"demo: port {backend_port if pg_port != backend_port else listen_port} is "
                  f"busy; using a copy of the config: {run_config}")

        env = dict(os.environ)
        env[password_env] = app_password
        binary = warden_bin()
        print(f"""
demo: PostgreSQL 15 on {LOCALHOST}:{pg_port} (database {database}, role {role}; data in {s.dir})
demo: starting {binary} run --config {run_config}

  Connect through Warden (password: {password}):

    psql "host={listen_host} port={w_port} user={user} dbname={database} sslmode=prefer"

  Ctrl-C stops Warden and the throwaway PostgreSQL.
""", flush=True)
        proc = subprocess.Popen([str(binary), "run", "--config", str(run_config)], env=env,
                                cwd=str(REPO_ROOT))

        def forward(signum, frame):
            if proc.poll() is None:
                proc.send_signal(signum)
        # Ctrl-C reaches Warden through the terminal's process group; SIGTERM/SIGHUP sent to
        # this script are passed on. Either way this script waits for Warden, then cleans up.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGHUP, forward)
        code = proc.wait()
        print(f"demo: warden exited with {code}; stopping PostgreSQL", flush=True)
        return code


if __name__ == "__main__":
    sys.exit(main())
