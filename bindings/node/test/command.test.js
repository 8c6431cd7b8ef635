'use strict';

// session.command.executeCommand: the official SDK's results, failures that
// resolve, and misuse that rejects.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBayError } = require('..');
const { newSession, sessionFixture } = require('./helpers');

describe('session.command', () => {
  const f = sessionFixture();

  it('runs a command and gives stdout, stderr and the exit code', async () => {
    const r = await f.session.command.executeCommand('echo out; echo err >&2');
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.output, 'out\nerr\n');
    assert.ok(r.requestId);
  });

  it('resolves a non-zero exit with success false', async () => {
    const r = await f.session.command.executeCommand('echo partial; echo why >&2; exit 5');
    assert.equal(r.success, false);
    assert.equal(r.exitCode, 5);
    assert.equal(r.stdout, 'partial\n');
    assert.equal(r.errorMessage, 'why\n');
  });

  it('takes a working directory and environment variables', async () => {
    const r = await f.session.command.executeCommand('echo "$A-$B"; pwd', 5000, '/tmp', { A: 'one', B: 'two' });
    assert.equal(r.success, true, r.errorMessage);
    assert.match(r.stdout, /^one-two\n.*\/tmp/s);
  });

  it('kills a command that runs out of time', async () => {
    const r = await f.session.command.executeCommand('echo started; sleep 30', 300);
    assert.equal(r.success, false);
    assert.equal(r.exitCode, 124);
    assert.equal(r.stdout, 'started\n');
  });

  it('rejects bad arguments with the library messages', async () => {
    const invalid = (re) => (e) => e instanceof AgentBayError && e.kind === 'invalid_argument' && re.test(e.message);
    await assert.rejects(f.session.command.executeCommand(''), invalid(/^command is required$/));
    await assert.rejects(f.session.command.executeCommand(), invalid(/^command is required$/));
    await assert.rejects(f.session.command.executeCommand('true', -1), invalid(/^timeoutMs must be/));
    await assert.rejects(f.session.command.executeCommand('true', NaN), invalid(/^timeoutMs must be JSON-serialisable/));
    await assert.rejects(f.session.command.executeCommand('true', 1000, undefined, { A: 1 }),
      invalid(/^Invalid environment variables: .*value for key 'A' \(type: number\)$/));
  });

  it('resolves with not_found on a deleted session', async () => {
    const s = await newSession(f.agentBay);
    await s.delete();
    const r = await s.command.executeCommand('true');
    assert.equal(r.success, false);
    assert.equal(r.errorKind, 'not_found');
    assert.equal(r.exitCode, 1);
  });
});
