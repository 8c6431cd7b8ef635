'use strict';

// Every method of AgentBay and Session on the embedded local backend.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBay, newSession, shell, embedded } = require('./helpers');

describe('AgentBay and Session on the embedded backend', () => {
  let agentBay;
  let session;
  const tag = `api-${process.pid}`;

  before(async () => {
    agentBay = new AgentBay();
    session = await newSession(agentBay, { suite: tag, role: 'main' });
  });

  after(async () => {
    await agentBay.close();
  });

  it('runs on the embedded backend and reports the library', () => {
    assert.equal(agentBay.embedded, embedded);
    assert.equal(typeof agentBay.endpoint, 'string');
    const lib = AgentBay.libraryInfo();
    assert.equal(lib.abiVersion, 2);
    assert.match(lib.version, /^\d+\.\d+\.\d+/);
    assert.match(lib.path, /libagentbay\.so/);
  });

  it('create gives a session with an id and a request id', async () => {
    const r = await agentBay.create({ labels: { suite: tag, role: 'extra' } });
    assert.equal(r.success, true);
    assert.equal(typeof r.requestId, 'string');
    assert.equal(typeof r.session.sessionId, 'string');
    assert.ok(r.session.sessionId.length > 0);
    assert.equal(r.session.resourceUrl, r.resourceUrl);
    assert.equal(r.sessionHandle, undefined, 'the native handle stays inside');
    assert.equal((await r.session.delete()).success, true);
  });

  it('get finds a session by id', async () => {
    const r = await agentBay.get(session.sessionId);
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.session.sessionId, session.sessionId);
    assert.equal((await r.session.getStatus()).status, 'RUNNING');
  });

  it('list filters by labels and status, and pages', async () => {
    const r = await agentBay.list({ suite: tag, role: 'main' });
    assert.equal(r.success, true, r.errorMessage);
    assert.deepEqual(r.sessionIds, [session.sessionId]);
    assert.equal(typeof r.requestId, 'string');
    assert.equal(r.totalCount, 1);
    assert.equal(r.maxResults, 10, 'the default page size');
    assert.equal(typeof r.nextToken, 'string');
    const running = await agentBay.list({ suite: tag, role: 'main' }, undefined, undefined, 'RUNNING');
    assert.deepEqual(running.sessionIds, [session.sessionId]);
    const paused = await agentBay.list({ suite: tag, role: 'main' }, 1, 10, 'PAUSED');
    assert.deepEqual(paused.sessionIds, []);
    const extra = await newSession(agentBay, { suite: tag, role: 'paging' });
    const first = await agentBay.list({ suite: tag }, 1, 1);
    const second = await agentBay.list({ suite: tag }, 2, 1);
    assert.equal(first.sessionIds.length, 1);
    assert.equal(second.sessionIds.length, 1);
    assert.notEqual(first.sessionIds[0], second.sessionIds[0]);
    const beyond = await agentBay.list({ suite: tag }, 50, 1);
    assert.equal(beyond.success, false);
    assert.match(beyond.errorMessage, /Cannot reach page 50/);
    assert.deepEqual(beyond.sessionIds, []);
    await extra.delete();
  });

  it('setLabels and getLabels keep label keys as given', async () => {
    const labels = { suite: tag, role: 'main', snake_key: 'v1', camelKey: 'v2' };
    const set = await session.setLabels(labels);
    assert.equal(set.success, true, set.errorMessage);
    const got = await session.getLabels();
    assert.equal(got.success, true);
    assert.deepEqual(got.data, labels);
  });

  it('info camel-cases the resource fields', async () => {
    const r = await session.info();
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.data.sessionId, session.sessionId);
    for (const k of ['resourceUrl', 'appId', 'authCode', 'connectionProperties', 'resourceId',
      'resourceType', 'ticket']) {
      assert.equal(typeof r.data[k], 'string', k);
    }
  });

  it('getLink gives a URL to a port', async () => {
    const port = await session.getLink(undefined, 30151);
    assert.equal(port.success, true, port.errorMessage);
    assert.match(port.data, /^(https?|wss?):\/\//);
  });

  it('listMcpTools lists shell and the file tools with their schemas', async () => {
    const r = await session.listMcpTools();
    assert.equal(r.success, true, r.errorMessage);
    const names = r.tools.map((t) => t.name);
    for (const n of ['shell', 'read_file', 'write_file']) assert.ok(names.includes(n), n);
    const sh = r.tools.find((t) => t.name === 'shell');
    assert.equal(typeof sh.description, 'string');
    assert.equal(typeof sh.server, 'string');
    assert.equal(typeof sh.tool, 'string');
    assert.ok(sh.inputSchema.properties.timeout_ms, 'schema keys are not camel-cased');
  });

  it('callMcpTool runs shell commands and file tools', async () => {
    const out = await shell(session, 'echo hello; echo oops >&2');
    assert.equal(out.stdout, 'hello\n');
    assert.equal(out.stderr, 'oops\n');
    assert.equal(out.exit_code, 0);

    const w = await session.callMcpTool('write_file',
      { path: '/tmp/node-test.txt', content: 'héllo\nworld', mode: 'overwrite' });
    assert.equal(w.success, true, w.errorMessage);
    const r = await session.callMcpTool('read_file', { path: '/tmp/node-test.txt' },
      { readTimeout: 30000, connectTimeout: 5000 });
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.data, 'héllo\nworld');
    // The official SDK's third argument, autoGenSession, then options.
    const again = await session.callMcpTool('read_file', { path: '/tmp/node-test.txt' }, false,
      { readTimeout: 30000 });
    assert.equal(again.data, 'héllo\nworld');
  });

  it('a tool that fails resolves with success false', async () => {
    const r = await session.callMcpTool('shell', { command: 'exit 3', timeout_ms: 5000 });
    assert.equal(r.success, false);
    assert.match(r.errorMessage, /3/);
  });

  it('pause and resume wait for PAUSED and RUNNING', async () => {
    const s = await newSession(agentBay, { suite: tag, role: 'pause' });
    const p = await s.pause();
    assert.equal(p.success, true, p.errorMessage);
    assert.equal(p.status, 'PAUSED');
    assert.equal((await s.getStatus()).status, 'PAUSED');
    const r = await s.resume(30, 0.5);
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.status, 'RUNNING');
    assert.equal((await shell(s, 'echo alive')).stdout, 'alive\n');
    // The official TypeScript SDK's names of the same two calls.
    assert.equal((await s.betaPauseAsync(30, 0.5)).status, 'PAUSED');
    assert.equal((await s.betaResumeAsync()).status, 'RUNNING');
    await s.delete();
  });

  it('pauseAsync and resumeAsync return at once', async () => {
    const s = await newSession(agentBay, { suite: tag, role: 'pause-async' });
    const p = await s.pauseAsync();
    assert.equal(p.success, true, p.errorMessage);
    assert.ok(['PAUSING', 'PAUSED'].includes(p.status), p.status);
    await waitFor(s, 'PAUSED');
    const r = await s.resumeAsync();
    assert.equal(r.success, true, r.errorMessage);
    assert.ok(['RESUMING', 'RUNNING'].includes(r.status), r.status);
    await waitFor(s, 'RUNNING');
    await s.delete();
  });

  it('delete through the client and through the session', async () => {
    const a = await newSession(agentBay, { suite: tag, role: 'delete' });
    const b = await newSession(agentBay, { suite: tag, role: 'delete' });
    const ra = await agentBay.delete(a);
    assert.equal(ra.success, true, ra.errorMessage);
    const rb = await b.delete(false);
    assert.equal(rb.success, true, rb.errorMessage);
    const left = await agentBay.list({ suite: tag, role: 'delete' });
    assert.deepEqual(left.sessionIds, []);
  });

  it('engine log lines reach the listener', { timeout: 60000 }, async () => {
    // Lines come from library threads: wait for the one about the delete
    // (the test's timeout only bounds a hang).
    const lines = [];
    let sawDelete;
    const deleteLogged = new Promise((resolve) => { sawDelete = resolve; });
    AgentBay.setLogListener((level, message) => {
      lines.push({ level, message });
      if (message.includes('action=DeleteSessionAsync')) sawDelete();
    }, 'debug');
    try {
      const s = await newSession(agentBay, { suite: tag, role: 'log' });
      await s.delete();
      await deleteLogged;
    } finally {
      AgentBay.setLogListener(null);
    }
    assert.ok(lines.length > 0, 'some log lines');
    for (const l of lines) {
      assert.ok(['debug', 'info', 'warn', 'error'].includes(l.level), l.level);
      assert.equal(typeof l.message, 'string');
    }
  });

  it('works through import as well as require', async () => {
    const esm = await import('../index.mjs');
    assert.equal(esm.AgentBay, AgentBay);
    assert.equal(esm.default.AgentBay, AgentBay);
  });
});

// Polls the status until it is `status`; the deadline only bounds a hang.
async function waitFor(session, status) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if ((await session.getStatus()).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 25)); // between polls
  }
  assert.fail(`session never became ${status}`);
}
