"""asyncio calls complete through the library's completion queue: one per
event loop, drained by the loop's reader on the loop's thread; cancelling a
task cancels its operation; the queue and its descriptor go when the loop
shuts down or the last client closes."""

from __future__ import annotations

import asyncio
import ctypes
import os
import threading
import unittest

from agentbay import AsyncAgentBay, _native

from .helpers import eventually, output, shell, unique


def open_fds() -> set:
    return set(os.listdir("/proc/self/fd"))


class QueuePathTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.assertTrue(_native._use_queue, "AGENTBAY_ASYNC_COMPLETIONS=callback is set")
        self.client = AsyncAgentBay()
        self.session = (await self.client.create()).session

    async def asyncTearDown(self) -> None:
        await self.session.delete()
        await self.client.aclose()

    async def test_many_concurrent_calls_complete_through_the_queue(self) -> None:
        loop = asyncio.get_running_loop()
        await self.session.set_labels({"q": "1"})
        threads = set()
        settle = _native._LoopQueue.drain

        def drain(q: _native._LoopQueue) -> None:  # records the thread it runs on
            threads.add(threading.get_ident())
            settle(q)

        _native._LoopQueue.drain = drain
        try:
            q = _native._queues[loop]
            q.loop.remove_reader(q.fd)
            q.loop.add_reader(q.fd, q.drain)
            calls = [self.session.get_labels() for _ in range(300)]
            calls += [self.session.call_mcp_tool("shell", shell("sleep 0.2; echo hi"))
                      for _ in range(20)]
            tasks = [asyncio.ensure_future(c) for c in calls]
            await asyncio.sleep(0)  # all started
            self.assertEqual(len(_native._pending), 0)  # no callback path
            self.assertGreater(len(q.futures), 0)
            results = await asyncio.gather(*tasks)
        finally:
            _native._LoopQueue.drain = settle
        self.assertTrue(all(r.success for r in results))
        self.assertTrue(all(r.data == {"q": "1"} for r in results[:300]))
        self.assertTrue(all(output(r)["stdout"] == "hi\n" for r in results[300:]))
        self.assertEqual(threads, {threading.get_ident()})  # the loop's thread only
        self.assertIs(_native._queues[loop], q)  # one queue for the loop
        self.assertEqual(_native.pending_count(), 0)

    async def test_cancelling_a_task_cancels_its_operation(self) -> None:
        tag = unique("qcancel")
        command = "sleep 28.7713"
        tasks = [asyncio.create_task(self.session.call_mcp_tool(
            "shell", shell(f"touch started.{tag}.{i}; {command}; touch finished.{tag}",
                           timeout_ms=40000))) for i in range(10)]

        async def all_started() -> bool:
            r = await self.session.call_mcp_tool(
                "shell", shell(f"ls started.{tag}.* 2>/dev/null | wc -l"))
            return r.success and int(output(r)["stdout"]) == 10

        self.assertTrue(await eventually(all_started))
        for t in tasks:
            t.cancel()
        done, _ = await asyncio.wait(tasks, timeout=60)  # only bounds a hang
        self.assertEqual(len(done), 10)
        self.assertTrue(all(t.cancelled() for t in tasks))
        self.assertTrue(await eventually(self._no_pending))

        async def killed() -> bool:  # the backend kills a cancelled call's processes soon after
            ps = await self.session.call_mcp_tool("shell", shell("ps -eo args"))
            return command not in output(ps)["stdout"]

        self.assertTrue(await eventually(killed))
        r = await self.session.call_mcp_tool("shell", shell(f"ls finished.{tag} || true"))
        self.assertEqual(output(r)["stdout"], "")

    async def test_every_operation_handle_is_freed(self) -> None:
        # Through ab_queue_take, which frees the handles of what it delivers,
        # and ab_op_free for the cancelled: finished, failed and cancelled
        # calls all leave the handle count where it was.
        count = _native.library().ab_debug_handle_count
        count.restype = ctypes.c_int64
        await self.session.get_labels()  # the loop's queue exists
        before = count()
        results = await asyncio.gather(*(self.session.get_labels() for _ in range(50)))
        self.assertTrue(all(r.success for r in results))
        failed = await self.session.call_mcp_tool("no_such_tool", {})
        self.assertFalse(failed.success)
        tasks = [asyncio.create_task(self.session.call_mcp_tool(
            "shell", shell("sleep 30", timeout_ms=40000))) for _ in range(5)]
        await asyncio.sleep(0.05)
        for t in tasks:
            t.cancel()
        await asyncio.wait(tasks, timeout=60)  # only bounds a hang
        self.assertTrue(all(t.cancelled() for t in tasks))

        async def back_to_before() -> bool:
            return count() == before

        self.assertTrue(await eventually(back_to_before), (count(), before))

    async def test_cancelled_after_its_result_was_taken(self) -> None:
        # The task is cancelled between the take (which freed its op) and
        # its next step: CancelledError, one cancel of a freed handle (a
        # no-op), no second free, no handle left.
        count = _native.library().ab_debug_handle_count
        count.restype = ctypes.c_int64
        await self.session.get_labels()
        q = _native._queues[asyncio.get_running_loop()]
        before, raced = count(), 0
        for _ in range(20):
            task = asyncio.create_task(self.session.get_labels())
            await asyncio.sleep(0)  # started
            while q.futures:  # until the reader has taken its completion
                await asyncio.sleep(0)
            if not task.done():
                raced += 1
                task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        self.assertGreater(raced, 0)  # the window was hit
        self.assertEqual(count(), before)

    async def test_a_library_without_take_drains(self) -> None:
        # A library of the same ABI that predates ab_queue_take: the drain
        # path, which frees each result, error and op handle itself.
        count = _native.library().ab_debug_handle_count
        count.restype = ctypes.c_int64
        await self.session.set_labels({"q": "drained"})
        q = _native._queues[asyncio.get_running_loop()]
        q.use_take(False)
        try:
            before = count()
            results = await asyncio.gather(*(self.session.get_labels() for _ in range(20)))
            failed = await self.session.call_mcp_tool("no_such_tool", {})
            self.assertEqual(count(), before)
        finally:
            q.use_take(True)
        self.assertTrue(all(r.data == {"q": "drained"} for r in results))
        self.assertFalse(failed.success)
        self.assertTrue(failed.error_message)

    @staticmethod
    async def _no_pending() -> bool:
        return _native.pending_count() == 0


class QueueLifetimeTest(unittest.TestCase):
    def test_closing_the_last_client_frees_the_queue(self) -> None:
        before = open_fds()

        async def main() -> None:
            async with AsyncAgentBay() as client:
                session = (await client.create()).session
                await session.get_status()
                self.assertIn(asyncio.get_running_loop(), _native._queues)
                await session.delete()
            if _native._open_clients == 0:  # no other test's client is left open
                self.assertNotIn(asyncio.get_running_loop(), _native._queues)

        for _ in range(5):
            asyncio.run(main())
        self.assertEqual(_native.queue_count(), 0)
        self.assertLessEqual(open_fds() - before, set())

    def test_a_loop_shutting_down_frees_its_queue(self) -> None:
        # A client that outlives its loops (as a module-level client in a
        # test suite does): each loop's queue goes as the loop shuts down.
        client = AsyncAgentBay()
        try:
            session = asyncio.run(client.create()).session
            before = open_fds()
            for _ in range(20):
                r = asyncio.run(session.get_status())
                self.assertTrue(r.success)
                self.assertEqual(_native.queue_count(), 0)
            self.assertLessEqual(open_fds() - before, set())

            # A loop closed without shutting its generators down: its queue
            # goes when the next loop makes one.
            loop = asyncio.new_event_loop()
            loop.run_until_complete(session.get_status())
            loop.close()
            self.assertEqual(_native.queue_count(), 1)
            asyncio.run(session.get_status())
            self.assertEqual(_native.queue_count(), 0)
            asyncio.run(session.delete())
        finally:
            client.close()
        self.assertEqual(_native.queue_count(), 0)

    def test_close_from_another_thread(self) -> None:
        async def main() -> None:
            client = AsyncAgentBay()
            session = (await client.create()).session
            task = asyncio.create_task(session.call_mcp_tool("shell", shell("sleep 20")))
            await asyncio.sleep(0.2)
            await asyncio.get_running_loop().run_in_executor(None, client.close)
            result = await asyncio.wait_for(task, 30)  # only bounds a hang
            self.assertEqual(result.error_kind, "cancelled")
            await asyncio.sleep(0.05)  # the close_soon the other thread sent
            if _native._open_clients == 0:
                self.assertNotIn(asyncio.get_running_loop(), _native._queues)

        asyncio.run(main())
        self.assertEqual(_native.queue_count(), 0)


if __name__ == "__main__":
    unittest.main()
