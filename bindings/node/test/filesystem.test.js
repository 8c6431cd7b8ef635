'use strict';

// session.fileSystem: the official SDK's file methods and results, failures
// that resolve, and misuse that rejects.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBayError } = require('..');
const { newSession, sessionFixture } = require('./helpers');

describe('session.fileSystem', () => {
  const f = sessionFixture();
  let fs;

  before(() => {
    fs = f.session.fileSystem;
  });

  const ok = async (promise) => {
    const r = await promise;
    assert.equal(r.success, true, r.errorMessage);
    assert.equal(r.data, true);
  };

  it('writes, appends and reads text and bytes', async () => {
    await ok(fs.writeFile('/tmp/a/b.txt', 'héllo\n'));
    await ok(fs.writeFile('/tmp/a/b.txt', 'more\n', 'append'));
    const r = await fs.readFile('/tmp/a/b.txt');
    assert.equal(r.content, 'héllo\nmore\n');
    const b = await fs.readFile('/tmp/a/b.txt', { format: 'bytes' });
    assert.ok(Buffer.isBuffer(b.content));
    assert.deepEqual(b.content, Buffer.from('héllo\nmore\n'));
    assert.equal(b.size, 12);
  });

  it('moves large files in chunks', async () => {
    const text = 'ab€😀\n'.repeat(150000); // 1.6 MB: more than one call returns
    await ok(fs.writeFile('/tmp/big.txt', text));
    const r = await fs.readFile('/tmp/big.txt');
    assert.equal(r.success, true, r.errorMessage);
    assert.ok(r.content === text);
    const info = await fs.getFileInfo('/tmp/big.txt');
    assert.equal(info.fileInfo.size, Buffer.byteLength(text));
    assert.equal(info.fileInfo.isDirectory, false);
  });

  it('lists, moves, searches and deletes', async () => {
    await ok(fs.createDirectory('/tmp/d/sub'));
    await ok(fs.writeFile('/tmp/d/f.txt', 'x'));
    const listed = await fs.listDirectory('/tmp/d');
    assert.deepEqual(listed.entries.sort((a, b) => a.name.localeCompare(b.name)),
      [{ name: 'f.txt', isDirectory: false }, { name: 'sub', isDirectory: true }]);
    await ok(fs.moveFile('/tmp/d/f.txt', '/tmp/d/sub/g.txt'));
    assert.deepEqual((await fs.searchFiles('/tmp/d', '*.txt')).matches, ['/tmp/d/sub/g.txt']);
    assert.deepEqual((await fs.searchFiles('/tmp/d', '*.txt', ['sub'])).matches, []);
    await ok(fs.deleteFile('/tmp/d/sub/g.txt'));
    const gone = await fs.readFile('/tmp/d/sub/g.txt');
    assert.equal(gone.success, false);
    assert.match(gone.errorMessage, /No such file or directory/);
  });

  it('edits with a dry run first', async () => {
    await ok(fs.writeFile('/tmp/c.cfg', 'DEBUG=false\n'));
    const dry = await fs.editFile('/tmp/c.cfg', [{ oldText: 'false', newText: 'true' }], true);
    assert.equal(dry.success, true, dry.errorMessage);
    assert.match(dry.diff, /-false\n\+true/);
    assert.equal((await fs.readFile('/tmp/c.cfg')).content, 'DEBUG=false\n');
    await ok(fs.editFile('/tmp/c.cfg', [{ oldText: 'false', newText: 'true' }]));
    assert.equal((await fs.readFile('/tmp/c.cfg')).content, 'DEBUG=true\n');
  });

  it('reads several files at once', async () => {
    await ok(fs.writeFile('/tmp/m1', 'one'));
    await ok(fs.writeFile('/tmp/m2', 'two\n'));
    const r = await fs.readMultipleFiles(['/tmp/m1', '/tmp/m2']);
    assert.deepEqual(r.contents, { '/tmp/m1': 'one', '/tmp/m2': 'two' });
  });

  it('rejects bad arguments with the library messages', async () => {
    const invalid = (re) => (e) => e instanceof AgentBayError && e.kind === 'invalid_argument' && re.test(e.message);
    await assert.rejects(fs.readFile(), invalid(/^path is required$/));
    await assert.rejects(fs.writeFile('/tmp/x', 'y', 'truncate'),
      invalid(/^Invalid write mode: truncate\. Must be 'overwrite' or 'append'\.$/));
    await assert.rejects(fs.writeFile('/tmp/x'), invalid(/^content is required$/));
    await assert.rejects(fs.editFile('/tmp/x', [{ oldText: 'a' }]), invalid(/^edits\[0\]: newText is required$/));
    await assert.rejects(fs.readMultipleFiles(['/a', 2]), invalid(/^paths\[1\] must be a string, got 2$/));
  });

  it('resolves what the session reports and a deleted session', async () => {
    const dir = await fs.readFile('/tmp');
    assert.equal(dir.success, false);
    assert.equal(dir.errorMessage, 'Path does not exist or is a directory: /tmp');
    assert.equal(dir.content, '');
    const s = await newSession(f.agentBay);
    await s.delete();
    const r = await s.fileSystem.readFile('/tmp/x', { format: 'bytes' });
    assert.equal(r.success, false);
    assert.equal(r.errorKind, 'not_found');
    assert.equal(r.content.length, 0);
  });
});

describe('session.fileSystem upload and download', () => {
  const os = require('node:os');
  const nodeFs = require('node:fs');
  const path = require('node:path');
  const f = sessionFixture();
  let dir;

  before(() => {
    dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'agentbay-transfer-'));
  });

  after(() => {
    nodeFs.rmSync(dir, { recursive: true, force: true });
  });

  it('moves host files in and out', async () => {
    const data = Buffer.alloc(200000, 'xyz\u00ff');
    const local = path.join(dir, 'in.bin');
    nodeFs.writeFileSync(local, data);
    const up = await f.session.fileSystem.uploadFile(local, '/tmp/t/in.bin', { waitTimeout: 10, pollInterval: 0.2 });
    assert.equal(up.success, true, up.errorMessage);
    assert.equal(up.bytesSent, data.length);
    assert.deepEqual((await f.session.fileSystem.readFile('/tmp/t/in.bin', { format: 'bytes' })).content, data);
    const out = path.join(dir, 'out.bin');
    const down = await f.session.fileSystem.downloadFile('/tmp/t/in.bin', out);
    assert.equal(down.success, true, down.errorMessage);
    assert.deepEqual(nodeFs.readFileSync(out), data);
    await assert.rejects(f.session.fileSystem.downloadFile('/tmp/t/in.bin', out, { overwrite: false }),
      (e) => e instanceof AgentBayError && /exists and overwrite is false/.test(e.message));
    const missing = await f.session.fileSystem.downloadFile('/tmp/none', path.join(dir, 'none'));
    assert.equal(missing.success, false);
    assert.match(missing.errorMessage, /no such file/);
  });
});

describe('session.fileSystem.watchDirectory', () => {
  const f = sessionFixture();

  it('calls back with each batch of changes until stopped', { timeout: 60000 }, async () => { // the timeout only bounds a hang
    const fs = f.session.fileSystem;
    await fs.createDirectory('/tmp/watched');
    const events = [];
    let sawB;
    const seen = new Promise((resolve) => { sawB = resolve; });
    const watch = fs.watchDirectory('/tmp/watched', (batch) => {
      events.push(...batch);
      if (events.some((e) => e.path.endsWith('b.txt'))) sawB();
    }, { intervalMs: 50 });
    await watch.ready;
    await fs.writeFile('/tmp/watched/a.txt', '1');
    await fs.writeFile('/tmp/watched/b.txt', '2');
    await seen;
    watch.stop();
    await watch.done;
    assert.deepEqual([...new Set(events.filter((e) => e.path.endsWith('.txt')).map((e) => `${e.eventType} ${e.pathType}`))],
      ['create file']);
  });

  it('starts get_file_change with a baseline', async () => {
    const first = await f.session.fileSystem.getFileChange('/tmp');
    assert.deepEqual(first.events, []);
    await f.session.fileSystem.writeFile('/tmp/new.txt', 'x');
    const second = await f.session.fileSystem.getFileChange('/tmp');
    assert.ok(second.events.some((e) => e.eventType === 'create' && e.path === '/tmp/new.txt'));
    assert.throws(() => f.session.fileSystem.watchDirectory('/tmp', 'no'), /callback must be a function/);
  });
});
