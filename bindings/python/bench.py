#!/usr/bin/env python3
"""Benchmarks of the Python binding, printing lines the README can quote.

    python3 bindings/python/bench.py          (from the repository, after `make lib`)

What each line measures (all on the embedded local backend, in this process):
  * concurrency: 64 `shell` calls of `sleep 0.2` awaited together from one
    event loop, against the same 64 one after another;
  * pause/resume: the latency of each pause() and resume(), end to end;
  * waits: pause then resume against an embedded backend emulating
    transitions of T = 0.1, 0.5, 1.5 and 5 s (Config(emulate=...)): the wall time
    of each wait, its overshoot over T, and its status reads (the last
    StatusEvent's reads);
  * overhead: the same calls made from C (a small program compiled here
    against the same library, if gcc is present) and from Python: a
    synchronous call (ab_session_id) and a full round trip to the backend
    (get_labels) through ab_op_wait, the blocking Session and asyncio. Each
    of the C program, the blocking client and the asyncio client runs its
    own embedded backend, so their round trips are alike but not shared;
  * interleaved: get_labels through raw ctypes ab_op_wait, the blocking
    path and both asyncio paths, one of each per round, with the wall time
    and the calling (loop) thread's CPU (time.thread_time) of each call, and
    in the same rounds the floor: an eventfd ping answered by another
    thread, received blocking or through asyncio, with no library at all.
    AGENTBAY_BENCH_BASELINE=<git revision> adds the Python package of that
    revision (over the same library, with a client of its own), so that a
    change is measured before and after in one run.

asyncio calls complete through the library's completion queue (the
default); the concurrency and round-trip lines also measure the older path,
callbacks on library threads plus call_soon_threadsafe, side by side in the
same run (AGENTBAY_ASYNC_COMPLETIONS=callback makes that the default).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import platform
import random
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run from the repository without installing

from agentbay import AgentBay, AsyncAgentBay, Config, StatusEvent, _native  # noqa: E402

SLEEP = {"command": "sleep 0.2", "timeout_ms": 10000}
NO_CALLBACK = _native._CALLBACK()  # a NULL ab_callback: wait with ab_op_wait instead
PATHS = ("queue", "callback")  # how asyncio calls complete: see _native._use_queue


def use(path: str) -> None:
    _native._use_queue = path == "queue"


async def concurrency(agent_bay: AsyncAgentBay, n: int = 64) -> None:
    sessions = [(await agent_bay.create()).session for _ in range(4)]

    def calls(command: str) -> list:
        args = {"command": command, "timeout_ms": 10000}
        return [sessions[i % 4].call_mcp_tool("shell", args) for i in range(n)]

    one = await timed(sessions[0].call_mcp_tool("shell", SLEEP))
    paired = {p: [] for p in PATHS}
    for _ in range(3):  # alternating, so that both see the same machine
        for path in PATHS:
            use(path)
            paired[path].append(await timed_all(calls("sleep 0.2")))
    use("queue")
    together = statistics.median(paired["queue"])
    started = time.perf_counter()
    for call in calls("sleep 0.2"):
        await call
    apart = time.perf_counter() - started
    spawn = await timed_all(calls("true"))
    print(f"concurrency: {n} x shell 'sleep 0.2' over 4 sessions: one call {one * 1000:.0f} ms; "
          f"{n} awaited together {together * 1000:.0f} ms ({together / one:.2f}x one call); "
          f"{n} one after another {apart:.2f} s; speed-up {apart / together:.0f}x")
    print("concurrency: " + "; ".join(
        f"{path} path {n} together median {statistics.median(v) * 1000:.0f} ms "
        f"({statistics.median(v) / one:.2f}x one call; runs "
        + ", ".join(f"{x * 1000:.0f}" for x in v) + ")" for path, v in paired.items()))
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


async def slow_waits(spans=(0.1, 0.5, 1.5, 5.0), iterations: int = 2) -> None:
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


SEQ_BYTES = 588895  # the output of `seq 1 100000`


async def stream_seq(session, rounds: int = 10) -> None:
    """`seq 1 100000` streamed through the asyncio iterator."""
    async def once() -> tuple:
        t0 = time.perf_counter()
        first, n = None, 0
        proc = await session.command.start("seq 1 100000")
        async for chunk in proc.chunks():
            first = first or time.perf_counter() - t0
            n += len(chunk.text)
        assert n == SEQ_BYTES, n
        return time.perf_counter() - t0, first
    report("asyncio proc.chunks()", [await once() for _ in range(rounds + 2)][2:])


def stream_seq_blocking(rounds: int = 10) -> None:
    """The same through the blocking API."""
    with AgentBay() as ab:
        session = ab.create().session

        def once() -> tuple:
            t0 = time.perf_counter()
            first, n = None, 0
            for chunk in session.command.start("seq 1 100000").chunks():
                first = first or time.perf_counter() - t0
                n += len(chunk.text)
            assert n == SEQ_BYTES, n
            return time.perf_counter() - t0, first
        report("blocking proc.chunks()", [once() for _ in range(rounds + 2)][2:])
        session.delete()


def report(label: str, samples: list) -> None:
    total = statistics.median(t for t, _ in samples)
    first = statistics.median(f for _, f in samples)
    print(f"streamed seq 1 100000, {label} (median of {len(samples)}): {total * 1000:.1f} ms, "
          f"first byte {first * 1000:.2f} ms, {SEQ_BYTES / total / 1e6:.1f} MB/s")


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


async def asyncio_round_trips(session) -> dict[str, list[float]]:
    """500 get_labels round trips per completion path, in alternating blocks."""
    samples: dict[str, list[float]] = {p: [] for p in PATHS}
    for _ in range(10):
        for path in PATHS:
            use(path)
            for _ in range(50):
                started = time.perf_counter()
                await session.get_labels()
                samples[path].append(time.perf_counter() - started)
    use("queue")
    return samples


async def interleaved_round_trips(session, baseline=None, rounds: int = 1000) -> dict:
    """get_labels on one session, one call of each kind per round in turn:
    the raw ab_op_wait through ctypes (the C path plus ctypes' ~2 us), the
    blocking API's path (run_sync of the same Call), ``await
    session.get_labels()`` through each completion path, the same on a
    session of the baseline package if given (its own client and embedded
    backend), and the floor's pings (see Floor). Interleaved, so that a busy
    machine weighs on all alike; the deltas between them are the figures to
    trust. Each sample is (wall seconds, seconds of this thread's CPU)."""
    from agentbay import _core, results

    lib = _native.library()
    handle = session._core.handle
    out, err = ctypes.c_void_p(), ctypes.c_void_p()

    async def raw_wait() -> None:
        op = ctypes.c_uint64()
        lib.ab_session_call(handle, b"get_labels", None, NO_CALLBACK, None, ctypes.byref(op),
                            ctypes.byref(err))
        lib.ab_op_wait(op.value, -1, ctypes.byref(out), ctypes.byref(err))
        _native.take_string(out)
        lib.ab_op_free(op.value)

    async def blocking() -> None:
        _core.run_sync(session._op("get_labels", results.OperationResult))

    def path(name: str):
        async def round_trip() -> None:
            use(name)
            await session.get_labels()
            use("queue")
        return round_trip

    floor = Floor(asyncio.get_running_loop())
    kinds = {"wait": raw_wait, "blocking": blocking, "queue": path("queue"),
             "callback": path("callback"), **floor.kinds()}
    if baseline is not None:
        kinds["baseline"] = baseline.get_labels
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    # A new order each round: a call after a floor ping finds the library's
    # threads idle and pays to wake them, so fixed neighbours would bias.
    order, shuffle = list(kinds), random.Random(12).shuffle
    for i in range(rounds + 20):
        shuffle(order)
        for k in order:
            started, cpu = time.perf_counter(), time.thread_time()
            await kinds[k]()
            if i >= 20:
                samples[k].append((time.perf_counter() - started, time.thread_time() - cpu))
    floor.close()
    return samples


FLOOR_C = r"""
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

static int req_fd, rep_fd;

/* The echo: one eventfd write back for each one read. */
static void *echo(void *arg) {
  uint64_t v;
  (void)arg;
  while (read(req_fd, &v, 8) == 8) { v = 1; if (write(rep_fd, &v, 8) != 8) break; }
  return NULL;
}

int echo_start(int req, int rep) {
  pthread_t t;
  req_fd = req; rep_fd = rep;
  return pthread_create(&t, NULL, echo, NULL) || pthread_detach(t);
}

/* One ping all in C, in seconds: a blocking read of the reply (poller 0)
 * or epoll_wait and then the read (1). */
double c_ping(int poller) {
  static int ep = -1;
  struct epoll_event e = {.events = EPOLLIN};
  struct timespec t0, t1;
  uint64_t v = 1;
  if (ep < 0) { ep = epoll_create1(0); epoll_ctl(ep, EPOLL_CTL_ADD, rep_fd, &e); }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (write(req_fd, &v, 8) != 8) return -1;
  if (poller) epoll_wait(ep, &e, 1, -1);
  if (read(rep_fd, &v, 8) != 8) return -1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
}
"""


class Floor:
    """What a cross-thread wake-up costs with no library at all: a ping
    through two eventfds, answered by another thread (a C thread, as the
    library's threads hold no GIL, if gcc is there; and a Python thread,
    pure stdlib). Received blocking (a read, as ab_op_wait waits) or by
    asyncio (add_reader, a future set in the reader, the task's step), as
    the completion queue is; the difference is asyncio's own share."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self.futures = loop, {}
        self.pairs = {"py": self._pair()}
        threading.Thread(target=self._echo, args=self.pairs["py"], daemon=True).start()
        self.c = self._c_echo()
        if self.c is not None:
            self.pairs["c"] = self._pair()
            self.c.echo_start(*self.pairs["c"])
        for _, rep in self.pairs.values():
            loop.add_reader(rep, self._reply, rep)

    @staticmethod
    def _pair() -> tuple[int, int]:
        flags = os.EFD_CLOEXEC
        return os.eventfd(0, flags), os.eventfd(0, flags | os.EFD_NONBLOCK)

    @staticmethod
    def _echo(req: int, rep: int) -> None:
        while True:
            os.eventfd_read(req)
            os.eventfd_write(rep, 1)

    def _c_echo(self):
        if not shutil.which("gcc"):
            return None
        self._tmp = tempfile.TemporaryDirectory()
        source, lib = Path(self._tmp.name) / "floor.c", Path(self._tmp.name) / "floor.so"
        source.write_text(FLOOR_C)
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(source),
                        "-lpthread"], check=True)
        c = ctypes.CDLL(str(lib))
        c.c_ping.restype = ctypes.c_double
        return c

    def _reply(self, rep: int) -> None:
        try:
            os.eventfd_read(rep)
        except BlockingIOError:  # a readiness reported before a blocking ping took its reply
            return
        future = self.futures.pop(rep, None)
        if future is not None:
            future.set_result(None)

    def kinds(self) -> dict:
        """The pings, by name, as interleaved_round_trips runs them."""
        kinds = {}
        for name, (req, rep) in self.pairs.items():
            kinds[f"{name} echo, blocking"] = self._blocking(req, rep)
            kinds[f"{name} echo, asyncio"] = self._asyncio(req, rep)
        if self.c is not None:
            async def c_block() -> None:
                self.c.c_ping(0)

            async def c_epoll() -> None:
                self.c.c_ping(1)
            kinds["C, blocking read"], kinds["C, epoll"] = c_block, c_epoll
        return kinds

    def _blocking(self, req: int, rep: int):
        async def ping() -> None:
            os.eventfd_write(req, 1)
            select.select([rep], [], [])  # the loop's reader is not run meanwhile
            os.eventfd_read(rep)
        return ping

    def _asyncio(self, req: int, rep: int):
        async def ping() -> None:
            future = self.futures[rep] = self.loop.create_future()
            os.eventfd_write(req, 1)
            await future
        return ping

    def close(self) -> None:
        for _, rep in self.pairs.values():
            self.loop.remove_reader(rep)


def load_baseline(rev: str):
    """The agentbay package as of git revision rev, imported beside this one
    as agentbay_baseline (over the same library), or None without rev."""
    if not rev:
        return None
    tmp = Path(tempfile.mkdtemp(prefix="agentbay-baseline-"))
    archive = subprocess.run(["git", "-C", str(HERE), "archive", rev, "agentbay"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    (tmp / "agentbay").rename(tmp / "agentbay_baseline")
    sys.path.insert(0, str(tmp))
    import agentbay_baseline
    return agentbay_baseline


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


async def interleaved_with_baseline(session) -> dict:
    """interleaved_round_trips, with the package at AGENTBAY_BENCH_BASELINE
    (a git revision, e.g. main) beside this one if that is set."""
    rev = os.environ.get("AGENTBAY_BENCH_BASELINE", "")
    baseline = load_baseline(rev)
    if baseline is None:
        return await interleaved_round_trips(session)
    mixed = await interleaved_round_trips(session, baseline_session(baseline, session))
    mixed[f"baseline {rev}"] = mixed.pop("baseline")
    return mixed


def baseline_session(baseline, session):
    """An AsyncSession of the baseline package over a second handle to the
    same session, of the same client: only the Python code differs."""
    baseline._native.load_library(_native.library_path())
    core = baseline._core.SessionCore(session.agent_bay._core, session.session_id)
    return baseline.AsyncSession._from_core(session.agent_bay, core, "", None)


def print_interleaved(mixed: dict) -> None:
    """Median wall and mean CPU of this thread per call of each kind, and
    the deltas that matter: over ab_op_wait, and asyncio's own."""
    wall = {k: statistics.median(w for w, _ in v) for k, v in mixed.items()}
    cpu = {k: statistics.mean(c for _, c in v) for k, v in mixed.items()}
    n = len(mixed["wait"])
    print(f"get_labels interleaved ({n} rounds; median wall / mean CPU of the calling thread): "
          + "; ".join(f"{k} {wall[k] * 1e6:.1f} / {cpu[k] * 1e6:.1f} us"
                      for k in mixed if "echo" not in k and "C," not in k))
    print("get_labels over ctypes ab_op_wait, same rounds: " + ", ".join(
        f"{k} {(wall[k] - wall['wait']) * 1e6:+.1f} us" for k in mixed
        if k != "wait" and "echo" not in k and "C," not in k))
    print("floor, same rounds (an eventfd ping answered by another thread; median wall / mean "
          "CPU): " + "; ".join(f"{k} {wall[k] * 1e6:.1f} / {cpu[k] * 1e6:.1f} us"
                               for k in mixed if "echo" in k or "C," in k))
    print("floor: asyncio over a blocking receive: " + ", ".join(
        f"{who} echo {(wall[f'{who} echo, asyncio'] - wall[f'{who} echo, blocking']) * 1e6:+.1f} us"
        for who in ("c", "py") if f"{who} echo, asyncio" in wall))


async def main() -> None:
    print(f"# libagentbay {_native.text(_native.library().ab_version())}, Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs, embedded backend")
    async with AsyncAgentBay() as agent_bay:
        await concurrency(agent_bay)
        await pause_resume(agent_bay)
        session = (await agent_bay.create()).session
        await session.set_labels({"bench": "labels"})
        paths = await asyncio_round_trips(session)
        round_trips = paths["queue"]
        mixed = await interleaved_with_baseline(session)
        await file_round_trip(session)
        await stream_seq(session)
        await session.delete()
    stream_seq_blocking()
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
          f"{us(py['sync'])}, Python AsyncSession (asyncio) {us(round_trips)} "
          f"(the callback path: {us(paths['callback'])})")
    base = statistics.median(py["wait"])
    print(f"binding overhead per call over the raw ab_op_wait path: blocking "
          f"{(statistics.median(py['sync']) - base) * 1e6:+.1f} us, asyncio "
          f"{(statistics.median(round_trips) - base) * 1e6:+.1f} us (callback path "
          f"{(statistics.median(paths['callback']) - base) * 1e6:+.1f} us)")
    print_interleaved(mixed)
    if c:
        c_base = statistics.median(c["wait"])
        print("asyncio round trip over C ab_op_wait: " + ", ".join(
            f"{path} {(statistics.median(v) - c_base) * 1e6:+.1f} us" for path, v in paths.items()))


if __name__ == "__main__":
    asyncio.run(main())
