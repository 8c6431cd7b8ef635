"""Shared bits of the tests. Importing this does not load the library; the
library is loaded by the first client a test makes (never from conftest.py:
the Go runtime must load after pytest's faulthandler, see the notes)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from typing import Any, Awaitable, Callable, Dict, Tuple


def module_client(module: str) -> Tuple[Callable[[], None], Callable[[], None]]:
    """setUpModule and tearDownModule for a test module whose tests share one
    AsyncAgentBay (on the embedded backend) as the module's ``agent_bay``:
    ``setUpModule, tearDownModule = module_client(__name__)``."""
    def set_up() -> None:
        from agentbay import AsyncAgentBay
        sys.modules[module].agent_bay = AsyncAgentBay()  # type: ignore[attr-defined]

    def tear_down() -> None:
        sys.modules[module].agent_bay.close()  # type: ignore[attr-defined]

    return set_up, tear_down


def shell(command: str, timeout_ms: int = 20000) -> Dict[str, Any]:
    """Arguments of the shell tool."""
    return {"command": command, "timeout_ms": timeout_ms}


def output(result: Any) -> Dict[str, Any]:
    """The {stdout, stderr, exit_code} of a shell result (ok or failed)."""
    return json.loads(result.data or result.error_message)


def unique(prefix: str) -> str:
    """A label value no other test run uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def eventually(probe: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> bool:
    """Polls probe until it is true or timeout seconds pass. The timeout only
    turns a hang into a failure: make it generous, never a claim of speed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await probe():
            return True
        await asyncio.sleep(0.02)
    return False
