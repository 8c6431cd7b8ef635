'use strict';

// Argument checks done before any native call, so that misuse rejects with a
// clear message naming the argument.

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

function object(v, name) {
  if (!isObject(v)) throw invalidArgument(`${name} must be an object`);
  return v;
}

function optionalObject(v, name) {
  return v === undefined || v === null ? {} : object(v, name);
}

function string(v, name) {
  if (typeof v !== 'string' || v.trim() === '') {
    throw invalidArgument(`${name} must be a non-empty string`);
  }
  return v;
}

function optionalString(v, name) {
  return v === undefined || v === null ? undefined : string(v, name);
}

function boolean(v, name) {
  if (typeof v !== 'boolean') throw invalidArgument(`${name} must be a boolean`);
  return v;
}

/** Seconds (> 0) as whole milliseconds (>= 1, since 0 means "default"). */
function secondsToMs(v, name) {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw invalidArgument(`${name} must be a positive number of seconds`);
  }
  return Math.max(1, Math.round(v * 1000));
}

function positiveInteger(v, name) {
  if (!Number.isSafeInteger(v) || v <= 0) throw invalidArgument(`${name} must be a positive integer`);
  return v;
}

/** Labels: an object of non-blank string keys and values. */
function labels(v, name, { nonEmpty = false } = {}) {
  object(v, name);
  const entries = Object.entries(v);
  if (nonEmpty && entries.length === 0) throw invalidArgument(`${name} must not be empty`);
  for (const [k, val] of entries) {
    if (k.trim() === '') throw invalidArgument(`${name} must not have a blank key`);
    if (typeof val !== 'string' || val.trim() === '') {
      throw invalidArgument(`${name}.${k} must be a non-blank string`);
    }
  }
  return v;
}

/** A port for getLink: none (0) or 30100..30199. */
function port(v) {
  if (v === undefined || v === null) return 0;
  if (!Number.isInteger(v) || v < 30100 || v > 30199) {
    throw invalidArgument(
      `Invalid port value: ${v}. Port must be an integer in the range [30100, 30199].`);
  }
  return v;
}

module.exports = {
  signalOf, object, optionalObject, string, optionalString, boolean, secondsToMs,
  positiveInteger, labels, port,
};
