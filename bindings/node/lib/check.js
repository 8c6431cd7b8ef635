'use strict';

// The shape checks JavaScript needs before it can build an operation's
// parameters. Every rule about the values themselves is the library's.

const { invalidArgument } = require('./errors');

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The AbortSignal of a trailing { signal } argument, if any. */
function signalOf(options) {
  if (options === undefined || options === null) return undefined;
  if (!isObject(options)) throw invalidArgument('options must be an object such as { signal }');
  const { signal } = options;
  if (signal === undefined || signal === null) return undefined;
  if (typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw invalidArgument('options.signal must be an AbortSignal');
  }
  return signal;
}

/** The onStatus listener of a trailing { onStatus } argument, if any. */
function onStatusOf(options) {
  const onStatus = options?.onStatus;
  if (onStatus === undefined || onStatus === null) return undefined;
  if (typeof onStatus !== 'function') throw invalidArgument('options.onStatus must be a function');
  return onStatus;
}

/** An optional object argument, {} when not given. */
function optionalObject(v, name) {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw invalidArgument(`${name} must be an object`);
  return v;
}

module.exports = { signalOf, onStatusOf, optionalObject };
