'use strict';

// Many operations in flight at once from one event loop.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
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
    // A barrier: each command leaves a marker in a folder all sessions see
    // and waits until every session's marker is there. One after another,
    // the first command would wait until its timeout and fail. The folder
    // is the host's /var/tmp: sessions have /tmp, /home and the home folder
    // of their own, and the checkout may be under any of them.
    const dir = fs.mkdtempSync(path.join('/var/tmp', 'agentbay-barrier-'));
    try {
      const n = sessions.length;
      const outs = await Promise.all(sessions.map((s, i) => shell(s,
        `touch ${dir}/${i}; while [ "$(ls ${dir} | wc -l)" -lt ${n} ]; do sleep 0.05; done; echo ${i}`,
        { timeout_ms: 60000 })));
      outs.forEach((o, i) => assert.equal(o.stdout, `${i}\n`));
      assert.deepEqual(fs.readdirSync(dir).sort(), sessions.map((_, i) => `${i}`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
