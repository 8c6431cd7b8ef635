'use strict';

// The AB_E_* status codes of include/agentbay.h, by kind.
const codes = Object.freeze({
  invalid_argument: -1,
  not_found: -2,
  unauthorized: -3,
  throttled: -4,
  timeout: -5,
  cancelled: -6,
  conflict: -7,
  server: -8,
  transport: -9,
  unsupported: -10,
  invalid_handle: -11,
  internal: -12,
});

/** An error of libagentbay or of this binding, with the engine's stable kind. */
class AgentBayError extends Error {
  constructor(message, { kind = 'internal', code = codes[kind] ?? codes.internal,
    requestId = '', serviceCode = '', httpStatus = 0, retryable = false, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AgentBayError';
    this.kind = kind;
    this.code = code;
    this.requestId = requestId;
    this.serviceCode = serviceCode;
    this.httpStatus = httpStatus;
    this.retryable = retryable;
  }
}

/** A cancelled operation: by an AbortSignal, or by closing its client. */
class AbortError extends AgentBayError {
  constructor(message = 'The operation was aborted', options = {}) {
    super(message, { ...options, kind: 'cancelled', code: codes.cancelled });
    this.name = 'AbortError';
  }
}

// Turns the error fields the addon reports (a thrown Error or a completion's
// plain object) into the matching class; other errors pass through.
function fromNative(e, signal) {
  if (e == null || typeof e.kind !== 'string') return e;
  const fields = {
    kind: e.kind, code: e.code, requestId: e.requestId, serviceCode: e.serviceCode,
    httpStatus: e.httpStatus, retryable: e.retryable,
  };
  if (e.kind === 'cancelled') {
    return signal?.aborted
      ? new AbortError('The operation was aborted', { ...fields, cause: signal.reason })
      : new AbortError(e.message, fields);
  }
  return new AgentBayError(e.message, fields);
}

function invalidArgument(message) {
  return new AgentBayError(message, { kind: 'invalid_argument' });
}

module.exports = { AgentBayError, AbortError, codes, fromNative, invalidArgument };
