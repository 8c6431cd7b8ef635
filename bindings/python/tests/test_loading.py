"""Finding and checking the native library, and refusing use after fork."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

import agentbay
from agentbay import AgentBayError, AsyncAgentBay

PACKAGE = Path(agentbay.__file__).resolve().parent


def run_python(code: str, cwd: str, env: dict = None) -> subprocess.CompletedProcess:
    """Runs code in a fresh interpreter (the library loads once per process)."""
    full_env = {k: v for k, v in os.environ.items() if k != "AGENTBAY_LIBRARY"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=60)


class LoadingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.library = agentbay.load_library()

    def test_loaded_library(self) -> None:
        self.assertTrue(os.path.exists(self.library), self.library)
        self.assertRegex(agentbay.library_version(), r"^\d+\.\d+\.\d+")
        self.assertEqual(agentbay.load_library(), self.library)
        self.assertEqual(agentbay.load_library(self.library), self.library)

    def test_library_threads_never_take_host_signals(self) -> None:
        # The library is loaded with asynchronous signals blocked, so its
        # threads keep SIGINT blocked and only Python's threads can take it;
        # the loading thread's own mask is left as it was.
        code = """
            import os, signal, threading
            import agentbay
            with agentbay.AgentBay() as client:
                client.list()
                open_ = blocked = 0
                for tid in os.listdir("/proc/self/task"):
                    with open(f"/proc/self/task/{tid}/status") as f:
                        line = next(l for l in f if l.startswith("SigBlk:"))
                    if int(line.split()[1], 16) >> (signal.SIGINT - 1) & 1:
                        blocked += 1
                    else:
                        open_ += 1
                print(open_, blocked, len(threading.enumerate()),
                      signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))
        """
        done = run_python(code, cwd=str(PACKAGE.parent))
        self.assertEqual(done.returncode, 0, done.stderr)
        open_, blocked, python_threads, main_blocks = done.stdout.split()
        self.assertLessEqual(int(open_), int(python_threads))
        self.assertGreater(int(blocked), 0)
        self.assertEqual(main_blocks, "False")

    def test_second_copy_is_refused(self) -> None:
        with self.assertRaises(AgentBayError) as caught:
            agentbay.load_library("/elsewhere/libagentbay.so")
        self.assertIn("already loaded", str(caught.exception))

    def test_env_variable_is_used_without_fallback(self) -> None:
        code = """
            import agentbay
            try:
                agentbay.load_library()
            except agentbay.AgentBayError as e:
                print(e)
        """
        with tempfile.TemporaryDirectory() as tmp:
            done = run_python(code, tmp, {"PYTHONPATH": str(PACKAGE.parent),
                                          "AGENTBAY_LIBRARY": "/nonexistent/libagentbay.so"})
        self.assertIn("AGENTBAY_LIBRARY", done.stdout)
        self.assertIn("/nonexistent/libagentbay.so", done.stdout)
        self.assertNotIn("build folder", done.stdout)

    def test_package_copy_comes_before_the_build_folder(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "agentbay"
            shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
            shutil.copy(self.library, copy / "_lib" / "libagentbay.so")
            done = run_python("import agentbay; print(agentbay.load_library())", tmp,
                              {"PYTHONPATH": tmp})
            self.assertEqual(done.stdout.strip(), str(copy / "_lib" / "libagentbay.so"),
                             done.stderr)
            (copy / "_lib" / "libagentbay.so").unlink()
            missing = run_python("import agentbay; agentbay.load_library()", tmp,
                                 {"PYTHONPATH": tmp, "LD_LIBRARY_PATH": ""})
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("cannot load libagentbay", missing.stderr)
        self.assertIn("make lib", missing.stderr)

    @unittest.skipIf(shutil.which("gcc") is None, "needs gcc to build a fake library")
    def test_wrong_abi_version_is_refused(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "fake.c"
            source.write_text("int ab_abi_version(void) { return 99; }\n")
            fake = Path(tmp) / "libagentbay.so"
            subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(fake), str(source)], check=True)
            code = f"""
                import agentbay
                try:
                    agentbay.load_library({str(fake)!r})
                except agentbay.AgentBayError as e:
                    print(e)
            """
            done = run_python(code, tmp, {"PYTHONPATH": str(PACKAGE.parent)})
        self.assertIn("ABI version 99", done.stdout, done.stderr)
        self.assertIn("needs 2", done.stdout)


class ForkTest(unittest.TestCase):
    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_child_after_fork_gets_a_clear_error(self) -> None:
        client = AsyncAgentBay()
        try:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never return into the test runner
                code = 1
                try:
                    AsyncAgentBay()
                except AgentBayError as exc:
                    os.write(write, str(exc).encode())
                    code = 0
                finally:
                    os._exit(code)
            os.close(write)
            message = os.read(read, 4096).decode()
            os.close(read)
            _, status = os.waitpid(pid, 0)
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
            self.assertIn("fork", message)
        finally:
            client.close()


if __name__ == "__main__":
    unittest.main()
