'use strict';

// Processes that end with operations in flight: they must end cleanly
// (exit code as the script says, never a crash signal) and on their own.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { runScript } = require('./helpers');

// Starts a Node script, sends it `signal` once it prints 'started', and
// resolves with how it ended.
function interrupt(source, signal) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', source], { cwd: __dirname });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && stdout.includes('started')) { sent = true; child.kill(signal); }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status, sig) => resolve({ status, signal: sig, stdout, stderr }));
  });
}

// Starts `count` shell commands of `seconds` in one session, prints
// 'started' once all of them are seen running (each leaves a marker file
// first), then runs `then`; `setup` runs before the print. At exit it
// prints how many calls had settled.
const start = (count, seconds, then, setup = '') => `
  const { AgentBay } = require('..');
  const agentBay = new AgentBay();
  let settled = 0;
  process.on('exit', () => console.log('settled', settled));
  agentBay.create().then(async ({ session }) => {
    for (let i = 0; i < ${count}; i++) {
      session.callMcpTool('shell', { command: 'touch m.' + i + '; sleep ${seconds}', timeout_ms: 60000 })
        .then((r) => { if (r.success) settled++; else { console.error('unexpected', r); process.exitCode = 9; } },
          (e) => { console.error('unexpected', e); process.exitCode = 9; });
    }
    for (;;) { // until every command is running; the caller bounds a hang
      const r = await session.callMcpTool('shell', { command: 'ls m.* | wc -l', timeout_ms: 10000 });
      if (Number(JSON.parse(r.data).stdout) >= ${count}) break;
      await new Promise((resolve) => setTimeout(resolve, 20)); // between polls
    }
    ${setup}
    console.log('started');
    ${then}
  });
`;

function assertClean(r, code) {
  assert.equal(r.error, undefined, `${r.error}`);
  assert.equal(r.signal, null, `killed by ${r.signal}\n${r.stderr}`);
  assert.equal(r.status, code, r.stderr);
  assert.match(r.stdout, /started/);
}

describe('exit with operations in flight', () => {
  it('a script that returns waits for its 100 operations, then exits 0', () => {
    const r = runScript(start(100, 0.3, ''));
    assertClean(r, 0);
    assert.match(r.stdout, /settled 100\n/, 'every call settled before the exit');
  });

  it('process.exit() with 100 operations in flight exits at once, repeatedly', () => {
    // Commands of 120 s against runScript's 60 s bound: a process that
    // waited for them would be killed by the bound (the library stops the
    // commands of a process that exits).
    for (let i = 0; i < 5; i++) {
      const r = runScript(start(100, 120, 'process.exit(0);'));
      assertClean(r, 0);
      assert.match(r.stdout, /settled 0\n/);
    }
  });

  it('an uncaught exception with operations in flight exits 1, not by a signal', () => {
    const r = runScript(start(100, 120, "setImmediate(() => { throw new Error('boom'); });"));
    assertClean(r, 1);
    assert.match(r.stderr, /boom/);
  });

  it('neither a client left open nor a log listener keeps the process alive', () => {
    const r = runScript(`
      const { AgentBay } = require('..');
      let lines = 0;
      AgentBay.setLogListener(() => { lines++; }, 'debug'); // before the library is loaded
      const agentBay = new AgentBay();
      agentBay.create().then(({ session }) => session.getStatus())
        .then((s) => console.log('started', s.status, lines > 0 ? 'logged' : 'silent'));
    `);
    assertClean(r, 0);
    assert.match(r.stdout, /RUNNING logged/);
  });

  it('a worker thread terminated with operations in flight leaves the process working', () => {
    const r = runScript(`
      const { Worker } = require('node:worker_threads');
      const { AgentBay } = require('..');
      const worker = new Worker(${JSON.stringify(start(50, 120, "require('node:worker_threads').parentPort.postMessage('go');"))},
        { eval: true });
      worker.on('message', async () => {
        await worker.terminate();
        const agentBay = new AgentBay();
        const { session } = await agentBay.create();
        console.log('started', (await session.getStatus()).status);
        await agentBay.close();
      });
    `);
    assertClean(r, 0);
    assert.match(r.stdout, /started RUNNING/);
  });

  it('the library\'s threads keep asynchronous signals blocked', () => {
    // libuv installs handlers without SA_ONSTACK; run on a Go thread, one
    // would corrupt a goroutine stack. The addon loads the library with
    // those signals blocked, which the threads the library starts inherit.
    const r = runScript(`
      const fs = require('fs');
      const tasks = () => fs.readdirSync('/proc/self/task');
      const sigintOpen = (t) => {
        const st = fs.readFileSync('/proc/self/task/' + t + '/status', 'utf8');
        return ((BigInt('0x' + /SigBlk:\\s*(\\w+)/.exec(st)[1]) >> 1n) & 1n) === 0n;
      };
      const before = new Set(tasks());
      const { AgentBay } = require('..');
      process.on('SIGINT', () => {});
      const agentBay = new AgentBay();
      agentBay.list().then(async () => {
        const added = tasks().filter((t) => !before.has(t));
        console.log('started', added.length, added.filter(sigintOpen).length, sigintOpen(process.pid));
        await agentBay.close();
      });
    `);
    assertClean(r, 0);
    const [, added, open, mainOpen] = r.stdout.trim().split(' ');
    assert.ok(Number(added) > 0, r.stdout);
    assert.equal(open, '0', `threads started since loading that take SIGINT: ${r.stdout}`);
    assert.equal(mainOpen, 'true', r.stdout);
  });

  it('Ctrl-C with operations in flight: a handler exits 0, else SIGINT ends it', async () => {
    // (A process killed by SIGINT leaves its commands behind: 30 s ones.)
    const handled = await interrupt(start(100, 30, '', "process.on('SIGINT', () => process.exit(0));"), 'SIGINT');
    assertClean(handled, 0);
    const plain = await interrupt(start(100, 30, ''), 'SIGINT');
    assert.equal(plain.signal, 'SIGINT', plain.stderr);
  });
});
