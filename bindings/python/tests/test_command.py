"""session.command: the official SDK's execute_command and its results, on
the embedded backend, in both APIs."""

from __future__ import annotations

import unittest

from agentbay import AgentBay, AsyncAgentBay, CommandResult

from .helpers import module_client

agent_bay: AsyncAgentBay  # the module's client, made by setUpModule
setUpModule, tearDownModule = module_client(__name__)


class CommandTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session
        self.command = self.session.command

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    async def test_success(self) -> None:
        r = await self.command.execute_command("echo out; echo err >&2")
        self.assertIsInstance(r, CommandResult)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual((r.exit_code, r.stdout, r.stderr, r.output), (0, "out\n", "err\n", "out\nerr\n"))
        self.assertTrue(r.request_id)

    async def test_non_zero_exit_is_a_failed_result(self) -> None:
        r = await self.command.execute_command("echo partial; echo why >&2; exit 5")
        self.assertFalse(r.success)
        self.assertEqual((r.exit_code, r.stdout, r.error_message), (5, "partial\n", "why\n"))
        self.assertEqual(r.error_kind, "")  # the call went through

    async def test_cwd_and_envs(self) -> None:
        r = await self.command.execute_command('echo "$A-$B"; pwd', 5000, cwd="/tmp",
                                               envs={"A": "one", "B": "two"})
        self.assertTrue(r.success, r.error_message)
        self.assertIn("one-two\n", r.stdout)
        self.assertIn("/tmp", r.stdout)

    async def test_timeout_kills_the_command(self) -> None:
        r = await self.command.execute_command("echo started; sleep 30", timeout_ms=300)
        self.assertFalse(r.success)
        self.assertEqual((r.exit_code, r.stdout), (124, "started\n"))

    async def test_bad_envs_raise_value_error(self) -> None:
        # As the official SDK: ValueError, with every bad entry named.
        with self.assertRaises(ValueError) as caught:
            await self.command.execute_command("true", envs={"A": 1, "B": "ok", "C": None})
        self.assertEqual(str(caught.exception),
                         "Invalid environment variables: all keys and values must be strings. "
                         "Found invalid entries: value for key 'A' (type: number), "
                         "value for key 'C' (type: null)")

    async def test_bad_arguments_give_failed_results(self) -> None:
        for kwargs, message in (({"command": ""}, "command is required"),
                                ({"command": 5}, "command must be a string, got 5"),
                                ({"command": "true", "timeout_ms": -1}, "timeout_ms must be"),
                                ({"command": "true", "cwd": 7}, "cwd must be a string")):
            with self.subTest(**kwargs):
                r = await self.command.execute_command(**kwargs)
                self.assertFalse(r.success)
                self.assertEqual((r.error_kind, r.exit_code), ("invalid_argument", 1))
                self.assertIn(message, r.error_message)

    async def test_gone_session(self) -> None:
        session = (await agent_bay.create()).session
        await session.delete()
        r = await session.command.execute_command("true")
        self.assertFalse(r.success)
        self.assertEqual((r.error_kind, r.exit_code), ("not_found", 1))


class SyncCommandTest(unittest.TestCase):
    def test_execute_command(self) -> None:
        with AgentBay() as client:
            session = client.create().session
            r = session.command.execute_command("echo sync")
            self.assertTrue(r.success, r.error_message)
            self.assertEqual(r.stdout, "sync\n")
            self.assertIs(session.command.session, session)
            session.delete()


class ProcessTest(unittest.IsolatedAsyncioTestCase):
    """session.command.start: a background command, its wait and kill."""

    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    async def test_wait_gives_the_exit_code(self) -> None:
        proc = await self.session.command.start("echo hi; exit 7")
        self.assertTrue(proc.process_id)
        r = await proc.wait()
        self.assertIsInstance(r, CommandResult)
        self.assertEqual((r.success, r.exit_code, r.stdout), (False, 7, "hi\n"))

    async def test_kill_ends_a_running_command(self) -> None:
        proc = await self.session.command.start("sleep 600")
        self.assertTrue((await proc.kill()).success)
        r = await proc.wait()
        self.assertEqual((r.exit_code, r.error_message), (137, "the command was killed"))

    async def test_bad_ids_and_arguments(self) -> None:
        from agentbay import AsyncProcess, SessionError
        r = await AsyncProcess(self.session, "cmd-999").wait()
        self.assertFalse(r.success)
        self.assertIn('no background command has id "cmd-999"', r.error_message)
        self.assertEqual(r.error_kind, "invalid_argument")
        k = await AsyncProcess(self.session, "nope").kill()
        self.assertFalse(k.success)
        with self.assertRaises(SessionError) as cm:
            await self.session.command.start("")
        self.assertEqual(cm.exception.error_kind, "invalid_argument")


class SyncProcessTest(unittest.TestCase):
    def test_start_wait_kill(self) -> None:
        with AgentBay() as ab:
            session = ab.create().session
            try:
                proc = session.command.start("echo sync")
                self.assertEqual(proc.wait().stdout, "sync\n")
                proc = session.command.start("sleep 600")
                proc.kill()
                self.assertEqual(proc.wait().exit_code, 137)
            finally:
                session.delete()


class StreamTest(unittest.IsolatedAsyncioTestCase):
    """Streamed output: in order, every byte once, a chunk before the end."""

    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    async def test_chunks_come_before_the_end(self) -> None:
        from agentbay import OutputChunk
        # The command waits for a file that is written only once the first
        # chunk has come.
        proc = await self.session.command.start(
            "echo first; echo e1 >&2; while [ ! -e /tmp/py-go ]; do sleep 0.01; done; echo second; exit 2")
        out, err, released = "", "", False
        async for chunk in proc.chunks():
            self.assertIsInstance(chunk, OutputChunk)
            if chunk.stream == "stdout":
                out += chunk.text
            else:
                err += chunk.text
            if not released and "first\n" in out:
                released = True
                self.assertTrue((await self.session.file_system.write_file("/tmp/py-go", "")).success)
        self.assertTrue(released)
        self.assertEqual((out, err), ("first\nsecond\n", "e1\n"))
        r = await proc.wait()
        self.assertEqual((r.exit_code, r.stdout, r.stderr), (2, "first\nsecond\n", "e1\n"))
        self.assertEqual([c async for c in proc.chunks()], [])

    async def test_execute_command_callbacks(self) -> None:
        out: list = []
        err: list = []
        r = await self.session.command.execute_command(
            "seq 1 20000; echo oops >&2", on_stdout=out.append, on_stderr=err.append)
        self.assertTrue(r.success, r.error_message)
        want = "".join(f"{i}\n" for i in range(1, 20001))
        self.assertEqual("".join(out), want)
        self.assertEqual("".join(err), "oops\n")
        self.assertEqual(r.stdout, want)

    async def test_bad_process_raises(self) -> None:
        from agentbay import AsyncProcess, SessionError
        with self.assertRaises(SessionError) as cm:
            async for _ in AsyncProcess(self.session, "cmd-999").chunks():
                pass
        self.assertEqual(cm.exception.error_kind, "invalid_argument")
        self.assertIn("cmd-999", str(cm.exception))


class SyncStreamTest(unittest.TestCase):
    def test_sync_chunks_and_callbacks(self) -> None:
        with AgentBay() as ab:
            session = ab.create().session
            try:
                proc = session.command.start("echo a; echo b >&2")
                got = sorted(c for c in proc.chunks())
                self.assertEqual(got, [("stderr", "b\n"), ("stdout", "a\n")])
                lines: list = []
                r = session.command.execute_command("echo x", on_stdout=lines.append)
                self.assertEqual((r.exit_code, "".join(lines)), (0, "x\n"))
            finally:
                session.delete()
