"""Contexts: the official SDK's agent_bay.context and session.context, and
CreateSessionParams.context_syncs, on the embedded backend."""

from __future__ import annotations

import unittest
import urllib.request

from agentbay import (AgentBay, AgentBayError, AsyncAgentBay, ContextListParams, ContextSync,
                      CreateSessionParams)

from .helpers import module_client

agent_bay: AsyncAgentBay  # the module's client, made by setUpModule
setUpModule, tearDownModule = module_client(__name__)


def put(url: str, data: bytes) -> None:
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="PUT"), timeout=30) as r:
        assert r.status == 200


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


class ContextServiceTest(unittest.IsolatedAsyncioTestCase):
    async def test_lifecycle(self) -> None:
        service = agent_bay.context
        missing = await service.get("no-such-context")
        self.assertFalse(missing.success)
        self.assertTrue(missing.error_message)
        made = await service.get("notes", create=True)
        self.assertTrue(made.success, made.error_message)
        self.assertEqual(made.context.name, "notes")
        self.assertEqual((await service.get(context_id=made.context_id)).context.id, made.context_id)
        self.assertEqual((await service.create("notes")).context_id, made.context_id)

        up = await service.get_file_upload_url(made.context_id, "/docs/a.txt")
        self.assertTrue(up.success, up.error_message)
        self.assertGreater(up.expire_time, 0)
        put(up.url, "über".encode())
        down = await service.get_file_download_url(made.context_id, "/docs/a.txt")
        self.assertEqual(get(down.url).decode(), "über")
        files = await service.list_files(made.context_id, "/docs")
        self.assertEqual([(e.file_name, e.size, e.file_type) for e in files.entries],
                         [("a.txt", 5, "file")])

        listed = await service.list(ContextListParams(max_results=100))
        self.assertIn(made.context_id, [c.id for c in listed.contexts])
        made.context.name = "notes-2"
        self.assertTrue((await service.update(made.context)).success)
        self.assertEqual((await service.get("notes-2")).context_id, made.context_id)

        self.assertTrue((await service.delete_file(made.context_id, "/docs/a.txt")).success)
        self.assertEqual((await service.list_files(made.context_id, "/docs")).entries, [])
        cleared = await service.clear(made.context_id)
        self.assertEqual((cleared.success, cleared.status), (True, "available"))
        self.assertTrue((await service.delete(made.context)).success)
        self.assertFalse((await service.get(context_id=made.context_id)).success)

    async def test_get_raises_on_bad_arguments(self) -> None:
        # As the official SDK: AgentBayError, not a failed result.
        for kwargs in ({}, {"name": "a", "context_id": "b"}, {"context_id": "b", "create": True}):
            with self.subTest(**kwargs):
                with self.assertRaises(AgentBayError):
                    await agent_bay.context.get(**kwargs)

    async def test_bad_arguments_give_failed_results(self) -> None:
        r = await agent_bay.context.get_file_upload_url("", "/a")
        self.assertEqual((r.success, r.error_kind), (False, "invalid_argument"))
        r2 = await agent_bay.context.list_files("ctx-x", "/", page_number=0)
        self.assertIn("page", r2.error_message)


class ContextSyncTest(unittest.IsolatedAsyncioTestCase):
    async def test_mounted_context_round_trip(self) -> None:
        ctx = (await agent_bay.context.get("work", create=True)).context
        put((await agent_bay.context.get_file_upload_url(ctx.id, "/seed.txt")).url, b"seed")
        created = await agent_bay.create(CreateSessionParams(
            context_syncs=[ContextSync(ctx.id, "/home/wuying/work",
                                       {"uploadPolicy": {"autoUpload": False}})]))
        self.assertTrue(created.success, created.error_message)
        session = created.session
        info = await session.context.info()
        self.assertEqual([(t.context_id, t.status, t.task_type) for t in info.context_status_data],
                         [(ctx.id, "Success", "download")])
        r = await session.command.execute_command("cat ~/work/seed.txt; echo new > ~/work/new.txt")
        self.assertEqual(r.stdout, "seed")
        synced = await session.context.sync(ctx.id, "/home/wuying/work", "upload")
        self.assertTrue(synced.success, synced.error_message)
        names = {e.file_name for e in (await agent_bay.context.list_files(ctx.id, "/")).entries}
        self.assertEqual(names, {"seed.txt", "new.txt"})
        self.assertTrue((await session.delete(sync_context=True)).success)
        await agent_bay.context.delete(ctx)

    async def test_bind_and_list_bindings(self) -> None:
        ctx = (await agent_bay.context.get("bound", create=True)).context
        put((await agent_bay.context.get_file_upload_url(ctx.id, "/b.txt")).url, b"bound")
        session = (await agent_bay.create()).session
        self.assertEqual((await session.context.list_bindings()).bindings, [])
        bound = await session.context.bind(ContextSync(ctx.id, "/tmp/bound"))
        self.assertTrue(bound.success, bound.error_message)
        self.assertEqual((await session.file_system.read_file("/tmp/bound/b.txt")).content, "bound")
        listed = await session.context.list_bindings()
        self.assertEqual([(b.context_id, b.context_name, b.path) for b in listed.bindings],
                         [(ctx.id, "bound", "/tmp/bound")])
        again = await session.context.bind(ContextSync(ctx.id, "/tmp/bound"))
        self.assertFalse(again.success)
        self.assertIn("mounted there already", again.error_message)
        none = await session.context.bind()
        self.assertEqual((none.success, none.error_message), (False, "No contexts provided"))
        await session.delete()
        await agent_bay.context.delete(ctx)

    async def test_bad_syncs_are_refused(self) -> None:
        missing = await agent_bay.create(CreateSessionParams(
            context_syncs=[ContextSync("ctx-none", "/tmp/x")]))
        # As the official SDK: the session is made; the sync task says why it failed.
        self.assertTrue(missing.success, missing.error_message)
        info = await missing.session.context.info()
        self.assertEqual([t.status for t in info.context_status_data], ["Failed"])
        self.assertIn("does not exist", info.context_status_data[0].error_message)
        await missing.session.delete()
        for syncs, message in (([ContextSync("c", "/etc/x")], "under /home/wuying or /tmp"),
                               ([{"context_id": "c"}], "path is required"),
                               ("nope", "context_syncs must be a list")):
            with self.subTest(syncs=syncs):
                r = await agent_bay.create(CreateSessionParams(context_syncs=syncs))
                self.assertFalse(r.success)
                self.assertIn(message, r.error_message)


class SyncApiTest(unittest.TestCase):
    def test_context_service(self) -> None:
        with AgentBay() as client:
            made = client.context.get("sync-api", create=True)
            self.assertTrue(made.success, made.error_message)
            self.assertTrue(client.context.delete(made.context).success)
