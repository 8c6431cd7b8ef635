'use strict';

// The npm package that `make node-package` writes carries the addon and a
// copy of the library, and works installed anywhere with nothing else.
// `make test-node` builds the package and names it in AGENTBAY_NODE_PACKAGE;
// plain `npm test` skips this file's test.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const tarball = process.env.AGENTBAY_NODE_PACKAGE;

describe('the npm package', () => {
  it('installs from its tarball and uses the library inside it', { skip: !tarball && 'AGENTBAY_NODE_PACKAGE is not set' }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentbay-node-package-'));
    try {
      const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball],
        { cwd: dir, encoding: 'utf8' });
      assert.equal(install.status, 0, install.stderr);
      const env = { ...process.env };
      delete env.AGENTBAY_LIBRARY;
      delete env.AGENTBAY_NODE_ADDON;
      const run = spawnSync(process.execPath, ['-e', `
        const { AgentBay } = require('agentbay');
        const agentBay = new AgentBay();
        agentBay.list().then(async (r) => {
          console.log(AgentBay.libraryInfo().path, r.success);
          await agentBay.close();
        });
      `], { cwd: dir, env, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const [lib, ok] = run.stdout.trim().split(' ');
      assert.equal(lib, path.join(fs.realpathSync(dir), 'node_modules', 'agentbay', 'lib', 'native', 'libagentbay.so'));
      assert.equal(ok, 'true');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
