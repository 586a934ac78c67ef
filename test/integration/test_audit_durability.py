"""Audit trail durability end to end: the write-ahead statement record survives a kill -9, and
the writer fails closed on a full disk without losing a record.

1. Crash: pgbench (8 clients, BEGIN; INSERT; END;) through Warden, Warden SIGKILLed at three
   different moments. Every transaction PostgreSQL committed has its INSERT and END statement
   records (decision allow, no `result`: the write-ahead records) on disk; pgbench committed
   transactions (not vacuous); a restarted Warden continues the chain (`audit verify` exits 0).
2. Disk full: Warden runs under RLIMIT_FSIZE (wrapper script for WARDEN_BIN; Warden ignores
   SIGXFSZ so write() fails with EFBIG). Statements then fail with 08006 `warden: audit log
   unavailable (...)` and never run, new logins fail; once the limit is raised (prlimit on the
   running process) logins and statements work again, and after a clean stop the log verifies,
   every row in the table has its records and the records of the outage were all written.
"""

import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import common
from common import APP_DB, LOCALHOST, harness, pgwire, run_psql, wait_until

CLIENTS = 8
PGBENCH_MAX_SECONDS = 60          # -T bound; every round kills Warden long before
FSIZE_LIMIT = 64 * 1024           # bytes, fresh audit dir (the first file starts empty)

PGBENCH_SCRIPT = """\\set n random(1, 1000000000)
BEGIN;
INSERT INTO audit_crash (client, n) VALUES (:client_id, :n);
END;
"""


def audit_records(audit_dir, files=None):
    """[(file name, record)] of every complete JSON line in audit-*.jsonl (write order)."""
    out = []
    for p in sorted(Path(audit_dir).glob("audit-*.jsonl")):
        if files is not None and p.name not in files:
            continue
        for line in p.read_bytes().split(b"\n"):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue            # a partial last line (cut at the next start)
            if isinstance(rec, dict):
                out.append((p.name, rec))
    return out


def audit_files(audit_dir):
    return {p.name for p in Path(audit_dir).glob("audit-*.jsonl")}


def is_write_ahead(rec, kind, table=None, action="allow"):
    st = rec.get("statement") or {}
    if rec.get("event") != "statement" or "result" in rec:
        return False
    if st.get("kind") != kind or (rec.get("decision") or {}).get("action") != action:
        return False
    return table is None or any(t.split(".")[-1] == table for t in st.get("tables") or [])


def verify(audit_dir):
    return harness.run_warden("audit", "verify", str(audit_dir), timeout=120)


def read_reply(conn, timeout=15):
    """Messages until ReadyForQuery, close or timeout: (errors, rows, state), state one of
    "ready", "closed", "timeout"."""
    conn.sock.settimeout(timeout)
    errors, rows = [], []
    try:
        while True:
            kind, body = conn.read_message()
            if kind == b"E":
                errors.append(pgwire.parse_error_fields(body))
            elif kind == b"D":
                rows.append(body)
            elif kind == b"Z":
                return errors, rows, "ready"
    except socket.timeout:
        return errors, rows, "timeout"
    except (ConnectionError, OSError):
        return errors, rows, "closed"


def write_fsize_wrapper(path, real_binary, limit_bytes):
    """A WARDEN_BIN that execs the real binary under a soft RLIMIT_FSIZE (same pid; the hard
    limit stays unlimited so the soft one can be raised later without CAP_SYS_RESOURCE)."""
    path.write_text("#!/bin/sh\n"
                    f"exec prlimit --fsize={limit_bytes}:unlimited -- {real_binary} \"$@\"\n")
    os.chmod(path, 0o755)
    return path


class AuditDurabilityTest(common.GatewayCase):
    START_GATEWAY = False

    @classmethod
    def prepare(cls):
        cls.pg.query("CREATE TABLE audit_crash (client int, n bigint); "
                     "CREATE TABLE audit_full (v bigint); "
                     f"ALTER TABLE audit_crash OWNER TO {common.APP_ROLE}; "
                     f"ALTER TABLE audit_full OWNER TO {common.APP_ROLE}", dbname=APP_DB)

    def setUp(self):
        self.wardens = []
        self.closers = []

    def tearDown(self):
        for c in self.closers:
            try:
                c()
            except Exception:
                pass
        for w in self.wardens:
            if w.alive():
                w.kill()

    def start_warden(self, cfg, name, **kw):
        w = self.s.warden(cfg, name=name, **kw)
        self.wardens.append(w)
        type(self).gw = w         # dump_logs shows the last one
        return w

    def config(self, name, workdir):
        wd = self.s.path(workdir)
        wd.mkdir(exist_ok=True)
        cfg = harness.WardenConfig(self.s.path(name), wd, self.cert, self.key)
        cfg.add_target("pg", self.pg, client_tls="optional", backend_user=common.APP_ROLE,
                       backend_password=common.APP_PASSWORD, database=APP_DB)
        cfg.add_user("alice", "alice-pw")
        cfg.write()
        return cfg, wd / "audit"

    def count(self, sql):
        return int(self.pg.scalar(sql, APP_DB))

    # --- 1. kill -9 under pgbench -------------------------------------------------------------
    def test_kill9_under_pgbench_keeps_write_ahead_records(self):
        cfg, audit_dir = self.config("warden-crash.yaml", "crash")
        script = self.s.path("audit_crash.sql")
        script.write_text(PGBENCH_SCRIPT)
        # (label, minimum rows committed in this round before the kill, extra delay, mode)
        rounds = (("early", 1, 0.0, "simple"), ("2s", 1, 2.0, "simple"),
                  ("4s-extended", 1, 4.0, "extended"))
        for i, (label, min_rows, delay, mode) in enumerate(rounds):
            with self.subTest(round=label):
                self._crash_round(i, cfg, audit_dir, script, min_rows, delay, mode)

    def _crash_round(self, i, cfg, audit_dir, script, min_rows, delay, mode):
        before_files = audit_files(audit_dir)
        rows_before = self.count("SELECT count(*) FROM audit_crash")
        w = self.start_warden(cfg, f"warden-crash-{i}")
        logdir = self.s.path(f"pgbench-log-{i}")
        logdir.mkdir()
        cmd = ["pgbench", "-h", LOCALHOST, "-p", str(w.port("pg")), "-U", "alice", "-n",
               "-M", mode, "-c", str(CLIENTS), "-j", "2", "-T", str(PGBENCH_MAX_SECONDS),
               "-f", str(script), "-l", "--log-prefix", str(logdir / "tx"), APP_DB]
        bench = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=harness.clean_env(PGPASSWORD="alice-pw",
                                                       PGSSLMODE="disable"),
                                 stdin=subprocess.DEVNULL, cwd=str(logdir))
        self.closers.append(lambda: bench.poll() is None and bench.kill())
        try:
            wait_until(lambda: bench.poll() is not None or self.count(
                "SELECT count(*) FROM audit_crash") - rows_before >= min_rows, 30, interval=0.05,
                what="pgbench committing through Warden")
            self.assertIsNone(bench.poll(), "pgbench ended before the kill")
            time.sleep(delay)
            w.kill()                                                  # SIGKILL
            out, err = bench.communicate(timeout=60)
        finally:
            if bench.poll() is None:
                bench.kill()
                bench.wait(10)
        committed = self.count("SELECT count(*) FROM audit_crash") - rows_before

        # pgbench did commit transactions (from its per-transaction log and its summary)
        logged = 0
        for p in logdir.glob("tx*"):
            for line in p.read_text(errors="replace").splitlines():
                f = line.split()
                if len(f) >= 6 and f[2].isdigit():    # time_us; "failed"/"skipped" otherwise
                    logged += 1
        m = re.search(r"number of transactions actually processed: (\d+)", out + err)
        processed = int(m.group(1)) if m else 0
        self.assertGreater(max(logged, processed), 0,
                           f"pgbench committed nothing: {out}\n{err}")
        self.assertGreaterEqual(committed, max(logged, processed),
                                "PostgreSQL has fewer rows than pgbench saw committed")

        # every committed transaction has its write-ahead records on disk
        new_files = audit_files(audit_dir) - before_files
        self.assertTrue(new_files, "no audit file written in this round")
        recs = [r for _, r in audit_records(audit_dir, new_files)]
        inserts = sum(1 for r in recs if is_write_ahead(r, "insert", "audit_crash"))
        ends = sum(1 for r in recs if is_write_ahead(r, "commit"))
        print(f"  round {i} ({mode}, +{delay}s): pgbench logged {logged} processed {processed}, "
              f"committed {committed}, insert records {inserts}, end records {ends}")
        self.assertGreaterEqual(inserts, committed,
                                f"{committed} rows committed but only {inserts} INSERT statement "
                                "records on disk: a statement ran before its record was durable")
        self.assertGreaterEqual(ends, committed,
                                f"{committed} transactions committed but only {ends} END records")

        # a restart continues the chain
        w2 = self.start_warden(cfg, f"warden-crash-{i}-restart")
        r = run_psql(w2.port("pg"), "alice", "alice-pw", APP_DB,
                     "SELECT count(*) >= 0 FROM audit_crash")
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "t"), r.stderr)
        self.assertEqual(w2.stop(), 0, w2.log_text(4000))
        v = verify(audit_dir)
        self.assertEqual(v.returncode, 0,
                         f"audit verify after kill -9 round {i}:\n{v.stdout}\n{v.stderr}")

    # --- 2. disk full (RLIMIT_FSIZE) ----------------------------------------------------------
    def test_disk_full_fails_closed_and_recovers_without_loss(self):
        cfg, audit_dir = self.config("warden-full.yaml", "full")
        wrapper = write_fsize_wrapper(self.s.path("warden-fsize.sh"), harness.warden_bin(),
                                      FSIZE_LIMIT)
        w = self.start_warden(cfg, "warden-full", binary=wrapper)
        port = w.port("pg")
        # Deviations from the fail-closed contract that do not stop the scenario are collected
        # and reported together at the end (the rest of the scenario still says what it can).
        problems = []

        a = pgwire.connect(LOCALHOST, port, "alice", APP_DB, "alice-pw")
        self.closers.append(a.close)
        b = pgwire.connect(LOCALHOST, port, "alice", APP_DB, "alice-pw")
        self.closers.append(b.close)
        self.assertEqual(b.query("SELECT 'b-ready'"), [("b-ready",)])

        # A inserts unique values until the audit file hits the limit
        refused_value, a_error, a_state, ok_values = None, None, None, []
        for v in range(1, 5001):
            t0 = time.monotonic()
            a.send_query(f"INSERT INTO audit_full (v) VALUES ({v})")
            errors, _, state = read_reply(a, timeout=5)
            if errors or state != "ready":
                refused_value, a_error, a_state = v, (errors or [None])[0], state
                break
            ok_values.append(v)
        self.assertIsNotNone(refused_value, "5000 INSERTs never hit the file-size limit")
        a_pending = a_state == "timeout"
        if a_pending:
            problems.append(f"INSERT {refused_value}, the first statement after the audit file "
                            "hit the limit, got no answer within 5 s (expected 08006: ERROR, "
                            "or FATAL with the session closed)")
            a_fatal, a_open = False, True
        else:
            self.assertIsNotNone(a_error, f"session closed without an error at {refused_value}")
            self.assertEqual(a_error.get("C"), "08006", a_error)
            self.assertTrue(a_error.get("M", "").startswith("warden: audit log unavailable"),
                            a_error)
            a_fatal = a_error.get("S") == "FATAL"
            a_open = a_state == "ready"
            if a_fatal:
                self.assertEqual(a_state, "closed", "FATAL but the session stayed open")
        print(f"  A: INSERT {refused_value} after {time.monotonic() - t0:.2f}s: {a_state} "
              f"{a_error}")

        # B (idle until now): refused with ERROR 08006, its session stays open
        b_pending = False
        t0 = time.monotonic()
        b.send_query("INSERT INTO audit_full (v) VALUES (900001)")
        errors, _, state = read_reply(b, timeout=5)
        if state == "timeout":
            b_pending = True
            problems.append("a statement sent on an open idle session while the audit log is "
                            "unavailable got no answer within 5 s (expected ERROR 08006 at once)")
        else:
            print(f"  B: {state} after {time.monotonic() - t0:.2f}s: {errors}")
            self.assertTrue(errors, "a statement ran while the audit log is unavailable")
            self.assertEqual(errors[0].get("C"), "08006", errors[0])
            self.assertTrue(errors[0].get("M", "").startswith("warden: audit log unavailable"),
                            errors[0])
            self.assertEqual(errors[0].get("S"), "ERROR", errors[0])
            self.assertEqual(state, "ready", "a refused statement closed an idle session")

        # a new login fails at connect
        t0 = time.monotonic()
        try:
            c = pgwire.connect(LOCALHOST, port, "alice", APP_DB, "alice-pw", timeout=5)
        except pgwire.PgError as e:
            print(f"  raw login: {e.fields.get('S')} {e.sqlstate} {e.message!r} after "
                  f"{time.monotonic() - t0:.2f}s")
            self.assertEqual(e.sqlstate, "08006", e.fields)
            self.assertEqual(e.fields.get("S"), "FATAL", e.fields)
            self.assertTrue(e.message.startswith("warden: audit log unavailable"), e.message)
        except socket.timeout:
            problems.append("a new login (raw client) while the audit log is unavailable got no "
                            "answer within 5 s (expected FATAL 08006 at connect)")
        else:
            c.close()
            problems.append("a new login succeeded while the audit log is unavailable")
        t0 = time.monotonic()
        try:
            r = run_psql(port, "alice", "alice-pw", APP_DB,
                         "INSERT INTO audit_full (v) VALUES (900002)", timeout=8,
                         extra={"connect_timeout": 6})
        except subprocess.TimeoutExpired:
            problems.append("psql login while the audit log is unavailable hung (8 s)")
        else:
            print(f"  psql login: exit {r.returncode} after {time.monotonic() - t0:.2f}s: "
                  f"{r.stderr.strip()!r}")
            if r.returncode == 0 or "audit log unavailable" not in r.stderr:
                problems.append(f"psql login while the audit log is unavailable: exit "
                                f"{r.returncode}, stderr {r.stderr.strip()!r} (expected FATAL "
                                "08006 'warden: audit log unavailable')")

        # nothing refused reached the table
        for v in (refused_value, 900001, 900002):
            self.assertEqual(self.count(f"SELECT count(*) FROM audit_full WHERE v = {v}"), 0,
                             f"refused INSERT of {v} ran")
        self.assertTrue(w.alive(), "warden died while the audit log was unavailable")

        # raise the limit on the running process: traffic resumes
        p = subprocess.run(["prlimit", "--pid", str(w.proc.pid), "--fsize=unlimited"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        t0 = time.monotonic()

        def resumed():
            r = run_psql(port, "alice", "alice-pw", APP_DB, "SELECT 'resumed'", timeout=15)
            return r.returncode == 0 and r.stdout.strip() == "resumed"

        wait_until(resumed, 10, interval=0.2, what="new logins after the limit was raised")
        print(f"  logins work again {time.monotonic() - t0:.2f}s after the limit was raised")
        r = run_psql(port, "alice", "alice-pw", APP_DB,
                     "INSERT INTO audit_full (v) VALUES (800001) RETURNING v", timeout=15)
        self.assertEqual((r.returncode, r.stdout.splitlines()[:1]), (0, ["800001"]), r.stderr)
        a_ran = False
        if a_pending:   # the answer held during the outage
            errors, _, state = read_reply(a, timeout=10)
            print(f"  A after recovery: {state}: {errors}")
            if state == "ready" and not errors:
                a_ran = True
                problems.append(f"INSERT {refused_value}, held during the outage, ran after "
                                "the recovery (expected: never runs, session closed 08006)")
            a_open = state == "ready"
            a_fatal = state == "closed" and bool(errors) and errors[0].get("S") == "FATAL"
        if b_pending:   # the answer held during the outage
            errors, _, state = read_reply(b, timeout=10)
            print(f"  B after recovery: {state}: {errors}")
            self.assertEqual(state, "ready", "B's held statement got no answer after recovery")
            self.assertTrue(errors and errors[0].get("C") == "08006", errors)
        self.assertEqual(b.query("INSERT INTO audit_full (v) VALUES (800002) RETURNING v"),
                         [("800002",)])
        expected_rows = len(ok_values) + 2 + (1 if a_ran else 0)
        if a_open:
            self.assertEqual(a.query("INSERT INTO audit_full (v) VALUES (800003) RETURNING v"),
                             [("800003",)])
            expected_rows += 1
        b.terminate()
        if a_open:
            a.terminate()

        self.assertEqual(w.stop(), 0, w.log_text(4000))
        v = verify(audit_dir)
        self.assertEqual(v.returncode, 0, f"audit verify:\n{v.stdout}\n{v.stderr}")

        for v in (refused_value, 900001, 900002):
            if v == refused_value and a_ran:
                continue
            self.assertEqual(self.count(f"SELECT count(*) FROM audit_full WHERE v = {v}"), 0,
                             f"refused INSERT of {v} ran")
        rows = self.count("SELECT count(*) FROM audit_full")
        self.assertEqual(rows, expected_rows)
        recs = [r for _, r in audit_records(audit_dir)]
        inserts = [r for r in recs if is_write_ahead(r, "insert", "audit_full")]
        wa_keys = {(r.get("session"), r["statement"].get("id")) for r in inserts}
        done_ok = {(r.get("session"), r["statement"].get("id")) for r in recs
                   if r.get("event") == "statement" and "result" in r
                   and r["statement"].get("kind") == "insert"
                   and not (r["result"] or {}).get("error")}
        self.assertGreaterEqual(len(inserts), rows,
                                f"{rows} rows but {len(inserts)} allowed INSERT records")
        self.assertEqual(len(done_ok), rows,
                         f"{rows} rows but {len(done_ok)} successful INSERT result records")
        self.assertLessEqual(done_ok, wa_keys, "a result record without its write-ahead record")

        # the records of the outage were written after recovery (none lost)
        refusals = [r for r in recs if r.get("event") == "statement" and
                    "audit log unavailable" in ((r.get("decision") or {}).get("reason") or "")]
        self.assertTrue(refusals, "the refusal records of the outage were not written")
        for r in refusals:
            self.assertNotEqual(r["decision"].get("action"), "allow", r)
        # A's last statement (the one refused at value refused_value): either its allowed
        # write-ahead record plus a `result` "not executed" (aborted while waiting for it), or a
        # refusal record without a result; never a successful result.
        a_session = max({r.get("session") for r in inserts},
                        key=lambda sess: sum(1 for r in inserts if r.get("session") == sess))
        a_last_id = len(ok_values) + 1        # A ran nothing but these INSERTs
        if not a_ran:
            a_last = [r for r in recs if r.get("event") == "statement"
                      and r.get("session") == a_session and r["statement"]["id"] == a_last_id]
            actions = {r["decision"]["action"] for r in a_last}
            print(f"  A's refused statement: {len(a_last)} record(s), action {actions}, results "
                  f"{[r.get('result') for r in a_last if 'result' in r]}")
            if actions == {"allow"}:
                self.assertTrue(any("not executed" in ((r.get("result") or {}).get("error") or "")
                                    for r in a_last),
                                f"the statement of the aborted session has no 'not executed' "
                                f"result record: {a_last}")
            else:
                self.assertEqual(len(a_last), 1, a_last)
                self.assertIn(a_last[0], refusals)
        starts = [r for r in recs if r.get("event") == "session_start"]
        ends = [r for r in recs if r.get("event") == "session_end"]
        auths = [r for r in recs if r.get("event") == "auth"]
        print(f"  rows {rows}, insert records {len(inserts)}, results ok {len(done_ok)}, "
              f"refusals {len(refusals)}, auth {len(auths)}, session_start {len(starts)}, "
              f"session_end {len(ends)}")
        self.assertEqual({r.get("session") for r in starts}, {r.get("session") for r in ends},
                         "a session_start without its session_end (or the reverse)")
        self.assertFalse(problems, "fail-closed contract not met:\n  " + "\n  ".join(problems)
                         + "\n--- warden log ---\n" + w.log_text(6000))


if __name__ == "__main__":
    common.main()
