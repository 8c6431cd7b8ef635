"""Bad input gives the reference's failed result (or exception) with a clear message."""

from __future__ import annotations

import math
import unittest

from agentbay import (AgentBayError, AsyncAgentBay, AsyncSession, McpToolResult,
                      OperationResult, SessionListResult, SessionResult)

from .helpers import shell

agent_bay: AsyncAgentBay

LABEL_CASES = [
    (None, "Labels cannot be null. Please provide a valid labels object."),
    ([], "Labels cannot be an array. Please provide a valid labels object."),
    ([("k", "v")], "Labels cannot be an array. Please provide a valid labels object."),
    ("k=v", "Labels must be an object. Please provide a valid labels object."),
    (42, "Labels must be an object. Please provide a valid labels object."),
    ({}, "Labels cannot be empty. Please provide at least one label."),
    ({"": "v"}, "Label keys cannot be empty. Please provide valid keys."),
    ({"  ": "v"}, "Label keys cannot be empty. Please provide valid keys."),
    ({1: "v"}, "Label keys cannot be empty. Please provide valid keys."),
    ({"k": ""}, "Label values cannot be empty. Please provide valid values."),
    ({"k": " \t"}, "Label values cannot be empty. Please provide valid values."),
    ({"k": None}, "Label values cannot be empty. Please provide valid values."),
]


def setUpModule() -> None:
    global agent_bay
    agent_bay = AsyncAgentBay()


def tearDownModule() -> None:
    agent_bay.close()


class SessionInputTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session
        await self.session.set_labels({"keep": "me"})

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    def assertInvalid(self, result, cls, message: str) -> None:
        self.assertIsInstance(result, cls)
        self.assertFalse(result.success)
        self.assertEqual(result.error_kind, "invalid_argument")
        self.assertEqual(result.error_message, message)

    async def test_bad_labels(self) -> None:
        for labels, message in LABEL_CASES:
            with self.subTest(labels=labels):
                self.assertInvalid(await self.session.set_labels(labels), OperationResult, message)
        self.assertEqual((await self.session.get_labels()).data, {"keep": "me"})

    async def test_bad_ports(self) -> None:
        for port in (30099, 30200, 0, -1, 80, "30150", 30150.0, True):
            with self.subTest(port=port):
                self.assertInvalid(
                    await self.session.get_link(port=port), OperationResult,
                    f"Invalid port value: {port}. Port must be an integer in the range "
                    "[30100, 30199].")

    async def test_args_not_serialisable(self) -> None:
        for args in ({"command": object()}, {"x": math.nan}, {"s": {1, 2}}):
            with self.subTest(args=args):
                result = await self.session.call_mcp_tool("shell", args)
                self.assertIsInstance(result, McpToolResult)
                self.assertFalse(result.success)
                self.assertEqual(result.error_kind, "invalid_argument")
                self.assertIn("JSON-serialisable", result.error_message)

    async def test_args_not_a_dict(self) -> None:
        result = await self.session.call_mcp_tool("shell", ["echo", "hi"])
        self.assertFalse(result.success)
        self.assertEqual(result.error_message, "args must be a dict, got list")

    async def test_blank_tool_name(self) -> None:
        self.assertInvalid(await self.session.call_mcp_tool(" ", {}), McpToolResult,
                           "tool_name is required")


class ClientInputTest(unittest.IsolatedAsyncioTestCase):
    async def test_bad_list_filters(self) -> None:
        for kwargs in ({"status": "SLEEPING"}, {"page": 0}, {"limit": -5}, {"labels": ["a"]},
                       {"labels": {"k": 1}}):
            with self.subTest(**kwargs):
                result = await agent_bay.list(**kwargs)
                self.assertIsInstance(result, SessionListResult)
                self.assertFalse(result.success)
                self.assertEqual(result.error_kind, "invalid_argument")

    async def test_page_past_the_end(self) -> None:
        result = await agent_bay.list(labels={"nobody": "has-this"}, page=3)
        self.assertFalse(result.success)
        self.assertTrue(result.error_message)

    async def test_get_blank_id(self) -> None:
        result = await agent_bay.get("")
        self.assertIsInstance(result, SessionResult)
        self.assertFalse(result.success)
        self.assertEqual(result.error_message, "session_id is required")

    async def test_closed_client_raises(self) -> None:
        client = AsyncAgentBay()
        session = (await client.create()).session
        await client.aclose()
        await client.aclose()  # idempotent
        for call in (lambda: client.create(), lambda: client.list(),
                     lambda: client.get(session.session_id), lambda: client.delete(session),
                     lambda: session.get_status(), lambda: session.set_labels({"a": "b"}),
                     lambda: session.call_mcp_tool("shell", shell("true"))):
            with self.assertRaises(AgentBayError) as caught:
                await call()
            self.assertIn("closed", str(caught.exception))
        with self.assertRaises(AgentBayError):
            AsyncSession(client, session.session_id)

    async def test_async_with_closes(self) -> None:
        async with AsyncAgentBay() as client:
            self.assertTrue((await client.list()).success)
        with self.assertRaises(AgentBayError):
            await client.list()


if __name__ == "__main__":
    unittest.main()
