'use strict';

// Misuse rejects before any native call; service failures resolve with
// success false (the rule of index.d.ts). Every method is tried with wrong
// arguments, an already aborted signal, a closed client and a deleted session.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBay, AgentBayError, AbortError } = require('..');
const { newSession, runScript } = require('./helpers');

const invalid = (pattern) => (e) => {
  assert.ok(e instanceof AgentBayError, `${e}`);
  assert.equal(e.kind, 'invalid_argument');
  assert.equal(e.code, -1);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

// Every method, called with valid arguments and `options` as its last one.
const clientCalls = {
  create: (ab, s, options) => ab.create({ labels: { a: 'b' } }, options),
  get: (ab, s, options) => ab.get(s.sessionId, options),
  list: (ab, s, options) => ab.list({ a: 'b' }, 1, 10, 'RUNNING', options),
  delete: (ab, s, options) => ab.delete(s, false, options),
};
const sessionCalls = {
  delete: (s, options) => s.delete(false, options),
  setLabels: (s, options) => s.setLabels({ a: 'b' }, options),
  getLabels: (s, options) => s.getLabels(options),
  info: (s, options) => s.info(options),
  getLink: (s, options) => s.getLink(undefined, 30150, undefined, options),
  listMcpTools: (s, options) => s.listMcpTools(undefined, options),
  callMcpTool: (s, options) => s.callMcpTool('shell', { command: 'true', timeout_ms: 5000 }, options),
  pause: (s, options) => s.pause(10, 0.1, options),
  betaPauseAsync: (s, options) => s.betaPauseAsync(10, 0.1, options),
  pauseAsync: (s, options) => s.pauseAsync(options),
  resume: (s, options) => s.resume(10, 0.1, options),
  betaResumeAsync: (s, options) => s.betaResumeAsync(10, 0.1, options),
  resumeAsync: (s, options) => s.resumeAsync(options),
  getStatus: (s, options) => s.getStatus(options),
};

describe('misuse', () => {
  let agentBay;
  let session;

  before(async () => {
    agentBay = new AgentBay();
    session = await newSession(agentBay, { a: 'b' });
  });

  after(() => agentBay.close());

  it('bad client options throw', () => {
    assert.throws(() => new AgentBay('some-key'), invalid(/options/));
    assert.throws(() => new AgentBay({ timeoutMs: -1 }), invalid(/timeoutMs/));
    assert.throws(() => new AgentBay({ apiKey: 42 }), invalid(/apiKey/));
    assert.throws(() => new AgentBay({ endpoint: 'ftp://example.invalid', apiKey: 'k' }), invalid(/ftp/));
    assert.throws(() => new AgentBay({ config: 'x' }), invalid(/config/));
    assert.throws(() => new AgentBay({ config: { timeout_ms: 1.5 } }), invalid(/timeoutMs/));
    assert.throws(() => new AgentBay({ config: { endpoint: 7 } }), invalid(/endpoint/));
    assert.throws(() => new AgentBay({ libraryPath: 5 }), invalid(/libraryPath/));
  });

  it('AGENTBAY_* are read from process.env when a client is made', () => {
    process.env.AGENTBAY_ENDPOINT = 'ftp://example.invalid';
    process.env.AGENTBAY_API_KEY = 'some-key';
    try {
      assert.throws(() => new AgentBay(), (e) => {
        assert.equal(e.kind, 'invalid_argument');
        assert.match(e.message, /ftp:\/\/example\.invalid/);
        return true;
      });
      // The official SDK's config.endpoint comes before the env.
      assert.throws(() => new AgentBay({ config: { endpoint: 'gopher://other.invalid' } }),
        /gopher:\/\/other\.invalid/);
    } finally {
      delete process.env.AGENTBAY_ENDPOINT;
      delete process.env.AGENTBAY_API_KEY;
    }
    process.env.AGENTBAY_TIMEOUT_MS = 'soon';
    try {
      assert.throws(() => new AgentBay(), invalid(/AGENTBAY_TIMEOUT_MS/));
    } finally {
      delete process.env.AGENTBAY_TIMEOUT_MS;
    }
  });

  it('wrong arguments to AgentBay methods reject', async () => {
    await assert.rejects(agentBay.create('linux_latest'), invalid(/params/));
    await assert.rejects(agentBay.create({ labels: ['x'] }), invalid(/labels/));
    await assert.rejects(agentBay.create({ imageId: 5 }), invalid(/imageId/));
    await assert.rejects(agentBay.create({ policyId: 5 }), invalid(/policyId/));
    await assert.rejects(agentBay.get(), invalid(/sessionId/));
    await assert.rejects(agentBay.get(42), invalid(/sessionId/));
    await assert.rejects(agentBay.get(''), invalid(/sessionId/));
    await assert.rejects(agentBay.list('a=b'), invalid(/labels/));
    await assert.rejects(agentBay.list({ labels: { a: 'b' } }), invalid(/labels/));
    await assert.rejects(agentBay.list({}, 0), invalid(/page/));
    await assert.rejects(agentBay.list({}, 1.5), invalid(/page/));
    await assert.rejects(agentBay.list({}, 1, -1), invalid(/limit/));
    await assert.rejects(agentBay.list({}, 1, 10, 5), invalid(/status/));
    await assert.rejects(agentBay.list({}, 1, 10, 'ASLEEP'), invalid(/ASLEEP/));
    await assert.rejects(agentBay.delete(), invalid(/session/));
    await assert.rejects(agentBay.delete(session.sessionId), invalid(/sessionId is required/));
    await assert.rejects(agentBay.delete(session, 'yes'), invalid(/syncContext/));
    assert.throws(() => AgentBay.setLogListener('x'), invalid(/listener/));
    assert.throws(() => AgentBay.setLogListener(null, 'verbose'), invalid(/minLevel/));
  });

  it('bad labels reject', async () => {
    await assert.rejects(session.setLabels('a=b'), invalid(/labels/));
    await assert.rejects(session.setLabels(), invalid(/labels/));
    await assert.rejects(session.setLabels(['a']), invalid(/labels/));
    await assert.rejects(session.setLabels({}), invalid(/empty/));
    await assert.rejects(session.setLabels({ a: ' ' }), invalid(/^Label values cannot be empty/));
    await assert.rejects(session.setLabels({ a: 1 }), invalid(/labels must be an object of strings/));
    await assert.rejects(session.setLabels({ ' ': 'x' }), invalid(/^Label keys cannot be empty/));
  });

  it('a port outside 30100-30199 rejects with the reference message', async () => {
    for (const port of [80, 30099, 30200, 30150.5, '30150']) {
      await assert.rejects(session.getLink(undefined, port), invalid(new RegExp(
        `^Invalid port value: ${String(port).replace('.', '\\.')}\\. Port must be an integer in the range \\[30100, 30199\\]\\.$`)));
    }
  });

  it('wrong arguments to the other Session methods reject', async () => {
    await assert.rejects(session.getLink(5), invalid(/protocolType/));
    await assert.rejects(session.getLink(undefined, 30150, { any: 1 }), invalid(/options/));
    await assert.rejects(session.listMcpTools(5), invalid(/imageId/));
    await assert.rejects(session.callMcpTool('shell', 'echo hi'), invalid(/args/));
    await assert.rejects(session.callMcpTool('shell', null), invalid(/args/));
    await assert.rejects(session.callMcpTool('shell', ['echo']), invalid(/args/));
    await assert.rejects(session.callMcpTool('', {}), invalid(/toolName/));
    await assert.rejects(session.callMcpTool(5, {}), invalid(/toolName/));
    await assert.rejects(session.callMcpTool('shell', {}, 'yes'), invalid(/autoGenSession/));
    await assert.rejects(session.callMcpTool('shell', {}, { readTimeout: 5 }, {}), invalid(/autoGenSession/));
    await assert.rejects(session.callMcpTool('shell', {}, { readTimeout: -1 }), invalid(/readTimeout/));
    await assert.rejects(session.callMcpTool('shell', {}, true, { connectTimeout: 'soon' }),
      invalid(/connectTimeout/));
    for (const name of ['pause', 'betaPauseAsync', 'resume', 'betaResumeAsync']) {
      await assert.rejects(session[name](-1), invalid(/timeout/), name);
      await assert.rejects(session[name]('10'), invalid(/timeout/), name);
      await assert.rejects(session[name](Infinity), invalid(/timeout/), name);
      await assert.rejects(session[name](10, 0), invalid(/pollInterval/), name);
    }
    // The official SDK before 0.15 had pauseAsync(timeout, pollInterval).
    await assert.rejects(session.pauseAsync(600), invalid(/options/));
    await assert.rejects(session.resumeAsync(600, 2), invalid(/options/));
    await assert.rejects(session.delete('yes'), invalid(/syncContext/));
    await assert.rejects(session.getStatus({ signal: 'stop' }), invalid(/signal/));
    await assert.rejects(session.getStatus(5), invalid(/options/));
    await assert.rejects(session.getLabels([]), invalid(/options/));
    assert.equal((await session.getStatus()).status, 'RUNNING', 'nothing happened to the session');
  });

  it('an already aborted signal rejects every method and starts nothing', async () => {
    const reason = new Error('not wanted');
    const signal = AbortSignal.abort(reason);
    const aborted = (e) => {
      assert.ok(e instanceof AbortError, `${e}`);
      assert.equal(e.kind, 'cancelled');
      assert.equal(e.cause, reason);
      return true;
    };
    for (const [name, call] of Object.entries(clientCalls)) {
      await assert.rejects(call(agentBay, session, { signal }), aborted, `agentBay.${name}`);
    }
    for (const [name, call] of Object.entries(sessionCalls)) {
      await assert.rejects(call(session, { signal }), aborted, `session.${name}`);
    }
    assert.equal((await session.getStatus()).status, 'RUNNING', 'neither paused nor deleted');
    assert.deepEqual((await session.getLabels()).data, { a: 'b' });
    assert.deepEqual((await agentBay.list({ a: 'b' })).sessionIds, [session.sessionId], 'nothing created');
  });

  it('the library rejects what only it can check', async () => {
    // Valid for the binding, invalid JSON for the library: rejects too.
    await assert.rejects(session.getLink(undefined, undefined, '{not json'), (e) => {
      assert.ok(e instanceof AgentBayError);
      assert.equal(e.kind, 'invalid_argument');
      return true;
    });
  });

  it('a deleted session resolves every method with success false and not_found', async () => {
    const s = await newSession(agentBay);
    assert.equal((await s.delete()).success, true);
    // listMcpTools asks about an image, not the session: it still answers.
    const { listMcpTools, ...rest } = sessionCalls;
    assert.equal((await listMcpTools(s)).success, true);
    for (const [name, call] of Object.entries(rest)) {
      const r = await call(s);
      assert.equal(r.success, false, name);
      assert.equal(r.errorKind, 'not_found', name);
      assert.ok(r.errorMessage.length > 0, name);
      assert.ok(r.error instanceof AgentBayError, name);
    }
    const got = await agentBay.get(s.sessionId);
    assert.equal(got.success, false);
    assert.equal(got.errorKind, 'not_found');
    assert.equal(got.session, undefined);
    const deleted = await agentBay.delete(s);
    assert.equal(deleted.errorKind, 'not_found');
  });

  it('a closed client rejects every method, and its sessions', async () => {
    const other = new AgentBay();
    const s = await newSession(other);
    await other.close();
    const closed = (e) => {
      assert.ok(e instanceof AgentBayError, `${e}`);
      assert.equal(e.kind, 'invalid_handle');
      assert.match(e.message, /closed/);
      return true;
    };
    for (const [name, call] of Object.entries(clientCalls)) {
      await assert.rejects(call(other, s), closed, `agentBay.${name}`);
    }
    for (const [name, call] of Object.entries(sessionCalls)) {
      await assert.rejects(call(s), closed, `session.${name}`);
    }
  });

  it('a library that is missing or wrong fails with a clear error', () => {
    const probe = `
      const { AgentBay } = require('..');
      try { new AgentBay(); } catch (e) { console.log(e.message); process.exit(3); }`;
    const missing = runScript(probe, { AGENTBAY_LIBRARY: '/nonexistent/libagentbay.so' });
    assert.equal(missing.status, 3, missing.stderr);
    assert.match(missing.stdout, /cannot load libagentbay from \/nonexistent\/libagentbay\.so/);
    // A shared object that is not libagentbay: this binding's own addon.
    const addon = process.env.AGENTBAY_NODE_ADDON
      || require('node:path').join(__dirname, '..', 'build', 'Release', 'agentbay.node');
    const wrong = runScript(probe, { AGENTBAY_LIBRARY: addon });
    assert.equal(wrong.status, 3, wrong.stderr);
    assert.match(wrong.stdout, /is not libagentbay or too old: no symbol ab_version/);
  });

  it('a second library path in one process is refused', () => {
    assert.throws(() => new AgentBay({ libraryPath: '/elsewhere/libagentbay.so' }),
      /already loaded/);
  });
});
