#!/usr/bin/env python3
"""Benchmarks of the Python binding, printing lines the README can quote.

    python3 bindings/python/bench.py          (from the repository, after `make lib`)

What each line measures (all on the embedded local backend, in this process):
  * concurrency: 64 `shell` calls of `sleep 0.2` awaited together from one
    event loop, against the same 64 one after another;
  * pause/resume: the latency of each pause() and resume(), end to end;
  * waits: pause then resume against an embedded backend emulating
    transitions of T = 0.5 s and 1.5 s (Config(emulate=...)): the wall time
    of each wait, its overshoot over T, and its status reads (the last
    StatusEvent's reads);
  * overhead: the same calls made from C (a small program compiled here
    against the same library, if gcc is present) and from Python: a
    synchronous call (ab_session_id) and a full round trip to the backend
    (get_labels) through ab_op_wait, the blocking Session and asyncio. Each
    of the C program, the blocking client and the asyncio client runs its
    own embedded backend, so their round trips are alike but not shared.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run from the repository without installing

from agentbay import AgentBay, AsyncAgentBay, Config, StatusEvent, _native  # noqa: E402

SLEEP = {"command": "sleep 0.2", "timeout_ms": 10000}
NO_CALLBACK = _native._CALLBACK()  # a NULL ab_callback: wait with ab_op_wait instead


async def concurrency(agent_bay: AsyncAgentBay, n: int = 64) -> None:
    sessions = [(await agent_bay.create()).session for _ in range(4)]

    def calls(command: str) -> list:
        args = {"command": command, "timeout_ms": 10000}
        return [sessions[i % 4].call_mcp_tool("shell", args) for i in range(n)]

    one = await timed(sessions[0].call_mcp_tool("shell", SLEEP))
    together = await timed_all(calls("sleep 0.2"))
    started = time.perf_counter()
    for call in calls("sleep 0.2"):
        await call
    apart = time.perf_counter() - started
    spawn = await timed_all(calls("true"))
    print(f"concurrency: {n} x shell 'sleep 0.2' over 4 sessions: one call {one * 1000:.0f} ms; "
          f"{n} awaited together {together * 1000:.0f} ms ({together / one:.2f}x one call); "
          f"{n} one after another {apart:.2f} s; speed-up {apart / together:.0f}x")
    print(f"concurrency: for comparison, {n} x shell 'true' awaited together take "
          f"{spawn * 1000:.0f} ms (the backend's cost of starting {n} commands)")
    for session in sessions:
        await session.delete()


async def pause_resume(agent_bay: AsyncAgentBay, rounds: int = 20) -> None:
    session = (await agent_bay.create()).session
    await session.call_mcp_tool("shell", {"command": "sleep 600 >/dev/null 2>&1 &",
                                          "timeout_ms": 5000})  # something to freeze
    pauses, resumes = [], []
    for _ in range(rounds):
        pauses.append(await timed(session.pause(), want="PAUSED"))
        resumes.append(await timed(session.resume(), want="RUNNING"))
    both = [p + r for p, r in zip(pauses, resumes)]
    print(f"pause/resume: {rounds} rounds, end to end: pause median {ms(pauses)} "
          f"(max {max(pauses) * 1000:.1f} ms), resume median {ms(resumes)} "
          f"(max {max(resumes) * 1000:.1f} ms), pause+resume median {ms(both)} "
          f"(max {max(both) * 1000:.1f} ms)")
    await session.delete()


async def slow_waits(spans=(0.5, 1.5), iterations: int = 2) -> None:
    for t in spans:
        emulate = {"pause": f"{t}s", "resume": f"{t}s"}
        async with AsyncAgentBay(cfg=Config(endpoint="embedded", emulate=emulate)) as agent_bay:
            session = (await agent_bay.create()).session
            times = {"pause": [], "resume": []}
            reads = []
            for _ in range(iterations):
                for name in ("pause", "resume"):
                    last: list[StatusEvent] = []
                    started = time.perf_counter()
                    r = await getattr(session, name)(on_status=last.append)
                    times[name].append(time.perf_counter() - started)
                    assert r.success, r.error_message
                    reads.append(last[-1].reads)
            over = [x - t for x in times["pause"] + times["resume"]]
            print(f"waits: T = {t} s: pause / resume {statistics.mean(times['pause']) * 1000:.0f} / "
                  f"{statistics.mean(times['resume']) * 1000:.0f} ms; overshoot mean "
                  f"{statistics.mean(over) * 1000:.0f} ms (max {max(over) * 1000:.0f} ms); "
                  f"reads per wait {statistics.mean(reads):.1f}")


async def file_round_trip(session, rounds: int = 20) -> None:
    """A 1 MiB text file written then read back whole, through the module."""
    content = "0123456789abcdef" * (1 << 16)
    fs = session.file_system
    samples = []
    for _ in range(rounds + 2):
        t = time.perf_counter()
        w = await fs.write_file("/tmp/bench-1mib.txt", content)
        r = await fs.read_file("/tmp/bench-1mib.txt")
        samples.append(time.perf_counter() - t)
        assert w.success and r.content == content, (w.error_message, r.error_message)
    print(f"1 MiB write_file + read_file, asyncio (median of {rounds}): {ms(samples[2:])}")


async def timed(call, want: str = "") -> float:
    """Seconds that call takes; it must succeed (with status want, if given)."""
    started = time.perf_counter()
    result = await call
    elapsed = time.perf_counter() - started
    assert result.success and (not want or result.status == want), result
    return elapsed


async def timed_all(calls: list) -> float:
    """Seconds that the calls take awaited together; all must succeed."""
    started = time.perf_counter()
    results = await asyncio.gather(*calls)
    elapsed = time.perf_counter() - started
    assert all(r.success for r in results), [r for r in results if not r.success][:1]
    return elapsed


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def us(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1e6:.1f} us"


def per_call(fn, n: int) -> float:
    """Seconds per call of fn, over n calls (one sample)."""
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def blocking_figures() -> dict:
    """ctypes and blocking-API figures, on a client and session of their own."""
    lib = _native.library()
    with AgentBay() as agent_bay:
        session = agent_bay.create().session
        session.set_labels({"bench": "labels"})
        handle = session._core.handle  # the native ab_session behind the Session
        out, err = ctypes.c_void_p(), ctypes.c_void_p()

        def session_id_call() -> None:
            lib.ab_session_id(handle, ctypes.byref(out), ctypes.byref(err))
            _native.take_string(out)

        def op_wait_round_trip() -> None:
            op = ctypes.c_uint64()
            lib.ab_session_get_labels(handle, NO_CALLBACK, None, ctypes.byref(op), ctypes.byref(err))
            lib.ab_op_wait(op.value, -1, ctypes.byref(out), ctypes.byref(err))
            _native.take_string(out)
            lib.ab_op_free(op.value)

        figures = {
            "abi": [per_call(lib.ab_abi_version, 100_000) for _ in range(5)],
            "id": [per_call(session_id_call, 50_000) for _ in range(5)],
            "wait": [per_call(op_wait_round_trip, 1) for _ in range(500)],
            "sync": [per_call(session.get_labels, 1) for _ in range(500)],
        }
        session.delete()
    return figures


async def asyncio_round_trips(session) -> list[float]:
    samples = []
    for _ in range(500):
        started = time.perf_counter()
        await session.get_labels()
        samples.append(time.perf_counter() - started)
    return samples


C_BENCH = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agentbay.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
  ab_client c; ab_session s; ab_op op; char *out;
  if (ab_client_new(NULL, &c, NULL)) return 1;
  ab_client_create(c, "{\"labels\":{\"bench\":\"labels\"}}", NULL, NULL, &op, NULL);
  if (ab_op_wait(op, -1, &out, NULL)) return 2;
  s = strtoull(strstr(out, "\"session_handle\":") + 17, NULL, 10);
  ab_string_free(out); ab_op_free(op);
  double t = now();
  for (int i = 0; i < 200000; i++) { ab_session_id(s, &out, NULL); ab_string_free(out); }
  printf("%g\n", (now() - t) / 200000);
  for (int i = 0; i < 500; i++) {
    t = now();
    ab_session_get_labels(s, NULL, NULL, &op, NULL);
    ab_op_wait(op, -1, &out, NULL); ab_string_free(out); ab_op_free(op);
    printf("%g\n", now() - t);
  }
  ab_session_delete(s, 0, NULL, NULL, &op, NULL);
  ab_op_wait(op, -1, NULL, NULL); ab_op_free(op);
  ab_client_close(c);
  return 0;
}
"""


def c_figures() -> dict | None:
    """The same calls from C, or None without gcc or the header."""
    header = HERE.parent.parent / "include" / "agentbay.h"
    library = Path(_native.library_path())
    if not shutil.which("gcc") or not header.exists() or not library.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        source, program = Path(tmp) / "bench.c", Path(tmp) / "bench"
        source.write_text(C_BENCH)
        subprocess.run(["gcc", "-O2", "-o", str(program), str(source), f"-I{header.parent}",
                        str(library), f"-Wl,-rpath,{library.parent}"], check=True)
        lines = subprocess.run([str(program)], check=True, capture_output=True,
                               text=True).stdout.split()
    values = [float(v) for v in lines]
    return {"id": values[0], "wait": values[1:]}


async def main() -> None:
    print(f"# libagentbay {_native.text(_native.library().ab_version())}, Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs, embedded backend")
    async with AsyncAgentBay() as agent_bay:
        await concurrency(agent_bay)
        await pause_resume(agent_bay)
        session = (await agent_bay.create()).session
        await session.set_labels({"bench": "labels"})
        round_trips = await asyncio_round_trips(session)
        await file_round_trip(session)
        await session.delete()
    await slow_waits()
    py = blocking_figures()
    c = c_figures()
    print(f"ffi floor: ab_abi_version via ctypes {us(py['abi'])} per call")
    c_id = f"C {c['id'] * 1e6:.2f} us, " if c else ""
    print(f"sync call ab_session_id (+ string copy and free): {c_id}"
          f"Python ctypes {us(py['id'])}")
    c_wait = f"C ab_op_wait {us(c['wait'])}, " if c else ""
    print(f"get_labels round trip to the backend (median of 500): {c_wait}"
          f"Python ctypes ab_op_wait {us(py['wait'])}, Python Session (blocking) "
          f"{us(py['sync'])}, Python AsyncSession (asyncio) {us(round_trips)}")
    base = statistics.median(py["wait"])
    print(f"binding overhead per call over the raw ab_op_wait path: blocking "
          f"{(statistics.median(py['sync']) - base) * 1e6:+.1f} us, asyncio "
          f"{(statistics.median(round_trips) - base) * 1e6:+.1f} us")


if __name__ == "__main__":
    asyncio.run(main())
