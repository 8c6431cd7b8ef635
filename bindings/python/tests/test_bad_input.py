"""Bad input gives the official SDK's failed result (or its SessionError)
with a clear message, and never a ctypes error, a crash or a hang."""

from __future__ import annotations

import asyncio
import json
import math
import unittest
from typing import Any, Awaitable

from agentbay import (AgentBay, AgentBayError, AsyncAgentBay, AsyncSession, Config,
                      CreateSessionParams, DeleteResult, McpToolResult, McpToolsResult,
                      OperationResult, SessionError, SessionListResult, SessionPauseResult,
                      SessionResult, SessionResumeResult)

from .helpers import module_client, shell

agent_bay: AsyncAgentBay  # the module's client, made by setUpModule

NOT_A_LABELS_OBJECT = ("Labels cannot be null, undefined, or invalid type. "
                       "Please provide a valid labels object.")
LABEL_CASES = [
    (None, NOT_A_LABELS_OBJECT),
    ("k=v", NOT_A_LABELS_OBJECT),
    (42, NOT_A_LABELS_OBJECT),
    ((("k", "v"),), "Labels cannot be an array. Please provide a valid labels object."),
    ([], "Labels cannot be an array. Please provide a valid labels object."),
    ([("k", "v")], "Labels cannot be an array. Please provide a valid labels object."),
    ({}, "Labels cannot be empty. Please provide at least one label."),
    ({"": "v"}, "Label keys cannot be empty. Please provide valid keys."),
    ({"  ": "v"}, "Label keys cannot be empty. Please provide valid keys."),
    ({"k": ""}, "Label values cannot be empty. Please provide valid values."),
    ({"k": " \t"}, "Label values cannot be empty. Please provide valid values."),
    ({"k": None}, "Label values cannot be empty. Please provide valid values."),
]
BAD_PORTS = (30099, 30200, 0, -1, 80, 10 ** 20, "30100", "30150", 30100.0, True, False, [30100])
BIG = 20 * 1024 * 1024  # over the service's 16 MiB request limit


setUpModule, tearDownModule = module_client(__name__)


async def bounded(call: Awaitable[Any], seconds: float = 30) -> Any:
    """Awaits call, failing the test instead of hanging."""
    return await asyncio.wait_for(call, seconds)


class Assertions(unittest.IsolatedAsyncioTestCase):
    def assertInvalid(self, result: Any, cls: type, message: str = "") -> None:
        """result is a failed cls for bad input, whose message contains message."""
        self.assertIsInstance(result, cls)
        self.assertFalse(result.success)
        self.assertEqual(result.error_kind, "invalid_argument", result.error_message)
        self.assertIn(message, result.error_message)


class SessionInputTest(Assertions):
    async def asyncSetUp(self) -> None:
        # Encoding the 20 MB inputs below takes a moment on the event loop,
        # as it does in the official SDK; don't let debug mode report it.
        asyncio.get_running_loop().slow_callback_duration = 2
        self.session = (await agent_bay.create()).session
        await self.session.set_labels({"keep": "me"})

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    async def test_labels_refused_without_asking(self) -> None:
        for labels, message in LABEL_CASES:
            with self.subTest(labels=labels):
                result = await self.session.set_labels(labels)
                self.assertInvalid(result, OperationResult, message)
                self.assertEqual(result.error_message, message)
        self.assertEqual((await self.session.get_labels()).data, {"keep": "me"})

    async def test_labels_of_other_types_refused_without_asking(self) -> None:
        # The official SDK sends these and raises SessionError when the
        # service refuses them; the library refuses them first, as it does
        # its other label checks (a difference the README lists).
        for labels, message in (
                ({"k": 5}, 'labels must be an object of strings, got "k": 5'),
                ({"k": ["v"]}, 'labels must be an object of strings, got "k": ["v"]'),
                ({(1, 2): "v"}, "labels must be JSON-serialisable: keys must be str"),
                ({None: "v"}, "labels must be JSON-serialisable: a dict has a None key"),
                ({"k": "\ud800"}, "labels must be JSON-serialisable: surrogates not allowed")):
            with self.subTest(labels=repr(labels)[:40]):
                self.assertInvalid(await self.session.set_labels(labels), OperationResult, message)
        self.assertEqual((await self.session.get_labels()).data, {"keep": "me"})

    async def test_labels_the_service_refuses_raise(self) -> None:
        with self.assertRaises(SessionError) as caught:
            await bounded(self.session.set_labels({"k": "v" * BIG}))
        self.assertIn("Failed to set labels for session", str(caught.exception))
        self.assertIn("larger than", str(caught.exception))
        self.assertEqual(caught.exception.error_kind, "invalid_argument")
        self.assertEqual((await self.session.get_labels()).data, {"keep": "me"})

    async def test_label_edge_cases_accepted(self) -> None:
        for labels, stored in (({1: "v"}, {"1": "v"}),  # as json.dumps (and the official SDK)
                               ({"ключ": "値 ✓", "k": "a\0b"}, {"ключ": "値 ✓", "k": "a\0b"}),
                               ({f"k{i}": "v" for i in range(1000)},
                                {f"k{i}": "v" for i in range(1000)})):
            with self.subTest(labels=list(labels)[:2]):
                self.assertTrue((await self.session.set_labels(labels)).success)
                self.assertEqual((await self.session.get_labels()).data, stored)

    async def test_port_bounds(self) -> None:
        for port in (30100, 30199):
            with self.subTest(port=port):
                result = await self.session.get_link(port=port)
                self.assertTrue(result.success, result.error_message)
                self.assertIn(f"/{port}/", result.data)

    async def test_bad_ports_raise(self) -> None:
        for port in BAD_PORTS:
            with self.subTest(port=port):
                with self.assertRaises(SessionError) as caught:
                    await self.session.get_link(port=port)
                self.assertEqual(
                    str(caught.exception),
                    f"Invalid port value: {port if isinstance(port, str) else json.dumps(port)}. Port must be an integer in the range "
                    "[30100, 30199].")
                self.assertEqual(caught.exception.error_kind, "invalid_argument")

    async def test_bad_link_arguments_raise(self) -> None:
        for kwargs in ({"protocol_type": 5}, {"options": {}}, {"protocol_type": "https\0"},
                       {"protocol_type": "ftp"}, {"options": "{not json"}):
            with self.subTest(**kwargs):
                with self.assertRaises(SessionError) as caught:
                    await self.session.get_link(port=30100, **kwargs)
                self.assertTrue(str(caught.exception).startswith("Failed to get link: "))

    async def test_args_not_serialisable(self) -> None:
        circular: dict = {}
        circular["self"] = circular
        deep: dict = {}
        for _ in range(100_000):
            deep = {"d": deep}
        cases = ({"command": object()}, {"x": math.nan}, {"x": math.inf}, {"s": {1, 2}},
                 circular, deep, {"command": "echo \ud800"})
        for case, args in enumerate(cases):
            with self.subTest(case=case):
                result = await self.session.call_mcp_tool("shell", args)
                self.assertInvalid(result, McpToolResult, "args must be JSON-serialisable: ")
                self.assertEqual(result.data, "")

    async def test_args_not_a_dict(self) -> None:
        for args, message in ((["echo", "hi"], 'args must be a JSON object, got ["echo", "hi"]'),
                              (None, "args is required"),
                              ("echo hi", "args must be a JSON object, got echo hi"),
                              (5, "args must be a JSON object, got 5")):
            with self.subTest(args=args):
                self.assertInvalid(await self.session.call_mcp_tool("shell", args), McpToolResult,
                                   message)

    async def test_bad_tool_names(self) -> None:
        for name, message in (("", "tool_name is required"), (" ", "tool_name is required"),
                              (None, "tool_name is required"),
                              (5, "tool_name must be a string, got 5"),
                              ("shell\0x", "tool_name must not contain NUL characters")):
            with self.subTest(name=name):
                self.assertInvalid(await self.session.call_mcp_tool(name, shell("true")),
                                   McpToolResult, message)

    async def test_bad_call_timeouts(self) -> None:
        for kwargs, message in (
                ({"read_timeout": "1000"}, "must be a number of milliseconds >= 0"),
                ({"read_timeout": -1}, "must be a number of milliseconds >= 0"),
                ({"read_timeout": True}, "must be a number of milliseconds >= 0"),
                ({"connect_timeout": [1]}, "must be a number of milliseconds >= 0"),
                # JSON has no NaN or infinity: no timeout is "not given".
                ({"connect_timeout": math.nan}, "connect_timeout must be JSON-serialisable"),
                ({"connect_timeout": math.inf}, "connect_timeout must be JSON-serialisable")):
            with self.subTest(**kwargs):
                self.assertInvalid(await self.session.call_mcp_tool("shell", shell("true"), **kwargs),
                                   McpToolResult, message)

    async def test_odd_but_valid_call_timeouts(self) -> None:
        for kwargs in ({"read_timeout": 0}, {"read_timeout": 10 ** 400},
                       {"read_timeout": 30000.5, "connect_timeout": None}):
            with self.subTest(**kwargs):
                result = await self.session.call_mcp_tool("shell", shell("true"), **kwargs)
                self.assertTrue(result.success, result.error_message)

    async def test_bad_pause_and_resume_arguments(self) -> None:
        for kwargs, message in (({"timeout": 0}, "must be a positive number of seconds"),
                                ({"timeout": -1}, "must be a positive number of seconds"),
                                ({"timeout": "60"}, "must be a positive number of seconds"),
                                ({"timeout": True}, "must be a positive number of seconds"),
                                ({"poll_interval": 0}, "must be a positive number of seconds"),
                                ({"timeout": math.nan}, "timeout must be JSON-serialisable")):
            with self.subTest(**kwargs):
                self.assertInvalid(await self.session.pause(**kwargs), SessionPauseResult, message)
                self.assertInvalid(await self.session.resume(**kwargs), SessionResumeResult,
                                   message)
        # Refused before asking: the session was never paused.
        self.assertEqual((await self.session.get_status()).status, "RUNNING")

    async def test_huge_inputs_fail_cleanly(self) -> None:
        result = await bounded(self.session.call_mcp_tool(
            "write_file", {"path": "/tmp/big.txt", "content": "x" * BIG}))
        self.assertFalse(result.success)
        self.assertEqual(result.error_kind, "invalid_argument")
        self.assertIn("too large", result.error_message)
        huge_name = await bounded(self.session.call_mcp_tool("x" * BIG, {}))
        self.assertFalse(huge_name.success)
        # Big but allowed inputs go through.
        content = "ü" * 400_000  # 800 KB: under the 1 MiB that one read_file returns
        written = await bounded(self.session.call_mcp_tool(
            "write_file", {"path": "/tmp/big.txt", "content": content}))
        self.assertTrue(written.success, written.error_message)
        read = await bounded(self.session.call_mcp_tool("read_file", {"path": "/tmp/big.txt"}))
        self.assertEqual(read.data, content)

    async def test_bad_image_id(self) -> None:
        self.assertInvalid(await self.session.list_mcp_tools(5), McpToolsResult,
                           "image_id must be a string, got 5")


class DeletedSessionTest(unittest.IsolatedAsyncioTestCase):
    """Every call on a deleted session behaves as the official SDK's does."""

    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session
        self.assertTrue((await self.session.delete()).success)

    def assertGone(self, result: Any, cls: type) -> None:
        self.assertIsInstance(result, cls)
        self.assertFalse(result.success)
        self.assertEqual(result.error_kind, "not_found", result.error_message)
        self.assertTrue(result.error_message)

    async def test_failed_results(self) -> None:
        self.assertGone(await self.session.delete(), DeleteResult)
        self.assertGone(await agent_bay.delete(self.session), DeleteResult)
        self.assertGone(await agent_bay.get(self.session.session_id), SessionResult)
        self.assertGone(await self.session.call_mcp_tool("shell", shell("true")), McpToolResult)
        self.assertGone(await self.session.pause(), SessionPauseResult)
        self.assertGone(await self.session.pause_async(), SessionPauseResult)
        self.assertGone(await self.session.resume(), SessionResumeResult)
        self.assertGone(await self.session.resume_async(), SessionResumeResult)
        info = await self.session.info()
        self.assertGone(info, OperationResult)
        self.assertEqual(info.error_message, f"Session {self.session.session_id} not found")

    async def test_raising_calls(self) -> None:
        for name, call in (("set_labels", self.session.set_labels({"a": "b"})),
                           ("get_labels", self.session.get_labels()),
                           ("get_link", self.session.get_link(port=30100))):
            with self.subTest(name):
                with self.assertRaises(SessionError) as caught:
                    await call
                self.assertEqual(caught.exception.error_kind, "not_found")
                self.assertTrue(caught.exception.request_id)

    async def test_tools_are_still_listed(self) -> None:
        # ListMcpTools asks about an image, not a session.
        self.assertTrue((await self.session.list_mcp_tools()).success)


class ClientInputTest(Assertions):
    async def test_bad_list_filters(self) -> None:
        for kwargs, message in (
                ({"status": "SLEEPING"}, "Invalid status 'SLEEPING'. Must be one of: RUNNING"),
                ({"status": 5}, "Invalid status '5'"),
                ({"page": 0}, "Cannot reach page 0: Page number must be >= 1"),
                ({"page": -1}, "Cannot reach page -1: Page number must be >= 1"),
                ({"page": "2"}, "page must be an integer, got 2"),
                ({"page": True}, "page must be an integer, got true"),
                ({"limit": -5}, "limit must be an integer >= 0, got -5"),
                ({"limit": 1.5}, "limit must be an integer >= 0, got 1.5"),
                ({"labels": ["a"]}, 'labels must be an object of strings, got ["a"]'),
                ({"labels": {"k": 1}}, 'labels must be an object of strings, got "k": 1'),
                ({"labels": "k=v"}, "labels must be an object of strings, got "),
                ({"next_token": 5}, "next_token must be a string, got 5")):
            with self.subTest(**kwargs):
                self.assertInvalid(await agent_bay.list(**kwargs), SessionListResult, message)

    async def test_list_arguments_in_official_order(self) -> None:
        session = (await agent_bay.create(CreateSessionParams(labels={"order": "test"}))).session
        listed = await agent_bay.list({"order": "test"}, 1, 0, "RUNNING")  # labels, page, limit, status
        self.assertTrue(listed.success, listed.error_message)
        self.assertEqual([s["sessionId"] for s in listed.session_ids], [session.session_id])
        self.assertEqual(listed.max_results, 10)  # limit 0: the service's default
        await session.delete()

    async def test_page_past_the_end(self) -> None:
        result = await agent_bay.list(labels={"nobody": "has-this"}, page=3)
        self.assertFalse(result.success)
        self.assertIn("Cannot reach page 3", result.error_message)

    async def test_get_bad_ids(self) -> None:
        for session_id, message in (("", "session_id is required"), ("  ", "session_id is required"),
                                    (None, "session_id is required"),
                                    (5, "session_id must be a string, got 5"),
                                    ("a\0b", "session_id must not contain NUL characters")):
            with self.subTest(session_id=session_id):
                self.assertInvalid(await agent_bay.get(session_id), SessionResult, message)

    async def test_create_bad_params(self) -> None:
        for params, message in (
                ({"labels": {"a": "b"}}, "params must be an agentbay.CreateSessionParams, got dict"),
                (CreateSessionParams(labels=["a"]), "labels must be an object of strings"),
                (CreateSessionParams(labels={"a": 1}), "labels must be an object of strings"),
                (CreateSessionParams(image_id=5), "image_id must be a string, got 5"),
                (CreateSessionParams(policy_id=[1]), "policy_id must be a string, got [1]"),
                (CreateSessionParams(context_syncs=[{"context_id": "c", "path": "/p"}]),
                 "a context is mounted at a folder under /home/wuying or /tmp")):
            with self.subTest(params=params):
                result = await agent_bay.create(params)
                self.assertInvalid(result, SessionResult, message)
                self.assertIsNone(result.session)

    async def test_create_unsupported_params(self) -> None:
        for params in (CreateSessionParams(is_vpc=True),
                       CreateSessionParams(browser_context={"context_id": "c"}),
                       CreateSessionParams(extra_configs={"mobile": {}}),
                       CreateSessionParams(enable_browser_replay=False)):
            with self.subTest(params=params):
                result = await agent_bay.create(params)
                self.assertFalse(result.success)
                self.assertEqual(result.error_kind, "unsupported")
                self.assertIn("is not supported", result.error_message)

    async def test_create_harmless_official_params(self) -> None:
        params = CreateSessionParams({"k": "v"}, "linux_latest", [], None, False, None, True, None,
                                     "langchain")  # the official SDK's positional order
        result = await agent_bay.create(params)
        self.assertTrue(result.success, result.error_message)
        self.assertEqual((await result.session.get_labels()).data, {"k": "v"})
        await result.session.delete()

    async def test_client_delete_needs_a_session(self) -> None:
        for session in ("session-id", None, AsyncSession):
            with self.subTest(session=session):
                self.assertInvalid(await agent_bay.delete(session), DeleteResult,
                                   "session must be a session object")

    async def test_session_constructor(self) -> None:
        with AgentBay() as sync_client:
            for client, session_id, message in (
                    (None, "session-x", "agent_bay must be an AsyncAgentBay, got NoneType"),
                    (sync_client, "session-x", "agent_bay must be an AsyncAgentBay, got AgentBay"),
                    (agent_bay, "", "session_id is required"),
                    (agent_bay, None, "session_id is required"),
                    (agent_bay, 5, "session_id must be a str, got int")):
                with self.subTest(session_id=session_id):
                    with self.assertRaises(AgentBayError) as caught:
                        AsyncSession(client, session_id)
                    self.assertEqual(str(caught.exception), message)

    async def test_closed_client_raises(self) -> None:
        client = AsyncAgentBay()
        session = (await client.create()).session
        await client.aclose()
        await client.aclose()  # idempotent
        calls = {
            "create": lambda: client.create(), "list": lambda: client.list(),
            "get": lambda: client.get(session.session_id), "delete": lambda: client.delete(session),
            "session.delete": lambda: session.delete(),
            "set_labels": lambda: session.set_labels({"a": "b"}),
            "get_labels": lambda: session.get_labels(), "info": lambda: session.info(),
            "get_link": lambda: session.get_link(port=30100),
            "list_mcp_tools": lambda: session.list_mcp_tools(),
            "call_mcp_tool": lambda: session.call_mcp_tool("shell", shell("true")),
            "pause": lambda: session.pause(), "pause_async": lambda: session.pause_async(),
            "resume": lambda: session.resume(), "resume_async": lambda: session.resume_async(),
            "get_status": lambda: session.get_status(),
        }
        for name, call in calls.items():
            with self.subTest(name):
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


class ClientConfigTest(unittest.TestCase):
    def test_bad_configuration_raises(self) -> None:
        for kwargs, message in (
                ({"cfg": {"endpoint": "x"}}, "cfg must be an agentbay.Config, got dict"),
                ({"env_file": ".env"}, "env_file is not supported"),
                ({"cfg": Config(region_id="cn-hangzhou")}, "region_id is not supported"),
                ({"api_key": 123}, "api_key"),
                ({"cfg": Config(endpoint=5)}, "endpoint"),
                ({"cfg": Config(timeout_ms=-1)}, "timeout_ms")):
            with self.subTest(**kwargs):
                with self.assertRaises(AgentBayError) as caught:
                    AsyncAgentBay(**kwargs)
                self.assertIn(message, str(caught.exception))

    def test_exceptions_take_the_official_arguments(self) -> None:
        self.assertEqual(str(AgentBayError()), "AgentBayError")
        self.assertEqual(str(SessionError()), "Session error")
        error = SessionError("boom", "more", error_kind="not_found", detail=1)
        self.assertEqual((error.args, error.error_kind, error.extra),
                         (("boom", "more"), "not_found", {"detail": 1}))


if __name__ == "__main__":
    unittest.main()
