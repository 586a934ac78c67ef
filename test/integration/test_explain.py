"""`warden explain` (SPEC.md): the analysis of SQL as JSON — kinds, categories, tables with
access, where, lineage, fingerprints; with --config/--target also the decision — and the policy
seam of a running Warden receiving one analysed statement per part of a batch."""

import json
import subprocess

import common
from common import APP_DB, harness
from harness import run_warden


def explain(*args, stdin=None):
    if stdin is not None:
        r = subprocess.run([str(harness.warden_bin()), "explain"] + [str(a) for a in args],
                           input=stdin, capture_output=True, text=True, timeout=60)
    else:
        r = run_warden("explain", *args)
    return r


def explained(*args, **kw):
    r = explain(*args, **kw)
    if r.returncode != 0:
        raise AssertionError(f"explain {args} exit {r.returncode}: {r.stderr}")
    return json.loads(r.stdout)


class ExplainTest(common.GatewayCase):

    @classmethod
    def make_config(cls, name="warden.yaml"):
        cfg = super().make_config(name)
        cfg.extra = "log_level: debug\n"
        cfg.write()
        return cfg

    def test_delete_without_where(self):
        out = explained("DELETE FROM public.users")
        (st,) = out["statements"]
        self.assertEqual(st["kind"], "delete")
        self.assertEqual(st["category"], "write")
        self.assertEqual(st["tables"], [{"name": "public.users", "type": "table",
                                         "access": "write"}])
        self.assertFalse(st["has_where"])
        self.assertRegex(st["fingerprint"], r"^[0-9a-f]{16}$")
        self.assertNotIn("decision", out)

    def test_batch_gives_one_statement_per_part(self):
        out = explained("SELECT 1; DROP TABLE t; DELETE FROM u WHERE id = 7")
        kinds = [s["kind"] for s in out["statements"]]
        self.assertEqual(kinds, ["select", "drop_table", "delete"])
        self.assertEqual(out["statements"][1]["category"], "ddl")
        self.assertTrue(out["statements"][2]["has_where"])
        self.assertIn("multi_statement", out["statements"][0]["flags"])

    def test_data_modifying_cte_is_a_write(self):
        out = explained("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d")
        (st,) = out["statements"]
        self.assertEqual(st["kind"], "delete")
        self.assertEqual(st["category"], "write")
        self.assertFalse(st["has_where"])
        self.assertEqual([n["kind"] for n in st["nested"]], ["delete"])

    def test_lineage_in_projection(self):
        out = explained("SELECT u.email AS e, upper(u.name) FROM public.users u")
        proj = out["statements"][0]["projection"]
        self.assertEqual(proj[0]["name"], "e")
        self.assertEqual(proj[0]["sources"], ["public.users.email"])
        self.assertFalse(proj[0]["derived"])
        self.assertTrue(proj[1]["derived"])
        self.assertEqual(proj[1]["sources"], ["public.users.name"])

    def test_fingerprint_ignores_literals_and_layout(self):
        a = explained("SELECT * FROM t WHERE id = 1")["statements"][0]
        b = explained("select  *  from t /* x */ where id = 42")["statements"][0]
        c = explained("SELECT * FROM t WHERE id = 1")["statements"][0]
        self.assertEqual(a["fingerprint"], c["fingerprint"])
        self.assertEqual(a["text"], "SELECT * FROM t WHERE id = ?")
        self.assertNotEqual(a["fingerprint"], b["fingerprint"])  # keywords keep their case

    def test_unparsed_is_reported_not_guessed(self):
        out = explained("SELEC * FROM t")
        (st,) = out["statements"]
        self.assertEqual(st["kind"], "unparsed")
        self.assertEqual(st["category"], "unknown")
        self.assertIn("error", st)

    def test_sql_from_stdin(self):
        out = explained("-", stdin="EXPLAIN ANALYZE UPDATE t SET a = 1")
        (st,) = out["statements"]
        self.assertEqual(st["kind"], "explain")
        self.assertEqual(st["category"], "write")
        self.assertEqual(st["nested"][0]["kind"], "update")

    def test_with_config_and_target_prints_the_decision(self):
        out = explained("--config", self.cfg.path, "--target", "pg", "--user", "alice",
                        "--groups", "dba,dev", "DROP TABLE t")
        self.assertEqual(out["statements"][0]["kind"], "drop_table")
        self.assertEqual(out["decision"]["action"], "allow")
        self.assertEqual(out["decision"]["target"], "pg")
        self.assertEqual(out["decision"]["environment"], "test")

    def test_usage_errors_exit_1(self):
        for args in ([], ["--config", self.cfg.path, "SELECT 1"],
                     ["--dialect", "nosuch", "SELECT 1"],
                     ["--config", self.cfg.path, "--target", "nosuch", "SELECT 1"],
                     ["--kind", "robot", "SELECT 1"], ["SELECT 1", "SELECT 2"]):
            r = explain(*args)
            self.assertEqual(r.returncode, 1, f"{args}: {r.stdout} {r.stderr}")
            self.assertEqual(r.stdout, "", args)

    def test_running_warden_analyses_every_statement_at_the_seam(self):
        token = "seam_probe_4711"
        r = self.psql(f"SELECT '{token}'; SELECT 2")
        self.assertEqual(r.returncode, 0, r.stderr)
        def seen():
            for line in self.gw.log_text(200000).splitlines():
                if '"statement analysed"' in line or "statement analysed" in line:
                    rec = json.loads(line)
                    if rec.get("statements") == 2 and rec.get("kinds") == "select,select":
                        return True
            return False
        harness.wait_until(seen, 10, what="a 2-statement analysis in the debug log")


if __name__ == "__main__":
    common.main()
