"""on_status of pause, resume and delete: on an embedded backend whose
transitions take 300 ms (Config(emulate=...)), each status is reported once,
in order, before the call returns; on the loop's thread (asyncio) or the
calling thread (blocking). Orders and counts, never timings."""

from __future__ import annotations

import asyncio
import threading
import unittest
from typing import List

from agentbay import AgentBay, AgentBayError, AsyncAgentBay, Config, StatusEvent

EMULATE = {"pause": "300ms", "resume": "300ms", "delete": "300ms"}


def statuses(events: List[StatusEvent]) -> List[str]:
    return [e.status for e in events]


class AsyncStatusEventsTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.agent_bay = AsyncAgentBay(cfg=Config(endpoint="embedded", emulate=EMULATE))

    async def asyncTearDown(self) -> None:
        await self.agent_bay.aclose()

    async def test_pause_resume_delete(self) -> None:
        session = (await self.agent_bay.create()).session
        loop_thread = threading.get_ident()
        events: List[StatusEvent] = []
        threads = set()

        def on_status(e: StatusEvent) -> None:
            events.append(e)
            threads.add(threading.get_ident())

        r = await session.pause(on_status=on_status)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(statuses(events), ["PAUSING", "PAUSED"])
        self.assertEqual(events[0].reads, 1)
        self.assertGreater(events[1].reads, 1)
        self.assertEqual(threads, {loop_thread})

        events.clear()
        r = await session.resume(on_status=on_status)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(statuses(events), ["RESUMING", "RUNNING"])

        events.clear()
        r = await session.delete(on_status=on_status)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(statuses(events), ["DELETING", "DELETED"])

    async def test_cancel_and_raising_callback(self) -> None:
        session = (await self.agent_bay.create()).session
        events: List[StatusEvent] = []
        task = asyncio.create_task(session.pause(on_status=events.append))
        while not events:
            await asyncio.sleep(0.01)
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.5)
        self.assertEqual(statuses(events), ["PAUSING"], "nothing after the cancel")

        def boom(e: StatusEvent) -> None:
            raise RuntimeError("boom")

        with self.assertLogs("agentbay", "ERROR"):
            r = await session.resume(on_status=boom)  # from PAUSED, once it is there
        self.assertTrue(r.success, r.error_message)

    async def test_bad_arguments(self) -> None:
        session = (await self.agent_bay.create()).session
        r = await session.pause(on_status="print")  # type: ignore[arg-type]
        self.assertFalse(r.success)
        self.assertEqual(r.error_kind, "invalid_argument")
        with self.assertRaises(AgentBayError):
            AsyncAgentBay(cfg=Config(endpoint="embedded", emulate={"pause": "soon"}))
        with self.assertRaises(AgentBayError):
            AsyncAgentBay("key", cfg=Config(endpoint="http://127.0.0.1:9", emulate=EMULATE))


class SyncStatusEventsTest(unittest.TestCase):
    def test_pause_resume(self) -> None:
        agent_bay = AgentBay(cfg=Config(emulate=EMULATE))
        try:
            session = agent_bay.create().session
            events: List[StatusEvent] = []
            threads = set()

            def on_status(e: StatusEvent) -> None:
                events.append(e)
                threads.add(threading.get_ident())

            self.assertTrue(session.pause(on_status=on_status).success)
            self.assertEqual(statuses(events), ["PAUSING", "PAUSED"])
            events.clear()
            self.assertTrue(session.resume(on_status=on_status).success)
            self.assertEqual(statuses(events), ["RESUMING", "RUNNING"])
            self.assertEqual(threads, {threading.get_ident()})
        finally:
            agent_bay.close()


if __name__ == "__main__":
    unittest.main()
