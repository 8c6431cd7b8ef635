#!/usr/bin/env python3
"""The official Python SDK and ours, side by side against one agentbay-local.

Run by `make bench-official`, which builds agentbay-local and the library
and makes (or reuses) build/official-venv with the pinned official SDK:

    python3 tests/bench/official_side_by_side.py [--calls N] [--markdown]

The driver (this file, in any python3) starts ONE build/agentbay-local on a
free loopback port with --tls, a temporary --data folder and a fresh API key,
then runs this same file as a worker twice, one after the other, against that
server:

  * official: build/official-venv/bin/python, PYTHONPATH unset, so `import
    agentbay` is wuying-agentbay-sdk from the venv;
  * ours: python3 with PYTHONPATH=bindings/python and
    AGENTBAY_LIBRARY=build/libagentbay.so.

Both are given the same endpoint (Config(endpoint="127.0.0.1:PORT"), https),
the same key (api_key=) and SSL_CERT_FILE naming the server's certificate,
which both read (the official SDK's HTTP clients use Python's default SSL
context; our Go transport's system roots come from SSL_CERT_FILE). Our
client has an endpoint, so no embedded backend runs in its process: its
process time is the client's alone (the library's Go threads included).

The two clients have the same names (AgentBay, AsyncAgentBay, Config,
CreateSessionParams, session.get_labels, session.command.execute_command,
agent_bay.delete), so one worker body measures both. Each worker prints
one JSON line:

  * cpu_us: time.process_time() over N (1,000) sequential get_labels calls
    on one session with the blocking client, divided by N; wall_ms: the
    median wall time of those calls (each timed with perf_counter);
  * async_cpu_us / async_wall_ms: the same with the asyncio client, one
    await after another (N/2 calls);
  * create_delete_ms: create() then delete() with the blocking client,
    median of 10;
  * one_ms / burst_ms: execute_command("sleep 0.2") once (median of 3), and
    64 of them awaited together with asyncio.gather on one session of the
    asyncio client (median of 3 bursts); burst_x = burst_ms / one_ms.

The official SDK's logger is set to CRITICAL with no log file, so its figures
do not include writing its per-call log lines (that flatters it).

The machine is assumed shared and noisy: the figures that matter are the
ratios between the two workers of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "official"))
import local_server  # noqa: E402  (the official SDK test's server start)
BURST = 64
SLEEP = "sleep 0.2"


# ---- worker ------------------------------------------------------------------

def worker(which: str, calls: int) -> dict:
    if which == "official":
        # Quiet, no log file: see the module docstring.
        os.environ.setdefault("AGENTBAY_LOG_FILE", os.path.join(os.environ["SBS_DATA"], "sdk.log"))
    import agentbay
    path = os.path.realpath(agentbay.__file__)
    in_repo = path.startswith(os.path.join(REPO, "bindings") + os.sep)
    if in_repo != (which == "ours"):
        raise SystemExit(f"{which}: imported the wrong agentbay: {path}")
    if which == "official":
        agentbay.AgentBayLogger.setup(level="CRITICAL", enable_file=False, colorize=False)

    endpoint, key = os.environ["SBS_ENDPOINT"], os.environ["SBS_KEY"]

    def config():
        with warnings.catch_warnings():  # the official SDK deprecates endpoint= for region_id=
            warnings.simplefilter("ignore", DeprecationWarning)
            return agentbay.Config(endpoint=endpoint)

    out = {"which": which, "module": path}

    # Blocking client: get_labels CPU and wall, create+delete.
    ab = agentbay.AgentBay(api_key=key, cfg=config())
    r = ab.create(agentbay.CreateSessionParams(labels={"bench": which}))
    assert r.success, r.error_message
    s = r.session
    for _ in range(20):  # warm up: connections, caches
        g = s.get_labels()
        assert g.success and g.data == {"bench": which}, (g.success, g.error_message, g.data)
    walls = []
    cpu0 = time.process_time()
    for _ in range(calls):
        t = time.perf_counter()
        s.get_labels()
        walls.append(time.perf_counter() - t)
    cpu = time.process_time() - cpu0
    out["cpu_us"] = cpu / calls * 1e6
    out["wall_ms"] = statistics.median(walls) * 1e3
    out["wall_total_s"] = sum(walls)

    cd = []
    for i in range(10):
        t = time.perf_counter()
        c = ab.create(agentbay.CreateSessionParams(labels={"bench": which, "i": str(i)}))
        assert c.success, c.error_message
        d = ab.delete(c.session)
        assert d.success, d.error_message
        cd.append(time.perf_counter() - t)
    out["create_delete_ms"] = statistics.median(cd) * 1e3
    d = ab.delete(s)
    assert d.success, d.error_message
    if hasattr(ab, "close"):
        ab.close()

    # asyncio client: get_labels one after another, then the burst.
    async def main():
        aab = agentbay.AsyncAgentBay(api_key=key, cfg=config())
        r = await aab.create(agentbay.CreateSessionParams(labels={"bench": which}))
        assert r.success, r.error_message
        s = r.session
        try:
            for _ in range(20):
                g = await s.get_labels()
                assert g.success, g.error_message
            n = max(calls // 2, 1)
            walls = []
            cpu0 = time.process_time()
            for _ in range(n):
                t = time.perf_counter()
                await s.get_labels()
                walls.append(time.perf_counter() - t)
            out["async_cpu_us"] = (time.process_time() - cpu0) / n * 1e6
            out["async_wall_ms"] = statistics.median(walls) * 1e3

            async def one():
                t = time.perf_counter()
                c = await s.command.execute_command(SLEEP, timeout_ms=10000)
                assert c.success and c.exit_code == 0, (c.success, c.error_message)
                return time.perf_counter() - t

            out["one_ms"] = statistics.median([await one() for _ in range(3)]) * 1e3
            bursts = []
            for _ in range(3):
                t = time.perf_counter()
                await asyncio.gather(*[one() for _ in range(BURST)])
                bursts.append(time.perf_counter() - t)
            out["burst_ms"] = statistics.median(bursts) * 1e3
            out["burst_runs_ms"] = [round(b * 1e3) for b in bursts]
            out["burst_x"] = out["burst_ms"] / out["one_ms"]
        finally:
            d = await aab.delete(s)
            assert d.success, d.error_message
            if hasattr(aab, "aclose"):
                await aab.aclose()

    asyncio.run(main())
    return out


# ---- driver ------------------------------------------------------------------

def run_worker(which: str, python: str, env: dict, calls: int) -> dict:
    p = subprocess.run([python, os.path.abspath(__file__), "--worker", which, "--calls", str(calls)],
                       env=env, cwd=env["SBS_DATA"], stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{which} worker failed (exit {p.returncode})")
    return json.loads(p.stdout.strip().splitlines()[-1])


def table(o: dict, u: dict, calls: int) -> list:
    def row(what, a, b, fmt, better_low=True):
        ratio = a / b if b else float("nan")
        return (what, fmt.format(a), fmt.format(b), f"{ratio:.1f}x")
    return [
        row(f"client CPU per get_labels, blocking ({calls} calls)", o["cpu_us"], u["cpu_us"], "{:.0f} us"),
        row(f"client CPU per get_labels, asyncio ({calls // 2} calls)", o["async_cpu_us"], u["async_cpu_us"], "{:.0f} us"),
        row("wall per get_labels, blocking (median)", o["wall_ms"], u["wall_ms"], "{:.2f} ms"),
        row("wall per get_labels, asyncio (median)", o["async_wall_ms"], u["async_wall_ms"], "{:.2f} ms"),
        row("create + delete (median of 10)", o["create_delete_ms"], u["create_delete_ms"], "{:.1f} ms"),
        row("execute_command 'sleep 0.2', one call (median of 3)", o["one_ms"], u["one_ms"], "{:.0f} ms"),
        row(f"{BURST} concurrent execute_command 'sleep 0.2', asyncio (median of 3)",
            o["burst_ms"], u["burst_ms"], "{:.0f} ms"),
        ("  the same, as a multiple of one call", f"{o['burst_x']:.2f}x", f"{u['burst_x']:.2f}x",
         f"{o['burst_x'] / u['burst_x']:.1f}x"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worker", choices=("official", "ours"))
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    ap.add_argument("--only", choices=("official", "ours"), help="run one client and print its JSON")
    ap.add_argument("--server", default=os.environ.get("AGENTBAY_LOCAL_BIN")
                    or os.path.join(REPO, "build", "agentbay-local"))
    ap.add_argument("--official-python", default=os.environ.get("OFFICIAL_PYTHON")
                    or os.path.join(REPO, "build", "official-venv", "bin", "python"))
    ap.add_argument("--library", default=os.environ.get("AGENTBAY_LIBRARY")
                    or os.path.join(REPO, "build", "libagentbay.so"))
    a = ap.parse_args()
    a.server, a.official_python, a.library = (
        os.path.abspath(f) for f in (a.server, a.official_python, a.library))
    if a.worker:
        print(json.dumps(worker(a.worker, a.calls)))
        return

    for f, hint in ((a.server, "make local"), (a.official_python, "make bench-official"),
                    (a.library, "make lib")):
        if not os.path.exists(f):
            raise SystemExit(f"{f} is missing ({hint})")
    try:
        proc, data, endpoint, key = local_server.start(a.server, "sbs")
    except RuntimeError as e:
        raise SystemExit(str(e))
    try:
        base = {k: v for k, v in os.environ.items()
                if k != "PYTHONPATH" and not k.startswith("AGENTBAY_")}
        base.update(SBS_ENDPOINT=endpoint, SBS_KEY=key, SBS_DATA=data,
                    SSL_CERT_FILE=os.path.join(data, "cert.pem"))
        ours_env = dict(base, PYTHONPATH=os.path.join(REPO, "bindings", "python"),
                        AGENTBAY_LIBRARY=os.path.abspath(a.library))
        print(f"agentbay-local at https://{endpoint}; {a.calls} get_labels calls per client; "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
        if a.only:
            py = a.official_python if a.only == "official" else sys.executable
            print(json.dumps(run_worker(a.only, py, base if a.only == "official" else ours_env, a.calls)))
            return
        t = time.perf_counter()
        o = run_worker("official", a.official_python, base, a.calls)
        print(f"official SDK done in {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        u = run_worker("ours", sys.executable, ours_env, a.calls)
        print(f"ours done in {time.perf_counter() - t:.1f} s", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(data, ignore_errors=True)

    rows = table(o, u, a.calls)
    head = ("what", "official SDK 0.22.3", "ours", "official / ours")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    for r in [head] + rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print(f"official 64-burst runs {o['burst_runs_ms']} ms; ours {u['burst_runs_ms']} ms; "
          f"load average {os.getloadavg()[0]:.2f}")
    verdict = "meets" if o["cpu_us"] / u["cpu_us"] >= 5 else "MISSES"
    print(f"target: client CPU per get_labels at least 5x lower than the official SDK's: "
          f"{o['cpu_us'] / u['cpu_us']:.1f}x, {verdict}")
    if a.markdown:
        print()
        print("| " + " | ".join(head) + " |")
        print("|---|---|---|---|")
        for r in rows:
            print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
