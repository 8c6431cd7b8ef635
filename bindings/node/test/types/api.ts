// Uses the whole API so that `tsc -p test/types` checks index.d.ts against
// real use. Never run: only type-checked (test/types.test.js).
import {
  AgentBay, AgentBayError, AbortError, Session, type ErrorKind, type McpTool,
  type SessionInfo, type LibraryInfo, type OperationResult, type ApiResponse,
  type CreateSessionParams, type SessionResult, type SessionListResult, type DeleteResult,
  type McpToolResult, type McpToolsResult, type SessionPauseResult, type SessionResumeResult,
  type CommandResult, type EnhancedCodeExecutionResult, type ContextResult, type FileUrlResult,
  type ContextInfoResult, type FileContentResult, type BinaryFileContentResult, type EditFileResult,
  type DirectoryListResult, type FileSearchResult, type Process, type StatusEvent,
} from '../..';

async function main(): Promise<void> {
  AgentBay.setLogListener((level, message) => console.log(level.toUpperCase(), message), 'debug');
  AgentBay.setLogListener(null);
  const lib: LibraryInfo = AgentBay.libraryInfo();
  console.log(lib.path, lib.version, lib.abiVersion);

  const agentBay = new AgentBay({ apiKey: 'k', endpoint: 'e', timeoutMs: 1000, libraryPath: '/x.so' });
  new AgentBay({ apiKey: 'k', config: { endpoint: 'e', timeout_ms: 1000 } }); // the official SDK's form
  new AgentBay({ endpoint: 'embedded', emulate: { pause: '1.5s', resume: '1s-2s' } });
  const embedded: boolean = agentBay.embedded;
  const endpoint: string = agentBay.endpoint;
  console.log(embedded, endpoint);
  const ac = new AbortController();
  const opts = { signal: ac.signal };

  const params: CreateSessionParams = { labels: { a: 'b' }, imageId: 'linux_latest', policyId: 'p' };
  const created: SessionResult = await agentBay.create(params, opts);
  if (!created.success || !created.session) throw new Error(created.errorMessage);
  const session: Session = created.session;
  const id: string = session.sessionId;

  const got = await agentBay.get(id, opts);
  console.log(got.requestId, got.session?.sessionId);
  const listed: SessionListResult = await agentBay.list({ a: 'b' }, 1, 10, 'RUNNING', opts);
  const ids: string[] = listed.sessionIds;
  console.log(ids, listed.nextToken, listed.maxResults, listed.totalCount, (await agentBay.list()).success);

  const set: OperationResult = await session.setLabels({ k: 'v' }, opts);
  const base: ApiResponse = set;
  const labels: Record<string, string> | undefined = (await session.getLabels(opts)).data;
  const info: SessionInfo | undefined = (await session.info(opts)).data;
  console.log(base.success, session.resourceUrl, labels, info?.resourceUrl, info?.appId, info?.authCode, info?.connectionProperties,
    info?.resourceId, info?.resourceType, info?.ticket, info?.sessionId);
  const url: string | undefined = (await session.getLink('https', 30151, '{}', opts)).data;
  await session.getLink(undefined, 30150);
  const toolsResult: McpToolsResult = await session.listMcpTools('linux_latest', opts);
  const tools: McpTool[] = toolsResult.tools;
  console.log(url, tools.map((t) => [t.name, t.description, t.inputSchema, t.server, t.tool]));
  const call: McpToolResult = await session.callMcpTool('shell', { command: 'ls', timeout_ms: 1000 },
    { readTimeout: 30000, connectTimeout: 5000, signal: ac.signal });
  await session.callMcpTool('shell', { command: 'ls' }, true); // the official SDK's autoGenSession
  const cmd: CommandResult = await session.command.executeCommand('ls', 5000, '/tmp', { A: 'b' });
  const proc: Process = await session.command.start('ls', 0, '/tmp', { A: 'b' });
  const waited: CommandResult = await proc.wait();
  void waited;
  for await (const c of proc.chunks()) { const t: string = c.text; void t; }
  for await (const c of proc) { const st: 'stdout' | 'stderr' = c.stream; void st; }
  await session.command.executeCommand('ls', undefined, undefined, undefined, { onStdout: (t: string) => { void t; } });
  await proc.kill();
  const ctx: ContextResult = await agentBay.context.get('name', true);
  if (ctx.context) {
    const url: FileUrlResult = await agentBay.context.getFileUploadUrl(ctx.context.id, '/a.txt');
    void url.url;
    await agentBay.context.update({ ...ctx.context, name: 'renamed' });
  }
  const syncInfo: ContextInfoResult = await session.context.info(undefined, undefined, 'download');
  void syncInfo.contextStatusData[0]?.status;
  await session.context.sync(undefined, '/home/wuying/x', 'upload');
  const fileText: FileContentResult = await session.fileSystem.readFile('/tmp/a');
  const bytes: BinaryFileContentResult = await session.fileSystem.readFile('/tmp/a', { format: 'bytes' });
  void (fileText.content.length + bytes.content.byteLength);
  await session.fileSystem.writeFile('/tmp/a', 'x', 'append');
  const edited: EditFileResult = await session.fileSystem.editFile('/tmp/a', [{ oldText: 'x', newText: 'y' }], true);
  void edited.diff;
  const dir: DirectoryListResult = await session.fileSystem.listDirectory('/tmp');
  void dir.entries[0]?.isDirectory;
  const found: FileSearchResult = await session.fileSystem.searchFiles('/tmp', '*.py', ['node_modules']);
  void found.matches;
  await agentBay.create({ contextSync: [{ contextId: 'c', path: '/tmp/x', policy: { uploadPolicy: { autoUpload: true } } }] });
  const exitCode: number = cmd.exitCode;
  void exitCode;
  await session.command.executeCommand('ls', undefined, undefined, undefined, { signal: ac.signal });
  const code: EnhancedCodeExecutionResult = await session.code.runCode('print(1)', 'python', 30);
  const out: string = code.result;
  const main: boolean | undefined = code.results[0]?.isMainResult;
  void out; void main;
  await session.code.runCode('1', 'js', { timeoutS: 5, signal: ac.signal });
  const alive: OperationResult<undefined> = await session.keepAlive({ signal: ac.signal });
  const reason: string | undefined = (await session.getStatus()).endReason;
  void alive; void reason;
  await agentBay.create({ idleReleaseTimeout: 300 });
  await session.callMcpTool('shell', { command: 'ls' }, false, { signal: ac.signal });
  const text: string | undefined = call.data;
  console.log(text, call.errorKind);

  const statuses: Array<string | undefined> = [
    (await session.pause(600, 2.0, opts)).status,
    (await session.pauseAsync(opts)).status,
    (await session.resume(600, 2.0, opts)).status,
    (await session.resumeAsync(opts)).status,
    (await session.getStatus(opts)).status,
  ];
  const seen: StatusEvent[] = [];
  await session.pause(undefined, undefined, { onStatus: (e) => seen.push(e), signal: ac.signal });
  await session.resume(60, 2, { onStatus: ({ status, reads }) => console.log(status, reads) });
  await session.delete(false, { onStatus: (e: StatusEvent) => seen.push(e) });
  const paused: SessionPauseResult = await session.betaPauseAsync(30, 0.5, opts);
  const resumed: SessionResumeResult = await session.betaResumeAsync();
  console.log(paused.status, resumed.status);
  console.log(statuses);
  await session.delete(false, opts);
  const deleted: DeleteResult = await agentBay.delete(session, true, opts);
  console.log(deleted.success);
  await agentBay.close();

  try {
    await session.getStatus();
  } catch (e) {
    if (e instanceof AbortError) {
      const k: 'cancelled' = e.kind;
      console.log(k, e.name);
    } else if (e instanceof AgentBayError) {
      const kind: ErrorKind = e.kind;
      console.log(kind, e.code, e.requestId, e.serviceCode, e.httpStatus, e.retryable);
    }
  }
}

void main;
