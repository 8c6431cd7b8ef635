'use strict';

// Many operations in flight at once from one event loop.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBay, newSession, shell } = require('./helpers');

describe('concurrency', () => {
  let agentBay;
  let sessions;

  before(async () => {
    agentBay = new AgentBay();
    sessions = await Promise.all([0, 1, 2, 3].map((i) => newSession(agentBay, { n: `s${i}` })));
  });

  after(() => agentBay.close());

  it('1,000 getStatus and getLabels calls in flight all resolve', async () => {
    const calls = [];
    for (let i = 0; i < 1000; i++) {
      const s = sessions[i % sessions.length];
      calls.push(i % 2 ? s.getStatus() : s.getLabels());
    }
    const results = await Promise.all(calls);
    results.forEach((r, i) => {
      assert.equal(r.success, true, r.errorMessage);
      if (i % 2) assert.equal(r.status, 'RUNNING');
      else assert.deepEqual(r.data, { n: `s${(i % sessions.length)}` });
    });
  });

  it('shell commands in all sessions run at the same time', async () => {
    const started = Date.now();
    const outs = await Promise.all(sessions.map((s, i) => shell(s, `sleep 0.5; echo ${i}`)));
    const wall = Date.now() - started;
    outs.forEach((o, i) => assert.equal(o.stdout, `${i}\n`));
    assert.ok(wall < 0.5 * 1000 * sessions.length, `took ${wall} ms: ran one after another`);
  });
});
