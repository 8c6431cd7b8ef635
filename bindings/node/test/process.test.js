'use strict';

// session.command.start: a background command's wait and kill.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBayError, Process } = require('..');
const { sessionFixture } = require('./helpers');

describe('session.command.start', () => {
  const f = sessionFixture();

  it('wait gives the exit code and output', async () => {
    const proc = await f.session.command.start('echo hi; exit 7');
    assert.ok(proc instanceof Process);
    assert.ok(proc.processId);
    const r = await proc.wait();
    assert.equal(r.exitCode, 7);
    assert.equal(r.success, false);
    assert.equal(r.stdout, 'hi\n');
  });

  it('kill ends a running command', async () => {
    const proc = await f.session.command.start('sleep 600');
    assert.equal((await proc.kill()).success, true);
    const r = await proc.wait();
    assert.equal(r.exitCode, 137);
    assert.equal(r.errorMessage, 'the command was killed');
  });

  it('rejects what cannot start; a failed start names the problem', async () => {
    await assert.rejects(f.session.command.start(''), (e) => e instanceof AgentBayError && e.kind === 'invalid_argument');
    await assert.rejects(f.session.command.start('true', undefined, '/nonexistent'),
      (e) => e instanceof AgentBayError && /nonexistent/.test(e.message));
  });
});

describe('streamed output', () => {
  const f = sessionFixture();

  it('comes in order, a chunk before the command ends', async () => {
    // The command waits for a file written only once the first chunk came.
    const proc = await f.session.command.start(
      'echo first; echo e1 >&2; while [ ! -e /tmp/js-go ]; do sleep 0.01; done; echo second; exit 2');
    let out = '';
    let err = '';
    let released = false;
    for await (const chunk of proc) {
      if (chunk.stream === 'stdout') out += chunk.text; else err += chunk.text;
      if (!released && out.includes('first\n')) {
        released = true;
        assert.equal((await f.session.fileSystem.writeFile('/tmp/js-go', '')).success, true);
      }
    }
    assert.equal(released, true);
    assert.equal(out, 'first\nsecond\n');
    assert.equal(err, 'e1\n');
    const r = await proc.wait();
    assert.equal(r.exitCode, 2);
    assert.equal(r.stdout, 'first\nsecond\n');
  });

  it('executeCommand streams to onStdout and onStderr', async () => {
    const out = [];
    const err = [];
    const r = await f.session.command.executeCommand('seq 1 20000; echo oops >&2', undefined, undefined, undefined,
      { onStdout: (t) => out.push(t), onStderr: (t) => err.push(t) });
    assert.equal(r.success, true, r.errorMessage);
    let want = '';
    for (let i = 1; i <= 20000; i++) want += `${i}\n`;
    assert.equal(out.join(''), want);
    assert.equal(err.join(''), 'oops\n');
  });

  it('a bad process id rejects the iteration, wait and kill; a bad callback is misuse', async () => {
    const proc = f.session.command.process('cmd-999');
    await assert.rejects(async () => {
      for await (const c of proc) assert.fail(`a chunk: ${c.text}`);
    }, (e) => e instanceof AgentBayError && e.kind === 'invalid_argument' && /cmd-999/.test(e.message));
    // An id the f.session does not have is misuse: it rejects, as bad arguments do.
    const bad = (e) => e instanceof AgentBayError && e.kind === 'invalid_argument'
      && /no background command has id "cmd-999"/.test(e.message);
    await assert.rejects(proc.wait(), bad);
    await assert.rejects(proc.kill(), bad);
    assert.throws(() => f.session.command.process(''), AgentBayError);
    await assert.rejects(f.session.command.executeCommand('true', undefined, undefined, undefined, { onStdout: 5 }),
      (e) => e instanceof AgentBayError && e.kind === 'invalid_argument');
  });
});
