"""Engine log lines arrive in the 'agentbay' logger, and never carry the API key."""

from __future__ import annotations

import logging
import time
import unittest
import uuid

from agentbay import AsyncAgentBay, Config


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class LoggingTest(unittest.IsolatedAsyncioTestCase):
    def setUp(self) -> None:
        self.logger = logging.getLogger("agentbay")
        self.saved_level = self.logger.level
        self.handler = _Collect()
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.DEBUG)  # before the clients: it sets what the engine sends

    def tearDown(self) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.saved_level)

    async def test_engine_logs_without_the_key(self) -> None:
        secret = "sk-test-" + uuid.uuid4().hex
        async with AsyncAgentBay() as embedded:
            async with AsyncAgentBay(api_key=secret, cfg=Config(endpoint=embedded.endpoint)) as wrong:
                result = await wrong.create()
                self.assertFalse(result.success)
                self.assertEqual(result.error_kind, "unauthorized")
                self.assertNotIn(secret, result.error_message)
        # Log lines come from library threads: wait for the first one (the
        # deadline only bounds a hang).
        deadline = time.monotonic() + 30
        while not self.handler.records and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(self.handler.records, "no engine log line arrived")
        self.assertTrue(all(r.name == "agentbay" for r in self.handler.records))
        for record in self.handler.records:
            self.assertNotIn(secret, record.getMessage())
            self.assertIn(record.levelno, (logging.DEBUG, logging.INFO, logging.WARNING,
                                           logging.ERROR))


if __name__ == "__main__":
    unittest.main()
