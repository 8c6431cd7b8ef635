"""Result classes, named and shaped as in the official AgentBay SDK.

Every result carries ``request_id``, ``success`` and ``error_message``. When
``success`` is False, ``error_kind`` says what kind of failure it was, with
the stable names of the C library: ``invalid_argument``, ``not_found``,
``unauthorized``, ``throttled``, ``timeout``, ``cancelled``, ``conflict``
(e.g. the session is paused), ``server``, ``transport``, ``unsupported``,
``internal``. Positional parameters keep the official order; ``error_kind``
comes last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, Union

if TYPE_CHECKING:
    from ._async import AsyncSession
    from ._sync import Session


@dataclass
class ApiResponse:
    """Base of every result: the id of the service request that produced it."""

    request_id: str = ""

    def get_request_id(self) -> str:
        """Returns the service's request id ("" if there was none)."""
        return self.request_id


@dataclass
class OperationResult(ApiResponse):
    """Result of a general operation; ``data`` depends on the call.

    ``get_labels`` puts the labels dict in ``data``, ``info`` a SessionInfo,
    ``get_link`` the URL string; ``set_labels`` leaves it None.
    """

    success: bool = False
    data: Any = None
    error_message: str = ""
    code: str = ""
    message: str = ""
    http_status_code: int = 0
    error_kind: str = ""


@dataclass
class DeleteResult(ApiResponse):
    """Result of deleting a session."""

    success: bool = False
    error_message: str = ""
    code: str = ""
    message: str = ""
    http_status_code: int = 0
    error_kind: str = ""


@dataclass
class SessionResult(ApiResponse):
    """Result of creating or getting a session; ``session`` is set on success."""

    success: bool = False
    error_message: str = ""
    session: Optional[Union["AsyncSession", "Session"]] = None
    code: str = ""
    error_kind: str = ""


@dataclass
class SessionListResult(ApiResponse):
    """One page of sessions.

    ``session_ids`` is a list of ``{"sessionId": ..., "sessionStatus": ...}``
    dicts, as the official SDK exposes them.
    """

    success: bool = False
    error_message: str = ""
    session_ids: List[Dict[str, str]] = field(default_factory=list)
    next_token: str = ""
    max_results: int = 0
    total_count: int = 0
    error_kind: str = ""


@dataclass
class McpTool:
    """One MCP tool a session offers."""

    name: str = ""
    description: str = ""
    input_schema: Dict[str, Any] = field(default_factory=dict)
    server: str = ""
    tool: str = ""


@dataclass
class McpToolsResult(ApiResponse):
    """The MCP tools of a session's image."""

    tools: List[McpTool] = field(default_factory=list)
    success: bool = False
    error_message: str = ""
    error_kind: str = ""


@dataclass
class Context:
    """A persistent context of the context service."""

    id: str = ""
    name: str = ""
    created_at: Optional[str] = None
    last_used_at: Optional[str] = None
    state: str = ""


@dataclass
class ContextResult(ApiResponse):
    """Result of ``agent_bay.context.get`` and ``create``."""

    success: bool = False
    context_id: str = ""
    context: Optional[Context] = None
    error_message: str = ""
    error_kind: str = ""


@dataclass
class ContextListResult(ApiResponse):
    """One page of ``agent_bay.context.list``."""

    success: bool = False
    contexts: List[Context] = field(default_factory=list)
    next_token: Optional[str] = None
    max_results: Optional[int] = None
    total_count: Optional[int] = None
    error_message: str = ""
    error_kind: str = ""


@dataclass
class FileUrlResult(ApiResponse):
    """A presigned URL: PUT a file's content to an upload URL, GET it from a
    download URL; ``expire_time`` is in Unix seconds."""

    success: bool = False
    url: str = ""
    expire_time: Optional[int] = None
    error_message: str = ""
    error_kind: str = ""


@dataclass
class ContextFileEntry:
    """One entry of a context folder; ``file_type`` is "file" or "folder"."""

    file_id: str = ""
    file_name: str = ""
    file_path: str = ""
    file_type: Optional[str] = None
    gmt_create: Optional[str] = None
    gmt_modified: Optional[str] = None
    size: Optional[int] = None
    status: Optional[str] = None


@dataclass
class ContextFileListResult(ApiResponse):
    """One page of ``agent_bay.context.list_files``."""

    success: bool = False
    entries: List[ContextFileEntry] = field(default_factory=list)
    count: Optional[int] = None
    error_message: str = ""
    error_kind: str = ""


@dataclass
class ClearContextResult(ApiResponse):
    """Result of ``agent_bay.context.clear``: ``status`` is the context's
    state afterwards ("available" once cleared)."""

    success: bool = False
    error_message: str = ""
    status: Optional[str] = None
    context_id: Optional[str] = None
    error_kind: str = ""


@dataclass
class ContextSyncResult(ApiResponse):
    """Result of ``session.context.sync``: False if a sync task failed."""

    success: bool = False
    error_message: str = ""
    error_kind: str = ""


@dataclass
class ContextStatusData:
    """One sync task of a session's context."""

    context_id: str = ""
    path: str = ""
    error_message: str = ""
    status: str = ""
    start_time: int = 0
    finish_time: int = 0
    task_type: str = ""


@dataclass
class ContextInfoResult(ApiResponse):
    """Result of ``session.context.info``."""

    success: bool = False
    context_status_data: List[ContextStatusData] = field(default_factory=list)
    error_message: str = ""
    error_kind: str = ""


class OutputChunk(NamedTuple):
    """A piece of a streamed command's output (``proc.chunks()``)."""
    stream: str  # "stdout" or "stderr"
    text: str


@dataclass
class CommandResult(ApiResponse):
    """Result of ``session.command.execute_command``.

    ``success`` is False when the command exits non-zero (``exit_code`` says
    how, ``error_message`` is its stderr) as well as when it could not be
    run (``error_kind`` then says why). ``output`` is stdout then stderr.
    """

    success: bool = False
    output: str = ""
    error_message: str = ""
    exit_code: int = 0
    stdout: str = ""
    stderr: str = ""
    trace_id: str = ""
    error_kind: str = ""


@dataclass
class ExecutionResult:
    """One output of ``run_code``: a MIME bundle split into its formats
    (None where a format is absent)."""

    text: Optional[str] = None
    html: Optional[str] = None
    markdown: Optional[str] = None
    png: Optional[str] = None  # base64
    jpeg: Optional[str] = None  # base64
    svg: Optional[str] = None
    json: Optional[Any] = None
    latex: Optional[str] = None
    chart: Optional[Any] = None
    is_main_result: bool = False

    def formats(self) -> List[str]:
        """The names of the formats present."""
        return [k for k, v in vars(self).items() if v is not None and k != "is_main_result"]


@dataclass
class ExecutionLogs:
    """What the code wrote, in pieces."""

    stdout: List[str] = field(default_factory=list)
    stderr: List[str] = field(default_factory=list)


@dataclass
class ExecutionError:
    """Why the code failed."""

    name: str
    value: str
    traceback: str


@dataclass
class EnhancedCodeExecutionResult(ApiResponse):
    """Result of ``session.code.run_code``, as the official SDK's.

    ``success`` is False when the code raised or ran out of time (``error``
    and ``error_message`` say why) as well as when it could not be run
    (``error_kind`` then says why). ``result`` is the main output's text,
    else the first output's, else stdout.
    """

    success: bool = False
    execution_count: Optional[int] = None
    execution_time: float = 0.0
    logs: ExecutionLogs = field(default_factory=ExecutionLogs)
    results: List[ExecutionResult] = field(default_factory=list)
    error: Optional[ExecutionError] = None
    error_message: str = ""
    error_kind: str = ""

    @property
    def result(self) -> str:
        """The text of the main result, else of the first, else stdout."""
        for r in self.results:
            if r.is_main_result and r.text:
                return r.text
        if self.results and self.results[0].text:
            return self.results[0].text
        return "".join(self.logs.stdout)


@dataclass
class McpToolResult(ApiResponse):
    """Result of an MCP tool call: ``data`` is the tool's text output.

    On failure ``data`` is "" and ``error_message`` says why. A tool that
    reports an error (e.g. a command that exits non-zero) puts its own text
    there, with ``error_kind`` "": the call itself went through. For
    ``shell`` the text is JSON with ``stdout``, ``stderr`` and ``exit_code``.
    """

    success: bool = False
    data: str = ""
    error_message: str = ""
    error_kind: str = ""


@dataclass
class SessionPauseResult(ApiResponse):
    """Result of ``pause``/``pause_async``; ``status`` is the session's status."""

    success: bool = False
    error_message: str = ""
    code: str = ""
    message: str = ""
    http_status_code: int = 0
    status: Optional[str] = None
    error_kind: str = ""


@dataclass
class SessionResumeResult(ApiResponse):
    """Result of ``resume``/``resume_async``; ``status`` is the session's status."""

    success: bool = False
    error_message: str = ""
    code: str = ""
    message: str = ""
    http_status_code: int = 0
    status: Optional[str] = None
    error_kind: str = ""


@dataclass
class SessionStatusResult(ApiResponse):
    """Result of ``get_status``: the session's status, e.g. ``"RUNNING"``."""

    http_status_code: int = 0
    code: str = ""
    success: bool = False
    status: str = ""
    error_message: str = ""
    end_reason: str = ""  # why the service ended the session, e.g. "IdleTimeout"
    error_kind: str = ""


@dataclass
class SessionInfo:
    """What ``info`` tells about a session's resource (``OperationResult.data``)."""

    session_id: str = ""
    resource_url: str = ""
    app_id: str = ""
    auth_code: str = ""
    connection_properties: str = ""
    resource_id: str = ""
    resource_type: str = ""
    ticket: str = ""


# ---- The file system (session.file_system) ------------------------------------

@dataclass
class BoolResult(ApiResponse):
    """Result of a file operation: ``data`` is True when it was done."""

    success: bool = False
    data: Optional[bool] = None
    error_message: str = ""
    error_kind: str = ""


@dataclass
class EditFileResult(BoolResult):
    """Result of ``edit_file``: a BoolResult with the edits' ``diff`` (also
    on a dry run, which leaves the file as it was)."""

    diff: str = ""


@dataclass
class FileInfoResult(ApiResponse):
    """Result of ``get_file_info``: the service's fields by name, e.g.
    ``name``, ``path``, ``size``, ``isDirectory``, ``isFile``, ``modified``,
    ``permissions``."""

    success: bool = False
    file_info: Dict[str, Any] = field(default_factory=dict)
    error_message: str = ""
    error_kind: str = ""

    @property
    def is_file(self) -> bool:
        """Whether the path is a regular file."""
        return bool(self.file_info.get("isFile", False))

    @property
    def is_directory(self) -> bool:
        """Whether the path is a directory."""
        return bool(self.file_info.get("isDirectory", False))

    @property
    def size(self) -> int:
        """The size in bytes (0 if the service gave none)."""
        return int(self.file_info.get("size", 0))


@dataclass
class DirectoryEntry:
    """One name in a directory."""

    name: str = ""
    is_directory: bool = False

    @property
    def is_file(self) -> bool:
        """Whether the entry is not a directory."""
        return not self.is_directory


@dataclass
class DirectoryListResult(ApiResponse):
    """Result of ``list_directory``."""

    success: bool = False
    entries: List[DirectoryEntry] = field(default_factory=list)
    error_message: str = ""
    error_kind: str = ""


@dataclass
class FileContentResult(ApiResponse):
    """Result of ``read_file``: the file's text."""

    success: bool = False
    content: str = ""
    error_message: str = ""
    error_kind: str = ""


@dataclass
class BinaryFileContentResult(ApiResponse):
    """Result of ``read_file(path, format="bytes")``: the file's bytes."""

    success: bool = False
    content: bytes = b""
    error_message: str = ""
    content_type: Optional[str] = None
    size: Optional[int] = None
    error_kind: str = ""


@dataclass
class MultipleFileContentResult(ApiResponse):
    """Result of ``read_multiple_files``: each path's text, trimmed of
    surrounding white space (a file that could not be read has "Error - "
    and the reason)."""

    success: bool = False
    contents: Dict[str, str] = field(default_factory=dict)
    error_message: str = ""
    error_kind: str = ""


@dataclass
class FileSearchResult(ApiResponse):
    """Result of ``search_files``: the matching paths."""

    success: bool = False
    matches: List[str] = field(default_factory=list)
    error_message: str = ""
    error_kind: str = ""


@dataclass
class UploadResult:
    """Result of ``upload_file``, as the official SDK shapes it."""

    success: bool = False
    request_id_upload_url: Optional[str] = None
    request_id_sync: Optional[str] = None
    http_status: Optional[int] = None
    etag: Optional[str] = None
    bytes_sent: int = 0
    path: str = ""
    error_message: Optional[str] = None
    error_kind: str = ""


@dataclass
class DownloadResult:
    """Result of ``download_file``, as the official SDK shapes it."""

    success: bool = False
    request_id_download_url: Optional[str] = None
    request_id_sync: Optional[str] = None
    http_status: Optional[int] = None
    bytes_received: int = 0
    path: str = ""
    local_path: str = ""
    error_message: Optional[str] = None
    error_kind: str = ""


@dataclass
class ContextBindResult(ApiResponse):
    """Result of ``session.context.bind``."""

    success: bool = False
    error_message: str = ""
    error_kind: str = ""


@dataclass
class ContextBinding:
    """A context mounted in a session."""

    context_id: str = ""
    context_name: str = ""
    path: str = ""
    policy: str = ""
    bind_time: str = ""


@dataclass
class ContextBindingsResult(ApiResponse):
    """Result of ``session.context.list_bindings``."""

    success: bool = False
    bindings: List[ContextBinding] = field(default_factory=list)
    error_message: str = ""
    error_kind: str = ""


@dataclass
class FileChangeEvent:
    """One change under a watched directory."""

    event_type: str = ""  # "create", "modify" or "delete"
    path: str = ""
    path_type: str = ""  # "file" or "directory"


@dataclass
class FileChangeResult(ApiResponse):
    """Result of ``get_file_change``: the changes since the previous call."""

    success: bool = False
    events: List[FileChangeEvent] = field(default_factory=list)
    raw_data: str = ""
    error_message: str = ""
    error_kind: str = ""
