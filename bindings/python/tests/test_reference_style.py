"""Code in the style of the official AgentBay SDK's session docs.

``main()`` imports only names that the official ``agentbay`` package
exports and uses only the session API of the reference, so the same file
runs on both:

* this package, as a test of the suite (embedded backend, no network)::

      python3 -m unittest tests.test_reference_style     (from bindings/python)

* the official SDK (``pip install wuying-agentbay-sdk==0.14.1``, the release
  the reference documents) against ``agentbay-local serve --tls``::

      AGENTBAY_API_KEY=KEY AGENTBAY_ENDPOINT=127.0.0.1:PORT \\
      SSL_CERT_FILE=DATA/cert.pem python3 bindings/python/tests/test_reference_style.py

  (run as a file, so that ``agentbay`` is the installed official package).
"""

from __future__ import annotations

import asyncio
import logging
import unittest
import uuid

from agentbay import AsyncAgentBay, CreateSessionParams, SessionError

log = logging.getLogger("reference_style")


def expect(condition: bool, message: str) -> None:
    """Stops the script with message unless condition holds."""
    if not condition:
        raise AssertionError(message)


async def wait_for_status(agent_bay: AsyncAgentBay, labels: dict, session_id: str,
                          status: str) -> None:
    """Waits until list(labels, status=status) shows the session."""
    for _ in range(100):
        listed = await agent_bay.list(labels=labels, status=status)
        if any(s["sessionId"] == session_id for s in listed.session_ids):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"session {session_id} never became {status}")


async def main() -> None:
    """Every session call of the reference, checked as a user of the SDK would."""
    # The API key and the endpoint come from the environment (none at all:
    # libagentbay's embedded backend).
    agent_bay = AsyncAgentBay()
    run = {"run": uuid.uuid4().hex[:8]}

    params = CreateSessionParams(labels={"project": "reference-style", **run},
                                 image_id="linux_latest")
    result = await agent_bay.create(params)
    expect(result.success, f"create failed: {result.error_message}")
    session = result.session
    log.info("created %s (request %s)", session.session_id, result.request_id)

    try:
        result = await session.call_mcp_tool(
            "shell", {"command": "echo hello from $(basename $HOME)", "timeout_ms": 10000})
        expect(result.success, f"shell failed: {result.error_message}")
        expect("hello from" in result.data, f"unexpected shell output {result.data!r}")
        log.info("shell: %s", result.data)

        failed = await session.call_mcp_tool("shell", {"command": "exit 3", "timeout_ms": 10000})
        expect(not failed.success and failed.error_message, "a failing command must fail")

        labels = {"project": "reference-style", "stage": "labelled", **run}
        result = await session.set_labels(labels)
        expect(result.success, f"set_labels failed: {result.error_message}")
        result = await session.get_labels()
        expect(result.success and result.data == labels, f"get_labels gave {result.data!r}")
        refused = await session.set_labels({"stage": ""})
        expect(not refused.success and "empty" in refused.error_message,
               "a blank label value must be refused")

        result = await session.info()
        expect(result.success, f"info failed: {result.error_message}")
        expect(result.data.session_id == session.session_id, "info names another session")
        log.info("info: resource_url=%r", result.data.resource_url)

        result = await session.get_link(port=30150)
        expect(result.success and result.data.startswith("http"), f"get_link gave {result.data!r}")
        log.info("link: %s", result.data)
        try:
            await session.get_link(port=8080)
            raise AssertionError("get_link(port=8080) must raise SessionError")
        except SessionError as e:
            log.info("get_link(port=8080) refused: %s", e)

        result = await session.list_mcp_tools()
        names = [tool.name for tool in result.tools]
        expect("shell" in names, f"no shell tool in {names}")

        paused = await session.pause(timeout=60, poll_interval=0.5)
        expect(paused.success and paused.status == "PAUSED", f"pause gave {paused.status}")
        await wait_for_status(agent_bay, run, session.session_id, "PAUSED")
        resumed = await session.resume(timeout=60, poll_interval=0.5)
        expect(resumed.success and resumed.status == "RUNNING", f"resume gave {resumed.status}")

        started = await session.pause_async()
        expect(started.success, f"pause_async failed: {started.error_message}")
        await wait_for_status(agent_bay, run, session.session_id, "PAUSED")
        started = await session.resume_async()
        expect(started.success, f"resume_async failed: {started.error_message}")
        await wait_for_status(agent_bay, run, session.session_id, "RUNNING")

        listed = await agent_bay.list(labels=run)
        expect(listed.success, f"list failed: {listed.error_message}")
        expect([s["sessionId"] for s in listed.session_ids] == [session.session_id],
               f"list gave {listed.session_ids}")
        expect(listed.total_count == 1, f"total_count {listed.total_count}")
    finally:
        deleted = await session.delete()
    expect(deleted.success, f"delete failed: {deleted.error_message}")

    again = await session.delete()
    expect(not again.success, "deleting a deleted session must fail")
    gone = await agent_bay.get(session.session_id)
    expect(not gone.success and gone.session is None, "a deleted session must not be found")
    listed = await agent_bay.list(labels=run)
    expect(listed.success and listed.session_ids == [], f"list gave {listed.session_ids}")
    log.info("deleted %s", session.session_id)


class ReferenceStyleTest(unittest.IsolatedAsyncioTestCase):
    async def test_reference_style_script(self) -> None:
        await main()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    asyncio.run(main())
    print("reference-style script: OK")
