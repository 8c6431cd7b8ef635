'use strict';

// The binding's error classes. Kinds and their AB_E_* codes come from the
// library (ab_status_kind), never from a table of this binding's own.

/** An error of libagentbay or of this binding, with the engine's stable kind. */
class AgentBayError extends Error {
  #code;

  constructor(message, { kind = 'internal', code, param = '', requestId = '', serviceCode = '',
    httpStatus = 0, retryable = false, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AgentBayError';
    this.kind = kind;
    this.#code = code;
    this.param = param;
    this.requestId = requestId;
    this.serviceCode = serviceCode;
    this.httpStatus = httpStatus;
    this.retryable = retryable;
  }

  /** The AB_E_* status code of the kind (asks the library, loading it if needed). */
  get code() {
    this.#code ??= require('./native').codeOf(this.kind);
    return this.#code;
  }
}

/** A cancelled operation: by an AbortSignal, or by closing its client. */
class AbortError extends AgentBayError {
  constructor(message = 'The operation was aborted', options = {}) {
    super(message, { ...options, kind: 'cancelled' });
    this.name = 'AbortError';
  }
}

// Turns the error fields the addon reports (a thrown Error or a completion's
// plain object) into the matching class; other errors pass through.
function fromNative(e, signal) {
  if (e == null || typeof e.kind !== 'string') return e;
  if (e instanceof AgentBayError && !(e.kind === 'cancelled' && signal?.aborted)) return e;
  const fields = {
    kind: e.kind, code: e.code, param: e.param, requestId: e.requestId,
    serviceCode: e.serviceCode, httpStatus: e.httpStatus, retryable: e.retryable,
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

module.exports = { AgentBayError, AbortError, fromNative, invalidArgument };
