'use strict';

// Results: the engine's snake_case JSON turned into the TypeScript SDK's
// camelCase, and the rule that service failures resolve instead of reject.

const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** Camel-cases the keys of one object level (values such as labels, tool
 * schemas or user data keep their own keys). */
function camelKeys(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) out[camel(k)] = v;
  return out;
}

// Failures of the service or the network: a session method resolves with
// them as { success: false, errorMessage, errorKind, error }, as the official
// SDK does. Everything else (misuse, cancellation, a bug) rejects.
const serviceKinds = new Set([
  'not_found', 'unauthorized', 'throttled', 'timeout', 'conflict', 'server',
  'transport', 'unsupported',
]);

/**
 * Awaits a native call and shapes its result with map; a service failure
 * becomes a result with success false plus the given empty fields.
 */
async function settle(promise, map = camelKeys, empty = {}) {
  let raw;
  try {
    raw = await promise;
  } catch (e) {
    if (!serviceKinds.has(e.kind)) throw e;
    return {
      requestId: e.requestId, success: false, errorMessage: e.message,
      errorKind: e.kind, error: e, ...empty,
    };
  }
  return map(raw);
}

module.exports = { camelKeys, settle };
