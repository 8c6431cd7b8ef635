'use strict';

// The bridge to the addon: finds and loads libagentbay, starts native
// operations and settles their Promises when the addon delivers completions.

const fs = require('node:fs');
const path = require('node:path');
const { AgentBayError, AbortError, fromNative } = require('./errors');

const packageDir = path.join(__dirname, '..');

let addon;       // the addon's exports, once libagentbay is loaded
let libraryInfo; // { path, version, abiVersion } of the loaded library

// op handle -> { resolve, reject, signal, owner, onStatus }. owner keeps the object an
// operation works on (a Session) alive until it completes, so that garbage
// collection cannot free its handle under a running operation.
const pending = new Map();
// AbortSignal -> Set of op handles: one 'abort' listener per signal, however
// many operations share it.
const watched = new WeakMap();

function loadAddon() {
  const file = process.env.AGENTBAY_NODE_ADDON
    || path.join(packageDir, 'build', 'Release', 'agentbay.node');
  try {
    return require(file);
  } catch (e) {
    const why = e.code === 'MODULE_NOT_FOUND' ? 'it is not built' : e.message;
    throw new Error(`cannot load the agentbay addon ${file}: ${why}; `
      + 'build it with `make node` in the libagentbay repository', { cause: e });
  }
}

// The libraries to try, in the order of the design: an explicit path, env
// AGENTBAY_LIBRARY, the copy shipped in the package, the repository's build
// folder, the system loader (by SONAME, then the development name). A path
// the user named is used or fails: it is never silently replaced.
function libraryCandidates(explicit, abi) {
  const named = explicit || process.env.AGENTBAY_LIBRARY;
  if (named) return [path.resolve(named)];
  const file = [
    path.join(packageDir, 'lib', 'native', 'libagentbay.so'),
    path.join(packageDir, '..', '..', 'build', 'libagentbay.so'),
  ].find((p) => fs.existsSync(p));
  return file ? [file] : [`libagentbay.so.${abi}`, 'libagentbay.so'];
}

/** Loads libagentbay once per process and returns the addon. */
function load(explicit) {
  if (addon) {
    if (explicit && path.resolve(explicit) !== libraryInfo.path) {
      throw new Error(`libagentbay is already loaded from ${libraryInfo.path}; `
        + `cannot load ${explicit} as well`);
    }
    return addon;
  }
  const native = loadAddon();
  const failures = [];
  for (const candidate of libraryCandidates(explicit, native.abiVersion)) {
    try {
      libraryInfo = native.load(candidate, onComplete);
      break;
    } catch (e) {
      failures.push(e.message);
    }
  }
  if (!libraryInfo) throw new Error(failures.join('; '));
  // Before Node tears the environment down (process.exit() included): stop
  // deliveries and close the clients still open, so that embedded backends
  // stop their sandboxes.
  process.once('exit', () => native.teardown());
  kinds = native.statusKinds();
  addon = native;
  return addon;
}

let kinds; // { kind: AB_E_* code }, from the library

/** The status code of an error kind (loads the library if needed). */
const codeOf = (kind) => (kinds ?? (load(), kinds))[kind];

const loaded = () => addon !== undefined;

const info = () => ({ ...libraryInfo });

function onComplete(op, resultJson, error, status, reads) {
  const entry = pending.get(op);
  if (entry === undefined) return;
  if (status !== undefined) { // a status event, before the completion
    reportStatus(entry.onStatus, { status, reads });
    return;
  }
  pending.delete(op);
  if (entry.signal) watched.get(entry.signal)?.delete(op);
  if (error === undefined) entry.resolve(JSON.parse(resultJson));
  else entry.reject(fromNative(error, entry.signal));
}

// Calls an onStatus listener; what it throws becomes a process warning and
// the operation goes on.
function reportStatus(onStatus, event) {
  try {
    onStatus?.(event);
  } catch (e) {
    process.emitWarning(e instanceof Error ? e : new Error(String(e)),
      { type: 'AgentBayWarning', detail: 'thrown by an onStatus listener' });
  }
}

function watch(signal, op) {
  let ops = watched.get(signal);
  if (ops === undefined) {
    ops = new Set();
    watched.set(signal, ops);
    signal.addEventListener('abort', () => {
      for (const o of ops) addon.opCancel(o);
      ops.clear();
    }, { once: true });
  }
  ops.add(op);
}

// JSON.stringify turns NaN and Infinity into null and drops functions and
// symbols; an argument that JSON cannot carry is refused instead, by name.
function jsonValue(name) {
  return function replace(key, value) {
    const bad = (typeof value === 'number' && !Number.isFinite(value)) || typeof value === 'bigint'
      || typeof value === 'function' || typeof value === 'symbol';
    if (bad) {
      const where = key === '' ? '' : ` (at ${JSON.stringify(key)})`;
      const shown = typeof value === 'bigint' ? `${value}n` : String(value);
      throw new AgentBayError(`${name} must be JSON-serialisable: ${shown}${where} cannot be `
        + 'encoded', { kind: 'invalid_argument' });
    }
    return value;
  };
}

/** The JSON text of an operation's parameters; undefined means "not given". */
function encode(params) {
  const members = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    let text;
    try {
      text = JSON.stringify(value, jsonValue(name));
    } catch (e) {
      if (e instanceof AgentBayError) throw e;
      throw new AgentBayError(`${name} must be JSON-serialisable: ${e.message}`,
        { kind: 'invalid_argument', cause: e });
    }
    members.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * Runs operation name of a client or session handle (target 'client' or
 * 'session') with params. Resolves with the parsed result JSON; rejects with
 * an AgentBayError (AbortError when cancelled). owner is kept alive until
 * the operation ends.
 */
function run(target, handle, name, params, signal, owner, onStatus) {
  if (onStatus !== undefined) {
    return call((a) => a.sessionCallObserved(handle, name, encode(params)), signal, owner, onStatus);
  }
  const start = target === 'client' ? 'clientCall' : 'sessionCall';
  return call((a) => a[start](handle, name, encode(params)), signal, owner);
}

function call(start, signal, owner, onStatus) {
  if (signal?.aborted) {
    return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  }
  return new Promise((resolve, reject) => {
    let op;
    try {
      op = start(addon);
    } catch (e) {
      reject(fromNative(e));
      return;
    }
    pending.set(op, { resolve, reject, signal, owner, onStatus });
    if (signal) watch(signal, op);
  });
}

/** Runs a synchronous addon call, turning its failure into an AgentBayError. */
function sync(fn) {
  try {
    return fn(addon);
  } catch (e) {
    throw fromNative(e);
  }
}

module.exports = { load, loaded, info, encode, run, sync, codeOf };
