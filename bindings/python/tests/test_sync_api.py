"""The blocking AgentBay and Session over the same native operations."""

from __future__ import annotations

import os
import signal
import threading
import time
import unittest

from agentbay import (AgentBay, AgentBayError, CreateSessionParams, OperationResult, Session,
                      SessionError, SessionInfo)

from .helpers import output, shell, unique


class SyncApiTest(unittest.TestCase):
    def test_session_lifecycle(self) -> None:
        tag = unique("sync")
        with AgentBay() as agent_bay:
            created = agent_bay.create(CreateSessionParams(labels={"suite": tag}))
            self.assertTrue(created.success, created.error_message)
            session = created.session
            self.assertIsInstance(session, Session)

            self.assertEqual(session.get_status().status, "RUNNING")
            self.assertTrue(session.set_labels({"suite": tag, "step": "labels"}).success)
            self.assertEqual(session.get_labels().data, {"suite": tag, "step": "labels"})
            self.assertIsInstance(session.info().data, SessionInfo)
            self.assertRegex(session.get_link(port=30150).data, r"^https?://")
            self.assertIn("shell", [t.name for t in session.list_mcp_tools().tools])
            ran = session.call_mcp_tool("shell", shell("echo sync"))
            self.assertEqual(output(ran)["stdout"], "sync\n")

            self.assertEqual(session.pause().status, "PAUSED")
            self.assertEqual(session.resume().status, "RUNNING")
            self.assertIn(session.pause_async().status, ("PAUSING", "PAUSED"))
            while session.get_status().status != "PAUSED":
                time.sleep(0.02)
            self.assertIn(session.resume_async().status, ("RESUMING", "RUNNING"))

            listed = agent_bay.list(labels={"suite": tag})
            self.assertEqual([s["sessionId"] for s in listed.session_ids], [session.session_id])
            same = Session(agent_bay, session.session_id)
            self.assertEqual(agent_bay.get(same.session_id).session.session_id, same.session_id)

            self.assertTrue(session.delete().success)
            self.assertFalse(session.delete().success)
            self.assertFalse(agent_bay.delete(session).success)
            with self.assertRaises(SessionError):
                session.get_labels()
        with self.assertRaises(AgentBayError):
            session.get_status()
        with self.assertRaises(AgentBayError):
            agent_bay.create()

    def test_bad_input(self) -> None:
        with AgentBay() as agent_bay:
            session = agent_bay.create().session
            result = session.set_labels({"k": ""})
            self.assertIsInstance(result, OperationResult)
            self.assertEqual(result.error_message,
                             "Label values cannot be empty. Please provide valid values.")
            with self.assertRaises(SessionError):
                session.get_link(port=1)
            self.assertEqual(session.pause(timeout=0).error_kind, "invalid_argument")
            self.assertEqual(agent_bay.list(page=0).error_message,
                             "Cannot reach page 0: Page number must be >= 1")
            session.delete()

    def test_an_operation_that_times_out_returns(self) -> None:
        # ab_op_wait reports both "still waiting" and "the operation timed
        # out" as a timeout; the blocking API must tell them apart.
        with AgentBay() as agent_bay:
            session = agent_bay.create().session
            started = time.monotonic()
            result = session.call_mcp_tool("shell", shell("sleep 5"), read_timeout=250)
            self.assertLess(time.monotonic() - started, 2)
            self.assertFalse(result.success)
            self.assertEqual(result.error_kind, "timeout")
            session.delete()

    @unittest.skipUnless(threading.current_thread() is threading.main_thread(),
                         "signals reach the main thread only")
    def test_ctrl_c_cancels_a_blocking_call(self) -> None:
        with AgentBay() as agent_bay:
            session = agent_bay.create().session
            timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
            timer.start()
            started = time.monotonic()
            with self.assertRaises(KeyboardInterrupt):
                session.call_mcp_tool("shell", shell("sleep 30", timeout_ms=40000))
            self.assertLess(time.monotonic() - started, 2)
            self.assertTrue(session.call_mcp_tool("shell", shell("true")).success)
            session.delete()


if __name__ == "__main__":
    unittest.main()
