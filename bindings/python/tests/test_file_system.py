"""session.file_system: the official SDK's file methods and results, on the
embedded backend, in both APIs."""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import unittest

from agentbay import (AgentBay, AsyncAgentBay, BinaryFileContentResult, BoolResult,
                      DirectoryEntry, DownloadResult, EditFileResult, FileChangeEvent,
                      FileContentResult,
                      UploadResult)

from .helpers import module_client

agent_bay: AsyncAgentBay  # the module's client, made by setUpModule
setUpModule, tearDownModule = module_client(__name__)


class FileSystemTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session
        self.fs = self.session.file_system

    async def asyncTearDown(self) -> None:
        await self.session.delete()

    async def ok(self, call) -> None:
        r = await call
        self.assertIsInstance(r, BoolResult)
        self.assertTrue(r.success, r.error_message)
        self.assertIs(r.data, True)

    async def test_write_append_read(self) -> None:
        await self.ok(self.fs.write_file("/tmp/a/b.txt", "héllo\n"))
        await self.ok(self.fs.write_file("/tmp/a/b.txt", "more\n", mode="append"))
        r = await self.fs.read_file("/tmp/a/b.txt")
        self.assertIsInstance(r, FileContentResult)
        self.assertEqual(r.content, "héllo\nmore\n")
        b = await self.fs.read_file("/tmp/a/b.txt", format="bytes")
        self.assertIsInstance(b, BinaryFileContentResult)
        self.assertEqual(b.content, "héllo\nmore\n".encode())
        self.assertEqual(b.size, 12)

    async def test_large_file_in_chunks(self) -> None:
        text = "ab€😀\n" * 150_000  # 1.6 MB: more than one call returns
        await self.ok(self.fs.write_file("/tmp/big.txt", text))
        r = await self.fs.read_file("/tmp/big.txt")
        self.assertTrue(r.success, r.error_message)
        self.assertTrue(r.content == text)
        info = await self.fs.get_file_info("/tmp/big.txt")
        self.assertEqual((info.size, info.is_file, info.is_directory), (len(text.encode()), True, False))

    async def test_directories(self) -> None:
        await self.ok(self.fs.create_directory("/tmp/d/sub"))
        await self.ok(self.fs.write("/tmp/d/f.txt", "x"))
        listed = await self.fs.list_directory("/tmp/d")
        self.assertTrue(listed.success)
        self.assertEqual(sorted((e.name, e.is_directory, e.is_file) for e in listed.entries),
                         [("f.txt", False, True), ("sub", True, False)])
        self.assertIsInstance(listed.entries[0], DirectoryEntry)
        await self.ok(self.fs.move_file("/tmp/d/f.txt", "/tmp/d/sub/g.txt"))
        found = await self.fs.search_files("/tmp/d", "*.txt")
        self.assertEqual(found.matches, ["/tmp/d/sub/g.txt"])
        none = await self.fs.search_files("/tmp/d", "*.txt", exclude_patterns=["sub"])
        self.assertEqual((none.success, none.matches), (True, []))
        await self.ok(self.fs.rm("/tmp/d/sub/g.txt"))
        gone = await self.fs.read("/tmp/d/sub/g.txt")
        self.assertFalse(gone.success)
        self.assertIn("No such file or directory", gone.error_message)
        self.assertIs(self.session.fs.session, self.session)

    async def test_edit_and_dry_run(self) -> None:
        await self.ok(self.fs.write_file("/tmp/c.cfg", "DEBUG=false\nLEVEL=info\n"))
        edits = [{"oldText": "false", "newText": "true"}]
        dry = await self.fs.edit_file("/tmp/c.cfg", edits, dry_run=True)
        self.assertIsInstance(dry, EditFileResult)
        self.assertTrue(dry.success, dry.error_message)
        self.assertIn("-false\n+true", dry.diff)
        self.assertEqual((await self.fs.read_file("/tmp/c.cfg")).content, "DEBUG=false\nLEVEL=info\n")
        await self.ok(self.fs.edit_file("/tmp/c.cfg", edits))
        self.assertEqual((await self.fs.read_file("/tmp/c.cfg")).content, "DEBUG=true\nLEVEL=info\n")

    async def test_read_multiple_files(self) -> None:
        await self.ok(self.fs.write_file("/tmp/m1", "one"))
        await self.ok(self.fs.write_file("/tmp/m2", "two\nlines\n"))
        r = await self.fs.read_multiple_files(["/tmp/m1", "/tmp/m2"])
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(r.contents, {"/tmp/m1": "one", "/tmp/m2": "two\nlines"})

    async def test_failures_are_results(self) -> None:
        for call, kind, message in (
                (self.fs.write_file("/tmp/x", "y", mode="truncate"), "invalid_argument",
                 "Invalid write mode: truncate. Must be 'overwrite' or 'append'."),
                (self.fs.write_file("/tmp/x", b"bytes"), "invalid_argument", "content must be JSON-serialisable"),
                (self.fs.read_file(""), "invalid_argument", "path is required"),
                (self.fs.edit_file("/tmp/x", [{"oldText": "a"}]), "invalid_argument",
                 "edits[0]: newText is required"),
                (self.fs.read_multiple_files("/tmp/x"), "invalid_argument", "paths must be a list of strings"),
                (self.fs.list_directory("/tmp/none"), "", "No such file or directory"),
                (self.fs.read_file("/tmp"), "", "Path does not exist or is a directory: /tmp")):
            with self.subTest(message=message):
                r = await call
                self.assertFalse(r.success)
                self.assertEqual(r.error_kind, kind)
                self.assertIn(message, r.error_message)

    async def test_gone_session(self) -> None:
        session = (await agent_bay.create()).session
        await session.delete()
        r = await session.file_system.read_file("/tmp/x")
        self.assertFalse(r.success)
        self.assertEqual(r.error_kind, "not_found")


class SyncFileSystemTest(unittest.TestCase):
    def test_round_trip(self) -> None:
        with AgentBay() as client:
            session = client.create().session
            fs = session.file_system
            self.assertTrue(fs.write_file("/tmp/s.txt", "sync").success)
            self.assertEqual(fs.read_file("/tmp/s.txt").content, "sync")
            self.assertEqual(fs.read_file("/tmp/s.txt", format="bytes").content, b"sync")
            session.delete()


class TransferTest(unittest.IsolatedAsyncioTestCase):
    """upload_file and download_file move host files through the session's
    file-transfer context."""

    async def asyncSetUp(self) -> None:
        self.session = (await agent_bay.create()).session
        self.fs = self.session.file_system
        self.dir = tempfile.TemporaryDirectory()

    async def asyncTearDown(self) -> None:
        await self.session.delete()
        self.dir.cleanup()

    async def test_round_trip(self) -> None:
        data = bytes(range(256)) * 1000
        local = os.path.join(self.dir.name, "in.bin")
        with open(local, "wb") as f:
            f.write(data)
        up = await self.fs.upload_file(local, "/tmp/t/in.bin", wait_timeout=10, poll_interval=0.2)
        self.assertIsInstance(up, UploadResult)
        self.assertTrue(up.success, up.error_message)
        self.assertEqual((up.bytes_sent, up.http_status, up.path), (len(data), 200, "/tmp/t/in.bin"))
        self.assertEqual((await self.fs.read_file("/tmp/t/in.bin", format="bytes")).content, data)
        out = os.path.join(self.dir.name, "out.bin")
        down = await self.fs.download_file("/tmp/t/in.bin", out)
        self.assertIsInstance(down, DownloadResult)
        self.assertTrue(down.success, down.error_message)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), data)
        again = await self.fs.download_file("/tmp/t/in.bin", out, overwrite=False)
        self.assertFalse(again.success)
        self.assertIn("exists and overwrite is false", again.error_message)

    async def test_failures_are_results(self) -> None:
        local = os.path.join(self.dir.name, "absent")
        r = await self.fs.upload_file(local, "/tmp/x")
        self.assertEqual((r.success, r.path), (False, "/tmp/x"))
        self.assertIn("Local file not found", r.error_message)
        r = await self.fs.download_file("/tmp/none", local)
        self.assertFalse(r.success)
        self.assertIn("no such file", r.error_message)
        r = await self.fs.upload_file(__file__, "/tmp/x", wait=False)
        self.assertEqual(r.error_kind, "unsupported")
        r = await self.fs.upload_file(__file__, "/tmp/x", progress_cb=print)
        self.assertEqual(r.error_kind, "unsupported")
        self.assertIn("progress_cb is not supported", r.error_message)


class WatchTest(unittest.IsolatedAsyncioTestCase):
    """watch_directory: a thread that polls get_file_change and hands the
    callback each batch, as the official SDK's."""

    async def test_watch_reports_changes(self) -> None:
        session = (await agent_bay.create()).session
        fs = session.file_system
        self.assertTrue((await fs.create_directory("/tmp/watched")).success)
        batches: list = []
        seen = threading.Event()

        def on_changes(events: list) -> None:
            batches.append(events)
            if any(e.path.endswith("b.txt") for batch in batches for e in batch):
                seen.set()

        watcher = fs.watch_directory("/tmp/watched", on_changes, interval=0.05)
        watcher.start()
        self.assertTrue(await asyncio.to_thread(watcher.ready_event.wait, 60))  # bounds a hang
        await fs.write_file("/tmp/watched/a.txt", "1")
        await fs.write_file("/tmp/watched/b.txt", "2")
        self.assertTrue(await asyncio.to_thread(seen.wait, 60))
        watcher.stop_event.set()
        await asyncio.to_thread(watcher.join, 60)
        self.assertFalse(watcher.is_alive())
        events = [e for batch in batches for e in batch]
        self.assertIsInstance(events[0], FileChangeEvent)
        self.assertEqual({(e.event_type, e.path_type) for e in events if e.path.endswith(".txt")},
                         {("create", "file")})
        await session.delete()

    async def test_get_file_change_starts_with_a_baseline(self) -> None:
        session = (await agent_bay.create()).session
        fs = session.file_system
        first = await fs.get_file_change("/tmp")
        self.assertEqual((first.success, first.events), (True, []))
        await fs.write_file("/tmp/new.txt", "x")
        second = await fs.get_file_change("/tmp")
        self.assertIn(("create", "/tmp/new.txt"), [(e.event_type, e.path) for e in second.events])
        missing = await fs.get_file_change("/tmp/none")
        self.assertFalse(missing.success)
        await session.delete()
