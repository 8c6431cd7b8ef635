'use strict';

// The Node binding of libagentbay: the official TypeScript SDK's names over
// the C ABI, with Promises and AbortSignal. Types and the error rule are in
// index.d.ts.

const native = require('./lib/native');
const check = require('./lib/check');
const { AgentBayError, AbortError, fromNative, invalidArgument } = require('./lib/errors');
const { camelKeys, settle } = require('./lib/results');

// A Session object that is garbage collected releases its native handle
// (the session itself lives on; closing the client frees all handles too).
const sessionHandles = new FinalizationRegistry((handle) => native.load().sessionFree(handle));

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

// Runs operation name of the table on a client or session handle: the
// library checks params and words every failure; settle shapes the result.
function run(target, handle, name, params, options, map, empty, owner, onStatus) {
  const signal = check.signalOf(options);
  return settle(native.run(target, handle, name, params, signal, owner, onStatus), map, empty);
}


class AgentBay {
  #handle;
  #info;
  #closed = false;

  /**
   * Opens a client. Fields not given come from `config` (the official SDK's
   * { endpoint, timeout_ms }), then from AGENTBAY_API_KEY, AGENTBAY_ENDPOINT
   * and AGENTBAY_TIMEOUT_MS (read by the library); with neither key nor
   * endpoint the client runs on the embedded local backend, which starts in
   * the background.
   */
  constructor(options) {
    /** The context service (the official SDK's agentBay.context). */
    this.context = new ContextService((...args) => this.#run(...args));
    const { apiKey, endpoint, timeoutMs, config, libraryPath, emulate } = check.optionalObject(options, 'options');
    const official = check.optionalObject(config, 'config');
    const json = native.encode({
      apiKey, endpoint: endpoint ?? official.endpoint, timeoutMs: timeoutMs ?? official.timeout_ms, emulate,
    });
    if (libraryPath !== undefined && typeof libraryPath !== 'string') {
      throw invalidArgument('libraryPath must be a string');
    }
    loadLibrary(libraryPath);
    this.#handle = native.sync((a) => a.clientNew(json));
  }

  // ab_client_info, read once: it waits for an embedded backend to start.
  #infoOf() {
    this.#info ??= JSON.parse(native.sync((a) => a.clientInfo(this.#handle)));
    return this.#info;
  }

  /** The endpoint in use ("embedded" for the local backend; reading it waits
   * until an embedded backend has started). */
  get endpoint() { return this.#infoOf().endpoint; }

  /** Whether the client runs on the embedded local backend. */
  get embedded() { return Boolean(this.#infoOf().embedded); }

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

  #run(name, params, options, map, empty) {
    return run('client', this.#handle, name, params, options, map, empty);
  }

  #session(raw) {
    const { sessionHandle, ...rest } = camelKeys(raw);
    const session = sessionHandle ? new Session(this, sessionHandle, rest) : undefined;
    return { ...rest, session };
  }

  /** Creates a session: params { labels, imageId, policyId, contextSync, idleReleaseTimeout, ... }. */
  async create(params, options) {
    const { contextSync, ...rest } = check.optionalObject(params, 'params');
    // The official SDK's contextSync is the table's context_syncs.
    const p = contextSync === undefined ? rest : { contextSyncs: contextSync, ...rest };
    return this.#run('create', p, options, (r) => this.#session(r));
  }

  /** Finds an existing session by id. */
  async get(sessionId, options) {
    return this.#run('get', { sessionId: sessionId ?? null }, options, (r) => this.#session(r));
  }

  /**
   * Lists the ids of the sessions whose labels include all of labels, one
   * page (1-based) of limit ids at a time, optionally only those in status.
   */
  async list(labels, page, limit, status, options) {
    const map = (raw) => ({ ...camelKeys(raw), sessionIds: raw.session_ids.map((s) => s.session_id) });
    return this.#run('list', { labels, page, limit, status }, options, map, { sessionIds: [] });
  }

  /** Deletes a session and waits until it is gone. */
  async delete(session, syncContext, options) {
    return this.#run('delete', { sessionId: session?.sessionId ?? null, syncContext }, options);
  }

  /**
   * Closes the client, without blocking the event loop: its pending
   * operations reject with AbortError and its embedded backend, if any,
   * stops before the Promise resolves. Closing twice is harmless.
   */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await native.sync((a) => a.clientClose(this.#handle)).catch((e) => { throw fromNative(e); });
  }
}

class Session {
  #handle;

  /** Sessions come from AgentBay.create() and AgentBay.get(). */
  constructor(client, handle, { sessionId, resourceUrl = '' }) {
    this.#handle = handle;
    /** The session's id. */
    this.sessionId = sessionId;
    /** The URL of the session's resource ('' on the local backend). */
    this.resourceUrl = resourceUrl;
    /** Shell commands, as the official SDK's session.command. */
    this.command = new Command((...args) => this.#run(...args));
    /** Code runs, as the official SDK's session.code. */
    this.code = new Code((...args) => this.#run(...args));
    /** The session's context syncs, as the official SDK's session.context. */
    this.context = new ContextManager((...args) => this.#run(...args));
    /** The session's files, as the official SDK's session.fileSystem. */
    this.fileSystem = new FileSystem((...args) => this.#run(...args));
    sessionHandles.register(this, handle);
  }

  // options.onStatus (pause, resume, delete; the library refuses it for
  // other operations) receives the operation's status events.
  #run(name, params, options, map, empty) {
    return run('session', this.#handle, name, params, options, map, empty, this, check.onStatusOf(options));
  }

  /** Deletes this session and waits until it is gone; options.onStatus
   * sees DELETING, then DELETED, as for pause(). */
  async delete(syncContext, options) {
    return this.#run('delete', { syncContext }, options);
  }

  /** Replaces the session's labels. */
  async setLabels(labels, options) {
    return this.#run('set_labels', { labels: labels ?? null }, options);
  }

  /** Reads the session's labels: data is { key: value }. */
  async getLabels(options) {
    return this.#run('get_labels', {}, options);
  }

  /** Describes the session's resource. */
  async info(options) {
    const map = (raw) => ({ ...camelKeys(raw), data: camelKeys(raw.data ?? {}) });
    return this.#run('info', {}, options, map);
  }

  /**
   * Gets a URL reaching port (30100-30199) of the session: data is the URL.
   * linkOptions is the reference's options, a JSON string.
   */
  async getLink(protocolType, port, linkOptions, options) {
    return this.#run('get_link', { protocolType, port, options: linkOptions }, options);
  }

  /** Lists the MCP tools of imageId (default: the session's image). */
  async listMcpTools(imageId, options) {
    const map = (raw) => ({ ...camelKeys(raw), tools: (raw.tools ?? []).map(camelKeys) });
    return this.#run('list_mcp_tools', { imageId }, options, map, { tools: [] });
  }

  /**
   * Calls an MCP tool: data is the text the tool returned. A tool that
   * reports an error resolves with success false. As in the official SDK the
   * third argument is autoGenSession; it may be left out before options
   * { readTimeout, connectTimeout, signal }, whose timeouts are in
   * milliseconds like every timeout of the official TypeScript SDK.
   */
  async callMcpTool(toolName, args, autoGenSession, options) {
    if (typeof autoGenSession === 'object' && autoGenSession !== null && options === undefined) {
      [autoGenSession, options] = [undefined, autoGenSession];
    }
    const { readTimeout, connectTimeout } = check.optionalObject(options, 'options');
    return this.#run('call_mcp_tool',
      { toolName: toolName ?? null, args: args ?? null, readTimeout, connectTimeout, autoGenSession }, options);
  }

  /**
   * Pauses the session and waits (up to timeout seconds) until PAUSED.
   * options { signal, onStatus }: onStatus({ status, reads }) is called on
   * this thread for each status the wait reads, once and in order (PAUSING,
   * then PAUSED), all before the Promise settles.
   */
  async pause(timeout, pollInterval, options) {
    return this.#run('pause', { timeout, pollInterval }, options);
  }

  /** The official TypeScript SDK's name of pause(). */
  async betaPauseAsync(timeout, pollInterval, options) {
    return this.pause(timeout, pollInterval, options);
  }

  /** Starts pausing the session without waiting. */
  async pauseAsync(options) {
    return this.#run('pause_async', {}, options);
  }

  /** Resumes the session and waits (up to timeout seconds) until RUNNING;
   * options as for pause() (onStatus sees RESUMING, then RUNNING). */
  async resume(timeout, pollInterval, options) {
    return this.#run('resume', { timeout, pollInterval }, options);
  }

  /** The official TypeScript SDK's name of resume(). */
  async betaResumeAsync(timeout, pollInterval, options) {
    return this.resume(timeout, pollInterval, options);
  }

  /** Starts resuming the session without waiting. */
  async resumeAsync(options) {
    return this.#run('resume_async', {}, options);
  }

  /** Reads the session's status, e.g. "RUNNING" or "PAUSED". */
  async getStatus(options) {
    return this.#run('get_status', {}, options);
  }

  /**
   * Restarts the session's idle clock: its idleReleaseTimeout (seconds,
   * given at create) counts from now.
   */
  async keepAlive(options) {
    return this.#run('keep_alive', {}, options);
  }
}

class Command {
  #run;

  /** Commands come with their session (session.command). */
  constructor(run) {
    this.#run = run;
  }

  /**
   * Runs a shell command and waits for it to end: { success (false on a
   * non-zero exit), output (stdout then stderr), exitCode, stdout, stderr,
   * traceId }. timeoutMs defaults to and is capped at 50000, as the
   * official SDKs send; envs are extra environment variables.
   */
  async executeCommand(command, timeoutMs, cwd, envs, options) {
    const { onStdout, onStderr } = check.optionalObject(options, 'options');
    if (onStdout === undefined && onStderr === undefined) {
      return this.#run('execute_command', { command: command ?? null, timeoutMs, cwd, envs },
        options, undefined, { output: '', exitCode: 1 });
    }
    // Streamed (not in the official SDK; needs background commands, which
    // the cloud lacks): each piece of output goes to its callback as it comes.
    for (const [name, f] of [['onStdout', onStdout], ['onStderr', onStderr]]) {
      if (f !== undefined && typeof f !== 'function') throw invalidArgument(`options.${name} must be a function`);
    }
    const failed = { output: '', exitCode: 1 };
    const started = await this.#run('command_start', { command: command ?? null, timeoutMs: timeoutMs ?? 50000, cwd, envs },
      options, undefined, failed);
    if (!started.success) return started;
    const proc = new Process(this.#run, started.processId);
    try {
      for await (const chunk of proc.chunks(options)) {
        (chunk.stream === 'stdout' ? onStdout : onStderr)?.(chunk.text);
      }
    } catch (e) {
      await proc.kill().catch(() => {}); // aborted, or a callback threw: do not leave it running
      if (e instanceof AgentBayError && e.kind !== 'cancelled') {
        return { requestId: e.requestId, success: false, errorMessage: e.message, errorKind: e.kind, error: e, ...failed };
      }
      throw e;
    }
    return proc.wait(options);
  }

  /**
   * Starts a shell command in the background (not in the official SDK: the
   * cloud rejects it with kind 'unsupported'). Resolves to a Process once
   * started; rejects with an AgentBayError if it cannot start. timeoutMs 0
   * or undefined: the server's longest (10 minutes on the local backend).
   */
  async start(command, timeoutMs, cwd, envs, options) {
    const r = await this.#run('command_start', { command: command ?? null, timeoutMs, cwd, envs }, options);
    if (!r.success) throw r.error;
    return new Process(this.#run, r.processId);
  }

  /** The Process of a command id that start() gave (no call is made). */
  process(processId) {
    if (typeof processId !== 'string' || processId === '') throw invalidArgument('processId must be a non-empty string');
    return new Process(this.#run, processId);
  }
}

/** A command started by session.command.start(). */
class Process {
  #run;

  constructor(run, processId) {
    this.#run = run;
    /** The command's id on the server. */
    this.processId = processId;
  }

  /**
   * The command's output as it arrives: { stream: 'stdout' | 'stderr', text },
   * each stream's pieces in order, every byte once (`for await (const c of
   * proc.chunks())`); it ends once the command has ended and its output is
   * read, and rejects with an AgentBayError if the output cannot be read.
   */
  async* chunks(options) {
    for (;;) {
      const r = await this.#run('command_read', { processId: this.processId }, options, (x) => x);
      if (!r.success) throw r.error;
      if (r.stdout) yield { stream: 'stdout', text: r.stdout };
      if (r.stderr) yield { stream: 'stderr', text: r.stderr };
      if (r.done) return;
    }
  }

  [Symbol.asyncIterator]() { return this.chunks(); }

  /** Waits for the command to exit: a CommandResult, as executeCommand's
   * (exitCode 137 once killed; each stream kept up to 1 MiB). */
  async wait(options) {
    return this.#run('command_wait', { processId: this.processId }, options, undefined, { output: '', exitCode: 1 });
  }

  /** Kills the command's process group (nothing if it has ended). */
  async kill(options) {
    return this.#run('command_kill', { processId: this.processId }, options);
  }
}

// run_code's result in the TypeScript SDK's shape: results' keys camel-cased,
// the code's own error as executionError (error is the failure of the call).
function codeResultOf(raw) {
  const { error, results, logs, ...rest } = camelKeys(raw);
  return {
    ...rest,
    logs: { stdout: logs?.stdout ?? [], stderr: logs?.stderr ?? [] },
    results: (results ?? []).map(camelKeys),
    executionError: error ?? undefined,
  };
}

class Code {
  #run;

  /** Code runs come with their session (session.code). */
  constructor(run) {
    this.#run = run;
  }

  /**
   * Runs code in language (python, javascript, r or java; aliases py,
   * python3, js, node, nodejs) and waits for it: { success (false when the
   * code raised or ran out of time), result, logs: { stdout, stderr },
   * results, executionError, executionCount, executionTime }. The third
   * argument is timeoutS (whole seconds, default 60) as in the official
   * SDK, or { timeoutS, signal }.
   */
  async runCode(code, language, timeoutS, options) {
    if (typeof timeoutS === 'object' && timeoutS !== null && options === undefined) {
      options = timeoutS;
      ({ timeoutS } = options);
    }
    return this.#run('run_code', { code: code ?? null, language: language ?? null, timeoutS }, options,
      codeResultOf, { result: '', logs: { stdout: [], stderr: [] }, results: [], executionTime: 0 });
  }
}

const contextOf = (raw) => {
  const { context, ...rest } = camelKeys(raw);
  return { ...rest, context: context && camelKeys(context) };
};

class ContextService {
  #run;

  /** The service comes with its client (agentBay.context). */
  constructor(run) {
    this.#run = run;
  }

  /** Finds a context by name (creating it if create) or, with name undefined, by contextId. */
  async get(name, create, contextId, options) {
    return this.#run('context_get', { name, create, contextId }, options, contextOf);
  }

  /** Creates a context (or finds the one of that name). */
  async create(name, options) {
    return this.#run('context_create', { name: name ?? null }, options, contextOf);
  }

  /** Lists contexts: params { maxResults, nextToken, sessionId }. */
  async list(params, options) {
    const { maxResults, nextToken, sessionId } = check.optionalObject(params, 'params');
    const map = (raw) => ({ ...camelKeys(raw), contexts: (raw.contexts ?? []).map(camelKeys) });
    return this.#run('context_list', { maxResults, nextToken, sessionId }, options, map, { contexts: [] });
  }

  /** Renames context (an object from get or list) to context.name. */
  async update(context, options) {
    return this.#run('context_update', { contextId: context?.id ?? null, name: context?.name ?? null }, options);
  }

  /** Deletes context and its content. */
  async delete(context, options) {
    return this.#run('context_delete', { contextId: context?.id ?? null }, options);
  }

  /** Removes the context's content, keeping the context. */
  async clear(contextId, options) {
    const map = (raw) => ({ ...camelKeys(raw), status: 'available', contextId });
    return this.#run('context_clear', { contextId: contextId ?? null }, options, map);
  }

  /** A presigned URL to PUT one file of the context: { url, expireTime }. */
  async getFileUploadUrl(contextId, filePath, options) {
    return this.#run('context_get_file_upload_url', { contextId: contextId ?? null, filePath: filePath ?? null }, options);
  }

  /** A presigned URL to GET one file of the context. */
  async getFileDownloadUrl(contextId, filePath, options) {
    return this.#run('context_get_file_download_url', { contextId: contextId ?? null, filePath: filePath ?? null }, options);
  }

  /** Deletes one file or folder of the context. */
  async deleteFile(contextId, filePath, options) {
    return this.#run('context_delete_file', { contextId: contextId ?? null, filePath: filePath ?? null }, options);
  }

  /** Lists one folder of the context, a page at a time: { entries, count }. */
  async listFiles(contextId, parentFolderPath, pageNumber, pageSize, options) {
    const map = (raw) => ({ ...camelKeys(raw), entries: (raw.entries ?? []).map(camelKeys) });
    return this.#run('context_list_files', { contextId: contextId ?? null, parentFolderPath, pageNumber, pageSize },
      options, map, { entries: [] });
  }
}

class ContextManager {
  #run;

  /** The manager comes with its session (session.context). */
  constructor(run) {
    this.#run = run;
  }

  /** Syncs the session's contexts (mode 'upload', the default, or 'download') and waits. */
  async sync(contextId, path, mode, options) {
    return this.#run('context_sync', { contextId, path, mode }, options);
  }

  /** The sync tasks of the session's contexts: { contextStatusData }. */
  async info(contextId, path, taskType, options) {
    const map = (raw) => ({ ...camelKeys(raw), contextStatusData: (raw.context_status_data ?? []).map(camelKeys) });
    return this.#run('context_info', { contextId, path, taskType }, options, map, { contextStatusData: [] });
  }

  /**
   * Mounts more contexts [{ contextId, path, policy }] in the running session;
   * waits for their downloads unless waitForCompletion is false.
   */
  async bind(contexts, waitForCompletion, options) {
    const list = Array.isArray(contexts) || contexts == null ? contexts : [contexts];
    return this.#run('context_bind', { contexts: list ?? null, waitForCompletion }, options);
  }

  /** The contexts mounted in the session: { bindings: [{ contextId, contextName, path, policy, bindTime }] }. */
  async listBindings(options) {
    const map = (raw) => ({ ...camelKeys(raw), bindings: raw.bindings.map(camelKeys) });
    return this.#run('context_list_bindings', {}, options, map, { bindings: [] });
  }
}

class FileSystem {
  #run;

  /** The file system comes with its session (session.fileSystem). */
  constructor(run) {
    this.#run = run;
  }

  /** Creates a directory and its missing parents: { data: true }. */
  async createDirectory(path, options) {
    return this.#run('create_directory', { path: path ?? null }, options);
  }

  /** Deletes a file or an empty directory. */
  async deleteFile(path, options) {
    return this.#run('delete_file', { path: path ?? null }, options);
  }

  /** Applies edits [{ oldText, newText }] in order; dryRun only gives the diff. */
  async editFile(path, edits, dryRun, options) {
    return this.#run('edit_file', { path: path ?? null, edits: edits ?? null, dryRun }, options);
  }

  /** Describes a file or directory: { fileInfo: { name, size, isDirectory, ... } }. */
  async getFileInfo(path, options) {
    return this.#run('get_file_info', { path: path ?? null }, options, undefined, { fileInfo: {} });
  }

  /** Lists a directory: { entries: [{ name, isDirectory }] }. */
  async listDirectory(path, options) {
    const map = (raw) => ({ ...camelKeys(raw), entries: raw.entries.map(camelKeys) });
    return this.#run('list_directory', { path: path ?? null }, options, map, { entries: [] });
  }

  /** Moves or renames a file or directory; an existing destination is refused. */
  async moveFile(source, destination, options) {
    return this.#run('move_file', { source: source ?? null, destination: destination ?? null }, options);
  }

  /**
   * Reads a file whole: { content } as a string, or with { format: 'bytes' }
   * as a Buffer (with size).
   */
  async readFile(path, options) {
    if (options?.format === 'bytes') {
      const map = (raw) => ({ ...camelKeys(raw), content: Buffer.from(raw.content, 'base64') });
      return this.#run('read_file_bytes', { path: path ?? null }, options, map, { content: Buffer.alloc(0) });
    }
    return this.#run('read_file', { path: path ?? null }, options, undefined, { content: '' });
  }

  /** Reads several text files in one call: { contents: { path: text } }. */
  async readMultipleFiles(paths, options) {
    return this.#run('read_multiple_files', { paths: paths ?? null }, options, undefined, { contents: {} });
  }

  /** Finds the paths under path whose names match pattern: { matches }. */
  async searchFiles(path, pattern, excludePatterns, options) {
    return this.#run('search_files', { path: path ?? null, pattern: pattern ?? null, excludePatterns },
      options, undefined, { matches: [] });
  }

  /** Writes text to a file (mode 'overwrite', the default, or 'append'). */
  async writeFile(path, content, mode, options) {
    return this.#run('write_file', { path: path ?? null, content: content ?? null, mode }, options);
  }

  /**
   * What changed under path since the previous call for it (the first only
   * takes the baseline): { events: [{ eventType, path, pathType }] }.
   */
  async getFileChange(path, options) {
    const map = (raw) => ({ ...camelKeys(raw), events: raw.events.map(camelKeys) });
    return this.#run('get_file_change', { path: path ?? null }, options, map, { events: [] });
  }

  /**
   * Polls path every intervalMs (default 500) and calls callback(events)
   * with each batch of changes. Returns { ready, stop(), done }: ready
   * resolves once the baseline is taken (change files after it), stop()
   * ends the watch, as aborting options.signal does; done resolves when it
   * has ended (also when the session is gone). A failing poll is emitted
   * as a process warning and the watch goes on.
   */
  watchDirectory(path, callback, { intervalMs = 500, signal } = {}) {
    if (typeof callback !== 'function') throw invalidArgument('callback must be a function');
    let stopped = false;
    let wake = () => {};
    const stop = () => { stopped = true; wake(); };
    signal?.addEventListener('abort', stop, { once: true });
    const pause = () => new Promise((resolve) => {
      const t = setTimeout(resolve, intervalMs);
      wake = () => { clearTimeout(t); resolve(); };
    });
    const poll = async () => {
      const r = await this.getFileChange(path);
      if (r.success) return r;
      process.emitWarning(`watchDirectory ${path}: ${r.errorMessage}`);
      return r.errorKind === 'not_found' ? null : r;
    };
    const first = poll();
    const ready = first.then(() => undefined, () => undefined);
    const done = (async () => {
      if (!(await first.catch(() => null))) return;
      while (!stopped) {
        await pause();
        if (stopped) return;
        const r = await poll().catch(() => null);
        if (!r) return;
        if (r.success && r.events.length > 0) {
          try {
            callback(r.events);
          } catch (e) {
            process.emitWarning(`watchDirectory ${path}: the callback threw: ${e?.message ?? e}`);
          }
        }
      }
    })();
    return { ready, stop, done };
  }

  /**
   * Copies a host file into the session and waits until it is there:
   * options { contentType, waitTimeout, pollInterval (seconds), signal }.
   */
  async uploadFile(localPath, remotePath, options) {
    const { contentType, waitTimeout, pollInterval } = options ?? {};
    return this.#run('upload_file', {
      localPath: localPath ?? null, remotePath: remotePath ?? null, contentType, waitTimeout, pollInterval,
    }, options, undefined, { bytesSent: 0, path: remotePath });
  }

  /**
   * Copies a session file to a host file, replaced atomically: options
   * { overwrite (default true), waitTimeout, pollInterval, signal }.
   */
  async downloadFile(remotePath, localPath, options) {
    const { overwrite, waitTimeout, pollInterval } = options ?? {};
    return this.#run('download_file', {
      remotePath: remotePath ?? null, localPath: localPath ?? null, overwrite, waitTimeout, pollInterval,
    }, options, undefined, { bytesReceived: 0, path: remotePath, localPath });
  }
}

module.exports = {
  AgentBay, Session, Command, Process, Code, ContextService, ContextManager, FileSystem, AgentBayError, AbortError,
};
