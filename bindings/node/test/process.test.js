'use strict';

// session.command.start: a background command's wait and kill.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBay, AgentBayError, Process } = require('..');
const { newSession } = require('./helpers');

describe('session.command.start', () => {
  let agentBay;
  let session;

  before(async () => {
    agentBay = new AgentBay();
    session = await newSession(agentBay);
  });

  after(async () => {
    await session.delete();
    await agentBay.close();
  });

  it('wait gives the exit code and output', async () => {
    const proc = await session.command.start('echo hi; exit 7');
    assert.ok(proc instanceof Process);
    assert.ok(proc.processId);
    const r = await proc.wait();
    assert.equal(r.exitCode, 7);
    assert.equal(r.success, false);
    assert.equal(r.stdout, 'hi\n');
  });

  it('kill ends a running command', async () => {
    const proc = await session.command.start('sleep 600');
    assert.equal((await proc.kill()).success, true);
    const r = await proc.wait();
    assert.equal(r.exitCode, 137);
    assert.equal(r.errorMessage, 'the command was killed');
  });

  it('rejects what cannot start; a failed start names the problem', async () => {
    await assert.rejects(session.command.start(''), (e) => e instanceof AgentBayError && e.kind === 'invalid_argument');
    await assert.rejects(session.command.start('true', undefined, '/nonexistent'),
      (e) => e instanceof AgentBayError && /nonexistent/.test(e.message));
  });
});
