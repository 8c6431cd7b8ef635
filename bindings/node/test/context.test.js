'use strict';

// agentBay.context and session.context on the embedded backend: the
// service, files through presigned URLs, and a mounted context written back.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { AgentBay, AgentBayError } = require('..');

describe('contexts', () => {
  let agentBay;

  before(() => {
    agentBay = new AgentBay();
  });

  after(() => agentBay.close());

  it('gets, creates, lists, renames, clears and deletes contexts', async () => {
    const missing = await agentBay.context.get('no-such-context');
    assert.equal(missing.success, false);
    const made = await agentBay.context.get('node-notes', true);
    assert.equal(made.success, true, made.errorMessage);
    assert.equal(made.context.name, 'node-notes');
    assert.equal((await agentBay.context.get(undefined, false, made.contextId)).context.id, made.contextId);

    const up = await agentBay.context.getFileUploadUrl(made.contextId, '/a.txt');
    const put = await fetch(up.url, { method: 'PUT', body: 'from node' });
    assert.equal(put.status, 200);
    const down = await agentBay.context.getFileDownloadUrl(made.contextId, 'a.txt');
    assert.equal(await (await fetch(down.url)).text(), 'from node');
    const files = await agentBay.context.listFiles(made.contextId, '/');
    assert.deepEqual(files.entries.map((e) => [e.fileName, e.size, e.fileType]), [['a.txt', 9, 'file']]);

    const listed = await agentBay.context.list({ maxResults: 100 });
    assert.ok(listed.contexts.some((c) => c.id === made.contextId));
    assert.equal((await agentBay.context.update({ ...made.context, name: 'node-notes-2' })).success, true);
    assert.equal((await agentBay.context.get('node-notes-2')).contextId, made.contextId);
    assert.equal((await agentBay.context.clear(made.contextId)).status, 'available');
    assert.deepEqual((await agentBay.context.listFiles(made.contextId, '/')).entries, []);
    assert.equal((await agentBay.context.delete(made.context)).success, true);
    assert.equal((await agentBay.context.get(undefined, false, made.contextId)).success, false);
  });

  it('rejects bad arguments', async () => {
    const invalid = (e) => e instanceof AgentBayError && e.kind === 'invalid_argument';
    await assert.rejects(agentBay.context.get(), invalid);
    await assert.rejects(agentBay.context.getFileUploadUrl('', '/a'), invalid);
    await assert.rejects(agentBay.context.listFiles('ctx-x', '/', 0), invalid);
    await assert.rejects(agentBay.create({ contextSync: [{ contextId: 'c' }] }), invalid);
  });

  it('mounts a context in a new session and syncs it back', async () => {
    const ctx = (await agentBay.context.get('node-work', true)).context;
    await fetch((await agentBay.context.getFileUploadUrl(ctx.id, '/seed.txt')).url, { method: 'PUT', body: 'seed' });
    const { session, success, errorMessage } = await agentBay.create({
      contextSync: [{ contextId: ctx.id, path: '/home/wuying/work', policy: { uploadPolicy: { autoUpload: false } } }],
    });
    assert.equal(success, true, errorMessage);
    const info = await session.context.info();
    assert.deepEqual(info.contextStatusData.map((t) => [t.contextId, t.status, t.taskType]),
      [[ctx.id, 'Success', 'download']]);
    const r = await session.command.executeCommand('cat ~/work/seed.txt; echo new > ~/work/new.txt');
    assert.equal(r.stdout, 'seed');
    assert.equal((await session.context.sync(ctx.id, '/home/wuying/work', 'upload')).success, true);
    const names = (await agentBay.context.listFiles(ctx.id, '/')).entries.map((e) => e.fileName).sort();
    assert.deepEqual(names, ['new.txt', 'seed.txt']);
    assert.equal((await session.delete()).success, true);
    await agentBay.context.delete(ctx);
  });

  it('binds a context to a running session and lists the bindings', async () => {
    const ctx = (await agentBay.context.get('node-bound', true)).context;
    await fetch((await agentBay.context.getFileUploadUrl(ctx.id, '/b.txt')).url, { method: 'PUT', body: 'bound' });
    const { session } = await agentBay.create();
    assert.deepEqual((await session.context.listBindings()).bindings, []);
    const bound = await session.context.bind({ contextId: ctx.id, path: '/tmp/bound' });
    assert.equal(bound.success, true, bound.errorMessage);
    assert.equal((await session.fileSystem.readFile('/tmp/bound/b.txt')).content, 'bound');
    const { bindings } = await session.context.listBindings();
    assert.deepEqual(bindings.map((b) => [b.contextId, b.contextName, b.path]), [[ctx.id, 'node-bound', '/tmp/bound']]);
    await assert.rejects(session.context.bind([{ contextId: ctx.id, path: '/tmp/bound' }]),
      (e) => e.kind === 'invalid_argument' && /mounted there already/.test(e.message));
    await session.delete();
    await agentBay.context.delete(ctx);
  });
});
