'use strict';

// Shared by the test files: each file runs in its own process with its own
// client on the embedded local backend (no API key, no endpoint), or on the
// backend AGENTBAY_TEST_ENDPOINT names (with AGENTBAY_TEST_API_KEY), e.g. an
// `agentbay-local serve`.

const { before, after } = require('node:test');
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

/**
 * A client and one session for the tests of the enclosing describe block:
 * made in its before hook, the session deleted and the client closed in its
 * after hook. The fields of what it returns are set once before has run.
 */
function sessionFixture() {
  const f = { agentBay: undefined, session: undefined };
  before(async () => {
    f.agentBay = new AgentBay();
    f.session = await newSession(f.agentBay);
  });
  after(async () => {
    await f.session?.delete();
    await f.agentBay?.close();
  });
  return f;
}

/**
 * Runs a shell command in a session and returns {stdout, stderr, exit_code};
 * options are the call's (signal) and the command's timeout_ms (10 s).
 */
async function shell(session, command, options = {}) {
  const { timeout_ms = 10000, ...call } = options;
  const r = await session.callMcpTool('shell', { command, timeout_ms }, call);
  assert.equal(r.success, true, r.errorMessage);
  return JSON.parse(r.data);
}

/**
 * Polls a session until `count` files match `pattern` (a shell glob in the
 * session's folder): how the tests see that their commands are running.
 * The deadline only turns a hang into a failure.
 */
async function waitForFiles(session, pattern, count, deadlineMs = 60000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const { stdout } = await shell(session, `ls ${pattern} 2>/dev/null | wc -l`);
    if (Number(stdout) >= count) return;
    if (Date.now() > deadline) assert.fail(`${count} files ${pattern} never appeared (${stdout.trim()})`);
    await new Promise((resolve) => setTimeout(resolve, 20)); // between polls
  }
}

/** A name no other test run uses, for marker files. */
const unique = (prefix) => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

/** Runs a Node script (text) in a child process from this folder. */
function runScript(source, env = {}) {
  return spawnSync(process.execPath, ['-e', source], {
    cwd: __dirname, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000,
  });
}

const packageDir = path.join(__dirname, '..');

module.exports = { AgentBay, newSession, sessionFixture, shell, waitForFiles, unique, runScript, packageDir, embedded };
