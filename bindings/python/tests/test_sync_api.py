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
            deadline = time.monotonic() + 60  # only bounds a hang
            while session.get_status().status != "PAUSED":
                self.assertLess(time.monotonic(), deadline, "the session never paused")
                time.sleep(0.02)  # between polls of the status waited for
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
        # out" as a timeout; the blocking API must tell them apart: a call
        # that outlasts several wait slices still succeeds, and one that
        # times out returns its timeout instead of waiting on. The calls run
        # in a thread, so that a wait that never ends fails the test.
        with AgentBay() as agent_bay:
            session = agent_bay.create().session
            results = {}

            def calls() -> None:
                results["long"] = session.call_mcp_tool("shell", shell("sleep 0.5; echo done"))
                results["late"] = session.call_mcp_tool("shell", shell("sleep 5"),
                                                        read_timeout=250)

            worker = threading.Thread(target=calls)
            worker.start()
            worker.join(60)  # only bounds a hang
            self.assertFalse(worker.is_alive(), "a blocking call never returned")
            self.assertTrue(results["long"].success, results["long"].error_message)
            self.assertEqual(output(results["long"])["stdout"], "done\n")
            self.assertFalse(results["late"].success)
            self.assertEqual(results["late"].error_kind, "timeout")
            session.delete()

    @unittest.skipUnless(threading.current_thread() is threading.main_thread(),
                         "signals reach the main thread only")
    def test_ctrl_c_cancels_a_blocking_call(self) -> None:
        # Ctrl-C comes once the command is seen running (from a second
        # thread); had it waited for the call to end, "finished" would exist.
        with AgentBay() as agent_bay:
            session = agent_bay.create().session
            tag = unique("ctrlc")
            command = "sleep 29.3817"

            def exists(path: str) -> bool:
                r = session.call_mcp_tool("shell", shell(f"test -e {path}"))
                return output(r)["exit_code"] == 0

            def interrupt() -> None:
                deadline = time.monotonic() + 60  # only bounds a hang
                while not exists(f"started.{tag}") and time.monotonic() < deadline:
                    time.sleep(0.02)
                os.kill(os.getpid(), signal.SIGINT)

            sender = threading.Thread(target=interrupt)
            sender.start()
            try:
                with self.assertRaises(KeyboardInterrupt):
                    session.call_mcp_tool("shell", shell(
                        f"touch started.{tag}; {command}; touch finished.{tag}",
                        timeout_ms=40000))
            finally:
                sender.join()
            self.assertFalse(exists(f"finished.{tag}"), "the call ran to its end")
            self.assertTrue(session.call_mcp_tool("shell", shell("true")).success)
            deadline = time.monotonic() + 30  # only bounds a hang
            while command in output(session.call_mcp_tool("shell", shell("ps -eo args")))["stdout"]:
                self.assertLess(time.monotonic(), deadline, "the command was not stopped")
                time.sleep(0.02)
            session.delete()


if __name__ == "__main__":
    unittest.main()
