"""The blocking API: AgentBay and Session, with the methods of the asynchronous API.

Each method blocks the calling thread until its operation completes; Ctrl-C
cancels the operation and raises KeyboardInterrupt.

Generated from _async.py by tools/gen_sync.py: do not edit.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ._core import (ClientBase, SessionBase, command_failed, raises, result, run_sync,
                    session_info, tools)
from .config import Config, CreateSessionParams
from .results import (CommandResult, DeleteResult, McpToolResult, McpToolsResult, OperationResult,
                      SessionListResult, SessionPauseResult, SessionResult,
                      SessionResumeResult, SessionStatusResult)


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

    def delete(self, sync_context: bool = False) -> DeleteResult:
        """Deletes this session and waits until it is gone.

        Args:
            sync_context: upload context data before deleting.

        Returns:
            DeleteResult: failed (``error_kind`` says why) if the session
            could not be deleted. The official SDK's documentation says this
            raises SessionError, but the official SDK returns the failed
            result, and so does this package.
        """
        return run_sync(self._op("delete", DeleteResult, {"sync_context": sync_context}))

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

    def pause(self, timeout: int = 600, poll_interval: float = 2.0) -> SessionPauseResult:
        """Pauses the session and waits until it is PAUSED.

        Args:
            timeout: how long to wait, in seconds (a positive number).
            poll_interval: the longest pause between status checks, in seconds
                (the library checks sooner at first, so quick pauses return quickly).
        """
        return run_sync(self._op("pause", SessionPauseResult, {
            "timeout": timeout, "poll_interval": poll_interval}))

    def pause_async(self) -> SessionPauseResult:
        """Starts pausing the session without waiting for PAUSED."""
        return run_sync(self._op("pause_async", SessionPauseResult))

    def resume(self, timeout: int = 600, poll_interval: float = 2.0) -> SessionResumeResult:
        """Resumes the session and waits until it is RUNNING (arguments as for pause)."""
        return run_sync(self._op("resume", SessionResumeResult, {
            "timeout": timeout, "poll_interval": poll_interval}))

    def resume_async(self) -> SessionResumeResult:
        """Starts resuming the session without waiting for RUNNING."""
        return run_sync(self._op("resume_async", SessionResumeResult))

    def get_status(self) -> SessionStatusResult:
        """Reads the session's status, e.g. "RUNNING" or "PAUSED"."""
        return run_sync(self._op("get_status", SessionStatusResult))

    @property
    def command(self) -> "Command":
        """The session's shell commands, as the official SDK's ``session.command``."""
        return Command(self)

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
                              envs: Optional[Dict[str, str]] = None) -> CommandResult:
        """Runs a shell command and waits for it to end.

        Args:
            command: the command, run by the session's shell.
            timeout_ms: time limit in milliseconds (at most 50000, as the
                official SDKs send; the command is killed when it is reached).
            cwd: the working directory (None: the session's home).
            envs: extra environment variables, all str.

        Returns:
            CommandResult: ``success`` False on a non-zero exit or a failure.

        Raises:
            ValueError: ``envs`` has a key or value that is not a str, as in
                the official SDK.
        """
        return run_sync(self.session._op("execute_command", CommandResult, {
            "command": command, "timeout_ms": timeout_ms, "cwd": cwd, "envs": envs},
            fail=command_failed))
