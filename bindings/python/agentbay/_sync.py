"""The blocking API: AgentBay and Session, with the methods of the asynchronous API.

Each method blocks the calling thread until its operation completes; Ctrl-C
cancels the operation and raises KeyboardInterrupt.

Generated from _async.py by tools/gen_sync.py: do not edit.
"""

from __future__ import annotations

import logging
import threading
from typing import (Any, Iterator, Callable, Dict, List, Literal, Optional, Union,
                    overload)

from ._core import (ClientBase, SessionBase, bindings, code_result, command_failed, context_syncs,
                    contexts, dir_entries, failed, file_bytes, file_changes, file_entries, raises,
                    refused_here, result, run_sync, run_sync, session_info, status_data, tools,
                    transfer_failed)
from ._native import NativeError, StatusEvent
from .config import Config, ContextListParams, CreateSessionParams
from .exceptions import AgentBayError
from .results import (BinaryFileContentResult, BoolResult, ClearContextResult, CommandResult,
                      Context, ContextBindResult, ContextBindingsResult, ContextFileListResult,
                      ContextInfoResult, ContextListResult, ContextResult, ContextSyncResult,
                      DeleteResult, DirectoryListResult, DownloadResult, EditFileResult,
                      EnhancedCodeExecutionResult, FileChangeEvent, FileChangeResult,
                      FileContentResult, FileInfoResult, FileSearchResult, FileUrlResult,
                      McpToolResult, McpToolsResult, MultipleFileContentResult, OperationResult,
                      OutputChunk, SessionListResult, SessionPauseResult, SessionResult,
                      SessionResumeResult, SessionStatusResult, UploadResult)

_log = logging.getLogger("agentbay")


class AgentBay(ClientBase):
    """A client of AgentBay: creates, finds, lists and deletes sessions.

    With no API key and no endpoint (no argument, no AGENTBAY_API_KEY, no
    AGENTBAY_ENDPOINT) sessions run on the embedded local backend, started
    inside this process (in the background: making the client never waits
    for it). Close the client when done, with ``close()`` or as a context
    manager; that cancels its operations in flight.

    Args:
        api_key: the AgentBay API key; "" reads AGENTBAY_API_KEY.
        cfg: the endpoint and request timeout (see Config).
        env_file: the official SDK's .env file; not supported, must be None.
        library_path: where libagentbay is, overriding the usual search.

    Raises:
        AgentBayError: the library cannot be loaded or the configuration is
            not usable (e.g. a cloud endpoint with no API key).
    """

    def __init__(self, api_key: str = "", cfg: Optional[Config] = None,
                 env_file: Optional[str] = None, *, library_path: Optional[str] = None) -> None:
        super().__init__(api_key, cfg, env_file, library_path)

    def create(self, params: Optional[CreateSessionParams] = None) -> SessionResult:
        """Creates a session; ``result.session`` is the new session.

        A failure, including bad or unsupported params, gives a failed result.
        """
        return run_sync(self._create(params, Session))

    def get(self, session_id: str) -> SessionResult:
        """Finds an existing session by id (a failed result if there is none)."""
        return run_sync(self._get(session_id, Session))

    def list(self, labels: Optional[Dict[str, str]] = None, page: Optional[int] = None,
                   limit: Optional[int] = None, status: Optional[str] = None, *,
                   next_token: Optional[str] = None) -> SessionListResult:
        """Lists sessions whose labels include all of ``labels``.

        Args:
            labels: label filter (all pairs must match).
            page: 1-based page number to fetch.
            limit: page size (None or 0: the service's default, 10).
            status: one of RUNNING, PAUSING, PAUSED, RESUMING, DELETING, DELETED.
            next_token: the cursor of a previous result, to fetch the page
                after it (an addition to the official arguments).

        Returns:
            SessionListResult: ``session_ids`` holds ``{"sessionId",
            "sessionStatus"}`` dicts; bad filters give a failed result.
        """
        return run_sync(self._list(labels, page, limit, status, next_token))

    def delete(self, session: "Session", sync_context: bool = False) -> DeleteResult:
        """Deletes a session and waits until it is gone (a failed result if it cannot)."""
        return run_sync(self._delete(session, sync_context))

    @property
    def context(self) -> "ContextService":
        """The context service, as the official SDK's ``agent_bay.context``."""
        return ContextService(self)

    def close(self) -> None:
        """Closes the client: operations in flight end with error_kind "cancelled",
        later calls raise AgentBayError, an embedded backend stops (this
        waits for it). Idempotent."""
        self._core.close()


    def __enter__(self) -> "AgentBay":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class Session(SessionBase):
    """One AgentBay session (a sandbox), with the session API of the reference.

    Sessions normally come from ``AgentBay.create`` or ``get``;
    ``Session(agent_bay, session_id)`` makes one for a known id without
    asking the service (AgentBayError if the arguments are not an open
    AgentBay and a non-blank str).

    As in the official SDK, failures give results with ``success=False``,
    except that ``set_labels``, ``get_labels``, ``get_link`` and ``info``
    raise SessionError as described on each.
    """

    _client_class = AgentBay

    def delete(self, sync_context: bool = False, *,
                     on_status: Optional[Callable[[StatusEvent], Any]] = None) -> DeleteResult:
        """Deletes this session and waits until it is gone.

        Args:
            sync_context: upload context data before deleting.
            on_status: called with each status the wait reads, once and in
                order (e.g. DELETING, then DELETED), as for ``pause``.

        Returns:
            DeleteResult: failed (``error_kind`` says why) if the session
            could not be deleted. The official SDK's documentation says this
            raises SessionError, but the official SDK returns the failed
            result, and so does this package.
        """
        return run_sync(self._op("delete", DeleteResult, {"sync_context": sync_context},
                                        on_status=on_status))

    def set_labels(self, labels: Dict[str, str]) -> OperationResult:
        """Replaces the session's labels (a non-empty dict of non-blank strings).

        Labels refused before anything is sent (None, not a dict of str,
        empty, a blank key or value) give a failed result.

        Raises:
            SessionError: the service refused (e.g. the session is gone).
        """
        return run_sync(self._op("set_labels", OperationResult, {"labels": labels},
                                        fail=self._labels_failed))

    def get_labels(self) -> OperationResult:
        """Reads the session's labels: ``result.data`` is a dict.

        Raises:
            SessionError: the service refused (e.g. the session is gone).
        """
        return run_sync(self._op("get_labels", OperationResult, fail=raises(
            f"Failed to get labels for session {self.session_id}")))

    def info(self) -> OperationResult:
        """Describes the session's resource: ``result.data`` is a SessionInfo.

        An unknown session gives a failed result.

        Raises:
            SessionError: any other failure.
        """
        return run_sync(self._op("info", OperationResult, fail=self._info_failed,
                                        ok=lambda d: result(OperationResult, d,
                                                            data=session_info(d))))

    def get_link(self, protocol_type: Optional[str] = None, port: Optional[int] = None,
                       options: Optional[str] = None) -> OperationResult:
        """Gets a URL reaching the session: ``result.data`` is the URL.

        Args:
            protocol_type: "https" or "wss" (None: the service's default).
            port: a port of the session, an int in 30100-30199.
            options: extra options as a JSON string.

        Raises:
            SessionError: the port is not an int in 30100-30199, an argument
                is not a str, or the service refused.
        """
        return run_sync(self._op("get_link", OperationResult, {
            "protocol_type": protocol_type, "port": port, "options": options},
            fail=self._link_failed))

    def list_mcp_tools(self, image_id: Optional[str] = None) -> McpToolsResult:
        """Lists the MCP tools of ``image_id`` (default: the session's image).

        A failure gives a failed result with no tools.
        """
        return run_sync(self._op("list_mcp_tools", McpToolsResult, {"image_id": image_id},
                                        ok=lambda d: result(McpToolsResult, d, tools=tools(d))))

    def call_mcp_tool(self, tool_name: str, args: Dict[str, Any],
                            read_timeout: Optional[int] = None,
                            connect_timeout: Optional[int] = None,
                            auto_gen_session: bool = False) -> McpToolResult:
        """Calls an MCP tool of the session: ``result.data`` is its text output.

        Args:
            tool_name: e.g. "shell", "read_file", "write_file".
            args: the tool's arguments, a JSON-serialisable dict.
            read_timeout: read time limit in milliseconds (None or 0: default).
            connect_timeout: connect time limit in milliseconds (None or 0: default).
            auto_gen_session: legacy flag of the service, passed through.

        Returns:
            McpToolResult: on failure ``data`` is "" and ``error_message``
            says why; a tool that reports an error (a command exiting
            non-zero) puts its own text there, with ``error_kind`` "".
        """
        return run_sync(self._op("call_mcp_tool", McpToolResult, {
            "tool_name": tool_name, "args": args, "read_timeout": read_timeout,
            "connect_timeout": connect_timeout, "auto_gen_session": auto_gen_session},
            ok=lambda d: result(McpToolResult, d, data=d["data"] if d["success"] else "")))

    def pause(self, timeout: int = 600, poll_interval: float = 2.0, *,
                    on_status: Optional[Callable[[StatusEvent], Any]] = None) -> SessionPauseResult:
        """Pauses the session and waits until it is PAUSED.

        Args:
            timeout: how long to wait, in seconds (a positive number).
            poll_interval: the longest pause between status checks, in seconds
                (the library checks sooner at first, so quick pauses return quickly).
            on_status: called with a StatusEvent ``(status, reads)`` for each
                status the wait reads, once and in order (PAUSING, then
                PAUSED; a pause quicker than the first read shows only
                PAUSED), all before this returns, on the event loop's thread
                (the calling thread in the blocking API). What it raises is
                logged to the "agentbay" logger and the wait goes on.
        """
        return run_sync(self._op("pause", SessionPauseResult, {
            "timeout": timeout, "poll_interval": poll_interval}, on_status=on_status))

    def pause_async(self) -> SessionPauseResult:
        """Starts pausing the session without waiting for PAUSED."""
        return run_sync(self._op("pause_async", SessionPauseResult))

    def resume(self, timeout: int = 600, poll_interval: float = 2.0, *,
                     on_status: Optional[Callable[[StatusEvent], Any]] = None) -> SessionResumeResult:
        """Resumes the session and waits until it is RUNNING (arguments as for
        pause; on_status sees RESUMING, then RUNNING)."""
        return run_sync(self._op("resume", SessionResumeResult, {
            "timeout": timeout, "poll_interval": poll_interval}, on_status=on_status))

    def resume_async(self) -> SessionResumeResult:
        """Starts resuming the session without waiting for RUNNING."""
        return run_sync(self._op("resume_async", SessionResumeResult))

    def get_status(self) -> SessionStatusResult:
        """Reads the session's status, e.g. "RUNNING" or "PAUSED"; a session
        the service released is "FINISH", with ``end_reason`` saying why
        (``"IdleTimeout"`` after its idle_release_timeout)."""
        return run_sync(self._op("get_status", SessionStatusResult))

    def keep_alive(self) -> OperationResult:
        """Restarts the session's idle clock: its ``idle_release_timeout``
        counts from now (RefreshSessionIdleTime). A failure, a released
        session among them, is a failed result, as in the official SDK."""
        return run_sync(self._op("keep_alive", OperationResult))

    @property
    def command(self) -> "Command":
        """The session's shell commands, as the official SDK's ``session.command``."""
        return Command(self)

    @property
    def code(self) -> "Code":
        """The session's code runner, as the official SDK's ``session.code``."""
        return Code(self)

    @property
    def context(self) -> "ContextManager":
        """The session's context syncs, as the official SDK's ``session.context``."""
        return ContextManager(self)

    @property
    def file_system(self) -> "FileSystem":
        """The session's files, as the official SDK's ``session.file_system``
        (also named ``fs``, ``filesystem`` and ``files`` there, and here)."""
        return FileSystem(self)

    fs = filesystem = files = file_system

    # The names SDK releases from 0.15 on give these methods, so that code
    # written for them runs too.
    beta_pause = pause
    beta_pause_async = pause_async
    beta_resume = resume
    beta_resume_async = resume_async


class Command:
    """Shell commands of one session (the official SDK's ``session.command``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def execute_command(self, command: str, timeout_ms: int = 50000,
                              cwd: Optional[str] = None,
                              envs: Optional[Dict[str, str]] = None, *,
                              on_stdout: Optional[Callable[[str], Any]] = None,
                              on_stderr: Optional[Callable[[str], Any]] = None) -> CommandResult:
        """Runs a shell command and waits for it to end.

        Args:
            command: the command, run by the session's shell.
            timeout_ms: time limit in milliseconds (at most 50000, as the
                official SDKs send; the command is killed when it is reached).
            cwd: the working directory (None: the session's home).
            envs: extra environment variables, all str.
            on_stdout, on_stderr: if either is given, the output is
                streamed: each is called with every piece of its stream as
                it arrives, in order (not in the official SDK; it needs the
                local backend's background commands, and the cloud gives a
                failed result with error_kind ``unsupported``). Streamed,
                timeout_ms is not capped at 50000, and each stream is kept
                up to 1 MiB in the result.

        Returns:
            CommandResult: ``success`` False on a non-zero exit or a failure.

        Raises:
            ValueError: ``envs`` has a key or value that is not a str, as in
                the official SDK.
        """
        if on_stdout is None and on_stderr is None:
            return run_sync(self.session._op("execute_command", CommandResult, {
                "command": command, "timeout_ms": timeout_ms, "cwd": cwd, "envs": envs},
                fail=command_failed))
        started = run_sync(self.session._op("command_start", CommandResult, {
            "command": command, "timeout_ms": timeout_ms, "cwd": cwd, "envs": envs},
            ok=lambda d: d["process_id"], fail=command_failed))
        if isinstance(started, CommandResult):
            return started
        proc = Process(self.session, started)
        try:
            for chunk in proc.chunks():
                callback = on_stdout if chunk.stream == "stdout" else on_stderr
                if callback is not None:
                    callback(chunk.text)
        except SessionError as exc:
            return CommandResult(success=False, error_message=str(exc), exit_code=1,
                                 error_kind=exc.error_kind or "")
        except BaseException:
            proc.kill()  # cancelled, or a callback raised: do not leave it running
            raise
        return proc.wait()

    def start(self, command: str, timeout_ms: int = 0, cwd: Optional[str] = None,
                    envs: Optional[Dict[str, str]] = None) -> Process:
        """Starts a shell command in the background and returns at once.

        Not part of the official SDK: it needs the local backend's
        background tools, and the cloud raises SessionError (error_kind
        ``unsupported``).

        Args:
            command: the command, run by the session's shell.
            timeout_ms: time limit in milliseconds (0: the server's longest,
                10 minutes on the local backend).
            cwd: the working directory (None: the session's home).
            envs: extra environment variables, all str.

        Returns:
            Process: ``proc.wait()`` for its CommandResult,
            ``proc.kill()`` to stop it.

        Raises:
            SessionError: the command could not be started.
        """
        pid = run_sync(self.session._op("command_start", OperationResult, {
            "command": command, "timeout_ms": timeout_ms, "cwd": cwd, "envs": envs},
            ok=lambda d: d["process_id"], fail=raises("Failed to start command")))
        return Process(self.session, pid)


class Process:
    """A command started by ``session.command.start``."""

    def __init__(self, session: Session, process_id: str) -> None:
        self.session = session
        self.process_id = process_id

    def __repr__(self) -> str:
        return f"Process({self.process_id!r})"

    def chunks(self) -> Iterator[OutputChunk]:
        """The command's output as it arrives: OutputChunk(stream, text),
        stream "stdout" or "stderr", each stream's pieces in order, every
        byte once (``for chunk in proc.chunks()``). It ends once the
        command has ended and its output is read; ``proc.wait()``
        then gives the result at once. A second iteration yields nothing.

        Raises:
            SessionError: the output cannot be read (e.g. an unknown
                process, or the cloud: error_kind ``unsupported``).
        """
        while True:
            d = run_sync(self.session._op("command_read", OperationResult,
                                                 {"process_id": self.process_id}, ok=lambda d: d,
                                                 fail=raises("Failed to read the command's output")))
            if d.get("stdout"):
                yield OutputChunk("stdout", d["stdout"])
            if d.get("stderr"):
                yield OutputChunk("stderr", d["stderr"])
            if d.get("done"):
                return

    def wait(self) -> CommandResult:
        """Waits for the command to exit.

        Returns:
            CommandResult: as execute_command's (each stream kept up to
            1 MiB); a killed command has exit_code 137, an unknown process
            a failed result saying so.
        """
        return run_sync(self.session._op("command_wait", CommandResult,
                                                {"process_id": self.process_id}, fail=command_failed))

    def kill(self) -> OperationResult:
        """Kills the command's process group (nothing if it has ended).

        Returns:
            OperationResult: failed for an unknown process.
        """
        return run_sync(self.session._op("command_kill", OperationResult,
                                                {"process_id": self.process_id}))


class Code:
    """Code runs of one session (the official SDK's ``session.code``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def run_code(self, code: str, language: str,
                       timeout_s: int = 60) -> EnhancedCodeExecutionResult:
        """Runs code and waits for it to end.

        Args:
            code: the source code.
            language: python, javascript, r or java, in any case (aliases:
                py, python3, js, node, nodejs). The local backend runs
                python and javascript.
            timeout_s: time limit in whole seconds (the code is stopped
                when it is reached).

        Returns:
            EnhancedCodeExecutionResult: ``success`` False when the code
            raised, ran out of time or could not be run, or the arguments
            were refused (an unsupported language among them), as in the
            official SDK, which never raises here.
        """
        return run_sync(self.session._op("run_code", EnhancedCodeExecutionResult, {
            "code": code, "language": language, "timeout_s": timeout_s}, ok=code_result))

    # The official SDK's other names of run_code.
    run = run_code
    execute = run_code


def _get_failed(err: NativeError) -> ContextResult:
    """context.get's failures: a failed result, except the argument errors
    the official SDK raises AgentBayError for."""
    if refused_here(err) and err.param == "":
        raise AgentBayError(err.message, error_kind=err.kind)
    return failed(ContextResult, err)


class ContextService:
    """Persistent contexts (the official SDK's ``agent_bay.context``): storage
    that outlives sessions, mounted into new sessions with
    ``CreateSessionParams(context_syncs=[ContextSync(context_id, path)])``."""

    def __init__(self, agent_bay: AgentBay) -> None:
        self.agent_bay = agent_bay

    def get(self, name: Optional[str] = None, create: bool = False,
                  context_id: Optional[str] = None) -> ContextResult:
        """Finds a context by name (creating it if ``create``) or by id.

        Raises:
            AgentBayError: neither name nor context_id is given, both are, or
                create is asked with an id, as in the official SDK.
        """
        return run_sync(self.agent_bay._client_op("context_get", ContextResult, {
            "name": name, "create": create, "context_id": context_id},
            ok=lambda d: result(ContextResult, d, context=result(Context, d["context"])),
            fail=_get_failed))

    def create(self, name: str) -> ContextResult:
        """Creates a context named ``name`` (or finds the one of that name)."""
        return run_sync(self.agent_bay._client_op(
            "context_create", ContextResult, {"name": name},
            ok=lambda d: result(ContextResult, d, context=result(Context, d["context"]))))

    def list(self, params: Optional[ContextListParams] = None) -> ContextListResult:
        """Lists contexts, ``params.max_results`` (default 10) at a time."""
        p = params or ContextListParams()
        return run_sync(self.agent_bay._client_op("context_list", ContextListResult, {
            "max_results": p.max_results, "next_token": p.next_token, "session_id": p.session_id},
            ok=lambda d: result(ContextListResult, d, contexts=contexts(d))))

    def update(self, context: Context) -> OperationResult:
        """Renames ``context`` to ``context.name``."""
        return run_sync(self.agent_bay._client_op("context_update", OperationResult, {
            "context_id": getattr(context, "id", None), "name": getattr(context, "name", None)}))

    def delete(self, context: Context) -> OperationResult:
        """Deletes ``context`` and its content."""
        return run_sync(self.agent_bay._client_op(
            "context_delete", OperationResult, {"context_id": getattr(context, "id", None)}))

    def clear(self, context_id: str, timeout: int = 60,
                    poll_interval: float = 2.0) -> ClearContextResult:
        """Removes the context's content, keeping the context; ``status`` is
        "available" once done. (The local backend clears at once; timeout
        and poll_interval are the official SDK's and bound nothing here.)"""
        return run_sync(self.agent_bay._client_op(
            "context_clear", ClearContextResult, {"context_id": context_id},
            ok=lambda d: result(ClearContextResult, d, status="available", context_id=context_id)))

    def get_file_upload_url(self, context_id: str, file_path: str) -> FileUrlResult:
        """A presigned URL to PUT the content of ``file_path`` in the context."""
        return run_sync(self.agent_bay._client_op(
            "context_get_file_upload_url", FileUrlResult,
            {"context_id": context_id, "file_path": file_path}))

    def get_file_download_url(self, context_id: str, file_path: str) -> FileUrlResult:
        """A presigned URL to GET ``file_path`` of the context."""
        return run_sync(self.agent_bay._client_op(
            "context_get_file_download_url", FileUrlResult,
            {"context_id": context_id, "file_path": file_path}))

    def delete_file(self, context_id: str, file_path: str) -> OperationResult:
        """Deletes one file or folder of the context."""
        return run_sync(self.agent_bay._client_op(
            "context_delete_file", OperationResult, {"context_id": context_id, "file_path": file_path}))

    def list_files(self, context_id: str, parent_folder_path: str, page_number: int = 1,
                         page_size: int = 50) -> ContextFileListResult:
        """Lists one folder of the context, a page at a time."""
        return run_sync(self.agent_bay._client_op("context_list_files", ContextFileListResult, {
            "context_id": context_id, "parent_folder_path": parent_folder_path,
            "page_number": page_number, "page_size": page_size},
            ok=lambda d: result(ContextFileListResult, d, entries=file_entries(d))))


class ContextManager:
    """The contexts mounted in one session (the official SDK's ``session.context``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def sync(self, context_id: Optional[str] = None, path: Optional[str] = None,
                   mode: Optional[str] = None) -> ContextSyncResult:
        """Syncs the session's contexts (only ``context_id`` / ``path`` if
        given) in ``mode`` "upload" (default: the session's files go to the
        context) or "download", and waits until it is done."""
        return run_sync(self.session._op("context_sync", ContextSyncResult, {
            "context_id": context_id, "path": path, "mode": mode}))

    def info(self, context_id: Optional[str] = None, path: Optional[str] = None,
                   task_type: Optional[str] = None) -> ContextInfoResult:
        """The sync tasks of the session's contexts and how they ended."""
        return run_sync(self.session._op("context_info", ContextInfoResult, {
            "context_id": context_id, "path": path, "task_type": task_type},
            ok=lambda d: result(ContextInfoResult, d, context_status_data=status_data(d))))

    def bind(self, *contexts: Any, wait_for_completion: bool = True) -> ContextBindResult:
        """Mounts more contexts (ContextSync objects) in the running session;
        with ``wait_for_completion`` returns once they are downloaded."""
        return run_sync(self.session._op("context_bind", ContextBindResult, {
            "contexts": context_syncs(list(contexts)), "wait_for_completion": wait_for_completion}))

    def list_bindings(self) -> ContextBindingsResult:
        """The contexts mounted in the session."""
        return run_sync(self.session._op("context_list_bindings", ContextBindingsResult,
                                                ok=lambda d: result(ContextBindingsResult, d,
                                                                    bindings=bindings(d))))


class FileSystem:
    """Files of one session (the official SDK's ``session.file_system``).

    Every method answers a result; a failure (a bad argument too) is
    ``success`` False with ``error_message`` and ``error_kind``, as in the
    official SDK. Large files are read and written in chunks.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def create_directory(self, path: str) -> BoolResult:
        """Creates a directory and its missing parents."""
        return run_sync(self.session._op("create_directory", BoolResult, {"path": path}))

    def delete_file(self, path: str) -> BoolResult:
        """Deletes a file or an empty directory."""
        return run_sync(self.session._op("delete_file", BoolResult, {"path": path}))

    def edit_file(self, path: str, edits: List[Dict[str, str]],
                        dry_run: bool = False) -> EditFileResult:
        """Replaces the first occurrence of each ``oldText`` with its
        ``newText``, in order; with ``dry_run`` only ``diff`` says what
        would change."""
        return run_sync(self.session._op("edit_file", EditFileResult, {
            "path": path, "edits": edits, "dry_run": dry_run}))

    def get_file_info(self, path: str) -> FileInfoResult:
        """Describes a file or directory."""
        return run_sync(self.session._op("get_file_info", FileInfoResult, {"path": path}))

    def list_directory(self, path: str) -> DirectoryListResult:
        """Lists a directory (not recursively)."""
        return run_sync(self.session._op("list_directory", DirectoryListResult, {"path": path},
                                                ok=lambda d: result(DirectoryListResult, d,
                                                                    entries=dir_entries(d))))

    def move_file(self, source: str, destination: str) -> BoolResult:
        """Moves or renames a file or directory; an existing destination is refused."""
        return run_sync(self.session._op("move_file", BoolResult, {
            "source": source, "destination": destination}))

    @overload
    def read_file(self, path: str) -> FileContentResult: ...

    @overload
    def read_file(self, path: str, *, format: Literal["text"]) -> FileContentResult: ...

    @overload
    def read_file(self, path: str, *, format: Literal["bytes"]) -> BinaryFileContentResult: ...

    def read_file(self, path: str, *, format: str = "text"
                        ) -> Union[FileContentResult, BinaryFileContentResult]:
        """Reads a file whole: its UTF-8 text, or with ``format="bytes"``
        its bytes (as the official SDK, any other format reads text)."""
        if format == "bytes":
            return run_sync(self.session._op("read_file_bytes", BinaryFileContentResult,
                                                    {"path": path}, ok=file_bytes))
        return run_sync(self.session._op("read_file", FileContentResult, {"path": path}))

    def read_multiple_files(self, paths: List[str]) -> MultipleFileContentResult:
        """Reads several text files in one call."""
        return run_sync(self.session._op("read_multiple_files", MultipleFileContentResult,
                                                {"paths": paths}))

    def search_files(self, path: str, pattern: str,
                           exclude_patterns: Optional[List[str]] = None) -> FileSearchResult:
        """Finds the paths under ``path`` whose names match ``pattern`` (a
        wildcard pattern or a part of the name), skipping ``exclude_patterns``."""
        return run_sync(self.session._op("search_files", FileSearchResult, {
            "path": path, "pattern": pattern, "exclude_patterns": exclude_patterns}))

    def write_file(self, path: str, content: str, mode: str = "overwrite") -> BoolResult:
        """Writes text to a file, creating its parent directories; ``mode`` is
        "overwrite" or "append"."""
        return run_sync(self.session._op("write_file", BoolResult, {
            "path": path, "content": content, "mode": mode}))

    def upload_file(self, local_path: str, remote_path: str, *,
                          content_type: Optional[str] = None, wait: bool = True,
                          wait_timeout: float = 30.0, poll_interval: float = 1.5,
                          progress_cb: Optional[Callable[[int], None]] = None) -> UploadResult:
        """Copies the host file ``local_path`` to ``remote_path`` in the
        session (through its file-transfer context, as the official SDK) and
        waits until it is there. ``wait=False`` and ``progress_cb`` are not
        supported (a failed result says so)."""
        return run_sync(self.session._op("upload_file", UploadResult, {
            "local_path": local_path, "remote_path": remote_path, "content_type": content_type,
            "wait": wait, "wait_timeout": wait_timeout, "poll_interval": poll_interval,
            "progress_cb": progress_cb and True}, fail=transfer_failed(UploadResult, remote_path)))

    def download_file(self, remote_path: str, local_path: str, *, overwrite: bool = True,
                            wait: bool = True, wait_timeout: float = 30.0,
                            poll_interval: float = 1.5,
                            progress_cb: Optional[Callable[[int], None]] = None) -> DownloadResult:
        """Copies ``remote_path`` of the session to the host file
        ``local_path`` (replaced atomically; refused if it exists and not
        ``overwrite``)."""
        return run_sync(self.session._op("download_file", DownloadResult, {
            "remote_path": remote_path, "local_path": local_path, "overwrite": overwrite,
            "wait": wait, "wait_timeout": wait_timeout, "poll_interval": poll_interval,
            "progress_cb": progress_cb and True}, fail=transfer_failed(DownloadResult, remote_path)))

    def get_file_change(self, path: str) -> FileChangeResult:
        """What changed under ``path`` since the previous call for it (the
        first call only takes the baseline and reports nothing)."""
        return run_sync(self._file_change(path))

    def _file_change(self, path: str) -> Any:
        return self.session._op("get_file_change", FileChangeResult, {"path": path},
                                ok=lambda d: result(FileChangeResult, d, events=file_changes(d)))

    def watch_directory(self, path: str, callback: Callable[[List[FileChangeEvent]], None],
                        interval: float = 0.5,
                        stop_event: Optional[threading.Event] = None) -> threading.Thread:
        """A thread, not started, that polls ``path`` every ``interval``
        seconds and calls ``callback`` with each batch of changes, as the
        official SDK's. Its ``ready_event`` is set once the baseline is taken
        (wait for it before changing files); setting ``stop_event`` ends it,
        and so does the session going away. A failing poll or callback is
        logged to the "agentbay" logger and the watch goes on."""
        stop = stop_event if stop_event is not None else threading.Event()
        ready = threading.Event()

        def poll() -> Optional[FileChangeResult]:
            r = run_sync(self._file_change(path))
            if not r.success:
                _log.warning("watch_directory %s: %s", path, r.error_message)
                return None if r.error_kind in ("not_found", "invalid_argument") else r
            return r

        def watch() -> None:
            first = poll()
            ready.set()
            while first is not None and not stop.wait(interval):
                r = poll()
                if r is None:
                    return
                if r.success and r.events:
                    try:
                        callback(r.events)
                    except Exception:  # noqa: BLE001 - the watch outlives a bad callback
                        _log.exception("watch_directory %s: the callback raised", path)

        thread = threading.Thread(target=watch, name=f"agentbay-watch {path}", daemon=True)
        thread.stop_event = stop  # type: ignore[attr-defined]
        thread.ready_event = ready  # type: ignore[attr-defined]
        return thread

    # The official SDK's other names for these methods.
    read = read_file
    write = write_file
    list = ls = list_directory
    delete = remove = rm = delete_file
