"""Writes agentbay/_sync.py, the blocking API, from agentbay/_async.py.

The two APIs have the same methods, arguments, results and documentation;
only the asynchronous one is written by hand. The rules, applied line by
line:
- lines from "# async only: begin" to "# async only: end", and lines
  ending in "# async only", are left out;
- AsyncAgentBay and AsyncSession become AgentBay and Session, run_async
  run_sync, __aenter__/__aexit__ __enter__/__exit__;
- "async def" becomes "def", "await self.aclose()" "self.close()", and
  "await " goes;
- the module docstring is replaced by HEADER.

    python3 tools/gen_sync.py           # rewrites agentbay/_sync.py
    python3 tools/gen_sync.py --check   # exits 1 if it is not up to date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "agentbay"

HEADER = '''"""The blocking API: AgentBay and Session, with the methods of the asynchronous API.

Each method blocks the calling thread until its operation completes; Ctrl-C
cancels the operation and raises KeyboardInterrupt.

Generated from _async.py by tools/gen_sync.py: do not edit.
"""
'''

WORDS = [
    (r"\bAsyncAgentBay\b", "AgentBay"),
    (r"\bAsyncSession\b", "Session"),
    (r"\bAsyncCommand\b", "Command"),
    (r"\bAsyncCode\b", "Code"),
    (r"\bAsyncProcess\b", "Process"),
    (r"\bAsyncContextService\b", "ContextService"),
    (r"\bAsyncContextManager\b", "ContextManager"),
    (r"\bAsyncFileSystem\b", "FileSystem"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\basync for\b", "for"),
    (r"\brun_async\b", "run_sync"),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\basync def\b", "def"),
    (r"\bawait self\.aclose\(\)", "self.close()"),
    (r"\bawait ", ""),
]


def generate(source: str) -> str:
    body = source[source.index('"""', 3) + 3:]  # after the module docstring
    out, skipping = [], False
    for line in body.splitlines():
        if line.strip() == "# async only: begin":
            skipping = True
        elif line.strip() == "# async only: end":
            skipping = False
        elif not skipping and not line.rstrip().endswith("# async only"):
            for pattern, word in WORDS:
                line = re.sub(pattern, word, line)
            out.append(line)
    return HEADER + "\n" + "\n".join(out).lstrip("\n") + "\n"


def main() -> int:
    source = (PACKAGE / "_async.py").read_text()
    target = PACKAGE / "_sync.py"
    text = generate(source)
    if "--check" in sys.argv[1:]:
        if target.read_text() != text:
            print(f"{target} is not what tools/gen_sync.py makes of _async.py: "
                  "run `make python-sync`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
