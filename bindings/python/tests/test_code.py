"""session.code: the official SDK's run_code and its results, on the
embedded backend, in both APIs."""

from __future__ import annotations

import shutil
import unittest

from agentbay import AgentBay, AsyncAgentBay, EnhancedCodeExecutionResult

agent_bay: AsyncAgentBay


def setUpModule() -> None:
    global agent_bay
    if shutil.which("python3") is None:
        raise unittest.SkipTest("python3 is not installed")
    agent_bay = AsyncAgentBay()


def tearDownModule() -> None:
    agent_bay.close()


class CodeTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session
        self.code = self.session.code

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    async def test_success(self) -> None:
        r = await self.code.run_code("print(6 * 7)", "python")
        self.assertIsInstance(r, EnhancedCodeExecutionResult)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual((r.result, r.logs.stdout, r.logs.stderr), ("42\n", ["42\n"], []))
        self.assertIsNone(r.error)
        self.assertIsInstance(r.execution_count, int)
        self.assertTrue(r.request_id)

    async def test_aliases_and_case(self) -> None:
        for language in ("Python3", " py ", "PYTHON"):
            with self.subTest(language=language):
                r = await self.code.run_code("print('ok')", language)
                self.assertTrue(r.success, r.error_message)
        if shutil.which("node"):
            r = await self.code.run(" console.log([1, 2].map(x => x * 2).join(','))", "nodejs")
            self.assertTrue(r.success, r.error_message)
            self.assertEqual(r.result, "2,4\n")

    async def test_exception_is_a_failed_result(self) -> None:
        r = await self.code.run_code("print('before')\n1/0", "python")
        self.assertFalse(r.success)
        self.assertEqual(r.error_message, "ZeroDivisionError: division by zero")
        self.assertIsNotNone(r.error)
        assert r.error is not None
        self.assertEqual((r.error.name, r.error.value), ("ExecutionError", r.error_message))
        self.assertEqual(r.logs.stdout, ["before\n"])
        self.assertIn("Traceback", "".join(r.logs.stderr))
        self.assertEqual(r.error_kind, "")  # the call went through

    async def test_timeout_stops_the_code(self) -> None:
        r = await self.code.run_code("import time\ntime.sleep(30)", "python", timeout_s=1)
        self.assertFalse(r.success)
        self.assertIn("timed out", r.error_message)

    async def test_unsupported_language_is_a_failed_result(self) -> None:
        # As in the official SDK: no exception, its message.
        r = await self.code.run_code("puts 1", "ruby")
        self.assertFalse(r.success)
        self.assertEqual(r.error_message, "Unsupported language: ruby. Supported languages are "
                                          "'python', 'javascript', 'r', and 'java'")
        self.assertEqual((r.error_kind, r.request_id), ("invalid_argument", ""))

    async def test_bad_arguments_give_failed_results(self) -> None:
        for kwargs, message in (({"code": "", "language": "python"}, "code is required"),
                                ({"code": 5, "language": "python"}, "code must be a string, got 5"),
                                ({"code": "1", "language": None}, "language is required"),
                                ({"code": "1", "language": "python", "timeout_s": 0},
                                 "timeout_s must be a positive integer of seconds, got 0"),
                                ({"code": "1", "language": "python", "timeout_s": 1.5},
                                 "timeout_s must be a positive integer of seconds, got 1.5")):
            with self.subTest(**kwargs):
                r = await self.code.run_code(**kwargs)
                self.assertFalse(r.success)
                self.assertEqual(r.error_kind, "invalid_argument")
                self.assertEqual(r.error_message, message)

    async def test_gone_session(self) -> None:
        session = (await agent_bay.create()).session
        await session.delete()
        r = await session.code.run_code("print(1)", "python")
        self.assertFalse(r.success)
        self.assertEqual(r.error_kind, "not_found")


class SyncCodeTest(unittest.TestCase):
    def test_run_code(self) -> None:
        with AgentBay() as client:
            session = client.create().session
            r = session.code.run_code("print('sync')", "python")
            self.assertTrue(r.success, r.error_message)
            self.assertEqual(r.result, "sync\n")
            self.assertIs(session.code.session, session)
            session.delete()
