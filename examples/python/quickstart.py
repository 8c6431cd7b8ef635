#!/usr/bin/env python3
"""Quickstart: agent sandboxes from Python with libagentbay.

Runs with no set-up: with no API key and no endpoint configured, AsyncAgentBay
starts the embedded local backend inside this process, and every session is a
real sandbox on this machine. Set AGENTBAY_API_KEY to run the same code on the
AgentBay cloud.

    python3 examples/python/quickstart.py      (from the repository, after `make lib`)
"""

import asyncio
import json
import statistics
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

try:
    from agentbay import AsyncAgentBay, CreateSessionParams
except ImportError:  # run from the repository without installing the package
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
    from agentbay import AsyncAgentBay, CreateSessionParams

WORKERS = 4
PORT = 30150  # session ports reachable through get_link are 30100-30199
SERVE = ("mkdir -p /tmp/site && echo '<h1>hello from session</h1>' > /tmp/site/index.html"
         f" && cd /tmp/site && nohup python3 -m http.server {PORT} --bind 127.0.0.1"
         " >/dev/null 2>&1 &")


class Timeline:
    """Times each step of the demo and prints it as a row of a table."""

    def __init__(self):
        self.total_ms = 0.0
        print(f"{'step':<40} {'time':>10}  result")
        print(f"{'-' * 40} {'-' * 10}  {'-' * 50}")

    @contextmanager
    def step(self, name):
        row = {"note": ""}  # the step fills in what it found
        started = time.perf_counter()
        try:
            yield row
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.total_ms += ms
            print(f"{name:<40} {ms:7.1f} ms  {row['note']}")

    def finish(self):
        print(f"{'-' * 40} {'-' * 10}\n{'total':<40} {self.total_ms:7.1f} ms")


async def shell(session, command, timeout_ms=10000):
    """Runs a command with the `shell` tool; returns its stdout (raises if it failed)."""
    result = await session.call_mcp_tool("shell", {"command": command, "timeout_ms": timeout_ms})
    if not result.success:
        raise RuntimeError(f"{command!r} failed: {result.error_message}")
    return json.loads(result.data)["stdout"]  # shell answers JSON: stdout, stderr, exit_code


def fetch(url):
    with urllib.request.urlopen(url, timeout=2) as reply:
        return reply.read().decode()


async def fetch_when_up(url, within=10.0):
    """Fetches url, retrying while the server in the session starts."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await asyncio.to_thread(fetch, url)  # urllib blocks: keep it off the loop
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def main():
    run = uuid.uuid4().hex[:6]  # a label value that finds this run's sessions only
    async with AsyncAgentBay() as agent_bay:  # closes the client (and the embedded backend)
        print(f"AgentBay endpoint: {agent_bay.endpoint}"
              f"{' (embedded local backend)' if agent_bay.embedded else ''}\n")
        timeline = Timeline()
        sessions = []
        try:
            with timeline.step(f"create {WORKERS} sessions at once") as row:
                params = CreateSessionParams(labels={"demo": run})
                # gather() runs the calls concurrently; each is one native operation.
                created = await asyncio.gather(*(agent_bay.create(params) for _ in range(WORKERS)))
                sessions = [result.session for result in created if result.success]
                failed = [result.error_message for result in created if not result.success]
                if failed:  # results report failures; they do not raise
                    raise RuntimeError(f"create failed: {failed[0]}")
                row["note"] = ", ".join(s.session_id[:14] for s in sessions)

            with timeline.step("label each with its worker number") as row:
                await asyncio.gather(*(s.set_labels({"demo": run, "worker": str(i)})
                                       for i, s in enumerate(sessions)))
                labels = (await sessions[-1].get_labels()).data
                row["note"] = f"last: {labels}"

            with timeline.step("list sessions by label") as row:
                listed = await agent_bay.list(labels={"demo": run})
                row["note"] = f"{listed.total_count} sessions with demo={run}"

            with timeline.step(f"run a command in all {WORKERS} at once") as row:
                # session.command is the official SDK's module: exit code, stdout, stderr.
                outputs = await asyncio.gather(*(
                    s.command.execute_command(f"sleep 0.5; echo worker {i} in $(pwd) as $(id -un)")
                    for i, s in enumerate(sessions)))
                row["note"] = f"{WORKERS} x 0.5 s in parallel; {outputs[0].stdout.strip()!r}"

            with timeline.step("stream a command's output as it comes") as row:
                proc = await sessions[0].command.start(
                    "for i in 1 2 3; do echo tick $i; sleep 0.2; done")
                started, first = time.perf_counter(), None
                async for chunk in proc.chunks():  # each piece as the command prints it
                    first = first or (time.perf_counter() - started) * 1000
                done = await proc.wait()
                row["note"] = f"first output after {first:.0f} ms of 600; exit code {done.exit_code}"

            with timeline.step("write 1 MiB to a file and read it back") as row:
                text = (f"notes of run {run}\n" * (1 << 16))[:1 << 20]
                fs = sessions[0].file_system  # the official SDK's module; large files go in chunks
                await fs.write_file("/tmp/notes.txt", text)
                read = await fs.read_file("/tmp/notes.txt")
                row["note"] = (f"{len(read.content):,} characters, content matches" if read.content == text
                               else f"MISMATCH: {read.error_message}")

            with timeline.step(f"serve a page on port {PORT}, fetch it") as row:
                await shell(sessions[0], SERVE)
                url = (await sessions[0].get_link(port=PORT)).data
                page = await fetch_when_up(url)
                row["note"] = f"{page.strip()} via get_link"

            # Pausing freezes every process of a session; resuming thaws them.
            with timeline.step(f"pause all {WORKERS} at once") as row:
                paused = await asyncio.gather(*(timed(s.pause()) for s in sessions))
                row["note"] = latency_note(paused, "PAUSED")

            with timeline.step(f"resume all {WORKERS} at once") as row:
                resumed = await asyncio.gather(*(timed(s.resume()) for s in sessions))
                row["note"] = latency_note(resumed, "RUNNING")

            with timeline.step("fetch the page again after resume") as row:
                row["note"] = (await fetch_when_up(url)).strip() + " (server survived the pause)"
        finally:
            # Always delete what was created, even if a step failed.
            with timeline.step(f"delete the {len(sessions)} sessions") as row:
                # Like every call but a few (see SessionError), delete() reports
                # failure in its result: one failed deletion does not stop the others.
                deleted = await asyncio.gather(*(s.delete() for s in sessions))
                row["note"] = f"{sum(d.success for d in deleted)} deleted"
    timeline.finish()
    print(f"\nThe page was fetched from {url}")


async def timed(call):
    """Awaits call; returns (result, milliseconds)."""
    started = time.perf_counter()
    result = await call
    return result, (time.perf_counter() - started) * 1000


def latency_note(timed_results, want):
    ok = sum(result.status == want for result, _ in timed_results)
    ms = [elapsed for _, elapsed in timed_results]
    return f"{ok} {want}; per session median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms"


if __name__ == "__main__":
    asyncio.run(main())
