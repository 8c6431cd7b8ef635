"""Every method of AsyncAgentBay and AsyncSession, on the embedded backend."""

from __future__ import annotations

import unittest

from agentbay import (AgentBayError, AsyncAgentBay, AsyncSession, CreateSessionParams,
                      DeleteResult, McpTool, McpToolResult, McpToolsResult, OperationResult,
                      SessionError, SessionInfo, SessionListResult, SessionPauseResult,
                      SessionResult, SessionResumeResult, SessionStatusResult)

from .helpers import eventually, module_client, output, shell, unique

agent_bay: AsyncAgentBay  # the module's client, made by setUpModule
setUpModule, tearDownModule = module_client(__name__)


class ClientTest(unittest.IsolatedAsyncioTestCase):
    async def test_default_client_is_embedded(self) -> None:
        self.assertTrue(agent_bay.embedded)
        self.assertTrue(agent_bay.endpoint.startswith("http"), agent_bay.endpoint)

    async def test_create_with_params(self) -> None:
        tag = unique("create")
        result = await agent_bay.create(
            CreateSessionParams(labels={"test": tag}, image_id="linux_latest"))
        self.assertIsInstance(result, SessionResult)
        self.assertTrue(result.success, result.error_message)
        session = result.session
        self.assertIsInstance(session, AsyncSession)
        self.assertTrue(session.session_id)
        self.assertIs(session.agent_bay, agent_bay)
        self.assertEqual(session.image_id, "linux_latest")
        self.assertEqual((await session.get_labels()).data, {"test": tag})
        await session.delete()

    async def test_get_finds_a_session(self) -> None:
        session = (await agent_bay.create()).session
        found = await agent_bay.get(session.session_id)
        self.assertTrue(found.success, found.error_message)
        self.assertEqual(found.session.session_id, session.session_id)
        self.assertEqual(output(await found.session.call_mcp_tool("shell", shell("echo hi")))
                         ["stdout"], "hi\n")
        await session.delete()

    async def test_get_unknown_session_fails(self) -> None:
        result = await agent_bay.get("session-doesnotexist0000000")
        self.assertFalse(result.success)
        self.assertIsNone(result.session)
        self.assertEqual(result.error_kind, "not_found")
        self.assertTrue(result.error_message)

    async def test_list_by_labels_and_status(self) -> None:
        tag = unique("list")
        sessions = [(await agent_bay.create(CreateSessionParams(labels={"batch": tag}))).session
                    for _ in range(3)]
        await sessions[0].pause()
        listed = await agent_bay.list(labels={"batch": tag})
        self.assertIsInstance(listed, SessionListResult)
        self.assertTrue(listed.success, listed.error_message)
        self.assertEqual(listed.total_count, 3)
        self.assertEqual({s["sessionId"] for s in listed.session_ids},
                         {s.session_id for s in sessions})
        paused = await agent_bay.list(labels={"batch": tag}, status="PAUSED")
        self.assertEqual(paused.session_ids,
                         [{"sessionId": sessions[0].session_id, "sessionStatus": "PAUSED"}])
        await sessions[0].resume()
        for session in sessions:
            await session.delete()

    async def test_list_pages(self) -> None:
        tag = unique("page")
        sessions = [(await agent_bay.create(CreateSessionParams(labels={"batch": tag}))).session
                    for _ in range(3)]
        first = await agent_bay.list(labels={"batch": tag}, limit=2)
        self.assertEqual((len(first.session_ids), first.max_results), (2, 2))
        self.assertTrue(first.next_token)
        rest = await agent_bay.list(labels={"batch": tag}, limit=2, next_token=first.next_token)
        page2 = await agent_bay.list(labels={"batch": tag}, limit=2, page=2)
        self.assertEqual(len(rest.session_ids), 1)
        self.assertEqual(rest.session_ids, page2.session_ids)
        for session in sessions:
            await session.delete()

    async def test_client_delete_returns_result(self) -> None:
        session = (await agent_bay.create()).session
        result = await agent_bay.delete(session)
        self.assertIsInstance(result, DeleteResult)
        self.assertTrue(result.success, result.error_message)
        again = await agent_bay.delete(session)
        self.assertFalse(again.success)
        self.assertEqual(again.error_kind, "not_found")


class SessionTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session

    async def asyncTearDown(self) -> None:
        await self.session.delete()  # a failed result if the test deleted it

    async def test_get_status(self) -> None:
        result = await self.session.get_status()
        self.assertIsInstance(result, SessionStatusResult)
        self.assertTrue(result.success, result.error_message)
        self.assertEqual(result.status, "RUNNING")

    async def test_labels(self) -> None:
        labels = {"project": "demo", "owner": "tests"}
        result = await self.session.set_labels(labels)
        self.assertIsInstance(result, OperationResult)
        self.assertTrue(result.success, result.error_message)
        got = await self.session.get_labels()
        self.assertTrue(got.success, got.error_message)
        self.assertEqual(got.data, labels)

    async def test_info(self) -> None:
        result = await self.session.info()
        self.assertTrue(result.success, result.error_message)
        self.assertIsInstance(result.data, SessionInfo)
        self.assertEqual(result.data.session_id, self.session.session_id)

    async def test_get_link(self) -> None:
        result = await self.session.get_link(port=30150)
        self.assertTrue(result.success, result.error_message)
        self.assertRegex(result.data, r"^https?://")
        https = await self.session.get_link(protocol_type="https", port=30100)
        self.assertTrue(https.success, https.error_message)

    async def test_list_mcp_tools(self) -> None:
        result = await self.session.list_mcp_tools()
        self.assertIsInstance(result, McpToolsResult)
        self.assertTrue(result.success, result.error_message)
        tools = {t.name: t for t in result.tools}
        self.assertTrue({"shell", "read_file", "write_file"} <= tools.keys(), tools.keys())
        shell_tool = tools["shell"]
        self.assertIsInstance(shell_tool, McpTool)
        self.assertTrue(shell_tool.description)
        self.assertTrue(shell_tool.server)
        self.assertIn("command", shell_tool.input_schema.get("properties", {}))

    async def test_shell(self) -> None:
        result = await self.session.call_mcp_tool("shell", shell("echo hello; echo oops >&2"))
        self.assertIsInstance(result, McpToolResult)
        self.assertTrue(result.success, result.error_message)
        self.assertEqual(output(result),
                         {**output(result), "stdout": "hello\n", "stderr": "oops\n", "exit_code": 0})

    async def test_shell_failure_is_a_failed_result(self) -> None:
        result = await self.session.call_mcp_tool("shell", shell("exit 3"))
        self.assertFalse(result.success)
        self.assertEqual(result.data, "")
        self.assertEqual(output(result)["exit_code"], 3)

    async def test_files(self) -> None:
        text = "first line\nsecond line: ünïcödé\n"
        written = await self.session.call_mcp_tool(
            "write_file", {"path": "/tmp/notes.txt", "content": text, "mode": "overwrite"})
        self.assertTrue(written.success, written.error_message)
        read = await self.session.call_mcp_tool("read_file", {"path": "/tmp/notes.txt"})
        self.assertTrue(read.success, read.error_message)
        self.assertEqual(read.data, text)

    async def test_call_with_timeouts(self) -> None:
        result = await self.session.call_mcp_tool("shell", shell("echo ok"), read_timeout=30000,
                                                  connect_timeout=5000)
        self.assertTrue(result.success, result.error_message)

    async def test_read_timeout(self) -> None:
        result = await self.session.call_mcp_tool("shell", shell("sleep 5"), read_timeout=250)
        self.assertFalse(result.success)
        self.assertEqual(result.error_kind, "timeout")

    async def test_command_timeout_is_a_tool_failure(self) -> None:
        result = await self.session.call_mcp_tool("shell", shell("sleep 5", timeout_ms=200))
        self.assertFalse(result.success)
        self.assertEqual(result.error_kind, "")  # the tool reported it, not the library
        self.assertEqual(output(result)["exit_code"], 124)

    async def test_unknown_tool_fails(self) -> None:
        result = await self.session.call_mcp_tool("no_such_tool", {})
        self.assertFalse(result.success)
        self.assertTrue(result.error_message)

    async def test_pause_and_resume(self) -> None:
        paused = await self.session.pause()
        self.assertIsInstance(paused, SessionPauseResult)
        self.assertTrue(paused.success, paused.error_message)
        self.assertEqual(paused.status, "PAUSED")
        self.assertEqual((await self.session.get_status()).status, "PAUSED")
        refused = await self.session.call_mcp_tool("shell", shell("echo hi"))
        self.assertFalse(refused.success)
        self.assertIn("PAUSED", refused.error_message)
        resumed = await self.session.resume(timeout=60, poll_interval=0.5)
        self.assertIsInstance(resumed, SessionResumeResult)
        self.assertTrue(resumed.success, resumed.error_message)
        self.assertEqual(resumed.status, "RUNNING")
        self.assertTrue((await self.session.call_mcp_tool("shell", shell("true"))).success)

    async def test_pause_async_and_resume_async(self) -> None:
        started = await self.session.pause_async()
        self.assertTrue(started.success, started.error_message)
        self.assertIn(started.status, ("PAUSING", "PAUSED"))
        self.assertTrue(await eventually(self._status_is("PAUSED")))
        started = await self.session.resume_async()
        self.assertIsInstance(started, SessionResumeResult)
        self.assertIn(started.status, ("RESUMING", "RUNNING"))
        self.assertTrue(await eventually(self._status_is("RUNNING")))

    async def test_beta_names_of_later_sdks(self) -> None:
        paused = await self.session.beta_pause(timeout=60, poll_interval=0.5)
        self.assertEqual((paused.success, paused.status), (True, "PAUSED"))
        resumed = await self.session.beta_resume()
        self.assertEqual((resumed.success, resumed.status), (True, "RUNNING"))
        started = await self.session.beta_pause_async()
        self.assertIn(started.status, ("PAUSING", "PAUSED"))
        self.assertTrue(await eventually(self._status_is("PAUSED")))
        started = await self.session.beta_resume_async()
        self.assertIn(started.status, ("RESUMING", "RUNNING"))
        self.assertTrue(await eventually(self._status_is("RUNNING")))

    def _status_is(self, want: str):
        async def probe() -> bool:
            return (await self.session.get_status()).status == want
        return probe

    async def test_session_from_id(self) -> None:
        again = AsyncSession(agent_bay, self.session.session_id)
        self.assertEqual(again.session_id, self.session.session_id)
        self.assertEqual((await again.get_status()).status, "RUNNING")

    async def test_delete_then_session_is_gone(self) -> None:
        result = await self.session.delete()
        self.assertIsInstance(result, DeleteResult)
        self.assertTrue(result.success, result.error_message)
        status = await self.session.get_status()
        self.assertFalse(status.success)
        self.assertEqual(status.error_kind, "not_found")
        call = await self.session.call_mcp_tool("shell", shell("true"))
        self.assertFalse(call.success)
        # As the official SDK does (whatever its docs say): a failed result.
        again = await self.session.delete()
        self.assertFalse(again.success)
        self.assertEqual(again.error_kind, "not_found")
        with self.assertRaises(SessionError) as caught:
            await self.session.get_labels()
        self.assertEqual(caught.exception.error_kind, "not_found")
        self.assertIsInstance(caught.exception, AgentBayError)


if __name__ == "__main__":
    unittest.main()
