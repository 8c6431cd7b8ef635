"""agentbay: AgentBay sessions (agent sandboxes) from Python, through libagentbay.

The API is the session API of the official AgentBay SDK
(``wuying-agentbay-sdk`` 0.14, whose AsyncSession the reference documents):
``AsyncAgentBay``/``AsyncSession`` for asyncio and ``AgentBay``/``Session``
for blocking code, with the same names, arguments, result classes and
failure behaviour (failed results, and SessionError where the official SDK
raises it; see ``agentbay.exceptions``). With no API key and no endpoint,
sessions run on the embedded local backend, offline and with no set-up::

    import asyncio
    from agentbay import AsyncAgentBay

    async def main():
        async with AsyncAgentBay() as agent_bay:
            session = (await agent_bay.create()).session
            result = await session.call_mcp_tool("shell", {"command": "uname -a", "timeout_ms": 5000})
            print(result.data)
            await session.delete()

    asyncio.run(main())

Engine log lines go to the ``logging`` logger ``"agentbay"`` (set its level
before creating a client). The package needs only the standard library and
the native library libagentbay (see ``load_library``).
"""

from __future__ import annotations

from typing import Optional

from . import _native
from ._native import StatusEvent
from ._async import (AsyncAgentBay, AsyncCode, AsyncCommand, AsyncContextManager,
                     AsyncContextService, AsyncFileSystem, AsyncProcess, AsyncSession)
from ._sync import (AgentBay, Code, Command, ContextManager, ContextService, FileSystem, Process,
                    Session)
from .config import EMBEDDED, Config, ContextListParams, ContextSync, CreateSessionParams
from .exceptions import AgentBayError, SessionError
from .results import (ApiResponse, BinaryFileContentResult, BoolResult, ClearContextResult,
                      CommandResult, Context, ContextBinding, ContextBindingsResult,
                      ContextBindResult, ContextFileEntry, ContextFileListResult, OutputChunk,
                      ContextInfoResult, ContextListResult, ContextResult, ContextStatusData,
                      ContextSyncResult, DeleteResult, DirectoryEntry, DirectoryListResult,
                      DownloadResult, EditFileResult, EnhancedCodeExecutionResult, ExecutionError,
                      FileChangeEvent, FileChangeResult,
                      ExecutionLogs, ExecutionResult, FileContentResult, FileInfoResult,
                      FileSearchResult, FileUrlResult, McpTool, MultipleFileContentResult,
                      UploadResult,
                      McpToolResult, McpToolsResult, OperationResult, SessionInfo,
                      SessionListResult, SessionPauseResult, SessionResult, SessionResumeResult,
                      SessionStatusResult)

__version__ = "0.2.0"


def load_library(path: Optional[str] = None) -> str:
    """Loads libagentbay now and returns the path it was loaded from.

    Without ``path`` the library is looked for at AGENTBAY_LIBRARY, then in
    the package (``agentbay/_lib``), then in the repository's ``build/``
    folder, then through the system loader. Clients load it on first use,
    so calling this is needed only to choose the file or to fail early.

    Raises:
        AgentBayError: it cannot be found or loaded, its ABI version is not
            the one this package needs, or another copy is already loaded.
    """
    _native.load_library(path)
    return _native.library_path()


def library_version() -> str:
    """The version of the loaded libagentbay, e.g. "0.2.0" (loads it if needed)."""
    return _native.text(_native.library().ab_version())


__all__ = [
    "AsyncAgentBay", "AsyncSession", "AsyncCommand", "AgentBay", "Session", "Command",
    "AsyncProcess", "Process", "OutputChunk",
    "AsyncCode", "Code", "EnhancedCodeExecutionResult", "ExecutionResult", "ExecutionLogs",
    "ExecutionError",
    "AsyncContextService", "AsyncContextManager", "ContextService", "ContextManager",
    "ContextSync", "ContextListParams", "Context", "ContextResult", "ContextListResult",
    "FileUrlResult", "ContextFileEntry", "ContextFileListResult", "ClearContextResult",
    "ContextSyncResult", "ContextStatusData", "ContextInfoResult", "ContextBindResult",
    "ContextBinding", "ContextBindingsResult",
    "AsyncFileSystem", "FileSystem", "BoolResult", "EditFileResult", "FileInfoResult",
    "DirectoryEntry", "DirectoryListResult", "FileContentResult", "BinaryFileContentResult",
    "MultipleFileContentResult", "FileSearchResult", "FileChangeEvent", "FileChangeResult",
    "UploadResult", "DownloadResult",
    "Config", "CreateSessionParams", "EMBEDDED",
    "AgentBayError", "SessionError",
    "ApiResponse", "OperationResult", "DeleteResult", "SessionResult", "SessionListResult",
    "CommandResult", "McpTool", "McpToolResult", "McpToolsResult", "SessionPauseResult", "SessionResumeResult",
    "SessionStatusResult", "SessionInfo", "StatusEvent",
    "load_library", "library_version", "__version__",
]
