"""`warden policy test --config FILE CASES.yaml` (SPEC.md): the shipped example cases pass on
the shipped production policy (how CI checks the example), a failing case gives a FAIL row and
exit 1, require_approval and dry-run expectations, a simulated session (`statements:`), and
broken cases files (YAML syntax, unknown key, unknown target, missing file) as FILE:LINE:COL
errors with exit 1. The binary alone: no PostgreSQL is started."""

import os
import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))

import harness  # noqa: E402
from harness import REPO_ROOT, Session, run_warden  # noqa: E402

PROD_CONFIG = REPO_ROOT / "conf" / "policy-prod.yaml"
PROD_CASES = REPO_ROOT / "conf" / "policy-prod.cases.yaml"
ROW = re.compile(r"^(PASS|FAIL)\s+(\S+)\s", re.M)
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)

# A config of our own with the verdicts the production example lacks.
APPROVAL_CONFIG = """\
default_action: allow
rules:
  - name: no-drop
    when: {statements: ["drop_*"]}
    action: deny
  - name: review-bulk-writes
    when: {statements: [delete, update], where: absent}
    action: require_approval
    approval: {groups: [dba], quorum: 1, wait: 60s}
  - name: watch-truncate
    when: {statements: [truncate]}
    action: deny
    mode: dry_run
targets:
  - name: pg
    dialect: postgres
    listen: 127.0.0.1:{port}
    environment: prod
    backend: {host: 127.0.0.1, port: 5432, database: app, user: app, password: x}
"""


def rules_section(text):
    """The lines of the top-level `rules:` section of a config."""
    out, inside = [], False
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            inside = line.startswith("rules:")
            continue
        if inside:
            out.append(line)
    return "\n".join(out)


class PolicyCliTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        os.environ["WARDEN_PG_PASSWORD"] = "policy-test-dummy"  # conf/policy-prod.yaml reads it
        cls.s = Session()
        cls.config = cls.s.path("policy-config.yaml")
        cls.config.write_text(APPROVAL_CONFIG.replace("{port}", str(harness.free_port())))

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def policy_test(self, cases, config=None):
        return run_warden("policy", "test", "--config", config or self.config, cases, timeout=120)

    def write(self, name, text):
        p = self.s.path(name)
        p.write_text(text)
        return p

    def rows(self, out):
        return {m.group(2): m.group(1) for m in ROW.finditer(out)}

    def summary(self, out):
        m = SUMMARY.search(out)
        self.assertIsNotNone(m, f"no 'N passed, M failed' line in:\n{out}")
        return int(m.group(1)), int(m.group(2))

    def assert_positioned(self, r, path, line, text):
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 1, out)
        pat = re.compile(r"^" + re.escape(str(path)) + r":(\d+):(\d+): (.*)$", re.M)
        hits = [(int(m.group(1)), m.group(3)) for m in pat.finditer(r.stderr)]
        self.assertTrue(any(ln == line and text in msg for ln, msg in hits),
                        f"expected '{path}:{line}:COL: ...{text}...' in:\n{out}")
        self.assertNotIn("passed,", r.stdout, "no cases may run when the file is invalid")

    # --- the shipped example (what CI runs)

    def test_shipped_cases_pass(self):
        r = self.policy_test(PROD_CASES, config=PROD_CONFIG)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"^RESULT\s+CASE\s+EXPECTED\s+ACTUAL", "table header")
        rows = self.rows(r.stdout)
        passed, failed = self.summary(r.stdout)
        self.assertEqual(failed, 0, r.stdout)
        self.assertGreaterEqual(passed, 25)
        self.assertEqual(len(rows), passed)
        self.assertEqual(set(rows.values()), {"PASS"})
        # Every rule of the example decides at least one case, and some cases pass by default.
        rules = re.findall(r"^  - name: (\S+)", rules_section(PROD_CONFIG.read_text()), re.M)
        self.assertGreaterEqual(len(rules), 6)
        for rule in rules:
            self.assertIn(f"deny ({rule})", r.stdout, f"no case denied by {rule}")
        self.assertIn("allow (default)", r.stdout)

    # --- failures

    def test_failing_case_gives_fail_row_and_exit_1(self):
        cases = self.write("failing.yaml", """\
cases:
  - name: select-is-fine
    target: pg
    statement: SELECT 1
    expect: allow
  - name: drop-wrongly-expected-allowed
    target: pg
    statement: DROP TABLE t
    expect: allow
  - name: wrong-rule-named
    target: pg
    statement: DROP TABLE t
    expect: deny
    rule: review-bulk-writes
""")
        r = self.policy_test(cases)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        rows = self.rows(r.stdout)
        self.assertEqual(rows, {"select-is-fine": "PASS", "drop-wrongly-expected-allowed": "FAIL",
                                "wrong-rule-named": "FAIL"})
        self.assertEqual(self.summary(r.stdout), (1, 2))
        self.assertRegex(r.stdout, r"FAIL\s+drop-wrongly-expected-allowed\s+allow\s+deny \(no-drop\)")
        self.assertIn("action differs", r.stdout)
        self.assertIn("deciding rule differs", r.stdout)
        self.assertIn("statement denied by rule 'no-drop'", r.stdout)  # the engine's message

    def test_require_approval_and_dry_run(self):
        cases = self.write("approval.yaml", """\
cases:
  - name: bulk-delete-held
    target: pg
    statement: DELETE FROM t
    expect: require_approval
    rule: review-bulk-writes
  - name: truncate-passes-with-dry-run
    target: pg
    statement: TRUNCATE t
    expect: allow
    rule: default
    dry_run: watch-truncate
  - name: select-no-dry-run
    target: pg
    statement: SELECT 1
    expect: allow
    dry_run: []
  - name: dry-run-expected-but-absent
    target: pg
    statement: SELECT 2
    expect: allow
    dry_run: [watch-truncate]
""")
        r = self.policy_test(cases)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(self.rows(r.stdout), {
            "bulk-delete-held": "PASS", "truncate-passes-with-dry-run": "PASS",
            "select-no-dry-run": "PASS", "dry-run-expected-but-absent": "FAIL"})
        self.assertIn("[dry-run: watch-truncate]", r.stdout)
        self.assertIn("dry-run matches differ", r.stdout)

    def test_statements_run_in_one_session(self):
        cases = self.write("session.yaml", """\
cases:
  - name: execute-decided-as-its-body
    target: pg
    statements:
      - PREPARE p AS SELECT 1
      - EXECUTE p
    expect: allow
    rule: default
  - name: earlier-statement-denied
    target: pg
    statements: ["DROP TABLE t", "SELECT 1"]
    expect: allow
""")
        r = self.policy_test(cases)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(self.rows(r.stdout), {"execute-decided-as-its-body": "PASS",
                                               "earlier-statement-denied": "FAIL"})
        self.assertIn("statement 1 of 2: deny (no-drop)", r.stdout)
        self.assertIn("earlier statements of a case must be allowed", r.stdout)

    # --- broken cases files

    def test_yaml_syntax_error(self):
        cases = self.write("syntax.yaml", "cases:\n  - name: a\n    target: [pg\n")
        r = self.policy_test(cases)
        self.assert_positioned(r, cases, 4, "YAML syntax error")

    def test_unknown_key(self):
        cases = self.write("unknown-key.yaml", """\
cases:
  - name: a
    target: pg
    statement: SELECT 1
    expect: allow
    expected_rule: none
""")
        r = self.policy_test(cases)
        self.assert_positioned(r, cases, 6, "unknown key 'expected_rule'")

    def test_unknown_target_and_bad_values(self):
        cases = self.write("unknown-target.yaml", """\
cases:
  - name: a
    target: prod-pg
    statement: SELECT 1
    expect: allow
  - name: b
    target: pg
    kind: robot
    statement: SELECT 1
    expect: maybe
""")
        r = self.policy_test(cases)
        self.assert_positioned(r, cases, 3, "no target 'prod-pg'")
        self.assert_positioned(r, cases, 8, "expected one of human, agent or service")
        self.assert_positioned(r, cases, 10, "expected one of allow, deny or require_approval")

    def test_missing_cases_file(self):
        missing = self.s.path("no-such-cases.yaml")
        r = self.policy_test(missing)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"{missing}: cannot read test cases", r.stderr)

    def test_invalid_config(self):
        bad = self.write("bad-config.yaml", "targets:\n  - name: pg\n    dialekt: postgres\n")
        r = self.policy_test(PROD_CASES, config=bad)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stderr, re.compile(
            "^" + re.escape(str(bad)) + r":3:\d+: unknown key 'dialekt'", re.M))

    def test_usage_errors(self):
        r = run_warden("policy", "test", PROD_CASES)
        self.assertEqual(r.returncode, 1)
        self.assertIn("usage: warden policy test --config FILE CASES.yaml", r.stderr)
        r = run_warden("policy", "frobnicate")
        self.assertEqual(r.returncode, 1)
        self.assertIn("usage:", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
