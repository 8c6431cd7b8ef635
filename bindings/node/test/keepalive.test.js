'use strict';

// session.keepAlive and create({ idleReleaseTimeout }): the embedded backend
// releases a session idle for longer than its timeout, and says why.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const { AgentBay, AgentBayError } = require('..');
const { newSession } = require('./helpers');

describe('keep-alive and idle release', () => {
  let agentBay;

  before(() => {
    agentBay = new AgentBay();
  });

  after(async () => {
    await agentBay.close();
  });

  it('keeps a session alive', async () => {
    const session = await newSession(agentBay);
    const r = await session.keepAlive();
    assert.equal(r.success, true, r.errorMessage);
    assert.ok(r.requestId);
    await session.delete();
    const gone = await session.keepAlive();
    assert.equal(gone.success, false);
    assert.equal(gone.errorKind, 'not_found');
  });

  it('releases an idle session and says why', async () => {
    const created = await agentBay.create({ idleReleaseTimeout: 1 });
    assert.equal(created.success, true, created.errorMessage);
    const { session } = created;
    // Wait for the release itself; the deadline only bounds a hang.
    const deadline = Date.now() + 30000;
    let status;
    for (;;) {
      status = await session.getStatus();
      assert.equal(status.success, true, status.errorMessage);
      if (status.status === 'FINISH') break;
      assert.ok(Date.now() < deadline, `not released: ${status.status}`);
      await sleep(20);
    }
    assert.equal(status.endReason, 'IdleTimeout');
    const r = await session.keepAlive();
    assert.equal(r.success, false);
    assert.equal(r.errorKind, 'not_found');
    assert.match(r.errorMessage, /released after 1s without activity/);
  });

  it('rejects a bad timeout', async () => {
    const invalid = (e) => e instanceof AgentBayError && e.kind === 'invalid_argument' &&
      /^idleReleaseTimeout must be a positive integer of seconds/.test(e.message);
    await assert.rejects(agentBay.create({ idleReleaseTimeout: 0 }), invalid);
    await assert.rejects(agentBay.create({ idleReleaseTimeout: 2.5 }), invalid);
  });
});
