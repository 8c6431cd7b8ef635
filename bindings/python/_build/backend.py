"""A PEP 517 build backend for the agentbay package, using only the standard library.

Why not setuptools: the setuptools of this interpreter (65.x) builds wheels
only with the separate ``wheel`` package, which is not installed and cannot be
downloaded offline. The package is plain files plus an optional bundled
``agentbay/_lib/libagentbay.so`` (a copy put there, or else the repository's
``build/libagentbay.so``), so writing the wheel zip directly is simple.

A wheel that bundles the native library is tagged for this platform; one
without it is pure Python and looks for the library at run time.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sysconfig
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "agentbay"
LIBRARY = "libagentbay.so"
SKIP = {"__pycache__", ".gitignore"}


def _project() -> dict:
    """The [project] table of pyproject.toml, whose values are all one-line
    strings (read by hand: tomllib exists only from Python 3.11)."""
    project, table = {}, ""
    for line in (ROOT / "pyproject.toml").read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            table = line
        elif table == "[project]" and "=" in line:
            key, value = line.split("=", 1)
            project[key.strip()] = value.strip().strip('"')
    return project


def _package_files() -> list[Path]:
    files = []
    for path in sorted((ROOT / PACKAGE).rglob("*")):
        if path.is_file() and not SKIP.intersection(path.relative_to(ROOT).parts) \
                and path.suffix != ".pyc":
            files.append(path)
    return files


def _metadata(project: dict) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}",
             f"Version: {project['version']}", f"Summary: {project.get('description', '')}"]
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    return "\n".join(lines) + "\n"


def _tag(native: bool) -> str:
    if not native:
        return "py3-none-any"
    return "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")


class _Wheel:
    """A wheel being written, keeping the RECORD as it goes."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self.record: list[str] = []

    def add(self, name: str, data: bytes) -> None:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self.zip.writestr(name, data)
        self.record.append(f"{name},sha256={digest},{len(data)}")

    def close(self, dist_info: str) -> None:
        self.record.append(f"{dist_info}/RECORD,,")
        self.zip.writestr(f"{dist_info}/RECORD", "\n".join(self.record) + "\n")
        self.zip.close()


def _built_library() -> Path | None:
    """The library `make lib` built in this repository, if it did: bundled
    when the package has no copy of its own, so that `make lib` then
    `pip install ./bindings/python` gives a package that needs nothing else."""
    if (ROOT / PACKAGE / "_lib" / LIBRARY).exists():
        return None
    built = ROOT.parent.parent / "build" / LIBRARY
    return built.resolve() if built.exists() else None


def _build(wheel_directory: str, editable: bool) -> str:
    project = _project()
    files = _package_files()
    library = None if editable else _built_library()
    native = not editable and (library is not None
                               or any(p.suffix in (".so", ".dylib") for p in files))
    name, version = project["name"], project["version"]
    dist_info = f"{name}-{version}.dist-info"
    filename = f"{name}-{version}-{_tag(native)}.whl"
    wheel = _Wheel(Path(wheel_directory) / filename)
    if editable:  # a .pth file that puts the source folder on sys.path
        wheel.add(f"__editable__.{name}.pth", (str(ROOT) + "\n").encode())
    else:
        for path in files:
            wheel.add(path.relative_to(ROOT).as_posix(), path.read_bytes())
        if library is not None:
            wheel.add(f"{PACKAGE}/_lib/{LIBRARY}", library.read_bytes())
    wheel.add(f"{dist_info}/METADATA", _metadata(project).encode())
    wheel.add(f"{dist_info}/WHEEL", (
        f"Wheel-Version: 1.0\nGenerator: agentbay-backend\n"
        f"Root-Is-Purelib: {'false' if native else 'true'}\nTag: {_tag(native)}\n").encode())
    wheel.close(dist_info)
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 517: builds the wheel, bundling agentbay/_lib's library or else the
    one in the repository's build folder, if either is there."""
    return _build(wheel_directory, editable=False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: an editable install that imports the package from this folder."""
    return _build(wheel_directory, editable=True)


def build_sdist(sdist_directory, config_settings=None):
    """PEP 517: a source archive of the package, its backend and pyproject.toml."""
    project = _project()
    base = f"{project['name']}-{project['version']}"
    filename = f"{base}.tar.gz"
    sources = [ROOT / "pyproject.toml", Path(__file__)] + _package_files()
    with tarfile.open(Path(sdist_directory) / filename, "w:gz") as tar:
        for path in sources:
            tar.add(path, arcname=f"{base}/{path.relative_to(ROOT).as_posix()}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata(project).encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename


def get_requires_for_build_wheel(config_settings=None):
    """PEP 517: nothing beyond the standard library."""
    return []


get_requires_for_build_sdist = get_requires_for_build_wheel
get_requires_for_build_editable = get_requires_for_build_wheel
