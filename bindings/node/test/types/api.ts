// Uses the whole API so that `tsc -p test/types` checks index.d.ts against
// real use. Never run: only type-checked (test/types.test.js).
import {
  AgentBay, AgentBayError, AbortError, Session, type ErrorKind, type McpTool,
  type SessionListItem, type SessionInfo, type LibraryInfo,
} from '../..';

async function main(): Promise<void> {
  AgentBay.setLogListener((level, message) => console.log(level.toUpperCase(), message), 'debug');
  AgentBay.setLogListener(null);
  const lib: LibraryInfo = AgentBay.libraryInfo();
  console.log(lib.path, lib.version, lib.abiVersion);

  const agentBay = new AgentBay({ apiKey: 'k', endpoint: 'e', timeoutMs: 1000, libraryPath: '/x.so' });
  const embedded: boolean = agentBay.embedded;
  const endpoint: string = agentBay.endpoint;
  console.log(embedded, endpoint);
  const ac = new AbortController();
  const opts = { signal: ac.signal };

  const created = await agentBay.create({ labels: { a: 'b' }, imageId: 'linux_latest', policyId: 'p' }, opts);
  if (!created.success || !created.session) throw new Error(created.errorMessage);
  const session: Session = created.session;
  const id: string = session.sessionId;

  const got = await agentBay.get(id, opts);
  console.log(got.requestId, got.session?.sessionId);
  const listed = await agentBay.list({ labels: { a: 'b' }, status: 'RUNNING', page: 1, limit: 10, nextToken: '' }, opts);
  const items: SessionListItem[] = listed.sessionIds;
  console.log(items.map((s) => `${s.sessionId}:${s.sessionStatus}`), listed.nextToken, listed.maxResults,
    listed.totalCount);

  const set = await session.setLabels({ k: 'v' }, opts);
  const labels: Record<string, string> | undefined = (await session.getLabels(opts)).data;
  const info: SessionInfo | undefined = (await session.info(opts)).data;
  console.log(set.success, labels, info?.resourceUrl, info?.appId, info?.authCode, info?.connectionProperties,
    info?.resourceId, info?.resourceType, info?.ticket, info?.sessionId);
  const url: string | undefined = (await session.getLink('https', 30151, '{}', opts)).data;
  await session.getLink(undefined, undefined, { any: 1 });
  const tools: McpTool[] = (await session.listMcpTools('linux_latest', opts)).tools;
  console.log(url, tools.map((t) => [t.name, t.description, t.inputSchema, t.server, t.tool]));
  const call = await session.callMcpTool('shell', { command: 'ls', timeout_ms: 1000 },
    { readTimeout: 30000, connectTimeout: 5000, autoGenSession: false, signal: ac.signal });
  const text: string | undefined = call.data;
  console.log(text, call.errorKind);

  const statuses: Array<string | undefined> = [
    (await session.pause(600, 2.0, opts)).status,
    (await session.pauseAsync(opts)).status,
    (await session.resume(600, 2.0, opts)).status,
    (await session.resumeAsync(opts)).status,
    (await session.getStatus(opts)).status,
  ];
  console.log(statuses);
  await session.delete(false, opts);
  await agentBay.delete(session, true, opts);
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
