'use strict';

// Misuse rejects before any native call; service failures resolve with
// success false (the rule of index.d.ts).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBay, AgentBayError } = require('..');
const { newSession, runScript } = require('./helpers');

const invalid = (pattern) => (e) => {
  assert.ok(e instanceof AgentBayError, `${e}`);
  assert.equal(e.kind, 'invalid_argument');
  assert.equal(e.code, -1);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

describe('misuse', () => {
  let agentBay;
  let session;

  before(async () => {
    agentBay = new AgentBay();
    session = await newSession(agentBay);
  });

  after(() => agentBay.close());

  it('bad client options throw', () => {
    assert.throws(() => new AgentBay({ timeoutMs: 0 }), invalid(/timeoutMs/));
    assert.throws(() => new AgentBay({ apiKey: 42 }), invalid(/apiKey/));
    assert.throws(() => new AgentBay({ endpoint: '' }), invalid(/endpoint/));
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

  it('bad labels reject', async () => {
    await assert.rejects(session.setLabels('a=b'), invalid(/labels/));
    await assert.rejects(session.setLabels({}), invalid(/empty/));
    await assert.rejects(session.setLabels({ a: ' ' }), invalid(/labels\.a/));
    await assert.rejects(session.setLabels({ a: 1 }), invalid(/labels\.a/));
    await assert.rejects(session.setLabels({ ' ': 'x' }), invalid(/blank key/));
    await assert.rejects(agentBay.create({ labels: ['x'] }), invalid(/labels/));
    await assert.rejects(agentBay.list({ labels: null }), invalid(/labels/));
  });

  it('a port outside 30100-30199 rejects with the reference message', async () => {
    for (const port of [80, 30099, 30200, 30150.5, '30150']) {
      await assert.rejects(session.getLink(undefined, port), invalid(new RegExp(
        `^Invalid port value: ${String(port).replace('.', '\\.')}\\. Port must be an integer in the range \\[30100, 30199\\]\\.$`)));
    }
  });

  it('bad tool calls reject', async () => {
    await assert.rejects(session.callMcpTool('shell', 'echo hi'), invalid(/args/));
    await assert.rejects(session.callMcpTool('shell', null), invalid(/args/));
    await assert.rejects(session.callMcpTool('shell', ['echo']), invalid(/args/));
    await assert.rejects(session.callMcpTool('', {}), invalid(/toolName/));
    await assert.rejects(session.callMcpTool('shell', {}, { readTimeout: -1 }), invalid(/readTimeout/));
  });

  it('other bad arguments reject', async () => {
    await assert.rejects(session.pause(-1), invalid(/timeout/));
    await assert.rejects(session.resume(10, 0), invalid(/pollInterval/));
    await assert.rejects(session.delete('yes'), invalid(/syncContext/));
    await assert.rejects(session.getStatus({ signal: 'stop' }), invalid(/signal/));
    await assert.rejects(session.getStatus(5), invalid(/options/));
    await assert.rejects(agentBay.get(''), invalid(/sessionId/));
    await assert.rejects(agentBay.list({ limit: 0 }), invalid(/limit/));
    await assert.rejects(agentBay.delete('id'), invalid(/session/));
    assert.throws(() => AgentBay.setLogListener('x'), invalid(/listener/));
  });

  it('the library rejects what only it can check', async () => {
    // Valid for the binding, invalid JSON for the library: rejects too.
    await assert.rejects(session.getLink(undefined, undefined, '{not json'), (e) => {
      assert.ok(e instanceof AgentBayError);
      assert.equal(e.kind, 'invalid_argument');
      return true;
    });
  });

  it('a session that is gone resolves with success false and not_found', async () => {
    const s = await newSession(agentBay);
    assert.equal((await s.delete()).success, true);
    for (const r of [await s.getStatus(), await s.getLabels(), await s.info()]) {
      assert.equal(r.success, false);
      assert.equal(r.errorKind, 'not_found');
      assert.equal(typeof r.errorMessage, 'string');
      assert.ok(r.errorMessage.length > 0);
      assert.ok(r.error instanceof AgentBayError);
    }
    const tools = await s.callMcpTool('shell', { command: 'true' });
    assert.equal(tools.success, false);
    const got = await agentBay.get(s.sessionId);
    assert.equal(got.success, false);
    assert.equal(got.errorKind, 'not_found');
    assert.equal(got.session, undefined);
  });

  it('a closed client rejects every call', async () => {
    const other = new AgentBay();
    const s = await newSession(other);
    await other.close();
    const closed = (e) => {
      assert.ok(e instanceof AgentBayError);
      assert.equal(e.kind, 'invalid_handle');
      assert.match(e.message, /closed/);
      return true;
    };
    await assert.rejects(other.create(), closed);
    await assert.rejects(other.list(), closed);
    await assert.rejects(other.get(s.sessionId), closed);
    await assert.rejects(s.getStatus(), closed);
    await assert.rejects(s.delete(), closed);
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
