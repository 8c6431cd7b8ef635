'use strict';

// Cancellation through AbortSignal, and closing a client under load.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBay, AgentBayError, AbortError } = require('..');
const { newSession, shell, waitForFiles, unique } = require('./helpers');

function assertAbort(e) {
  assert.ok(e instanceof AbortError, `${e}`);
  assert.ok(e instanceof AgentBayError);
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'AbortError');
  assert.equal(e.kind, 'cancelled');
  assert.equal(e.code, -6);
  return true;
}

describe('cancellation', () => {
  let agentBay;
  let session;

  before(async () => {
    agentBay = new AgentBay();
    session = await newSession(agentBay);
  });

  after(() => agentBay.close());

  it('an already aborted signal rejects without starting anything', async () => {
    const reason = new Error('not wanted');
    await assert.rejects(session.getStatus({ signal: AbortSignal.abort(reason) }), (e) => {
      assertAbort(e);
      assert.equal(e.cause, reason);
      return true;
    });
  });

  it('aborting cancels a running command', async () => {
    // The abort comes once the command is seen running; had the call waited
    // for the command instead, "finished" would exist.
    const tag = unique('abort');
    const ac = new AbortController();
    const call = session.callMcpTool('shell',
      { command: `touch started.${tag}; sleep 20; touch finished.${tag}`, timeout_ms: 30000 },
      { signal: ac.signal });
    await waitForFiles(session, `started.${tag}`, 1);
    ac.abort();
    await assert.rejects(call, assertAbort);
    assert.equal((await shell(session, `test -e finished.${tag} && echo yes || echo no`)).stdout, 'no\n',
      'the command ran to its end');
    assert.equal((await shell(session, 'echo still usable')).stdout, 'still usable\n');
  });

  it('one signal cancels many operations, without listener warnings', async () => {
    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    const ac = new AbortController();
    const tag = unique('many');
    const calls = [];
    for (let i = 0; i < 50; i++) {
      calls.push(session.callMcpTool('shell', { command: `touch ${tag}.${i}; sleep 20`, timeout_ms: 30000 },
        { signal: ac.signal }));
    }
    await waitForFiles(session, `${tag}.*`, 50); // all 50 running
    ac.abort();
    const results = await Promise.allSettled(calls);
    process.off('warning', onWarning);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assertAbort(r.reason);
    }
    assert.deepEqual(warnings, []);
  });

  it('a signal that never fires leaves results alone', async () => {
    const ac = new AbortController();
    const r = await session.getStatus({ signal: ac.signal });
    assert.equal(r.status, 'RUNNING');
    ac.abort(); // after completion: nothing to cancel, nothing breaks
  });

  it('closing a client rejects its pending operations with AbortError', async () => {
    const other = new AgentBay();
    const s = await newSession(other);
    const tag = unique('close');
    const calls = [];
    for (let i = 0; i < 20; i++) {
      calls.push(s.callMcpTool('shell', { command: `touch ${tag}.${i}; sleep 20`, timeout_ms: 30000 }));
    }
    await waitForFiles(s, `${tag}.*`, 20); // all 20 running
    const settled = Promise.allSettled(calls); // they reject while close() runs
    await other.close();
    const results = await settled;
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assertAbort(r.reason);
    }
    await other.close(); // twice is harmless
  });
});
