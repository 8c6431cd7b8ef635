"""Hatchling build hook: bundles the native library into the wheel.

The wheel gets ``agentbay/_lib/libagentbay.so`` from a copy already in
``agentbay/_lib/`` or else from the repository's ``build/`` (``make lib``).
A wheel with the library inside is tagged ``py3-none-<platform>``: it holds
machine code for this platform but does not use the Python C API, so any
Python 3 can load it. With no library anywhere the wheel stays pure
(``py3-none-any``) and the package looks for the library at run time.

In an sdist, the LICENSE link (to the repository's LICENSE) is replaced by
the file itself, so that a wheel built from the sdist has it too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from packaging.tags import platform_tags

LIBRARY = "libagentbay.so"
BUNDLED = "agentbay/_lib/" + LIBRARY


def find_library(root: Path) -> Optional[Path]:
    """The library to bundle: the package's own copy, else the repository's
    build. Resolved, because build/libagentbay.so links to libagentbay.so.N
    and the wheel must hold the file's bytes, not a link."""
    own = root / BUNDLED
    if own.exists():
        return own.resolve()
    repository = root.parent.parent
    built = repository / "build" / LIBRARY
    # include/agentbay.h says this is the repository, not just any folder
    # above an unpacked sdist that happens to have a build/ in it.
    if built.exists() and (repository / "include" / "agentbay.h").exists():
        return built.resolve()
    return None


def platform_tag() -> str:
    """This interpreter's plain platform tag, e.g. linux_x86_64. Not
    manylinux: that promises a library checked against an old glibc
    (auditwheel), and this one is built against the machine's own."""
    return next(t for t in platform_tags() if not t.startswith(("manylinux", "musllinux")))


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "sdist":
            self._license_as_file(build_data)
        elif self.target_name == "wheel" and version != "editable":
            # An editable install runs from the source folder, which finds
            # the library itself (agentbay/_lib, then the repository's build).
            self._bundle_library(build_data)

    def _bundle_library(self, build_data: dict[str, Any]) -> None:
        library = find_library(Path(self.root))
        if library is None:
            return
        build_data["force_include"][str(library)] = BUNDLED
        build_data["pure_python"] = False
        build_data["tag"] = "py3-none-" + platform_tag()

    def _license_as_file(self, build_data: dict[str, Any]) -> None:
        # Hatchling adds license files to an sdist as they are on disk: a
        # link would arrive dangling.
        link = os.path.join(self.root, "LICENSE")
        if os.path.islink(link):
            build_data["force_include"].pop(link, None)
            build_data["force_include"][os.path.realpath(link)] = "LICENSE"
