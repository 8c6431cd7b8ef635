'use strict';

// session.code.runCode: the official SDK's results, failures that resolve,
// and misuse that rejects.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBayError } = require('..');
const { newSession, sessionFixture } = require('./helpers');

describe('session.code', () => {
  const f = sessionFixture();

  it('runs code and gives its output', async () => {
    const r = await f.session.code.runCode('print(6 * 7)', 'python');
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.result, '42\n');
    assert.deepEqual(r.logs, { stdout: ['42\n'], stderr: [] });
    assert.deepEqual(r.results, []);
    assert.equal(r.executionError, undefined);
    assert.equal(typeof r.executionCount, 'number');
    assert.ok(r.requestId);
  });

  it('takes the official aliases and a timeout in either form', async () => {
    let r = await f.session.code.runCode("console.log('js')", 'NodeJS', 10);
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.result, 'js\n');
    r = await f.session.code.runCode("print('py')", 'py', { timeoutS: 10 });
    assert.equal(r.success, true, r.errorMessage);
  });

  it('resolves an exception with success false', async () => {
    const r = await f.session.code.runCode("print('before')\n1/0", 'python');
    assert.equal(r.success, false);
    assert.equal(r.errorMessage, 'ZeroDivisionError: division by zero');
    assert.deepEqual(r.executionError, { name: 'ExecutionError', value: r.errorMessage, traceback: '' });
    assert.deepEqual(r.logs.stdout, ['before\n']);
  });

  it('stops code that runs out of time', async () => {
    const r = await f.session.code.runCode('import time\ntime.sleep(30)', 'python', { timeoutS: 1 });
    assert.equal(r.success, false);
    assert.match(r.errorMessage, /timed out/);
  });

  it('rejects bad arguments with the library messages', async () => {
    const invalid = (re) => (e) => e instanceof AgentBayError && e.kind === 'invalid_argument' && re.test(e.message);
    await assert.rejects(f.session.code.runCode('', 'python'), invalid(/^code is required$/));
    await assert.rejects(f.session.code.runCode('1'), invalid(/^language is required$/));
    await assert.rejects(f.session.code.runCode('1', 'ruby'),
      invalid(/^Unsupported language: ruby\. Supported languages are 'python', 'javascript', 'r', and 'java'$/));
    await assert.rejects(f.session.code.runCode('1', 'python', 1.5), invalid(/^timeoutS must be a positive integer of seconds/));
    await assert.rejects(f.session.code.runCode('1', 'python', { timeoutS: -1 }), invalid(/^timeoutS must be/));
  });

  it('resolves with not_found on a deleted session', async () => {
    const s = await newSession(f.agentBay);
    await s.delete();
    const r = await s.code.runCode('print(1)', 'python');
    assert.equal(r.success, false);
    assert.equal(r.errorKind, 'not_found');
    assert.deepEqual(r.logs, { stdout: [], stderr: [] });
  });
});
