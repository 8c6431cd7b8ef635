#!/usr/bin/env node
// Quickstart: agent sandboxes from Node with libagentbay.
//
// Runs with no set-up: with no API key and no endpoint configured, AgentBay
// starts the embedded local backend inside this process, and every session
// is a real sandbox on this machine. Set AGENTBAY_API_KEY to run the same
// code on the AgentBay cloud.
//
//   node examples/node/quickstart.mjs     (from the repository, after
//                                          `make lib node`)

import { randomBytes } from 'node:crypto';
import { AgentBay } from '../../bindings/node/index.mjs';

const WORKERS = 4;
const PORT = 30151; // session ports reachable through getLink are 30100-30199
const SERVE = "mkdir -p /tmp/site && echo '<h1>hello from session</h1>' > /tmp/site/index.html"
  + ` && cd /tmp/site && nohup python3 -m http.server ${PORT} --bind 127.0.0.1 >/dev/null 2>&1 &`;

// Times each step and prints it at once, then all of them as a table.
const rows = [];
async function step(name, body) {
  const started = performance.now();
  let note = '';
  try {
    note = await body();
  } finally {
    const ms = performance.now() - started;
    rows.push({ name, ms, note });
    console.log(`  ${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${note}`);
  }
}

function printTable() {
  console.log(`\n${'step'.padEnd(44)} ${'time'.padStart(11)}  result`);
  console.log(`${'-'.repeat(44)} ${'-'.repeat(11)}  ${'-'.repeat(30)}`);
  for (const { name, ms, note } of rows) console.log(`${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${note}`);
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  console.log(`${'total'.padEnd(44)} ${total.toFixed(1).padStart(8)} ms`);
}

// Runs a command with the `shell` tool and returns its stdout.
async function shell(session, command, timeoutMs = 10000) {
  const r = await session.callMcpTool('shell', { command, timeout_ms: timeoutMs });
  if (!r.success) throw new Error(`${command} failed: ${r.errorMessage}`);
  return JSON.parse(r.data).stdout; // shell answers JSON {stdout, stderr, exit_code}
}

// Fetches url, retrying while the server in the session starts.
async function fetchWhenUp(url, withinMs = 10000) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      const reply = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (reply.ok) return (await reply.text()).trim();
      throw new Error(`HTTP ${reply.status}`);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

// Awaits each call and notes how many reached `want`, with latencies.
async function timedAll(calls, want) {
  const timed = await Promise.all(calls.map(async (call) => {
    const started = performance.now();
    const r = await call();
    return { ok: r.status === want, ms: performance.now() - started };
  }));
  const ms = timed.map((t) => t.ms).sort((a, b) => a - b);
  const median = ms.length % 2 ? ms[(ms.length - 1) / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  return `${timed.filter((t) => t.ok).length} ${want}; per session median ${median.toFixed(1)} ms, `
    + `max ${ms[ms.length - 1].toFixed(1)} ms`;
}

async function main() {
  const run = randomBytes(3).toString('hex'); // a label value that finds this run's sessions only
  const agentBay = new AgentBay();
  console.log(`AgentBay endpoint: ${agentBay.endpoint}${agentBay.embedded ? ' (embedded local backend)' : ''}\n`);
  let sessions = [];
  let url;
  try {
    await step(`create ${WORKERS} sessions at once`, async () => {
      const created = await Promise.all(Array.from({ length: WORKERS },
        () => agentBay.create({ labels: { demo: run } })));
      for (const r of created) if (!r.success) throw new Error(`create failed: ${r.errorMessage}`);
      sessions = created.map((r) => r.session);
      return sessions.map((s) => s.sessionId.slice(0, 14)).join(', ');
    });

    await step('label each with its worker number', async () => {
      await Promise.all(sessions.map((s, i) => s.setLabels({ demo: run, worker: String(i) })));
      const { data } = await sessions[sessions.length - 1].getLabels();
      return `last: ${JSON.stringify(data)}`;
    });

    await step('list sessions by label', async () => {
      const listed = await agentBay.list({ demo: run });
      return `${listed.totalCount} sessions with demo=${run}`;
    });

    await step(`run a command in all ${WORKERS} at once`, async () => {
      // session.command is the official SDK's module: exit code, stdout, stderr.
      const outputs = await Promise.all(sessions.map((s, i) =>
        s.command.executeCommand(`sleep 0.5; echo worker ${i} in $(pwd) as $(id -un)`)));
      return `${WORKERS} x 0.5 s in parallel; ${JSON.stringify(outputs[0].stdout.trim())}`;
    });

    await step("stream a command's output as it comes", async () => {
      const proc = await sessions[0].command.start('for i in 1 2 3; do echo tick $i; sleep 0.2; done');
      const started = performance.now();
      let first;
      for await (const chunk of proc) { // each piece as the command prints it
        void chunk;
        first ??= performance.now() - started;
      }
      const done = await proc.wait();
      return `first output after ${first.toFixed(0)} ms of 600; exit code ${done.exitCode}`;
    });

    await step('write 1 MiB to a file and read it back', async () => {
      const text = `notes of run ${run}\n`.repeat(1 << 16).slice(0, 1 << 20);
      const fs = sessions[0].fileSystem; // the official SDK's module; large files go in chunks
      await fs.writeFile('/tmp/notes.txt', text);
      const read = await fs.readFile('/tmp/notes.txt');
      return read.content === text ? `${read.content.length.toLocaleString('en')} characters, content matches`
        : `MISMATCH: ${read.errorMessage}`;
    });

    await step(`serve a page on port ${PORT}, fetch it`, async () => {
      await shell(sessions[0], SERVE);
      const link = await sessions[0].getLink(undefined, PORT);
      if (!link.success) throw new Error(`getLink failed: ${link.errorMessage}`);
      url = link.data;
      return `${await fetchWhenUp(url)} via ${url}`;
    });

    await step(`pause all ${WORKERS} at once`, () => timedAll(sessions.map((s) => () => s.pause()), 'PAUSED'));
    await step(`resume all ${WORKERS} at once`, () => timedAll(sessions.map((s) => () => s.resume()), 'RUNNING'));

    await step('fetch the page again after resume', async () =>
      `${await fetchWhenUp(url)} (server survived the pause)`);
  } finally {
    // Always delete what was created, even if a step failed.
    await step(`delete the ${sessions.length} sessions`, async () => {
      const deleted = await Promise.allSettled(sessions.map((s) => s.delete()));
      return `${deleted.filter((d) => d.value?.success).length} deleted`;
    });
    await agentBay.close(); // stops the embedded backend
  }
  printTable();
}

await main();
