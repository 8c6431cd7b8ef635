'use strict';

// The Node binding of libagentbay: the official TypeScript SDK's names over
// the C ABI, with Promises and AbortSignal. Types and the error rule are in
// index.d.ts.

const native = require('./lib/native');
const check = require('./lib/check');
const { AgentBayError, AbortError, invalidArgument } = require('./lib/errors');
const { camelKeys, settle } = require('./lib/results');

const closedClients = new WeakSet();

// A Session object that is garbage collected releases its native handle
// (the session itself lives on; closing the client frees all handles too).
const sessionHandles = new FinalizationRegistry((handle) => native.load().sessionFree(handle));

function ensureOpen(client) {
  if (closedClients.has(client)) {
    throw new AgentBayError('the AgentBay client is closed', { kind: 'invalid_handle' });
  }
}

const logLevels = { debug: 10, info: 20, warn: 30, error: 40 };
const levelNames = { 10: 'debug', 20: 'info', 30: 'warn', 40: 'error' };
let log; // { listener, minLevel } until the library is loaded and it is applied

function applyLog() {
  const { listener, minLevel } = log;
  log = undefined;
  const forward = listener && ((level, message) => listener(levelNames[level] ?? String(level), message));
  native.sync((a) => a.setLogListener(forward ?? null, minLevel));
}

// Loads the library (libraryPath, env, package, build folder, system) and
// applies a log listener set before.
function loadLibrary(libraryPath) {
  native.load(libraryPath);
  if (log) applyLog();
}

class AgentBay {
  #handle;

  /**
   * Opens a client. Fields not given come from `config` (the official SDK's
   * { endpoint, timeout_ms }), then from AGENTBAY_API_KEY, AGENTBAY_ENDPOINT
   * and AGENTBAY_TIMEOUT_MS; with neither key nor endpoint the client runs on
   * the embedded local backend.
   */
  constructor(options) {
    const { apiKey, endpoint, timeoutMs, config, libraryPath } = check.optionalObject(options, 'options');
    const official = check.optionalObject(config, 'config');
    // The env is read here, not by the library: Go sees only the environment
    // the process started with, not what was set later (e.g. by dotenv).
    const env = (name) => process.env[name] || undefined;
    const json = {};
    const key = apiKey ?? env('AGENTBAY_API_KEY');
    if (key !== undefined) json.api_key = check.string(key, 'apiKey');
    const host = endpoint ?? official.endpoint ?? env('AGENTBAY_ENDPOINT');
    if (host !== undefined) json.endpoint = check.string(host, 'endpoint');
    if (timeoutMs !== undefined) {
      json.timeout_ms = check.positiveInteger(timeoutMs, 'timeoutMs');
    } else if (official.timeout_ms !== undefined) {
      json.timeout_ms = check.positiveInteger(official.timeout_ms, 'config.timeout_ms');
    } else if (env('AGENTBAY_TIMEOUT_MS')) {
      json.timeout_ms = check.positiveInteger(Number(env('AGENTBAY_TIMEOUT_MS')), 'AGENTBAY_TIMEOUT_MS');
    }
    loadLibrary(check.optionalString(libraryPath, 'libraryPath'));
    this.#handle = native.sync((a) => a.clientNew(JSON.stringify(json)));
    const info = JSON.parse(native.sync((a) => a.clientInfo(this.#handle)));
    /** The endpoint in use ("embedded" for the local backend). */
    this.endpoint = info.endpoint;
    /** Whether the client runs on the embedded local backend. */
    this.embedded = Boolean(info.embedded);
  }

  /**
   * Sends the engine's log lines at minLevel and above to listener(level,
   * message); null turns logging off. Logging never keeps a process alive.
   */
  static setLogListener(listener, minLevel = 'info') {
    if (listener !== null && typeof listener !== 'function') {
      throw invalidArgument('listener must be a function or null');
    }
    if (!Object.hasOwn(logLevels, minLevel)) {
      throw invalidArgument(`minLevel must be one of ${Object.keys(logLevels).join(', ')}`);
    }
    log = { listener, minLevel: logLevels[minLevel] };
    if (native.loaded()) applyLog();
  }

  /** The loaded library: { path, version, abiVersion } (loads it if needed). */
  static libraryInfo() {
    loadLibrary();
    return native.info();
  }

  #call(start, options, map, empty) {
    const signal = check.signalOf(options);
    ensureOpen(this);
    return settle(native.call(start, signal), map, empty);
  }

  #session(raw) {
    const { sessionHandle, ...rest } = camelKeys(raw);
    const session = sessionHandle ? new Session(this, sessionHandle, rest) : undefined;
    return { ...rest, session };
  }

  /** Creates a session: params { labels, imageId, policyId }. */
  async create(params, options) {
    const { labels, imageId, policyId } = check.optionalObject(params, 'params');
    const json = {};
    if (labels !== undefined) json.labels = check.labels(labels, 'labels');
    if (imageId !== undefined) json.image_id = check.string(imageId, 'imageId');
    if (policyId !== undefined) json.policy_id = check.string(policyId, 'policyId');
    const h = this.#handle;
    return this.#call((a) => a.clientCreate(h, JSON.stringify(json)), options, (r) => this.#session(r));
  }

  /** Finds an existing session by id. */
  async get(sessionId, options) {
    check.string(sessionId, 'sessionId');
    const h = this.#handle;
    return this.#call((a) => a.clientGet(h, sessionId), options, (r) => this.#session(r));
  }

  /**
   * Lists the ids of the sessions whose labels include all of labels, one
   * page (1-based) of limit ids at a time, optionally only those in status.
   */
  async list(labels = {}, page, limit, status, options) {
    const json = { labels: check.labels(labels, 'labels') };
    if (page !== undefined) json.page = check.positiveInteger(page, 'page');
    if (limit !== undefined) json.max_results = check.positiveInteger(limit, 'limit');
    if (status !== undefined) json.status = check.string(status, 'status');
    const h = this.#handle;
    const map = (raw) => ({ ...camelKeys(raw), sessionIds: raw.session_ids.map((s) => s.session_id) });
    return this.#call((a) => a.clientList(h, JSON.stringify(json)), options, map, { sessionIds: [] });
  }

  /** Deletes a session and waits until it is gone. */
  async delete(session, syncContext = false, options) {
    const id = check.string(session?.sessionId, 'session.sessionId');
    check.boolean(syncContext, 'syncContext');
    const h = this.#handle;
    return this.#call((a) => a.clientDelete(h, id, syncContext), options);
  }

  /**
   * Closes the client: its pending operations reject with AbortError and its
   * embedded backend, if any, stops. Closing twice is harmless.
   */
  async close() {
    if (closedClients.has(this)) return;
    closedClients.add(this);
    native.sync((a) => a.clientClose(this.#handle));
  }
}

class Session {
  #client;
  #handle;

  /** Sessions come from AgentBay.create() and AgentBay.get(). */
  constructor(client, handle, { sessionId, resourceUrl = '' }) {
    this.#client = client;
    this.#handle = handle;
    /** The session's id. */
    this.sessionId = sessionId;
    /** The URL of the session's resource ('' on the local backend). */
    this.resourceUrl = resourceUrl;
    sessionHandles.register(this, handle);
  }

  #call(start, options, map, empty) {
    const signal = check.signalOf(options);
    ensureOpen(this.#client);
    const h = this.#handle;
    return settle(native.call((a) => start(a, h), signal, this), map, empty);
  }

  /** Deletes this session and waits until it is gone. */
  async delete(syncContext = false, options) {
    check.boolean(syncContext, 'syncContext');
    return this.#call((a, h) => a.sessionDelete(h, syncContext), options);
  }

  /** Replaces the session's labels. */
  async setLabels(labels, options) {
    const json = JSON.stringify(check.labels(labels, 'labels', { nonEmpty: true }));
    return this.#call((a, h) => a.sessionSetLabels(h, json), options);
  }

  /** Reads the session's labels: data is { key: value }. */
  async getLabels(options) {
    return this.#call((a, h) => a.sessionGetLabels(h), options);
  }

  /** Describes the session's resource. */
  async info(options) {
    const map = (raw) => ({ ...camelKeys(raw), data: camelKeys(raw.data ?? {}) });
    return this.#call((a, h) => a.sessionInfo(h), options, map);
  }

  /**
   * Gets a URL reaching port (30100-30199) of the session: data is the URL.
   * linkOptions is the reference's options, a JSON string.
   */
  async getLink(protocolType, port, linkOptions, options) {
    const proto = check.optionalString(protocolType, 'protocolType');
    const p = check.port(port);
    const extra = check.optionalString(linkOptions, 'options');
    return this.#call((a, h) => a.sessionGetLink(h, proto, p, extra), options);
  }

  /** Lists the MCP tools of imageId (default: the session's image). */
  async listMcpTools(imageId, options) {
    const image = check.optionalString(imageId, 'imageId');
    const map = (raw) => ({ ...camelKeys(raw), tools: (raw.tools ?? []).map(camelKeys) });
    return this.#call((a, h) => a.sessionListMcpTools(h, image), options, map, { tools: [] });
  }

  /**
   * Calls an MCP tool: data is the text the tool returned. A tool that
   * reports an error resolves with success false. As in the official SDK the
   * third argument is autoGenSession; it may be left out before options
   * { readTimeout, connectTimeout, signal }, whose timeouts are in
   * milliseconds like every timeout of the official TypeScript SDK.
   */
  async callMcpTool(toolName, args, autoGenSession = false, options) {
    if (typeof autoGenSession === 'object' && options === undefined) {
      [autoGenSession, options] = [false, autoGenSession];
    }
    check.string(toolName, 'toolName');
    const json = JSON.stringify(check.object(args, 'args'));
    check.boolean(autoGenSession, 'autoGenSession');
    const { readTimeout, connectTimeout } = check.optionalObject(options, 'options');
    const readMs = readTimeout === undefined ? 0 : check.positiveInteger(readTimeout, 'readTimeout');
    const connectMs = connectTimeout === undefined ? 0 : check.positiveInteger(connectTimeout, 'connectTimeout');
    return this.#call((a, h) => a.sessionCallMcpTool(h, toolName, json, readMs, connectMs, autoGenSession),
      options);
  }

  /** Pauses the session and waits (up to timeout seconds) until PAUSED. */
  async pause(timeout = 600, pollInterval = 2.0, options) {
    const t = check.secondsToMs(timeout, 'timeout');
    const p = check.secondsToMs(pollInterval, 'pollInterval');
    return this.#call((a, h) => a.sessionPause(h, t, p), options);
  }

  /** The official TypeScript SDK's name of pause(). */
  async betaPauseAsync(timeout, pollInterval, options) {
    return this.pause(timeout, pollInterval, options);
  }

  /** Starts pausing the session without waiting. */
  async pauseAsync(options) {
    return this.#call((a, h) => a.sessionPauseAsync(h), options);
  }

  /** Resumes the session and waits (up to timeout seconds) until RUNNING. */
  async resume(timeout = 600, pollInterval = 2.0, options) {
    const t = check.secondsToMs(timeout, 'timeout');
    const p = check.secondsToMs(pollInterval, 'pollInterval');
    return this.#call((a, h) => a.sessionResume(h, t, p), options);
  }

  /** The official TypeScript SDK's name of resume(). */
  async betaResumeAsync(timeout, pollInterval, options) {
    return this.resume(timeout, pollInterval, options);
  }

  /** Starts resuming the session without waiting. */
  async resumeAsync(options) {
    return this.#call((a, h) => a.sessionResumeAsync(h), options);
  }

  /** Reads the session's status, e.g. "RUNNING" or "PAUSED". */
  async getStatus(options) {
    return this.#call((a, h) => a.sessionGetStatus(h), options);
  }
}

module.exports = { AgentBay, Session, AgentBayError, AbortError };
