'use strict';

// A script in the style of the official AgentBay TypeScript SDK's docs that
// uses only names the official package (wuying-agentbay-sdk, 0.15) exports,
// so that it runs unchanged on either. The suite runs it on this binding,
// on the embedded backend. To run it on the official SDK instead, against
// `agentbay-local serve --tls` (see the README):
//
//   AGENTBAY_SDK_MODULE=/path/to/node_modules/wuying-agentbay-sdk \
//   AGENTBAY_TEST_ENDPOINT=127.0.0.1:PORT AGENTBAY_TEST_API_KEY=KEY \
//   NODE_EXTRA_CA_CERTS=DATA/cert.pem node --test test/official-style.test.js

const { it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
require('./helpers'); // the environment of the test backend

const sdkModule = process.env.AGENTBAY_SDK_MODULE;
const { AgentBay } = require(sdkModule ? path.resolve(sdkModule) : '..');

async function example(agentBay) {
  const project = `official-style-${process.pid}`;
  const result = await agentBay.create({ labels: { project } });
  assert.equal(result.success, true, result.errorMessage);
  const session = result.session;
  try {
    const set = await session.setLabels({ project, env: 'test' });
    assert.equal(set.success, true, set.errorMessage);
    const labels = await session.getLabels();
    assert.deepEqual(labels.data, { project, env: 'test' });

    const info = await session.info();
    assert.equal(info.success, true, info.errorMessage);
    assert.equal(info.data.sessionId, session.sessionId);

    const tools = await session.listMcpTools();
    assert.ok(tools.tools.some((t) => t.name === 'shell'), 'a shell tool');

    const hello = await session.callMcpTool('shell', { command: "echo 'Hello'", timeout_ms: 5000 });
    assert.equal(hello.success, true, hello.errorMessage);
    assert.match(hello.data, /Hello/);
    const failed = await session.callMcpTool('shell', { command: 'exit 3', timeout_ms: 5000 });
    assert.equal(failed.success, false);
    assert.ok(failed.errorMessage);

    const link = await session.getLink(undefined, 30150);
    assert.equal(link.success, true, link.errorMessage);
    assert.match(link.data, /^https?:\/\//);

    const listed = await agentBay.list({ project }, 1, 10);
    assert.equal(listed.success, true, listed.errorMessage);
    assert.deepEqual(listed.sessionIds, [session.sessionId]);

    assert.equal((await session.getStatus()).status, 'RUNNING');
    const paused = await session.betaPauseAsync(30, 0.2);
    assert.equal(paused.success, true, paused.errorMessage);
    assert.equal(paused.status, 'PAUSED');
    const resumed = await session.betaResumeAsync(30, 0.2);
    assert.equal(resumed.success, true, resumed.errorMessage);
    assert.equal(resumed.status, 'RUNNING');

    const got = await agentBay.get(session.sessionId);
    assert.equal(got.success, true, got.errorMessage);
    assert.equal(got.session.sessionId, session.sessionId);
  } finally {
    const deleted = await agentBay.delete(session);
    assert.equal(deleted.success, true, deleted.errorMessage);
  }
  const gone = await agentBay.get(session.sessionId);
  assert.equal(gone.success, false);
}

it(`a script written for the official SDK runs on ${sdkModule ?? 'this binding'}`, async () => {
  const agentBay = new AgentBay(); // key and endpoint from the environment
  try {
    await example(agentBay);
  } finally {
    await agentBay.close?.(); // the official SDK has no close()
  }
});
