"""The stdlib build backend makes a correct wheel, bundling the library when present."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_wheel(project: Path, out: Path) -> Path:
    code = "import backend, sys; print(backend.build_wheel(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=project / "_build",
                          capture_output=True, text=True, check=True)
    return out / done.stdout.strip()


class PackagingTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)
        # Laid out as in the repository, <tmp>/bindings/python, so that the
        # backend's look at <tmp>/build finds only what a test puts there.
        self.project = self.tmp / "bindings" / "python"
        for part in ("pyproject.toml", "_build", "agentbay"):
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, self.project / part,
                                ignore=shutil.ignore_patterns("__pycache__", "*.so"))
            else:
                self.project.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, self.project / part)

    def test_pure_wheel(self) -> None:
        wheel = build_wheel(self.project, self.tmp)
        self.assertEqual(wheel.name, "agentbay-0.1.0-py3-none-any.whl")
        names = zipfile.ZipFile(wheel).namelist()
        self.assertIn("agentbay/__init__.py", names)
        self.assertIn("agentbay/py.typed", names)
        self.assertIn("agentbay-0.1.0.dist-info/RECORD", names)
        self.assertFalse([n for n in names if "__pycache__" in n or n.endswith(".gitignore")])

    def test_wheel_bundles_the_repository_build(self) -> None:
        build = self.tmp / "build"
        build.mkdir()
        (build / "libagentbay.so.1").write_bytes(b"\x7fELF built by make lib")
        (build / "libagentbay.so").symlink_to("libagentbay.so.1")
        wheel = build_wheel(self.project, self.tmp)
        self.assertNotIn("none-any", wheel.name)
        with zipfile.ZipFile(wheel) as zf:
            self.assertEqual(zf.read("agentbay/_lib/libagentbay.so"), b"\x7fELF built by make lib")

    def test_wheel_with_bundled_library(self) -> None:
        (self.project / "agentbay" / "_lib" / "libagentbay.so").write_bytes(b"\x7fELF stand-in")
        wheel = build_wheel(self.project, self.tmp)
        self.assertNotIn("none-any", wheel.name)
        with zipfile.ZipFile(wheel) as zf:
            self.assertIn("agentbay/_lib/libagentbay.so", zf.namelist())
            self.assertIn("Root-Is-Purelib: false",
                          zf.read("agentbay-0.1.0.dist-info/WHEEL").decode())


if __name__ == "__main__":
    unittest.main()
