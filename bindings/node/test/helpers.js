'use strict';

// Shared by the test files: each file runs in its own process with its own
// client on the embedded local backend (no API key, no endpoint), or on the
// backend AGENTBAY_TEST_ENDPOINT names (with AGENTBAY_TEST_API_KEY), e.g. an
// `agentbay-local serve`.

const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

delete process.env.AGENTBAY_API_KEY;
delete process.env.AGENTBAY_ENDPOINT;
if (process.env.AGENTBAY_TEST_ENDPOINT) {
  process.env.AGENTBAY_ENDPOINT = process.env.AGENTBAY_TEST_ENDPOINT;
  process.env.AGENTBAY_API_KEY = process.env.AGENTBAY_TEST_API_KEY ?? '';
}
const embedded = !process.env.AGENTBAY_ENDPOINT;

const { AgentBay } = require('..');

async function newSession(agentBay, labels) {
  const r = await agentBay.create(labels ? { labels } : undefined);
  assert.equal(r.success, true, r.errorMessage);
  return r.session;
}

/** Runs a shell command in a session and returns {stdout, stderr, exit_code}. */
async function shell(session, command, options = {}) {
  const r = await session.callMcpTool('shell', { command, timeout_ms: 10000 }, options);
  assert.equal(r.success, true, r.errorMessage);
  return JSON.parse(r.data);
}

/** Runs a Node script (text) in a child process from this folder. */
function runScript(source, env = {}) {
  return spawnSync(process.execPath, ['-e', source], {
    cwd: __dirname, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000,
  });
}

const packageDir = path.join(__dirname, '..');

module.exports = { AgentBay, newSession, shell, runScript, packageDir, embedded };
