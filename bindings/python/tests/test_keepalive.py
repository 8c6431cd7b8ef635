"""session.keep_alive and CreateSessionParams(idle_release_timeout=...): the
embedded backend releases a session idle for longer than its timeout, and
says why; in both APIs."""

from __future__ import annotations

import asyncio
import time
import unittest

from agentbay import AgentBay, AsyncAgentBay, CreateSessionParams, OperationResult

from .helpers import module_client

agent_bay: AsyncAgentBay  # the module's client, made by setUpModule
setUpModule, tearDownModule = module_client(__name__)


class KeepAliveTest(unittest.IsolatedAsyncioTestCase):
    async def test_keep_alive(self) -> None:
        session = (await agent_bay.create()).session
        r = await session.keep_alive()
        self.assertIsInstance(r, OperationResult)
        self.assertTrue(r.success, r.error_message)
        self.assertTrue(r.request_id)
        await session.delete()
        r = await session.keep_alive()
        self.assertFalse(r.success)
        self.assertEqual(r.error_kind, "not_found")

    async def test_idle_session_is_released(self) -> None:
        created = await agent_bay.create(CreateSessionParams(idle_release_timeout=1))
        self.assertTrue(created.success, created.error_message)
        session = created.session
        # Wait for the release itself; the deadline only bounds a hang.
        deadline = time.monotonic() + 30
        while True:
            status = await session.get_status()
            self.assertTrue(status.success, status.error_message)
            if status.status == "FINISH":
                break
            self.assertLess(time.monotonic(), deadline, f"not released: {status.status}")
            await asyncio.sleep(0.02)
        self.assertEqual(status.end_reason, "IdleTimeout")
        r = await session.keep_alive()
        self.assertFalse(r.success)
        self.assertEqual(r.error_kind, "not_found")
        self.assertIn("released after 1s without activity", r.error_message)
        got = await agent_bay.get(session.session_id)
        self.assertFalse(got.success)

    async def test_bad_timeout_is_a_failed_result(self) -> None:
        for value, shown in ((0, "0"), (-5, "-5"), (1.5, "1.5"), ("60", "60")):
            with self.subTest(value=value):
                r = await agent_bay.create(CreateSessionParams(idle_release_timeout=value))  # type: ignore[arg-type]
                self.assertFalse(r.success)
                self.assertEqual(r.error_kind, "invalid_argument")
                self.assertIn("idle_release_timeout must be", r.error_message)
                self.assertIn(shown, r.error_message)


class SyncKeepAliveTest(unittest.TestCase):
    def test_keep_alive(self) -> None:
        with AgentBay() as client:
            session = client.create(CreateSessionParams(idle_release_timeout=600)).session
            self.assertTrue(session.keep_alive().success)
            self.assertEqual(session.get_status().end_reason, "")
            session.delete()
