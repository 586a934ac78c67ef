"""Plugin ABI refusal through the binary: `warden check`, `warden run` and `warden version`
with plugin directories holding deliberately incompatible plugins (test/plugins/, built by
`ninja -C build test_plugin_abi_major test_plugin_build_key`, part of the unit-test build).

The abi_major plugin declares ABI major = host major + 98 (bad_plugin.cc); the build_key one a
foreign toolchain key."""

import re
import shutil
import subprocess
import time
import unittest

import common
from common import LOCALHOST, harness


def plugin_dir(case):
    d = harness.build_dir() / "test-plugins" / case
    if not any(d.glob("libwarden_dialect_*.so")):
        raise harness.HarnessError(
            f"{d} holds no test plugin: build it first "
            f"(ninja -C {harness.build_dir()} test_plugin_{case})")
    return d


def output(r):
    return r.stdout + r.stderr


class PluginRefusalTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.s = harness.Session()
        v = harness.run_warden("version", timeout=30)
        if v.returncode != 0:
            cls.s.close()
            raise harness.HarnessError(f"warden version failed: {output(v)}")
        m = re.search(r"plugin ABI (\d+)\.(\d+)", v.stdout)
        if not m:
            cls.s.close()
            raise harness.HarnessError(f"no 'plugin ABI X.Y' in: {v.stdout}")
        cls.host_major, cls.host_minor = int(m.group(1)), int(m.group(2))
        cls.version_out = v.stdout
        cls.postgres_plugin = harness.warden_bin().parent / "libwarden_dialect_postgres.so"

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    # helpers ------------------------------------------------------------------------------
    def config(self, name, plugin_dir_path):
        """A valid config (one postgres target) except for what plugin_dir holds."""
        port = harness.free_port()
        path = self.s.path(f"{name}.yaml")
        work = self.s.path(name)
        work.mkdir(exist_ok=True)
        path.write_text(
            f"plugin_dir: {harness._q(plugin_dir_path)}\n"
            "identity:\n  users:\n"
            "    - {name: alice, password: alice-pw, groups: [dev]}\n"
            "targets:\n"
            "  - name: pg\n    dialect: postgres\n"
            f"    listen: {harness._q(f'{LOCALHOST}:{port}')}\n"
            "    backend: {host: 127.0.0.1, port: 5432, user: app, password: x, tls: disable}\n"
            f"audit: {{dir: {harness._q(work / 'audit')}}}\n"
            f"state: {{dir: {harness._q(work / 'state')}}}\n")
        return path, port

    def mixed_dir(self, case):
        """The real postgres plugin plus the refused one: the refusal is the only fault."""
        d = self.s.path(f"plugins-{case}")
        d.mkdir(exist_ok=True)
        shutil.copy2(self.postgres_plugin, d / self.postgres_plugin.name)
        for so in plugin_dir(case).glob("libwarden_dialect_*.so"):
            shutil.copy2(so, d / so.name)
        return d

    def abi_texts(self):
        host = f"{self.host_major}.{self.host_minor}"
        plugin = f"{self.host_major + 98}.{self.host_minor}"
        return host, plugin

    def assert_abi_refusal(self, text):
        host, plugin = self.abi_texts()
        self.assertIn("refused", text)
        self.assertIn("libwarden_dialect_abi_major.so", text)
        self.assertIn(plugin, text, f"plugin ABI {plugin} not named")
        self.assertIn(host, text, f"host ABI {host} not named")

    def assert_build_key_refusal(self, text):
        self.assertIn("refused", text)
        self.assertIn("build key", text)
        self.assertIn("libwarden_dialect_build_key.so", text)
        self.assertIn("othercc-3", text, "the plugin's build key is not named")

    def run_warden_run(self, cfg, port, limit=10):
        """`warden run` that must exit on its own, quickly; returns (code, output, seconds)."""
        t0 = time.monotonic()
        p = subprocess.Popen([str(harness.warden_bin()), "run", "--config", str(cfg)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             stdin=subprocess.DEVNULL, cwd=str(self.s.dir))
        key = self.s.register(lambda: p.poll() is None and p.kill(), f"kill -KILL {p.pid}")
        try:
            out, _ = p.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            listening = harness.port_accepts(port)
            p.kill()
            out, _ = p.communicate(timeout=10)
            self.fail(f"warden run still running after {limit}s (listening: {listening}):\n{out}")
        finally:
            self.s.unregister(key)
        return p.returncode, out, time.monotonic() - t0

    # warden check -------------------------------------------------------------------------
    def test_check_abi_major_refused(self):
        cfg, _ = self.config("check-abi", plugin_dir("abi_major"))
        r = harness.run_warden("check", "--config", cfg, timeout=30)
        self.assertEqual(r.returncode, 1, output(r))
        self.assert_abi_refusal(output(r))

    def test_check_build_key_refused(self):
        cfg, _ = self.config("check-key", plugin_dir("build_key"))
        r = harness.run_warden("check", "--config", cfg, timeout=30)
        self.assertEqual(r.returncode, 1, output(r))
        self.assert_build_key_refusal(output(r))

    def test_check_refusal_alone_is_an_error(self):
        # beside a loadable postgres plugin (so the target's dialect is there), the refused
        # plugin alone makes the configuration invalid
        for case, check in (("abi_major", self.assert_abi_refusal),
                            ("build_key", self.assert_build_key_refusal)):
            with self.subTest(case=case):
                cfg, _ = self.config(f"check-mixed-{case}", self.mixed_dir(case))
                r = harness.run_warden("check", "--config", cfg, timeout=30)
                self.assertEqual(r.returncode, 1, output(r))
                check(output(r))
                self.assertNotIn("is not loaded", output(r))

    def test_check_normal_plugin_dir_ok(self):
        # the same config with the real plugin directory is valid: the refusals above are
        # about the plugins, not the rest of the file
        cfg, _ = self.config("check-ok", harness.warden_bin().parent)
        r = harness.run_warden("check", "--config", cfg, timeout=30)
        self.assertEqual(r.returncode, 0, output(r))
        self.assertNotIn("refused", output(r))

    # warden run ---------------------------------------------------------------------------
    def test_run_abi_major_exits_1_quickly(self):
        cfg, port = self.config("run-abi", plugin_dir("abi_major"))
        code, out, secs = self.run_warden_run(cfg, port)
        self.assertEqual(code, 1, out)
        self.assertLess(secs, 5.0, out)
        self.assert_abi_refusal(out)

    def test_run_build_key_exits_1_quickly(self):
        cfg, port = self.config("run-key", self.mixed_dir("build_key"))
        code, out, secs = self.run_warden_run(cfg, port)
        self.assertEqual(code, 1, out)
        self.assertLess(secs, 5.0, out)
        self.assert_build_key_refusal(out)
        self.assertFalse(harness.port_accepts(port), "something listens on the target port")

    # warden version -----------------------------------------------------------------------
    def test_version_lists_abi_major_plugin_as_refused(self):
        r = harness.run_warden("version", "--plugin-dir", plugin_dir("abi_major"), timeout=30)
        self.assertEqual(r.returncode, 0, output(r))
        lines = [ln for ln in r.stdout.splitlines() if "libwarden_dialect_abi_major.so" in ln]
        self.assertTrue(lines, r.stdout)
        self.assert_abi_refusal("\n".join(lines))

    def test_version_lists_build_key_plugin_as_refused(self):
        r = harness.run_warden("version", "--plugin-dir", plugin_dir("build_key"), timeout=30)
        self.assertEqual(r.returncode, 0, output(r))
        lines = [ln for ln in r.stdout.splitlines() if "libwarden_dialect_build_key.so" in ln]
        self.assertTrue(lines, r.stdout)
        self.assert_build_key_refusal("\n".join(lines))

    def test_version_normal_lists_postgres(self):
        out = self.version_out
        self.assertRegex(out, r"(?m)^\s+postgres \S+ \(ABI \d+\.\d+\) .*libwarden_dialect_postgres\.so$")
        self.assertNotIn("refused", out)


if __name__ == "__main__":
    common.main()
