"""The warden binary itself: `version`, `check` (FILE:LINE:COL: message, exit 1), and what it
links against (no OpenSSL 3, libpq, libmariadb, libcurl next to BoringSSL)."""

import re
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))

import harness  # noqa: E402
from harness import Session, WardenConfig, run_warden  # noqa: E402

FORBIDDEN_LIBS = ("libssl.so.3", "libcrypto.so.3", "libpq.so", "libmariadb", "libcurl")


class FakePg:
    host, port = "127.0.0.1", 5432


class CliTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.s = Session()
        cls.cert, cls.key = cls.s.tls_cert()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def good_config(self, name):
        cfg = WardenConfig(self.s.path(name), self.s.dir, self.cert, self.key)
        cfg.add_target("pg", FakePg, client_tls="optional")
        cfg.add_user("alice", "alice-pw", groups=["dba"])
        return cfg

    def write_lines(self, name, lines):
        p = self.s.path(name)
        p.write_text("\n".join(lines) + "\n")
        return p

    def check(self, path):
        return run_warden("check", "--config", path, timeout=60)

    def assert_positioned_error(self, path, line=None):
        r = self.check(path)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 1, f"exit {r.returncode}: {out}")
        pat = re.compile(r"^" + re.escape(str(path)) + r":(\d+):(\d+): (\S.*)$", re.M)
        m = pat.search(out)
        self.assertIsNotNone(m, f"no '{path}:LINE:COL: message' line in:\n{out}")
        self.assertGreaterEqual(int(m.group(2)), 1, out)
        if line is not None:
            lines = [int(x.group(1)) for x in pat.finditer(out)]
            self.assertIn(line, lines, f"expected an error on line {line}:\n{out}")
        return m

    # --- version
    def test_version(self):
        r = run_warden("version")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"\d+\.\d+\.\d+")
        self.assertIn("postgres", r.stdout.lower(), "loaded plugins should be listed")

    # --- check
    def test_check_good_config(self):
        cfg = self.good_config("good.yaml")
        cfg.write()
        r = self.check(cfg.path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_check_bad_enum_value(self):
        text = self.good_config("x.yaml").text().splitlines()
        i = next(n for n, l in enumerate(text) if l.strip().startswith("client_tls:"))
        text[i] = text[i].split(":")[0] + ": sometimes"
        path = self.write_lines("bad-enum.yaml", text)
        self.assert_positioned_error(path, line=i + 1)

    def test_check_yaml_syntax_error(self):
        text = self.good_config("x.yaml").text().splitlines()
        i = next(n for n, l in enumerate(text) if "groups:" in l)
        text[i] = text[i].replace("]", "")           # unclosed flow sequence
        path = self.write_lines("bad-syntax.yaml", text)
        self.assert_positioned_error(path)

    def test_check_unknown_key(self):
        text = self.good_config("x.yaml").text().splitlines()
        i = next(n for n, l in enumerate(text) if l.strip().startswith("environment:"))
        text.insert(i, "    enviroment_typo: prod")
        path = self.write_lines("bad-key.yaml", text)
        self.assert_positioned_error(path, line=i + 1)

    def test_check_unknown_dialect(self):
        text = self.good_config("x.yaml").text().splitlines()
        i = next(n for n, l in enumerate(text) if "dialect: postgres" in l)
        text[i] = text[i].replace("postgres", "nosuchdb")
        path = self.write_lines("bad-dialect.yaml", text)
        m = self.assert_positioned_error(path)
        # the dialect line itself, or the start of the target that names it
        self.assertIn(int(m.group(1)), (i, i + 1), m.group(0))
        self.assertIn("nosuchdb", m.group(3))

    def test_check_bad_listen_address(self):
        text = self.good_config("x.yaml").text().splitlines()
        i = next(n for n, l in enumerate(text) if l.strip().startswith("listen:"))
        text[i] = '    listen: "127.0.0.1:notaport"'
        path = self.write_lines("bad-listen.yaml", text)
        self.assert_positioned_error(path, line=i + 1)

    def test_check_missing_file(self):
        r = self.check(self.s.path("does-not-exist.yaml"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)

    def test_run_with_broken_config_exits_1(self):
        text = self.good_config("x.yaml").text().replace("client_tls: optional",
                                                           "client_tls: sometimes")
        path = self.write_lines("bad-run.yaml", text.splitlines())
        r = subprocess.run([str(harness.warden_bin()), "run", "--config", str(path)],
                           capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout + r.stderr, re.escape(str(path)) + r":\d+:\d+: ")

    # --- linking
    def ldd(self, path):
        self.assertTrue(Path(path).exists(), f"{path} missing")
        r = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def assert_clean_links(self, path):
        out = self.ldd(path)
        for lib in FORBIDDEN_LIBS:
            self.assertNotIn(lib, out, f"{path} links {lib}:\n{out}")
        self.assertNotIn("not found", out, out)

    def test_ldd_warden(self):
        self.assert_clean_links(harness.warden_bin())

    def test_ldd_postgres_plugin(self):
        self.assert_clean_links(harness.warden_bin().parent / "libwarden_dialect_postgres.so")


if __name__ == "__main__":
    unittest.main(verbosity=2)
