"""The package as hatchling and hatch_build.py build it: a pure wheel, wheels
that bundle the library (from agentbay/_lib or the repository's build), an
editable wheel, an sdist, their metadata, and one wheel installed into a
fresh venv and run on the embedded backend.

Builds call hatchling's PEP 517 hooks directly, in a subprocess from the
project folder: what pip does inside its isolated build, minus a new
environment per wheel (0.2 s a wheel instead of about 3 s). Where hatchling
is not installed, it is fetched once with pip into a temporary folder, as
pip's isolated build would fetch it for every wheel (and pip cannot build
sdists); .ci/run installs it, so CI takes the quick way.
"""

from __future__ import annotations

import email.parser
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import textwrap
import unittest
import zipfile
from pathlib import Path
from typing import Dict, Optional

ROOT = Path(__file__).resolve().parent.parent  # bindings/python
REPOSITORY = ROOT.parent.parent
NAME = "libagentbay"
PROJECT_FILES = ("pyproject.toml", "hatch_build.py", "README.md", ".gitignore", "agentbay")

_hatchling_dir: Optional[str] = None  # where hatchling was fetched to, if it had to be


def setUpModule() -> None:
    global _hatchling_dir
    if importlib.util.find_spec("hatchling") is None:
        _hatchling_dir = tempfile.mkdtemp(prefix="hatchling-")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "--root-user-action=ignore", "--target", _hatchling_dir, "hatchling>=1.27"],
                       check=True, timeout=300)


def tearDownModule() -> None:
    if _hatchling_dir:
        shutil.rmtree(_hatchling_dir, ignore_errors=True)


def build(project: Path, hook: str, out: Path) -> Path:
    """Runs hatchling's build_wheel, build_editable or build_sdist hook on
    project and returns the file it wrote to out."""
    env = dict(os.environ)
    if _hatchling_dir:
        env["PYTHONPATH"] = _hatchling_dir
    code = f"import sys, hatchling.build as b; print(b.{hook}(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"{hook} failed:\n{done.stdout}{done.stderr}")
    return out / done.stdout.strip().splitlines()[-1]


def version() -> str:
    """__version__ in agentbay/__init__.py, the one place the version is set."""
    text = (ROOT / "agentbay" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def copy_project(tmp: Path) -> Path:
    """A copy of the package laid out as in the repository, <tmp>/bindings/python,
    with the LICENSE link pointing at <tmp>/LICENSE: what hatch_build.py then
    finds at <tmp>/build is only what a test puts there."""
    project = tmp / "bindings" / "python"
    project.mkdir(parents=True)
    for part in PROJECT_FILES:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, project / part,
                            ignore=shutil.ignore_patterns("__pycache__", "*.so*"))
        else:
            shutil.copy(source, project / part)
    (project / "LICENSE").symlink_to(os.readlink(ROOT / "LICENSE"))
    shutil.copy(REPOSITORY / "LICENSE", tmp / "LICENSE")
    return project


def lay_out_build(tmp: Path, data: bytes, header: bool = True) -> None:
    """What `make lib` leaves in <tmp>: build/libagentbay.so links to .so.N.
    The header is what tells hatch_build.py that <tmp> is the repository."""
    (tmp / "build").mkdir()
    (tmp / "build" / "libagentbay.so.2").write_bytes(data)
    (tmp / "build" / "libagentbay.so").symlink_to("libagentbay.so.2")
    if header:
        (tmp / "include").mkdir()
        (tmp / "include" / "agentbay.h").write_text("/* the public header */\n")


def platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def headers(text: str) -> email.message.Message:
    """METADATA, WHEEL and PKG-INFO are all email-style headers."""
    return email.parser.Parser().parsestr(text)


class Wheel:
    """A built wheel's file list and dist-info files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as zf:
            self.names = zf.namelist()
            self.files = {n: zf.read(n) for n in self.names}
        dist_info = f"{NAME}-{version()}.dist-info"
        self.metadata = headers(self.files[f"{dist_info}/METADATA"].decode())
        self.wheel = headers(self.files[f"{dist_info}/WHEEL"].decode())
        self.record = self.files[f"{dist_info}/RECORD"].decode()
        self.license = self.files.get(f"{dist_info}/licenses/LICENSE")


class PackagingTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="agentbay-packaging-"))
        self.addCleanup(shutil.rmtree, self.tmp)
        self.out = self.tmp / "out"
        self.out.mkdir()
        self.project = copy_project(self.tmp)

    def fake_repository_build(self, data: bytes, header: bool = True) -> None:
        lay_out_build(self.tmp, data, header)

    def check_common(self, wheel: Wheel, tag: str) -> None:
        """What every wheel must have, bundled library or not."""
        self.assertEqual(wheel.path.name, f"{NAME}-{version()}-{tag}.whl")
        self.assertEqual(wheel.wheel["Tag"], tag)
        self.assertIn("agentbay/__init__.py", wheel.names)
        self.assertIn("agentbay/py.typed", wheel.names)
        junk = [n for n in wheel.names if "__pycache__" in n or n.endswith((".pyc", ".gitignore"))]
        self.assertEqual(junk, [])
        # Only the package: no tests, bench.py or hatch_build.py.
        outside = [n for n in wheel.names
                   if not n.startswith(("agentbay/", f"{NAME}-{version()}.dist-info/"))]
        self.assertEqual(outside, [])
        recorded = {line.split(",")[0] for line in wheel.record.splitlines()}
        self.assertEqual(recorded, set(wheel.names))
        meta = wheel.metadata
        self.assertEqual(meta["Name"], NAME)
        self.assertEqual(meta["Version"], version())
        self.assertEqual(meta["License-Expression"], "Apache-2.0")
        self.assertEqual(meta.get_all("License-File"), ["LICENSE"])
        self.assertEqual(wheel.license, (REPOSITORY / "LICENSE").read_bytes())
        self.assertIn("Apache License", wheel.license.decode())
        self.assertEqual(meta["Requires-Python"], ">=3.9")
        self.assertTrue(meta["Summary"])
        self.assertEqual(meta["Description-Content-Type"], "text/markdown")
        self.assertEqual(meta.get_payload().strip(), (ROOT / "README.md").read_text().strip())

    def test_pure_wheel_without_a_library(self) -> None:
        wheel = Wheel(build(self.project, "build_wheel", self.out))
        self.check_common(wheel, "py3-none-any")
        self.assertEqual(wheel.wheel["Root-Is-Purelib"], "true")
        self.assertFalse([n for n in wheel.names if ".so" in n])

    def test_version_comes_from_init(self) -> None:
        init = self.project / "agentbay" / "__init__.py"
        init.write_text(init.read_text().replace(f'"{version()}"', '"9.8.7"'))
        path = build(self.project, "build_wheel", self.out)
        self.assertEqual(path.name, f"{NAME}-9.8.7-py3-none-any.whl")
        with zipfile.ZipFile(path) as zf:
            self.assertIn("Version: 9.8.7\n", zf.read(f"{NAME}-9.8.7.dist-info/METADATA").decode())

    def test_wheel_bundles_the_repository_build(self) -> None:
        self.fake_repository_build(b"\x7fELF built by make lib")
        wheel = Wheel(build(self.project, "build_wheel", self.out))
        self.check_common(wheel, f"py3-none-{platform_tag()}")
        self.assertEqual(wheel.wheel["Root-Is-Purelib"], "false")
        # The real file's bytes under the link's name, not a link and not .so.N.
        self.assertEqual(wheel.files["agentbay/_lib/libagentbay.so"], b"\x7fELF built by make lib")
        self.assertEqual([n for n in wheel.names if ".so" in n], ["agentbay/_lib/libagentbay.so"])

    def test_wheel_bundles_the_package_copy_first(self) -> None:
        self.fake_repository_build(b"\x7fELF built by make lib")
        (self.project / "agentbay" / "_lib" / "libagentbay.so").write_bytes(b"\x7fELF copy")
        wheel = Wheel(build(self.project, "build_wheel", self.out))
        self.check_common(wheel, f"py3-none-{platform_tag()}")
        self.assertEqual(wheel.wheel["Root-Is-Purelib"], "false")
        self.assertEqual(wheel.files["agentbay/_lib/libagentbay.so"], b"\x7fELF copy")
        self.assertEqual([n for n in wheel.names if ".so" in n], ["agentbay/_lib/libagentbay.so"])

    def test_editable_wheel_points_at_the_source(self) -> None:
        # The source folder finds the library itself, so nothing is bundled.
        self.fake_repository_build(b"\x7fELF built by make lib")
        wheel = Wheel(build(self.project, "build_editable", self.out))
        self.assertTrue(wheel.path.name.endswith("-py3-none-any.whl"), wheel.path.name)
        self.assertFalse([n for n in wheel.names if n.startswith("agentbay/")])
        pth = [wheel.files[n].decode() for n in wheel.names if n.endswith(".pth")]
        self.assertEqual([p.strip() for p in pth], [str(self.project)])

    def test_sdist_holds_the_license_and_builds_a_pure_wheel(self) -> None:
        self.fake_repository_build(b"\x7fELF built by make lib", header=False)
        (self.project / "agentbay" / "_lib" / "libagentbay.so").write_bytes(b"\x7fELF copy")
        sdist = build(self.project, "build_sdist", self.out)
        base = f"{NAME}-{version()}"
        self.assertEqual(sdist.name, f"{base}.tar.gz")
        with tarfile.open(sdist) as tar:
            members = {m.name: m for m in tar.getmembers()}
            for name in ("pyproject.toml", "hatch_build.py", "README.md", "LICENSE",
                         "PKG-INFO", "agentbay/__init__.py", "agentbay/py.typed"):
                self.assertIn(f"{base}/{name}", members)
            self.assertTrue(members[f"{base}/LICENSE"].isfile(), "LICENSE must not be a link")
            self.assertFalse([n for n in members if ".so" in n or "__pycache__" in n])
            # Unpacked two levels below <tmp>, whose build/ has a library but
            # no include/agentbay.h: not a repository, so nothing is bundled.
            tar.extractall(self.tmp / "unpacked")
        pkg_info = headers((self.tmp / "unpacked" / base / "PKG-INFO").read_text())
        self.assertEqual(pkg_info["License-Expression"], "Apache-2.0")
        wheel = Wheel(build(self.tmp / "unpacked" / base, "build_wheel", self.out))
        self.check_common(wheel, "py3-none-any")


class InstallTest(unittest.TestCase):
    """The wheel with the real library, installed into a fresh venv and run
    from another folder: the package and the library come from site-packages."""

    def test_installed_wheel_runs_on_the_embedded_backend(self) -> None:
        # The library the other tests use: AGENTBAY_LIBRARY (ctest sets it to
        # its own build), else what `make lib` built.
        library = Path(os.environ.get("AGENTBAY_LIBRARY") or REPOSITORY / "build" / "libagentbay.so")
        self.assertTrue(library.exists(), f"no library to bundle: run `make lib` ({library})")
        tmp = Path(tempfile.mkdtemp(prefix="agentbay-install-"))
        self.addCleanup(shutil.rmtree, tmp)
        lay_out_build(tmp, library.read_bytes())
        wheel = Wheel(build(copy_project(tmp), "build_wheel", tmp))
        self.assertEqual(wheel.files["agentbay/_lib/libagentbay.so"], library.read_bytes())

        # Without pip in the venv (quicker); this interpreter's pip installs into it.
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")],
                       check=True, timeout=60)
        python = tmp / "venv" / "bin" / "python"
        subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                        "--disable-pip-version-check", "--root-user-action=ignore",
                        "--no-deps", "--no-index", str(wheel.path)], check=True, timeout=120)
        report = self.run_installed(python, cwd=tmp)
        self.assertEqual(Path(report["package"]).parent, Path(report["site"]) / "agentbay")
        self.assertEqual(report["library"],
                         str(Path(report["site"]) / "agentbay" / "_lib" / "libagentbay.so"))
        self.assertTrue(report["embedded"])
        self.assertIn(report["session"], report["listed"])
        self.assertTrue(report["deleted"])

    def run_installed(self, python: Path, cwd: Path) -> Dict[str, object]:
        code = textwrap.dedent("""
            import asyncio, json, sysconfig
            import agentbay

            async def main():
                async with agentbay.AsyncAgentBay() as agent_bay:
                    session = (await agent_bay.create()).session
                    listed = await agent_bay.list()
                    deleted = await session.delete()
                    return {"embedded": agent_bay.embedded, "session": session.session_id,
                            "listed": [s["sessionId"] for s in listed.session_ids],
                            "deleted": deleted.success}

            report = asyncio.run(main())
            report.update(package=agentbay.__file__, library=agentbay.load_library(),
                          site=sysconfig.get_path("platlib"))
            print(json.dumps(report))
        """)
        # Nothing may point back at the repository, and no key: embedded.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AGENTBAY_") and k != "PYTHONPATH"}
        done = subprocess.run([str(python), "-c", code], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    unittest.main()
