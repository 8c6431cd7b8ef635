"""The official AgentBay Python SDK against agentbay-local.

Run by `make test-official`, which builds agentbay-local, makes a scratch venv
with the official SDK (wuying-agentbay-sdk, pinned in the Makefile) and runs
this file with that venv's python:

    AGENTBAY_LOCAL_BIN=build/agentbay-local \
        build/official-venv/bin/python -m unittest -v tests/official/test_official_sdk.py

setUpModule starts one agentbay-local on a free loopback port with --tls and
a temporary --data folder, and points the SDK at it: an explicit
Config(endpoint=...) (so no AGENTBAY_* variable or .env file is read), the
API key passed to the client, and SSL_CERT_FILE naming the server's
certificate (the SDK's HTTP clients use the default SSL context, which reads
it).

Every test checks what came back (contents, exit codes, names), not just
`success`. A call that fails because agentbay-local lacks something is marked
expectedFailure with the action or field it lacks, so the suite stays green
while the gap is open and turns red ("unexpected success") once it is closed.
"""

import asyncio
import hashlib
import importlib.metadata
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time
import unittest
import urllib.request
import uuid
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import local_server  # noqa: E402  (beside this file)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SDK_VERSION = os.environ.get("AGENTBAY_OFFICIAL_SDK_VERSION", "0.22.3")

SERVER = {}  # proc, endpoint, data, key, ssl


def setUpModule():
    binary = os.environ.get("AGENTBAY_LOCAL_BIN") or os.path.join(REPO, "build", "agentbay-local")
    if not os.access(binary, os.X_OK):
        raise unittest.SkipTest(f"{binary} is not built (make local)")
    proc, data, endpoint, key = local_server.start(binary, "official")

    cert = os.path.join(data, "cert.pem")
    os.environ["SSL_CERT_FILE"] = cert
    # The SDK logs to a file in the working directory unless told otherwise.
    os.environ["AGENTBAY_LOG_FILE"] = os.path.join(data, "sdk.log")
    SERVER.update(proc=proc, endpoint=endpoint, data=data, key=key,
                  ssl=ssl.create_default_context(cafile=cert))

    global agentbay
    import agentbay  # noqa: F401  (the official SDK, from the venv)
    # Its console log shows every failed call, expected ones included; set
    # AGENTBAY_OFFICIAL_VERBOSE=1 to see it.
    agentbay.AgentBayLogger.setup(level="INFO" if os.environ.get("AGENTBAY_OFFICIAL_VERBOSE") else "CRITICAL",
                                  enable_file=False, colorize=False)


def tearDownModule():
    proc = SERVER.get("proc")
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    if SERVER.get("data"):
        shutil.rmtree(SERVER["data"], ignore_errors=True)


def config():
    # Config(endpoint=...) is deprecated in favour of region_id, which can only
    # name the cloud's own hosts; the endpoint is still honoured as given.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return agentbay.Config(endpoint=SERVER["endpoint"])


def client():
    return agentbay.AgentBay(api_key=SERVER["key"], cfg=config())


def async_client():
    return agentbay.AsyncAgentBay(api_key=SERVER["key"], cfg=config())


def create(ab, **kw):
    r = ab.create(agentbay.CreateSessionParams(**kw))
    assert r.success, r.error_message
    return r.session


def ids(listed):
    """The session ids of a SessionListResult (its session_ids holds dicts)."""
    return [x["sessionId"] for x in listed.session_ids]


def free_link_port():
    """A port of GetLink's range (30100-30199) that nothing on this machine
    listens on: sessions of agentbay-local share the host's network."""
    import random
    import socket
    ports = list(range(30100, 30200))
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise unittest.SkipTest("every port in 30100-30199 is taken")


def fetch(url, data=None, method="GET"):
    req = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(req, timeout=10, context=SERVER["ssl"]) as resp:
        return resp.status, resp.read()


class Setup(unittest.TestCase):
    def test_official_sdk_is_imported(self):
        # The official package from the venv, not bindings/python.
        self.assertEqual(importlib.metadata.version("wuying-agentbay-sdk"), SDK_VERSION)
        path = os.path.realpath(agentbay.__file__)
        self.assertIn("site-packages", path)
        self.assertFalse(path.startswith(os.path.join(REPO, "bindings")), path)
        self.assertTrue(hasattr(agentbay, "AsyncAgentBay"))


class Sessions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ab = client()
        cls.tag = uuid.uuid4().hex[:8]
        cls.session = create(cls.ab, labels={"suite": cls.tag, "role": "shared"})

    @classmethod
    def tearDownClass(cls):
        cls.session.delete()

    def test_create_get_list_delete(self):
        s = create(self.ab, labels={"suite": self.tag, "role": "temp"})
        self.assertTrue(s.session_id.startswith("session-"), s.session_id)

        got = self.ab.get(s.session_id)
        self.assertTrue(got.success, got.error_message)
        self.assertEqual(got.session.session_id, s.session_id)

        listed = self.ab.list(labels={"suite": self.tag})
        self.assertTrue(listed.success, listed.error_message)
        self.assertEqual(set(ids(listed)), {s.session_id, self.session.session_id})
        self.assertEqual({x["sessionStatus"] for x in listed.session_ids}, {"RUNNING"})
        self.assertEqual(listed.total_count, 2)
        only = self.ab.list(labels={"suite": self.tag, "role": "temp"})
        self.assertEqual(ids(only), [s.session_id])
        running = self.ab.list(labels={"suite": self.tag}, status="RUNNING")
        self.assertEqual(len(ids(running)), 2)

        t = time.monotonic()
        d = self.ab.delete(s)
        self.assertTrue(d.success, d.error_message)
        self.assertLess(time.monotonic() - t, 10)

        gone = self.ab.get(s.session_id)
        self.assertFalse(gone.success)
        self.assertIn("not found", gone.error_message.lower())
        self.assertEqual(ids(self.ab.list(labels={"suite": self.tag})), [self.session.session_id])
        st = s.get_status()
        self.assertFalse(st.success)

    def test_list_pages(self):
        extra = [create(self.ab, labels={"suite": self.tag, "role": "page"}) for _ in range(3)]
        try:
            p1 = self.ab.list(labels={"suite": self.tag, "role": "page"}, page=1, limit=2)
            p2 = self.ab.list(labels={"suite": self.tag, "role": "page"}, page=2, limit=2)
            self.assertTrue(p1.success and p2.success, (p1.error_message, p2.error_message))
            self.assertEqual(len(p1.session_ids), 2)
            self.assertEqual(len(p2.session_ids), 1)
            self.assertEqual(p1.total_count, 3)
            self.assertEqual(set(ids(p1) + ids(p2)), {s.session_id for s in extra})
        finally:
            for s in extra:
                s.delete()

    def test_labels(self):
        r = self.session.set_labels({"suite": self.tag, "role": "shared", "colour": "blue"})
        self.assertTrue(r.success, r.error_message)
        got = self.session.get_labels()
        self.assertTrue(got.success, got.error_message)
        self.assertEqual(got.data, {"suite": self.tag, "role": "shared", "colour": "blue"})
        self.assertEqual(ids(self.ab.list(labels={"colour": "blue"})), [self.session.session_id])
        bad = self.session.set_labels({})
        self.assertFalse(bad.success)

    def test_info(self):
        r = self.session.info()
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(r.data.session_id, self.session.session_id)
        self.assertTrue(r.data.resource_id, vars(r.data))
        self.assertTrue(r.data.resource_type, vars(r.data))

    def test_get_status(self):
        r = self.session.get_status()
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(r.status, "RUNNING")

    def test_get_link_serves_a_page(self):
        port = free_link_port()
        page = f"hello {self.tag}"
        w = self.session.file_system.write_file(f"/tmp/www/index.html", page)
        self.assertTrue(w.success, w.error_message)
        srv = self.session.command.execute_command(
            f"cd /tmp/www && (nohup python3 -m http.server {port} --bind 127.0.0.1 >/dev/null 2>&1 &) ; sleep 0.5",
            timeout_ms=10000)
        self.assertTrue(srv.success, srv.error_message)
        r = self.session.get_link(protocol_type="https", port=port)
        self.assertTrue(r.success, r.error_message)
        self.assertTrue(r.data.startswith("https://"), r.data)
        body = None
        for _ in range(20):
            try:
                status, body = fetch(r.data.rstrip("/") + "/index.html")
                break
            except OSError:
                time.sleep(0.2)
        self.assertEqual(body, page.encode())
        with self.assertRaises(Exception):
            self.session.get_link(protocol_type="https", port=80)  # outside 30100-30199

    def test_mcp_tools(self):
        r = self.session.list_mcp_tools()
        self.assertTrue(r.request_id)
        names = {t.name: t.server for t in r.tools}
        for name, server in [("shell", "wuying_shell"), ("read_file", "wuying_filesystem"),
                             ("write_file", "wuying_filesystem"), ("run_code", "wuying_codespace")]:
            self.assertEqual(names.get(name), server, name)
        c = self.session.call_mcp_tool("shell", {"command": "echo tool-$((6*7))", "timeout_ms": 5000})
        self.assertTrue(c.success, c.error_message)
        self.assertEqual(json.loads(c.data)["stdout"].strip(), "tool-42")
        bad = self.session.call_mcp_tool("read_file", {"path": "/no/such/file"})
        self.assertFalse(bad.success)
        self.assertTrue(bad.error_message)

    def test_get_metrics(self):
        r = self.session.get_metrics()
        self.assertTrue(r.success, r.error_message)
        self.assertGreater(r.metrics.cpu_count, 0)
        self.assertGreater(r.metrics.mem_total, 0)

    def test_pause_resume(self):
        s = create(self.ab, labels={"suite": self.tag, "role": "pause"})
        try:
            t = time.monotonic()
            p = s.beta_pause(timeout=20, poll_interval=0.2)
            self.assertTrue(p.success, p.error_message)
            self.assertEqual(p.status, "PAUSED")
            self.assertEqual(s.get_status().status, "PAUSED")
            self.assertEqual(ids(self.ab.list(labels={"suite": self.tag}, status="PAUSED")), [s.session_id])
            blocked = s.command.execute_command("echo no", timeout_ms=2000)
            self.assertFalse(blocked.success)
            r = s.beta_resume(timeout=20, poll_interval=0.2)
            self.assertTrue(r.success, r.error_message)
            self.assertEqual(r.status, "RUNNING")
            self.assertEqual(s.command.execute_command("echo yes", timeout_ms=5000).stdout.strip(), "yes")
            # The client-level forms.
            p = self.ab.beta_pause(s, timeout=20, poll_interval=0.2)
            self.assertTrue(p.success, p.error_message)
            self.assertEqual(s.get_status().status, "PAUSED")
            r = self.ab.beta_resume(s, timeout=20, poll_interval=0.2)
            self.assertTrue(r.success, r.error_message)
            self.assertEqual(s.get_status().status, "RUNNING")
            self.assertLess(time.monotonic() - t, 15)
        finally:
            if s.get_status().status != "RUNNING":
                s.beta_resume(timeout=20, poll_interval=0.2)
            s.delete()

    def test_keep_alive(self):
        r = self.session.keep_alive()
        self.assertTrue(r.success, r.error_message)
        self.assertTrue(r.request_id)


class AsyncSessions(unittest.TestCase):
    def test_async_flow(self):
        async def main():
            ab = async_client()
            r = await ab.create(agentbay.CreateSessionParams(labels={"suite": "async"}))
            self.assertTrue(r.success, r.error_message)
            s = r.session
            try:
                c = await s.command.execute_command("echo async-$((1+1))", timeout_ms=5000)
                self.assertEqual((c.exit_code, c.stdout.strip()), (0, "async-2"))
                w = await s.file_system.write_file("/tmp/a.txt", "async file")
                self.assertTrue(w.success, w.error_message)
                self.assertEqual((await s.file_system.read_file("/tmp/a.txt")).content, "async file")
                self.assertEqual((await s.get_labels()).data, {"suite": "async"})
                got = await ab.get(s.session_id)
                self.assertEqual(got.session.session_id, s.session_id)
                self.assertIn(s.session_id, ids(await ab.list(labels={"suite": "async"})))
                p = await s.beta_pause(timeout=20, poll_interval=0.2)
                self.assertTrue(p.success, p.error_message)
                self.assertEqual((await s.get_status()).status, "PAUSED")
                q = await s.beta_resume(timeout=20, poll_interval=0.2)
                self.assertTrue(q.success, q.error_message)
                self.assertEqual((await s.get_status()).status, "RUNNING")
                p = await ab.beta_pause(s, timeout=20, poll_interval=0.2)
                self.assertTrue(p.success, p.error_message)
                q = await ab.beta_resume(s, timeout=20, poll_interval=0.2)
                self.assertTrue(q.success, q.error_message)
                # Several commands at once on one loop.
                rs = await asyncio.gather(*[s.command.execute_command(f"echo {i}", timeout_ms=5000) for i in range(5)])
                self.assertEqual([x.stdout.strip() for x in rs], [str(i) for i in range(5)])
            finally:
                d = await ab.delete(s)
                self.assertTrue(d.success, d.error_message)
            self.assertFalse((await ab.get(s.session_id)).success)

        asyncio.run(main())


class Command(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ab = client()
        cls.session = create(cls.ab, labels={"suite": "command"})
        cls.cmd = cls.session.command

    @classmethod
    def tearDownClass(cls):
        cls.session.delete()

    def test_success(self):
        r = self.cmd.execute_command("echo out; echo err >&2", timeout_ms=5000)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(r.exit_code, 0)
        self.assertEqual(r.stdout, "out\n")
        self.assertEqual(r.stderr, "err\n")
        self.assertIn("out", r.output)

    def test_non_zero_exit(self):
        r = self.cmd.execute_command("echo partial; echo broken >&2; exit 3", timeout_ms=5000)
        self.assertFalse(r.success)
        self.assertEqual(r.exit_code, 3)
        self.assertIn("broken", r.stderr)
        self.assertIn("partial", r.stdout)

    def test_timeout(self):
        t = time.monotonic()
        r = self.cmd.execute_command("sleep 30; echo late", timeout_ms=1000)
        elapsed = time.monotonic() - t
        self.assertFalse(r.success)
        self.assertNotIn("late", r.stdout or "")
        self.assertNotEqual(r.exit_code, 0)
        self.assertLess(elapsed, 10)

    def test_cwd(self):
        self.cmd.execute_command("mkdir -p /tmp/work/sub", timeout_ms=5000)
        r = self.cmd.execute_command("pwd", timeout_ms=5000, cwd="/tmp/work/sub")
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(r.stdout.strip(), "/tmp/work/sub")

    def test_envs(self):
        r = self.cmd.execute_command('echo "$GREETING-$OTHER"', timeout_ms=5000,
                                     envs={"GREETING": "hello world", "OTHER": "x=y"})
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(r.stdout.strip(), "hello world-x=y")
        with self.assertRaises(Exception):
            self.cmd.execute_command("true", envs={"N": 1})

    def test_files_and_commands_share_a_filesystem(self):
        self.session.file_system.write_file("/tmp/shared.txt", "from files")
        self.assertEqual(self.cmd.execute_command("cat /tmp/shared.txt", timeout_ms=5000).stdout, "from files")


class ApiRoute(unittest.TestCase):
    """Tool calls through the CallMcpTool action instead of the LinkUrl route.

    The SDK takes the LinkUrl route whenever the session has a LinkUrl and a
    token (agentbay-local returns both from CreateMcpSession and GetSession);
    clearing link_url on the session object makes it use CallMcpTool."""

    @classmethod
    def setUpClass(cls):
        cls.ab = client()
        cls.session = create(cls.ab, labels={"suite": "api-route"})
        got = cls.ab.get(cls.session.session_id)
        assert got.success, got.error_message
        cls.api = got.session
        cls.api.link_url = ""

    @classmethod
    def tearDownClass(cls):
        cls.session.delete()

    def test_command(self):
        r = self.api.command.execute_command("echo api; exit 5", timeout_ms=5000)
        self.assertFalse(r.success)
        self.assertEqual((r.exit_code, r.stdout), (5, "api\n"))
        r = self.api.command.execute_command("pwd", timeout_ms=5000, cwd="/tmp", envs={"A": "b"})
        self.assertEqual((r.exit_code, r.stdout.strip()), (0, "/tmp"))

    def test_files(self):
        text = "x" * 60000 + "ü"
        self.assertTrue(self.api.file_system.write_file("/tmp/api.txt", text).success)
        self.assertEqual(self.api.file_system.read_file("/tmp/api.txt").content, text)
        self.assertEqual(self.session.file_system.read_file("/tmp/api.txt").content, text)
        b = self.api.file_system.read_file("/tmp/api.txt", format="bytes")
        self.assertEqual(b.content, text.encode())
        names = [e.name for e in self.api.file_system.list_directory("/tmp").entries]
        self.assertIn("api.txt", names)

    def test_call_mcp_tool(self):
        r = self.api.call_mcp_tool("shell", {"command": "echo direct", "timeout_ms": 5000})
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(json.loads(r.data)["stdout"], "direct\n")


class FileSystem(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ab = client()
        cls.session = create(cls.ab, labels={"suite": "files"})
        cls.fs = cls.session.file_system
        cls.sh = lambda self, c: cls.session.command.execute_command(c, timeout_ms=10000)

    @classmethod
    def tearDownClass(cls):
        cls.session.delete()

    def ok(self, r):
        self.assertTrue(r.success, r.error_message)
        return r

    def test_text_round_trip(self):
        text = "héllo wörld ✓\nline two\n"
        self.ok(self.fs.write_file("/tmp/t/text.txt", text))
        self.assertEqual(self.ok(self.fs.read_file("/tmp/t/text.txt")).content, text)
        self.ok(self.fs.write_file("/tmp/t/text.txt", "more\n", mode="append"))
        self.assertEqual(self.fs.read_file("/tmp/t/text.txt").content, text + "more\n")
        self.assertEqual(self.sh("cat /tmp/t/text.txt").stdout, text + "more\n")
        # A relative path starts at the home folder.
        self.ok(self.fs.write_file("rel.txt", "relative"))
        self.assertEqual(self.sh("cat /home/wuying/rel.txt").stdout, "relative")
        # An empty file reads back empty.
        self.ok(self.fs.write_file("/tmp/t/empty.txt", ""))
        self.assertEqual(self.ok(self.fs.read_file("/tmp/t/empty.txt")).content, "")
        missing = self.fs.read_file("/tmp/t/nope.txt")
        self.assertFalse(missing.success)

    def test_binary_read(self):
        self.assertEqual(self.sh("mkdir -p /tmp/t && head -c 70000 /dev/urandom > /tmp/t/blob.bin && sha256sum /tmp/t/blob.bin").exit_code, 0)
        want = self.sh("sha256sum /tmp/t/blob.bin").stdout.split()[0]
        r = self.ok(self.fs.read_file("/tmp/t/blob.bin", format="bytes"))
        self.assertIsInstance(r.content, bytes)
        self.assertEqual(len(r.content), 70000)
        self.assertEqual(hashlib.sha256(r.content).hexdigest(), want)
        small = self.sh("printf '\\000\\001\\377abc' > /tmp/t/small.bin")
        self.assertEqual(small.exit_code, 0)
        self.assertEqual(self.ok(self.fs.read_file("/tmp/t/small.bin", format="bytes")).content, b"\x00\x01\xffabc")

    def test_large_file_chunks(self):
        # Bigger than the SDK's chunk sizes (it writes and reads in ~50 KiB pieces),
        # with multi-byte characters across the boundaries.
        text = "".join(f"{i:06d} ünïcode ✓ line\n" for i in range(12000))
        self.assertGreater(len(text.encode()), 300 * 1024)
        self.ok(self.fs.write_file("/tmp/t/large.txt", text))
        self.assertEqual(self.sh("sha256sum /tmp/t/large.txt").stdout.split()[0],
                         hashlib.sha256(text.encode()).hexdigest())
        self.assertEqual(self.ok(self.fs.read_file("/tmp/t/large.txt")).content, text)

    def test_directories(self):
        self.ok(self.fs.create_directory("/tmp/d/a/b/c"))
        self.ok(self.fs.write_file("/tmp/d/one.txt", "1"))
        self.ok(self.fs.write_file("/tmp/d/two.txt", "22"))
        r = self.ok(self.fs.list_directory("/tmp/d"))
        got = {(e.name, e.is_directory) for e in r.entries}
        self.assertEqual(got, {("a", True), ("one.txt", False), ("two.txt", False)})
        info = self.ok(self.fs.get_file_info("/tmp/d/two.txt")).file_info
        self.assertEqual(info.get("size"), 2)
        self.assertIs(info.get("isDirectory"), False)
        self.assertEqual(info.get("name"), "two.txt")
        dinfo = self.ok(self.fs.get_file_info("/tmp/d/a/b")).file_info
        self.assertIs(dinfo.get("isDirectory"), True)
        self.assertFalse(self.fs.get_file_info("/tmp/d/none").success)
        self.assertFalse(self.fs.read_file("/tmp/d/a").success)  # a directory

    def test_move_and_delete(self):
        self.ok(self.fs.write_file("/tmp/m/src.txt", "moving"))
        self.ok(self.fs.create_directory("/tmp/m/dst"))
        self.ok(self.fs.move_file("/tmp/m/src.txt", "/tmp/m/dst/moved.txt"))
        self.assertFalse(self.fs.get_file_info("/tmp/m/src.txt").success)
        self.assertEqual(self.fs.read_file("/tmp/m/dst/moved.txt").content, "moving")
        self.ok(self.fs.delete_file("/tmp/m/dst/moved.txt"))
        self.assertFalse(self.fs.get_file_info("/tmp/m/dst/moved.txt").success)
        self.assertEqual(self.sh("ls -A /tmp/m/dst").stdout, "")

    def test_edit_file(self):
        self.ok(self.fs.write_file("/tmp/e.txt", "alpha beta\ngamma\n"))
        edits = [{"oldText": "beta", "newText": "BETA"}, {"oldText": "gamma", "newText": "delta"}]
        self.ok(self.fs.edit_file("/tmp/e.txt", edits, dry_run=True))
        self.assertEqual(self.fs.read_file("/tmp/e.txt").content, "alpha beta\ngamma\n")
        self.ok(self.fs.edit_file("/tmp/e.txt", edits))
        self.assertEqual(self.fs.read_file("/tmp/e.txt").content, "alpha BETA\ndelta\n")
        bad = self.fs.edit_file("/tmp/e.txt", [{"oldText": "absent", "newText": "x"}])
        self.assertFalse(bad.success)

    def test_search_files(self):
        for p in ["/tmp/s/keep/report.log", "/tmp/s/keep/notes.txt", "/tmp/s/skip/report.log",
                  "/tmp/s/report-final.log"]:
            self.ok(self.fs.write_file(p, "x"))
        r = self.ok(self.fs.search_files("/tmp/s", "report"))
        self.assertEqual(sorted(r.matches), ["/tmp/s/keep/report.log", "/tmp/s/report-final.log",
                                             "/tmp/s/skip/report.log"])
        r = self.ok(self.fs.search_files("/tmp/s", "report", exclude_patterns=["skip", "*final*"]))
        self.assertEqual(r.matches, ["/tmp/s/keep/report.log"])
        none = self.fs.search_files("/tmp/s", "zzz-nothing")
        self.assertEqual(none.matches, [])

    def test_read_multiple_files(self):
        self.ok(self.fs.write_file("/tmp/r/a.txt", "first\nfile"))
        self.ok(self.fs.write_file("/tmp/r/b.txt", "second"))
        r = self.ok(self.fs.read_multiple_files(["/tmp/r/a.txt", "/tmp/r/b.txt"]))
        self.assertEqual(r.contents, {"/tmp/r/a.txt": "first\nfile", "/tmp/r/b.txt": "second"})

    def test_watch_directory(self):
        self.ok(self.fs.create_directory("/tmp/w"))
        events, seen, stop = [], threading.Event(), threading.Event()

        def cb(evs):
            events.extend(evs)
            if any(e.path.endswith("new.txt") for e in evs):
                seen.set()

        th = self.fs.watch_directory("/tmp/w", cb, interval=0.2, stop_event=stop)
        th.start()
        try:
            self.assertTrue(th.ready_event.wait(10))
            self.ok(self.fs.write_file("/tmp/w/new.txt", "watched"))
            self.assertTrue(seen.wait(10), [vars(e) for e in events])
        finally:
            stop.set()
            th.join(5)
        ev = [e for e in events if e.path.endswith("new.txt")][0]
        self.assertIn(ev.event_type, ("create", "modify"))
        self.assertEqual(ev.path_type, "file")


    def test_upload_file(self):
        local = os.path.join(SERVER["data"], "to-upload.txt")
        with open(local, "w") as f:
            f.write("uploaded through the file-transfer context")
        r = self.fs.upload_file(local, "/tmp/up/uploaded.txt", wait_timeout=10, poll_interval=0.2)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(self.fs.read_file("/tmp/up/uploaded.txt").content,
                         "uploaded through the file-transfer context")

    def test_download_file(self):
        self.ok(self.fs.write_file("/tmp/down/file.txt", "downloaded"))
        local = os.path.join(SERVER["data"], "downloaded.txt")
        r = self.fs.download_file("/tmp/down/file.txt", local, wait_timeout=10, poll_interval=0.2)
        self.assertTrue(r.success, r.error_message)
        with open(local) as f:
            self.assertEqual(f.read(), "downloaded")

class Code(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ab = client()
        cls.session = create(cls.ab, image_id="code_latest", labels={"suite": "code"})

    @classmethod
    def tearDownClass(cls):
        cls.session.delete()

    def test_python(self):
        r = self.session.code.run_code("import sys\nprint(6*7)\nprint('warn', file=sys.stderr)", "python", timeout_s=30)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual("".join(r.logs.stdout).strip(), "42")
        self.assertIn("warn", "".join(r.logs.stderr))
        self.assertEqual(r.result.strip(), "42")

    def test_javascript(self):
        if shutil.which("node") is None:
            self.skipTest("node is not installed on this machine")
        r = self.session.code.run_code("console.log([1,2,3].map(x => x * 2).join(','))", "javascript", timeout_s=30)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(r.result.strip(), "2,4,6")

    def test_error(self):
        r = self.session.code.run_code("raise ValueError('boom')", "python", timeout_s=30)
        self.assertFalse(r.success)
        self.assertIn("boom", r.error_message + "".join(r.logs.stderr))


class Contexts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ab = client()
        cls.ctx = cls.ab.context
        cls.tag = uuid.uuid4().hex[:8]

    def new_context(self, suffix):
        r = self.ctx.get(f"ctx-{self.tag}-{suffix}", create=True)
        self.assertTrue(r.success, r.error_message)
        self.addCleanup(self.ctx.delete, r.context)
        return r.context

    def upload(self, context_id, path, data):
        u = self.ctx.get_file_upload_url(context_id, path)
        self.assertTrue(u.success, u.error_message)
        status, _ = fetch(u.url, data=data, method="PUT")
        self.assertIn(status, (200, 201, 204))

    def download(self, context_id, path):
        u = self.ctx.get_file_download_url(context_id, path)
        self.assertTrue(u.success, u.error_message)
        return fetch(u.url)[1]

    def test_get_create_list_update_delete(self):
        name = f"ctx-{self.tag}-crud"
        self.assertFalse(self.ctx.get(name).success)  # create=False: not there yet
        r = self.ctx.get(name, create=True)
        self.assertTrue(r.success, r.error_message)
        cid = r.context_id
        self.assertTrue(cid)
        self.assertEqual(r.context.name, name)
        again = self.ctx.get(name, create=True)
        self.assertEqual(again.context_id, cid)
        by_id = self.ctx.get(context_id=cid)
        self.assertEqual(by_id.context.name, name)

        listed = self.ctx.list()
        self.assertTrue(listed.success, listed.error_message)
        self.assertIn(cid, [c.id for c in listed.contexts])

        ctx = r.context
        ctx.name = name + "-renamed"
        u = self.ctx.update(ctx)
        self.assertTrue(u.success, u.error_message)
        self.assertEqual(self.ctx.get(name + "-renamed").context_id, cid)
        self.assertFalse(self.ctx.get(name).success)

        d = self.ctx.delete(ctx)
        self.assertTrue(d.success, d.error_message)
        self.assertFalse(self.ctx.get(context_id=cid).success)
        self.assertNotIn(cid, [c.id for c in self.ctx.list().contexts])

    def test_list_pages(self):
        made = [self.new_context(f"page{i}") for i in range(3)]
        from agentbay._sync.context import ContextListParams
        p = self.ctx.list(ContextListParams(max_results=2))
        self.assertTrue(p.success, p.error_message)
        self.assertEqual(len(p.contexts), 2)
        self.assertTrue(p.next_token)
        seen = [c.id for c in p.contexts]
        while p.next_token:
            p = self.ctx.list(ContextListParams(max_results=2, next_token=p.next_token))
            seen += [c.id for c in p.contexts]
        self.assertTrue({c.id for c in made} <= set(seen))

    def test_file_urls(self):
        c = self.new_context("files")
        payload = os.urandom(4096) + b"tail"
        self.upload(c.id, "/data/blob.bin", payload)
        self.assertEqual(self.download(c.id, "/data/blob.bin"), payload)
        files = self.ctx.list_files(c.id, "/data")
        self.assertTrue(files.success)
        self.assertEqual([(e.file_name, e.size) for e in files.entries], [("blob.bin", len(payload))])
        d = self.ctx.delete_file(c.id, "/data/blob.bin")
        self.assertTrue(d.success, d.error_message)
        self.assertEqual(self.ctx.list_files(c.id, "/data").entries, [])

    def test_clear(self):
        c = self.new_context("clear")
        self.upload(c.id, "/x.txt", b"to be cleared")
        r = self.ctx.clear(c.id, timeout=20, poll_interval=0.5)
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(r.status, "available")
        self.assertEqual(self.ctx.list_files(c.id, "/").entries, [])
        # The two halves clear() is made of.
        self.upload(c.id, "/y.txt", b"again")
        started = self.ctx.clear_async(c.id)
        self.assertTrue(started.success, started.error_message)
        self.assertEqual(started.context_id, c.id)
        st = self.ctx.get_clear_status(c.id)
        self.assertTrue(st.success, st.error_message)
        self.assertIn(st.status, ("clearing", "pre-available", "available"))
        self.assertEqual(self.ctx.list_files(c.id, "/").entries, [])

    def bound_session(self):
        s = create(self.ab, labels={"suite": "bind"})
        self.addCleanup(s.delete)
        return s

    def test_bind(self):
        c = self.new_context("bind")
        self.upload(c.id, "/bound.txt", b"bound later")
        s = self.bound_session()
        r = s.context.bind(agentbay.ContextSync.new(c.id, "/home/wuying/bound", agentbay.SyncPolicy.default()),
                           wait_for_completion=False)
        self.assertTrue(r.success, r.error_message)
        for _ in range(50):
            items = [i for i in s.context.info(context_id=c.id).context_status_data if i.task_type == "download"]
            if items and all(i.status in ("Success", "Failed") for i in items):
                break
            time.sleep(0.2)
        self.assertEqual(s.file_system.read_file("/home/wuying/bound/bound.txt").content, "bound later")

    def test_bind_waits_for_the_download(self):
        c = self.new_context("bind-wait")
        self.upload(c.id, "/waited.txt", b"there on return")
        s = self.bound_session()
        r = s.context.bind(agentbay.ContextSync.new(c.id, "/tmp/bound", agentbay.SyncPolicy.default()))
        self.assertTrue(r.success, r.error_message)
        self.assertEqual(s.file_system.read_file("/tmp/bound/waited.txt").content, "there on return")
        self.assertEqual([(x.context_id, x.path) for x in s.context.list_bindings().bindings], [(c.id, "/tmp/bound")])

    def test_list_bindings(self):
        c = self.new_context("bindings")
        r = self.ab.create(agentbay.CreateSessionParams(
            context_syncs=[agentbay.ContextSync.new(c.id, "/home/wuying/listed", agentbay.SyncPolicy.default())]))
        self.assertTrue(r.success, r.error_message)
        self.addCleanup(r.session.delete)
        b = r.session.context.list_bindings()
        self.assertTrue(b.success, b.error_message)
        self.assertEqual([(x.context_id, x.path) for x in b.bindings], [(c.id, "/home/wuying/listed")])

    def test_session_with_context_sync(self):
        c = self.new_context("sync")
        self.upload(c.id, "/seed.txt", b"seeded before create")
        policy = agentbay.SyncPolicy.default()
        t = time.monotonic()
        r = self.ab.create(agentbay.CreateSessionParams(
            labels={"suite": "contexts"},
            context_syncs=[agentbay.ContextSync.new(c.id, "/home/wuying/ctx", policy)]))
        elapsed = time.monotonic() - t
        self.assertTrue(r.success, r.error_message)
        s = r.session
        self.assertLess(elapsed, 10, "create with context_syncs must not wait for minutes")
        try:
            fs = s.file_system
            self.assertEqual(fs.read_file("/home/wuying/ctx/seed.txt").content, "seeded before create")
            info = s.context.info()
            self.assertTrue(info.success, info.error_message)
            items = [(i.context_id, i.path, i.status) for i in info.context_status_data]
            self.assertIn((c.id, "/home/wuying/ctx", "Success"), items)

            self.assertTrue(fs.write_file("/home/wuying/ctx/made-in-session.txt", "round trip").success)
            t = time.monotonic()
            sync = s.context.sync()
            self.assertTrue(sync.success, sync.error_message)
            self.assertLess(time.monotonic() - t, 10)
            self.assertEqual(self.download(c.id, "/made-in-session.txt"), b"round trip")
            upl = [i for i in s.context.info(task_type="upload").context_status_data if i.context_id == c.id]
            self.assertTrue(upl and all(i.status == "Success" for i in upl), [vars(i) for i in upl])

            sync = s.context.sync(context_id=c.id, path="/home/wuying/ctx", mode="upload")
            self.assertTrue(sync.success, sync.error_message)

            self.assertTrue(fs.write_file("/home/wuying/ctx/at-delete.txt", "last words").success)
        finally:
            t = time.monotonic()
            d = s.delete(sync_context=True)
            self.assertTrue(d.success, d.error_message)
            self.assertLess(time.monotonic() - t, 15)
        self.assertEqual(self.download(c.id, "/at-delete.txt"), b"last words")
        names = sorted(e.file_name for e in self.ctx.list_files(c.id, "/").entries)
        self.assertEqual(names, ["at-delete.txt", "made-in-session.txt", "seed.txt"])


if __name__ == "__main__":
    unittest.main()
