'use strict';

// index.d.ts compiles and types a program that uses the whole API.

const { it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { packageDir } = require('./helpers');

it('the types compile (tsc --noEmit -p test/types)', () => {
  const tsc = path.join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types')],
    { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
