"""Many operations in flight, cancellation, and closing with work in flight."""

from __future__ import annotations

import asyncio
import unittest
from typing import Any, Dict

from agentbay import AgentBayError, AsyncAgentBay, _native

from .helpers import eventually, module_client, output, shell, unique

agent_bay: AsyncAgentBay  # the module's client, made by setUpModule
setUpModule, tearDownModule = module_client(__name__)


class ConcurrencyTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    async def test_200_operations_in_flight(self) -> None:
        # The 50 commands are a barrier: each leaves a start marker, then
        # waits for a go file that a call made from this loop creates only
        # once all 50 markers are there. So the gather ends only if all 50
        # commands were running at once and the loop stayed free to make
        # more calls meanwhile (the commands' own timeout bounds a hang).
        await self.session.set_labels({"n": "200"})
        tag = unique("barrier")

        def waiter(i: int) -> Dict[str, Any]:
            return shell(f"touch started.{tag}.{i}; "
                         f"while [ ! -e go.{tag} ]; do sleep 0.1; done; echo {i}",
                         timeout_ms=60000)

        async def all_started() -> bool:
            r = await self.session.call_mcp_tool(
                "shell", shell(f"ls started.{tag}.* 2>/dev/null | wc -l"))
            return r.success and int(output(r)["stdout"]) == 50

        async def release() -> None:
            self.assertTrue(await eventually(all_started, timeout=50), "not all 50 started")
            go = await self.session.call_mcp_tool("shell", shell(f"touch go.{tag}"))
            self.assertTrue(go.success, go.error_message)

        calls = [self.session.get_labels() for _ in range(150)]
        calls += [self.session.call_mcp_tool("shell", waiter(i)) for i in range(50)]
        *results, _ = await asyncio.gather(*calls, release())
        self.assertTrue(all(r.success for r in results), [r.error_message for r in results
                                                            if not r.success][:3])
        self.assertTrue(all(r.data == {"n": "200"} for r in results[:150]))
        self.assertEqual([output(r)["stdout"] for r in results[150:]],
                         [f"{i}\n" for i in range(50)])
        self.assertEqual(_native.pending_count(), 0)

    async def test_cancelling_the_task_cancels_the_operation(self) -> None:
        # An unusual duration, so that the process list check below cannot
        # be confused by other programs' sleeps on a shared machine. The
        # task is cancelled once the command is seen running; had the
        # cancel waited for the command instead, "finished" would exist.
        tag = unique("cancel")
        command = "sleep 29.4871"
        task = asyncio.create_task(self.session.call_mcp_tool(
            "shell", shell(f"touch started.{tag}; {command}; touch finished.{tag}",
                           timeout_ms=40000)))
        self.assertTrue(await eventually(lambda: self._exists(f"started.{tag}")))
        self.assertFalse(task.done())
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=60)  # only bounds a hang
        self.assertIn(task, done)
        self.assertTrue(task.cancelled())
        self.assertTrue(await eventually(self._no_pending))
        # The session is still usable, and the cancelled command was stopped.
        ps = await self.session.call_mcp_tool("shell", shell("ps -eo args"))
        self.assertTrue(ps.success, ps.error_message)
        self.assertNotIn(command, output(ps)["stdout"])
        self.assertFalse(await self._exists(f"finished.{tag}"))

    async def test_wait_for_timeout_cancels(self) -> None:
        with self.assertRaises(asyncio.TimeoutError):
            await asyncio.wait_for(
                self.session.call_mcp_tool("shell", shell("sleep 30", timeout_ms=40000)), 0.2)
        self.assertTrue(await eventually(self._no_pending))

    async def _exists(self, path: str) -> bool:
        r = await self.session.call_mcp_tool("shell", shell(f"test -e {path}"))
        return output(r)["exit_code"] == 0

    @staticmethod
    async def _no_pending() -> bool:
        return _native.pending_count() == 0


class CloseInFlightTest(unittest.IsolatedAsyncioTestCase):
    async def test_close_with_operations_in_flight(self) -> None:
        # The client is closed once the five commands are seen running; the
        # calls end cancelled, not with the commands' results.
        client = AsyncAgentBay()
        session = (await client.create()).session
        tag = unique("close")
        calls = [asyncio.create_task(session.call_mcp_tool(
                     "shell", shell(f"touch started.{tag}.{i}; sleep 20")))
                 for i in range(5)]

        async def all_started() -> bool:
            r = await session.call_mcp_tool(
                "shell", shell(f"ls started.{tag}.* 2>/dev/null | wc -l"))
            return r.success and int(output(r)["stdout"]) == 5

        self.assertTrue(await eventually(all_started))
        self.assertFalse(any(c.done() for c in calls))
        await client.aclose()
        results = await asyncio.wait_for(asyncio.gather(*calls), 60)  # only bounds a hang
        for result in results:
            self.assertFalse(result.success)
            self.assertEqual(result.error_kind, "cancelled")
        with self.assertRaises(AgentBayError):
            await session.get_status()
        self.assertEqual(_native.pending_count(), 0)


if __name__ == "__main__":
    unittest.main()
