// Types of the agentbay Node binding (libagentbay over its C ABI).
//
// THE ERROR RULE
// - Every method returns a Promise.
// - A failure of the service or the network (error kinds not_found,
//   unauthorized, throttled, timeout, conflict, server, transport,
//   unsupported) RESOLVES with `success: false`, `errorMessage`, `errorKind`
//   and `error`, as the official AgentBay SDK does. A session that is gone
//   thus gives `{ success: false, errorKind: 'not_found' }`.
// - Misuse REJECTS with an AgentBayError: wrong argument types or values
//   (kind 'invalid_argument', checked by the library before anything is
//   sent, with its messages; `param` names the argument), a closed client
//   (kind 'invalid_handle'), a bug (kind 'internal').
// - Cancellation REJECTS with an AbortError (name 'AbortError', kind
//   'cancelled'): through the AbortSignal of the last `{ signal }` argument,
//   or because the client was closed while the operation ran.
// - The constructor throws an AgentBayError for a bad config, and a plain
//   Error when the addon or libagentbay cannot be loaded.

/** The stable error kinds of libagentbay. */
export type ErrorKind =
  | 'invalid_argument' | 'not_found' | 'unauthorized' | 'throttled' | 'timeout'
  | 'cancelled' | 'conflict' | 'server' | 'transport' | 'unsupported'
  | 'invalid_handle' | 'internal';

/** An error of libagentbay or of this binding. */
export class AgentBayError extends Error {
  constructor(message: string, options?: {
    kind?: ErrorKind; code?: number; param?: string; requestId?: string; serviceCode?: string;
    httpStatus?: number; retryable?: boolean; cause?: unknown;
  });
  /** The stable kind, e.g. 'not_found'. */
  readonly kind: ErrorKind;
  /** The AB_E_* status code of include/agentbay.h (negative), from the library. */
  readonly code: number;
  /** The parameter a refused argument was given as (e.g. 'port'), or ''. */
  readonly param: string;
  /** The service's request id, or ''. */
  readonly requestId: string;
  /** The service's own error code, e.g. 'InvalidMcpSession.NotFound', or ''. */
  readonly serviceCode: string;
  /** The HTTP status of the failed reply, or 0. */
  readonly httpStatus: number;
  /** Whether repeating the same call is safe and may succeed. */
  readonly retryable: boolean;
}

/** A cancelled operation (AbortSignal, or its client closed). */
export class AbortError extends AgentBayError {
  constructor(message?: string, options?: { cause?: unknown });
  readonly name: 'AbortError';
  readonly kind: 'cancelled';
}

/** The last argument of every method. */
export interface CallOptions {
  /** Aborting it cancels the native operation; the Promise rejects with AbortError. */
  signal?: AbortSignal;
}

/** A status the wait of pause, resume or delete read, reported once: the
 * first read and each change (e.g. 'PAUSING', then 'PAUSED'). */
export interface StatusEvent {
  status: string;
  /** The statuses the wait has read so far, this one included. */
  reads: number;
}

/** The options of pause, resume and delete. */
export interface WaitCallOptions extends CallOptions {
  /** Called on the JavaScript thread for each status the wait reads, once
   * and in order, all before the Promise settles; what it throws becomes a
   * process warning and the wait goes on. */
  onStatus?: (event: StatusEvent) => void;
}

/** Durations such as '300ms' or '1.5s', or ranges such as '1s-2s'. */
export interface Emulation {
  create?: string;
  pause?: string;
  resume?: string;
  delete?: string;
}

/** What every result has (the official SDK's ApiResponse). */
export interface ApiResponse {
  requestId: string;
  success: boolean;
  errorMessage: string;
  /** Set on service failures (see the error rule above). */
  errorKind?: ErrorKind;
  /** The failure itself, on service failures. */
  error?: AgentBayError;
}

export interface SessionResult extends ApiResponse {
  /** The session, when success is true. */
  session?: Session;
  sessionId?: string;
  resourceUrl?: string;
}

export interface SessionListResult extends ApiResponse {
  /** The ids of the sessions on this page; empty on failure. */
  sessionIds: string[];
  nextToken?: string;
  maxResults?: number;
  totalCount?: number;
}

export type DeleteResult = ApiResponse;

/** Fields other than requestId, success and errorMessage are absent on failure. */
export interface OperationResult<T = any> extends ApiResponse {
  data?: T;
}

export interface SessionInfo {
  sessionId: string;
  resourceUrl: string;
  appId: string;
  authCode: string;
  connectionProperties: string;
  resourceId: string;
  resourceType: string;
  ticket: string;
}

export interface McpTool {
  name: string;
  description: string;
  /** The tool's JSON Schema, as the service gives it. */
  inputSchema: Record<string, unknown>;
  server: string;
  tool: string;
}

export interface McpToolsResult extends ApiResponse {
  /** Empty on failure. */
  tools: McpTool[];
}

export interface McpToolResult extends ApiResponse {
  /** The text the tool returned (for 'shell': JSON {stdout, stderr, exit_code}). */
  data?: string;
}

/** Result of pause, pauseAsync, resume, resumeAsync and getStatus. */
export interface SessionStatusResult extends ApiResponse {
  /** e.g. 'RUNNING', 'PAUSING', 'PAUSED', 'RESUMING'; 'FINISH' once the service released it. */
  status?: string;
  /** getStatus: why the service ended the session ('IdleTimeout'), else ''. */
  endReason?: string;
}
export type SessionPauseResult = SessionStatusResult;
export type SessionResumeResult = SessionStatusResult;

/** The official SDK's client config (its region_id is not supported). */
export interface Config {
  endpoint?: string;
  /** Milliseconds. */
  timeout_ms?: number;
}

export interface AgentBayOptions {
  /** Default: env AGENTBAY_API_KEY. */
  apiKey?: string;
  /** Default: config.endpoint, else env AGENTBAY_ENDPOINT. Neither key nor
   * endpoint: the embedded local backend. */
  endpoint?: string;
  /** Milliseconds. Default: config.timeout_ms, else env AGENTBAY_TIMEOUT_MS,
   * else the library's. */
  timeoutMs?: number;
  /** The official SDK's way to give endpoint and timeoutMs. */
  config?: Config;
  /** Embedded backend only: make its transitions take this long, as the
   * cloud's do, to test against cloud-like timing offline. */
  emulate?: Emulation;
  /** libagentbay to load, before env AGENTBAY_LIBRARY, the package's copy,
   * the repository's build folder and the system loader. One per process. */
  libraryPath?: string;
}

/** A context to mount in a new session at path (under /home/wuying or /tmp). */
export interface ContextSync {
  contextId: string;
  path: string;
  /** The official SyncPolicy, e.g. { uploadPolicy: { autoUpload: false } }; default: upload when the session ends. */
  policy?: Record<string, unknown>;
}

export interface CreateSessionParams {
  /** Contexts to mount; create resolves once they are in the session. */
  contextSync?: ContextSync[];
  labels?: Record<string, string>;
  imageId?: string;
  policyId?: string;
  /** The official SDKs' usage tag: accepted, not sent. */
  framework?: string;
  /** Only false is supported. */
  isVpc?: boolean;
  /** Only true (the default) is supported: browser sessions always record. */
  enableBrowserReplay?: boolean;
  /** Release the session after this many seconds (a whole number) without
   * activity; keepAlive() and every call on the session restart the clock. */
  idleReleaseTimeout?: number;
}

export interface CallMcpToolOptions extends CallOptions {
  /** Milliseconds, like every timeout of the official TypeScript SDK. */
  readTimeout?: number;
  /** Milliseconds. */
  connectTimeout?: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LibraryInfo {
  path: string;
  version: string;
  abiVersion: number;
}

export class AgentBay {
  constructor(options?: AgentBayOptions);
  /** The context service (the official SDK's agentBay.context). */
  readonly context: ContextService;
  /** The endpoint in use ('embedded' for the local backend). The embedded
   * backend starts in the background: reading this waits until it runs. */
  readonly endpoint: string;
  readonly embedded: boolean;

  /** Engine log lines at minLevel (default 'info') and above; null turns logging off. */
  static setLogListener(listener: ((level: LogLevel, message: string) => void) | null,
    minLevel?: LogLevel): void;
  /** The loaded libagentbay (loads it by the default lookup if needed). */
  static libraryInfo(): LibraryInfo;

  create(params?: CreateSessionParams, options?: CallOptions): Promise<SessionResult>;
  get(sessionId: string, options?: CallOptions): Promise<SessionResult>;
  /** page is 1-based; limit defaults to 10; status e.g. 'RUNNING'. */
  list(labels?: Record<string, string>, page?: number, limit?: number, status?: string,
    options?: CallOptions): Promise<SessionListResult>;
  delete(session: Session, syncContext?: boolean, options?: CallOptions): Promise<DeleteResult>;
  /** Pending operations reject with AbortError; the embedded backend stops
   * before the Promise resolves. Does not block the event loop. */
  close(): Promise<void>;
}

export class Session {
  /** Sessions come from AgentBay.create() and AgentBay.get(). */
  private constructor();
  readonly sessionId: string;
  /** '' on the local backend. */
  readonly resourceUrl: string;
  /** Shell commands (the official SDK's session.command). */
  readonly command: Command;
  /** Code runs (the official SDK's session.code). */
  readonly code: Code;
  /** The session's context syncs (the official SDK's session.context). */
  readonly context: ContextManager;
  /** The session's files, as the official SDK's session.fileSystem. */
  readonly fileSystem: FileSystem;

  delete(syncContext?: boolean, options?: WaitCallOptions): Promise<DeleteResult>;
  setLabels(labels: Record<string, string>, options?: CallOptions): Promise<OperationResult<undefined>>;
  getLabels(options?: CallOptions): Promise<OperationResult<Record<string, string>>>;
  info(options?: CallOptions): Promise<OperationResult<SessionInfo>>;
  /** port: 30100-30199; linkOptions: the reference's options, a JSON string. */
  getLink(protocolType?: string, port?: number, linkOptions?: string,
    options?: CallOptions): Promise<OperationResult<string>>;
  listMcpTools(imageId?: string, options?: CallOptions): Promise<McpToolsResult>;
  callMcpTool(toolName: string, args: Record<string, unknown>,
    autoGenSession?: boolean, options?: CallMcpToolOptions): Promise<McpToolResult>;
  callMcpTool(toolName: string, args: Record<string, unknown>,
    options?: CallMcpToolOptions): Promise<McpToolResult>;
  /** Waits until PAUSED; timeout and pollInterval in seconds (defaults 600 and 2.0). */
  pause(timeout?: number, pollInterval?: number, options?: WaitCallOptions): Promise<SessionPauseResult>;
  /** The official TypeScript SDK's name of pause(). */
  betaPauseAsync(timeout?: number, pollInterval?: number, options?: WaitCallOptions): Promise<SessionPauseResult>;
  /** Returns at once, status 'PAUSING' or 'PAUSED'. */
  pauseAsync(options?: CallOptions): Promise<SessionPauseResult>;
  /** Waits until RUNNING; timeout and pollInterval in seconds (defaults 600 and 2.0). */
  resume(timeout?: number, pollInterval?: number, options?: WaitCallOptions): Promise<SessionResumeResult>;
  /** The official TypeScript SDK's name of resume(). */
  betaResumeAsync(timeout?: number, pollInterval?: number, options?: WaitCallOptions): Promise<SessionResumeResult>;
  /** Returns at once, status 'RESUMING' or 'RUNNING'. */
  resumeAsync(options?: CallOptions): Promise<SessionResumeResult>;
  getStatus(options?: CallOptions): Promise<SessionStatusResult>;
  /** Restarts the session's idle clock (its idleReleaseTimeout counts from now). */
  keepAlive(options?: CallOptions): Promise<OperationResult<undefined>>;
}

export interface CommandResult extends ApiResponse {
  /** stdout then stderr. */
  output: string;
  /** 124 when the command ran out of time on the local backend; 1 when it could not run. */
  exitCode: number;
  stdout?: string;
  stderr?: string;
  traceId?: string;
}

export class Command {
  private constructor();
  /** Runs a shell command and waits for it; success is false on a non-zero exit.
   * timeoutMs: default and most 50000. With onStdout or onStderr the output is streamed
   * to them as it comes (local backend only; the cloud gives errorKind 'unsupported'). */
  executeCommand(command: string, timeoutMs?: number, cwd?: string, envs?: Record<string, string>,
    options?: StreamOptions): Promise<CommandResult>;
  /** Starts a shell command in the background (local backend; the cloud rejects it: 'unsupported').
   * timeoutMs: default 0, the server's longest. Rejects with an AgentBayError if it cannot start. */
  start(command: string, timeoutMs?: number, cwd?: string, envs?: Record<string, string>,
    options?: CallOptions): Promise<Process>;
  /** The Process of a command id that start() gave (no call is made). */
  process(processId: string): Process;
}

/** executeCommand's options: a signal, and callbacks that stream the output. */
export interface StreamOptions extends CallOptions {
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

/** A piece of a streamed command's output. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** A command started by Command.start(). */
export class Process {
  /** The output as it arrives, each stream in order, every byte once. */
  chunks(options?: CallOptions): AsyncGenerator<OutputChunk, void, undefined>;
  [Symbol.asyncIterator](): AsyncGenerator<OutputChunk, void, undefined>;
  private constructor();
  /** The command's id on the server. */
  readonly processId: string;
  /** Waits for the command to exit: as executeCommand's result (exitCode 137 once killed). */
  wait(options?: CallOptions): Promise<CommandResult>;
  /** Kills the command's process group; nothing if it has ended. An unknown id rejects (invalid_argument). */
  kill(options?: CallOptions): Promise<ApiResponse>;
}

export interface BoolResult extends ApiResponse {
  /** true when it was done. */
  data?: boolean;
}

export interface EditFileResult extends BoolResult {
  /** What the edits change (or would, on a dry run). */
  diff?: string;
}

export interface FileInfoResult extends ApiResponse {
  /** The service's fields by name: name, path, size, isDirectory, isFile, modified, permissions, ... */
  fileInfo: Record<string, string | number | boolean>;
}

export interface DirectoryEntry {
  name: string;
  isDirectory: boolean;
}

export interface DirectoryListResult extends ApiResponse {
  entries: DirectoryEntry[];
}

export interface FileContentResult extends ApiResponse {
  content: string;
}

export interface BinaryFileContentResult extends ApiResponse {
  content: Buffer;
  size?: number;
}

export interface MultipleFileContentResult extends ApiResponse {
  /** Each path's text, trimmed; "Error - ..." for a file that could not be read. */
  contents: Record<string, string>;
}

export interface FileSearchResult extends ApiResponse {
  matches: string[];
}

export interface FileEdit {
  oldText: string;
  newText: string;
}

export interface FileChangeEvent {
  eventType: 'create' | 'modify' | 'delete';
  path: string;
  pathType: 'file' | 'directory';
}

export interface FileChangeResult extends ApiResponse {
  events: FileChangeEvent[];
  rawData?: string;
}

export interface DirectoryWatch {
  /** Resolves once the baseline is taken: change files after it. */
  ready: Promise<void>;
  /** Ends the watch. */
  stop(): void;
  /** Resolves when the watch has ended. */
  done: Promise<void>;
}

export class FileSystem {
  private constructor();
  /** Creates a directory and its missing parents. */
  createDirectory(path: string, options?: CallOptions): Promise<BoolResult>;
  /** Deletes a file or an empty directory. */
  deleteFile(path: string, options?: CallOptions): Promise<BoolResult>;
  /** Applies edits in order, each to the first occurrence of oldText; dryRun only gives the diff. */
  editFile(path: string, edits: FileEdit[], dryRun?: boolean, options?: CallOptions): Promise<EditFileResult>;
  /** Describes a file or directory. */
  getFileInfo(path: string, options?: CallOptions): Promise<FileInfoResult>;
  /** Lists a directory (not recursively). */
  listDirectory(path: string, options?: CallOptions): Promise<DirectoryListResult>;
  /** Moves or renames a file or directory; an existing destination is refused. */
  moveFile(source: string, destination: string, options?: CallOptions): Promise<BoolResult>;
  /** Reads a UTF-8 text file whole (in chunks). */
  readFile(path: string, options?: CallOptions & { format?: 'text' }): Promise<FileContentResult>;
  /** Reads a file's bytes whole (in chunks). */
  readFile(path: string, options: CallOptions & { format: 'bytes' }): Promise<BinaryFileContentResult>;
  /** Reads several text files in one call. */
  readMultipleFiles(paths: string[], options?: CallOptions): Promise<MultipleFileContentResult>;
  /** Finds the paths under path whose names match pattern (wildcards or a part of the name). */
  searchFiles(path: string, pattern: string, excludePatterns?: string[], options?: CallOptions): Promise<FileSearchResult>;
  /** Writes text to a file (in chunks), creating its parent directories. */
  writeFile(path: string, content: string, mode?: 'overwrite' | 'append', options?: CallOptions): Promise<BoolResult>;
  /** What changed under path since the previous call for it; the first only takes the baseline. */
  getFileChange(path: string, options?: CallOptions): Promise<FileChangeResult>;
  /** Polls path every intervalMs (default 500) and calls callback with each batch of changes. */
  watchDirectory(path: string, callback: (events: FileChangeEvent[]) => void,
    options?: { intervalMs?: number; signal?: AbortSignal }): DirectoryWatch;
  /** Copies a host file into the session (through its file-transfer context) and waits until it is there. */
  uploadFile(localPath: string, remotePath: string, options?: TransferOptions & { contentType?: string }): Promise<UploadResult>;
  /** Copies a session file to a host file, replaced atomically (overwrite: default true). */
  downloadFile(remotePath: string, localPath: string, options?: TransferOptions & { overwrite?: boolean }): Promise<DownloadResult>;
}

export interface TransferOptions extends CallOptions {
  /** Bounds the wait for the sync, in seconds; default 30. */
  waitTimeout?: number;
  /** The longest gap between its polls, in seconds; default 1.5. */
  pollInterval?: number;
}

export interface UploadResult extends ApiResponse {
  requestIdUploadUrl?: string;
  requestIdSync?: string;
  httpStatus?: number;
  etag?: string;
  bytesSent: number;
  path: string;
}

export interface DownloadResult extends ApiResponse {
  requestIdDownloadUrl?: string;
  requestIdSync?: string;
  httpStatus?: number;
  bytesReceived: number;
  path: string;
  localPath: string;
}

/** One output of runCode: a MIME bundle split into its formats. */
export interface ExecutionResult {
  text?: string;
  html?: string;
  markdown?: string;
  /** base64 */
  png?: string;
  /** base64 */
  jpeg?: string;
  svg?: string;
  json?: unknown;
  latex?: string;
  chart?: unknown;
  isMainResult: boolean;
}

export interface ExecutionLogs {
  stdout: string[];
  stderr: string[];
}

export interface ExecutionError {
  name: string;
  value: string;
  traceback: string;
}

export interface EnhancedCodeExecutionResult extends ApiResponse {
  /** The main result's text, else the first result's, else stdout joined. */
  result: string;
  logs: ExecutionLogs;
  results: ExecutionResult[];
  /** Why the code failed (raised, timed out), when it did. */
  executionError?: ExecutionError;
  executionCount?: number | null;
  executionTime: number;
}

export interface RunCodeOptions extends CallOptions {
  /** Whole seconds; default 60. */
  timeoutS?: number;
}

export class Code {
  private constructor();
  /** Runs code and waits for it; success is false when the code raised or timed out.
   * language: python, javascript, r or java (aliases py, python3, js, node, nodejs). */
  runCode(code: string, language: string, timeoutS?: number, options?: CallOptions): Promise<EnhancedCodeExecutionResult>;
  runCode(code: string, language: string, options?: RunCodeOptions): Promise<EnhancedCodeExecutionResult>;
}

export interface Context {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string;
  state: string;
}

export interface ContextResult extends ApiResponse {
  contextId?: string;
  context?: Context;
}

export interface ContextListResult extends ApiResponse {
  contexts: Context[];
  nextToken?: string;
  maxResults?: number;
  totalCount?: number;
}

export interface FileUrlResult extends ApiResponse {
  /** PUT the content to an upload URL, GET it from a download URL. */
  url?: string;
  /** Unix seconds. */
  expireTime?: number;
}

export interface ContextFileEntry {
  fileId: string;
  fileName: string;
  filePath: string;
  fileType: 'file' | 'folder';
  size: number;
  status: string;
  gmtCreate: string;
  gmtModified: string;
}

export interface ContextFileListResult extends ApiResponse {
  entries: ContextFileEntry[];
  count?: number;
}

export interface ClearContextResult extends ApiResponse {
  status?: string;
  contextId?: string;
}

export interface ContextStatusData {
  contextId: string;
  path: string;
  status: string;
  taskType: string;
  errorMessage: string;
  startTime: number;
  finishTime: number;
}

export interface ContextInfoResult extends ApiResponse {
  contextStatusData: ContextStatusData[];
}

export class ContextService {
  private constructor();
  /** By name (creating it if create), or with name undefined by contextId. */
  get(name?: string, create?: boolean, contextId?: string, options?: CallOptions): Promise<ContextResult>;
  create(name: string, options?: CallOptions): Promise<ContextResult>;
  list(params?: { maxResults?: number; nextToken?: string; sessionId?: string },
    options?: CallOptions): Promise<ContextListResult>;
  /** Renames context to context.name. */
  update(context: Context, options?: CallOptions): Promise<OperationResult<undefined>>;
  delete(context: Context, options?: CallOptions): Promise<OperationResult<undefined>>;
  clear(contextId: string, options?: CallOptions): Promise<ClearContextResult>;
  getFileUploadUrl(contextId: string, filePath: string, options?: CallOptions): Promise<FileUrlResult>;
  getFileDownloadUrl(contextId: string, filePath: string, options?: CallOptions): Promise<FileUrlResult>;
  deleteFile(contextId: string, filePath: string, options?: CallOptions): Promise<OperationResult<undefined>>;
  listFiles(contextId: string, parentFolderPath?: string, pageNumber?: number, pageSize?: number,
    options?: CallOptions): Promise<ContextFileListResult>;
}

export interface ContextBinding {
  contextId: string;
  contextName: string;
  path: string;
  policy: string;
  bindTime: string;
}

export interface ContextBindingsResult extends ApiResponse {
  bindings: ContextBinding[];
}

export class ContextManager {
  private constructor();
  /** mode: 'upload' (default) or 'download'; resolves once the sync is done. */
  sync(contextId?: string, path?: string, mode?: 'upload' | 'download', options?: CallOptions): Promise<OperationResult<undefined>>;
  info(contextId?: string, path?: string, taskType?: 'upload' | 'download', options?: CallOptions): Promise<ContextInfoResult>;
  /** Mounts more contexts in the running session; waits for their downloads unless waitForCompletion is false. */
  bind(contexts: ContextSync | ContextSync[], waitForCompletion?: boolean, options?: CallOptions): Promise<ApiResponse>;
  /** The contexts mounted in the session. */
  listBindings(options?: CallOptions): Promise<ContextBindingsResult>;
}
