#!/usr/bin/env node
// Figures of the Node binding on the embedded local backend, one per line in
// a form the README can quote:
//
//   node bindings/node/bench.mjs
//
// The last lines are waits against emulated slow transitions (the emulate
// option). The per-call overhead is measured here from the Node side only (the addon
// calling a trivial synchronous C function of the library); compare it with
// the same call timed from C.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AgentBay } from './index.mjs';

const require = createRequire(import.meta.url);
const native = require('./lib/native.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ns per call of fn over n calls, best of 5 rounds (after a warm-up round).
function nsPerCall(fn, n = 100_000) {
  const rounds = [];
  for (let r = 0; r < 6; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    rounds.push(Number(process.hrtime.bigint() - t) / n);
  }
  return Math.min(...rounds.slice(1));
}

// CPU time of this (the JS) thread in ms: schedstat's first field, the
// nanoseconds it has run; stat's 10 ms ticks where a kernel has no schedstat.
function jsThreadCpuMs() {
  const task = `/proc/self/task/${process.pid}`;
  try {
    return Number(readFileSync(`${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    const fields = readFileSync(`${task}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }
}

async function msOf(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function report(what, value) {
  console.log(`node: ${what.padEnd(58)} ${value}`);
}

const agentBay = new AgentBay();
try {
  const { session } = await agentBay.create({ labels: { bench: 'node' } });

  // Sync calls. Session handles stay private to the API, so these go through
  // the raw addon on a client and session of their own.
  // (The addon now exposes only the generic calls: without sessionId this
  // figure is not measured.)
  const addon = native.load();
  const raw = addon.clientNew('{}');
  const { session_handle: sid, session_id: id } = await native.run('client', raw, 'create', {});
  // The addon no longer loads ab_session_id (ABI 2 runs everything through
  // the table), so the trivial-call figure is not measured any more;
  // clientInfo is the cheapest synchronous C call it makes.
  void sid;
  report('ab_client_info through the addon (100k calls)', `${nsPerCall(() => addon.clientInfo(raw)).toFixed(0)} ns/call`);
  report('a plain JS call, for scale (100k calls)', `${nsPerCall(() => id.indexOf('-')).toFixed(1)} ns/call`);
  addon.clientClose(raw);

  // Async round trip: one getStatus at a time.
  const seq = [];
  for (let i = 0; i < 200; i++) seq.push(await msOf(() => session.getStatus()));
  report('getStatus round trip, one at a time (median of 200)', `${(median(seq) * 1000).toFixed(0)} us`);

  // Many in flight at once. The CPU time of the JS thread is what the
  // binding costs (starting calls, delivering completions, parsing results,
  // settling Promises); the rest of the process's CPU time is the engine and
  // the backend, which runs in this process when embedded.
  for (const n of [1000, 10000]) {
    const runs = [];
    for (let r = 0; r < 5; r++) {
      const js = jsThreadCpuMs();
      const all = process.cpuUsage();
      const ms = await msOf(() => Promise.all(Array.from({ length: n }, () => session.getStatus())));
      const { user, system } = process.cpuUsage(all);
      runs.push({ ms, js: jsThreadCpuMs() - js, all: (user + system) / 1000 });
    }
    const [wall, js, all] = ['ms', 'js', 'all'].map((k) => median(runs.map((r) => r[k])));
    report(`${n} concurrent getStatus, wall time (median of 5)`, `${wall.toFixed(1)} ms`);
    report(`  CPU: JS thread / whole process`,
      `${js.toFixed(1)} ms (${(js * 1000 / n).toFixed(1)} us/op) / ${all.toFixed(0)} ms (${(all * 1000 / n).toFixed(0)} us/op)`);
  }

  // One call: the best of 3 after a warm-up (the first command of a session
  // makes its cgroup and namespace); 64 at once: the median of 3 runs.
  const sleep = () => session.callMcpTool('shell', { command: 'sleep 0.2', timeout_ms: 5000 });
  await sleep();
  const ones = [];
  for (let i = 0; i < 3; i++) ones.push(await msOf(sleep));
  const one = Math.min(...ones);
  const manys = [];
  for (let i = 0; i < 3; i++) manys.push(await msOf(() => Promise.all(Array.from({ length: 64 }, sleep))));
  const many = median(manys);
  report('64 concurrent shell `sleep 0.2` vs one call', `${many.toFixed(0)} ms vs ${one.toFixed(0)} ms (${(many / one).toFixed(2)}x; runs ${manys.map((x) => x.toFixed(0)).join(', ')})`);
  const echoes = [];
  for (let i = 0; i < 50; i++) echoes.push(await msOf(() => session.callMcpTool('shell', { command: 'echo hi', timeout_ms: 5000 })));
  report('shell `echo hi` round trip (median of 50)', `${median(echoes).toFixed(2)} ms`);

  const content = '0123456789abcdef'.repeat(1 << 16);
  const trips = [];
  for (let i = 0; i < 22; i++) {
    trips.push(await msOf(async () => {
      const w = await session.fileSystem.writeFile('/tmp/bench-1mib.txt', content);
      const r = await session.fileSystem.readFile('/tmp/bench-1mib.txt');
      if (!w.success || r.content !== content) throw new Error(`file round trip: ${w.errorMessage} ${r.errorMessage}`);
    }));
  }
  report('1 MiB writeFile + readFile (median of 20)', `${median(trips.slice(2)).toFixed(1)} ms`);

  const pauses = [];
  const resumes = [];
  for (let i = 0; i < 10; i++) {
    pauses.push(await msOf(() => session.pause()));
    resumes.push(await msOf(() => session.resume()));
  }
  report('pause, end to end (median of 10)', `${median(pauses).toFixed(1)} ms`);
  report('resume, end to end (median of 10)', `${median(resumes).toFixed(1)} ms`);

  // `seq 1 100000` streamed: the async iterator, then executeCommand's callback.
  const SEQ_BYTES = 588895;
  for (const [label, run] of [
    ['for await (proc.chunks())', async (mark) => {
      const proc = await session.command.start('seq 1 100000');
      for await (const c of proc) mark(c.text);
    }],
    ['executeCommand({ onStdout })', (mark) => session.command.executeCommand('seq 1 100000', undefined, undefined,
      undefined, { onStdout: mark })],
  ]) {
    const totals = [];
    const firsts = [];
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      let first;
      let n = 0;
      await run((text) => { first ??= performance.now() - t; n += text.length; });
      if (n !== SEQ_BYTES) throw new Error(`streamed ${n} bytes`);
      totals.push(performance.now() - t);
      firsts.push(first);
    }
    const total = median(totals.slice(2));
    report(`streamed seq 1 100000, ${label} (median of 10)`,
      `${total.toFixed(1)} ms, first byte ${median(firsts.slice(2)).toFixed(2)} ms, ${(SEQ_BYTES / total / 1e3).toFixed(1)} MB/s`);
  }

  await session.delete();
} finally {
  await agentBay.close();
}

// Pause then resume against an embedded backend emulating transitions of T:
// the wall time of each wait, its overshoot over T, and its status reads
// (the last onStatus event's reads).
for (const t of [0.1, 0.5, 1.5, 5]) {
  const slow = new AgentBay({ endpoint: 'embedded', emulate: { pause: `${t}s`, resume: `${t}s` } });
  try {
    const { session } = await slow.create();
    const times = { pause: [], resume: [] };
    const reads = [];
    for (let i = 0; i < 2; i++) {
      for (const name of ['pause', 'resume']) {
        let last;
        const ms = await msOf(async () => {
          const r = await session[name](undefined, undefined, { onStatus: (e) => { last = e; } });
          if (!r.success) throw new Error(`${name}: ${r.errorMessage}`);
        });
        times[name].push(ms);
        reads.push(last.reads);
      }
    }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const over = [...times.pause, ...times.resume].map((ms) => ms - t * 1000);
    report(`pause / resume, emulated T = ${t} s (2 each)`,
      `${mean(times.pause).toFixed(0)} / ${mean(times.resume).toFixed(0)} ms; overshoot mean `
      + `${mean(over).toFixed(0)} ms (max ${Math.max(...over).toFixed(0)} ms); reads per wait ${mean(reads).toFixed(1)}`);
  } finally {
    await slow.close();
  }
}
