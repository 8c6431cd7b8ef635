'use strict';

// onStatus of pause, resume and delete: on an embedded backend whose
// transitions take 300 ms (the emulate option), each status is reported
// once, in order, before the Promise settles. Orders and counts, never
// timings.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const { AgentBay, AgentBayError } = require('..');
const { newSession } = require('./helpers');

const emulate = { pause: '300ms', resume: '300ms', delete: '300ms' };

describe('status events', () => {
  let agentBay;

  before(() => {
    agentBay = new AgentBay({ endpoint: 'embedded', emulate });
  });

  after(async () => {
    await agentBay.close();
  });

  it('reports each status once, in order', async () => {
    const session = await newSession(agentBay);
    const events = [];
    let settled = false;
    const onStatus = (e) => {
      assert.equal(settled, false, 'no status after the Promise settled');
      events.push(e);
    };
    let r = await session.pause(undefined, undefined, { onStatus });
    assert.equal(r.success, true, r.errorMessage);
    assert.deepEqual(events.map((e) => e.status), ['PAUSING', 'PAUSED']);
    assert.equal(events[0].reads, 1);
    assert.ok(events[1].reads > 1);

    events.length = 0;
    r = await session.resume(60, 2, { onStatus });
    assert.equal(r.success, true, r.errorMessage);
    assert.deepEqual(events.map((e) => e.status), ['RESUMING', 'RUNNING']);

    events.length = 0;
    r = await session.delete(false, { onStatus });
    settled = true;
    assert.equal(r.success, true, r.errorMessage);
    assert.deepEqual(events.map((e) => e.status), ['DELETING', 'DELETED']);
    await sleep(100);
  });

  it('stops at an abort; a throwing listener is a warning', async () => {
    const session = await newSession(agentBay);
    const events = [];
    const abort = new AbortController();
    const paused = session.pause(undefined, undefined, {
      signal: abort.signal,
      onStatus: (e) => { events.push(e.status); abort.abort(); },
    });
    await assert.rejects(paused, { name: 'AbortError' });
    await sleep(400);
    assert.deepEqual(events, ['PAUSING']);

    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const r = await session.resume(undefined, undefined, { onStatus: () => { throw new Error('boom'); } });
      assert.equal(r.success, true, r.errorMessage);
      await sleep(10);
    } finally {
      process.off('warning', onWarning);
    }
    assert.ok(warnings.some((w) => w.message === 'boom'), 'the throw became a warning');
  });

  it('refuses a bad listener and a bad emulation', async () => {
    const session = await newSession(agentBay);
    await assert.rejects(session.pause(undefined, undefined, { onStatus: 'print' }),
      { kind: 'invalid_argument' });
    assert.throws(() => new AgentBay({ endpoint: 'embedded', emulate: { pause: 'soon' } }), AgentBayError);
    assert.throws(() => new AgentBay({ apiKey: 'k', endpoint: 'http://127.0.0.1:9', emulate }), AgentBayError);
  });
});
