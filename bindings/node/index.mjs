// ES module entry: the same objects as the CommonJS entry (index.js).
import agentbay from './index.js';

export const {
  AgentBay, Session, Command, Process, Code, ContextService, ContextManager, FileSystem, AgentBayError, AbortError,
} = agentbay;
export default agentbay;
