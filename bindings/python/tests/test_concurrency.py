"""Many operations in flight, cancellation, and closing with work in flight."""

from __future__ import annotations

import asyncio
import time
import unittest

from agentbay import AgentBayError, AsyncAgentBay, _native

from .helpers import eventually, output, shell

agent_bay: AsyncAgentBay


def setUpModule() -> None:
    global agent_bay
    agent_bay = AsyncAgentBay()


def tearDownModule() -> None:
    agent_bay.close()


class ConcurrencyTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    async def test_200_operations_in_flight(self) -> None:
        await self.session.set_labels({"n": "200"})
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        beat = asyncio.create_task(ticker())
        calls = [self.session.get_labels() for _ in range(150)]
        calls += [self.session.call_mcp_tool("shell", shell(f"echo {i}")) for i in range(50)]
        results = await asyncio.gather(*calls)
        beat.cancel()
        self.assertTrue(all(r.success for r in results), [r.error_message for r in results
                                                            if not r.success][:3])
        self.assertTrue(all(r.data == {"n": "200"} for r in results[:150]))
        self.assertEqual([output(r)["stdout"] for r in results[150:]],
                         [f"{i}\n" for i in range(50)])
        self.assertGreater(ticks, 0, "the event loop was blocked while calls were in flight")
        self.assertEqual(_native.pending_count(), 0)

    async def test_cancelling_the_task_cancels_the_operation(self) -> None:
        # An unusual duration, so that the process list check below cannot
        # be confused by other programs' sleeps on a shared machine.
        command = "sleep 29.4871"
        task = asyncio.create_task(
            self.session.call_mcp_tool("shell", shell(command, timeout_ms=40000)))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task
        self.assertLess(time.monotonic() - started, 0.5)
        self.assertTrue(await eventually(self._no_pending, timeout=5))
        # The session is still usable, and the cancelled command was stopped.
        ps = await self.session.call_mcp_tool("shell", shell("ps -eo args"))
        self.assertTrue(ps.success, ps.error_message)
        self.assertNotIn(command, output(ps)["stdout"])

    async def test_wait_for_timeout_cancels(self) -> None:
        with self.assertRaises(asyncio.TimeoutError):
            await asyncio.wait_for(
                self.session.call_mcp_tool("shell", shell("sleep 30", timeout_ms=40000)), 0.2)
        self.assertTrue(await eventually(self._no_pending, timeout=5))

    @staticmethod
    async def _no_pending() -> bool:
        return _native.pending_count() == 0


class CloseInFlightTest(unittest.IsolatedAsyncioTestCase):
    async def test_close_with_operations_in_flight(self) -> None:
        client = AsyncAgentBay()
        session = (await client.create()).session
        calls = [asyncio.create_task(session.call_mcp_tool("shell", shell("sleep 20")))
                 for _ in range(5)]
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await client.aclose()
        results = await asyncio.wait_for(asyncio.gather(*calls), 5)
        self.assertLess(time.monotonic() - started, 5)
        for result in results:
            self.assertFalse(result.success)
            self.assertEqual(result.error_kind, "cancelled")
        with self.assertRaises(AgentBayError):
            await session.get_status()
        self.assertEqual(_native.pending_count(), 0)


if __name__ == "__main__":
    unittest.main()
