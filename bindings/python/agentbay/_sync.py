"""The synchronous API: AgentBay and Session, over the same native operations.

Each method blocks the calling thread until its operation completes; Ctrl-C
cancels the operation and raises KeyboardInterrupt.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ._core import ClientCore, SessionCore, run_sync
from .config import Config, CreateSessionParams
from .exceptions import AgentBayError
from .results import (DeleteResult, McpToolResult, McpToolsResult, OperationResult,
                      SessionListResult, SessionPauseResult, SessionResult,
                      SessionResumeResult, SessionStatusResult)


class AgentBay:
    """A blocking client of AgentBay; see AsyncAgentBay for the arguments.

    Use it with ``with`` or call ``close()`` when done.
    """

    def __init__(self, api_key: str = "", cfg: Optional[Config] = None,
                 env_file: Optional[str] = None, *, library_path: Optional[str] = None) -> None:
        self._core = ClientCore(api_key, cfg, env_file, library_path)

    @property
    def endpoint(self) -> str:
        """The URL the client talks to (the local one when embedded)."""
        return self._core.endpoint

    @property
    def embedded(self) -> bool:
        """True when sessions run on the embedded local backend."""
        return self._core.embedded

    def _wrap(self, core: SessionCore, resource_url: str, image_id: Optional[str]) -> "Session":
        return Session._from_core(self, core, resource_url, image_id)

    def create(self, params: Optional[CreateSessionParams] = None) -> SessionResult:
        """Creates a session; ``result.session`` is a Session."""
        return run_sync(self._core.create(params, self._wrap))

    def get(self, session_id: str) -> SessionResult:
        """Finds an existing session by id."""
        return run_sync(self._core.get(session_id, self._wrap))

    def list(self, labels: Optional[Dict[str, str]] = None, page: Optional[int] = None,
             limit: Optional[int] = None, status: Optional[str] = None, *,
             next_token: Optional[str] = None) -> SessionListResult:
        """Lists sessions; see AsyncAgentBay.list."""
        return run_sync(self._core.list(labels, page, limit, status, next_token))

    def delete(self, session: "Session", sync_context: bool = False) -> DeleteResult:
        """Deletes a session (a failed DeleteResult if it cannot)."""
        return run_sync(self._core.delete(session, sync_context))

    def close(self) -> None:
        """Closes the client (see AsyncAgentBay.close). Idempotent."""
        self._core.close()

    def __enter__(self) -> "AgentBay":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class Session:
    """One AgentBay session with blocking methods; see AsyncSession for each,
    including which failures raise SessionError.

    Attributes:
        agent_bay: the client the session belongs to.
        session_id: the session's id.
        resource_url: the browser-viewable URL given at creation ("" otherwise).
        image_id: the image the session was created with, if known.
    """

    def __init__(self, agent_bay: AgentBay, session_id: str) -> None:
        if not isinstance(agent_bay, AgentBay):
            raise AgentBayError(f"agent_bay must be an AgentBay, got {type(agent_bay).__name__}",
                                error_kind="invalid_argument")
        self._attach(agent_bay, SessionCore(agent_bay._core, session_id), "", None)

    @classmethod
    def _from_core(cls, agent_bay: AgentBay, core: SessionCore, resource_url: str,
                   image_id: Optional[str]) -> "Session":
        session = cls.__new__(cls)
        session._attach(agent_bay, core, resource_url, image_id)
        return session

    def _attach(self, agent_bay: AgentBay, core: SessionCore, resource_url: str,
                image_id: Optional[str]) -> None:
        self.agent_bay = agent_bay
        self.session_id = core.session_id
        self.resource_url = resource_url
        self.image_id = image_id
        self._core = core

    def __repr__(self) -> str:
        return f"Session(session_id={self.session_id!r})"

    def delete(self, sync_context: bool = False) -> DeleteResult:
        """Deletes this session (a failed DeleteResult if it cannot)."""
        return run_sync(self._core.delete(sync_context))

    def set_labels(self, labels: Dict[str, str]) -> OperationResult:
        """Replaces the session's labels (SessionError if the service refuses)."""
        return run_sync(self._core.set_labels(labels))

    def get_labels(self) -> OperationResult:
        """Reads the session's labels: ``result.data`` is a dict (SessionError on failure)."""
        return run_sync(self._core.get_labels())

    def info(self) -> OperationResult:
        """Describes the session's resource: ``result.data`` is a SessionInfo
        (SessionError on failures other than an unknown session)."""
        return run_sync(self._core.info())

    def get_link(self, protocol_type: Optional[str] = None, port: Optional[int] = None,
                 options: Optional[str] = None) -> OperationResult:
        """Gets a URL reaching the session (port in 30100-30199, else SessionError)."""
        return run_sync(self._core.get_link(protocol_type, port, options))

    def list_mcp_tools(self, image_id: Optional[str] = None) -> McpToolsResult:
        """Lists the MCP tools of the session's image."""
        return run_sync(self._core.list_mcp_tools(image_id))

    def call_mcp_tool(self, tool_name: str, args: Dict[str, Any],
                      read_timeout: Optional[int] = None, connect_timeout: Optional[int] = None,
                      auto_gen_session: bool = False) -> McpToolResult:
        """Calls an MCP tool: ``result.data`` is its text output (timeouts in ms)."""
        return run_sync(self._core.call_mcp_tool(tool_name, args, read_timeout,
                                                 connect_timeout, auto_gen_session))

    def pause(self, timeout: int = 600, poll_interval: float = 2.0) -> SessionPauseResult:
        """Pauses the session and waits until it is PAUSED (seconds)."""
        return run_sync(self._core.pause(timeout, poll_interval))

    def pause_async(self) -> SessionPauseResult:
        """Starts pausing the session without waiting."""
        return run_sync(self._core.pause_async())

    def resume(self, timeout: int = 600, poll_interval: float = 2.0) -> SessionResumeResult:
        """Resumes the session and waits until it is RUNNING (seconds)."""
        return run_sync(self._core.resume(timeout, poll_interval))

    def resume_async(self) -> SessionResumeResult:
        """Starts resuming the session without waiting."""
        return run_sync(self._core.resume_async())

    def get_status(self) -> SessionStatusResult:
        """Reads the session's status."""
        return run_sync(self._core.get_status())

    # The names SDK releases from 0.15 on give these methods, so that code
    # written for them runs too.
    beta_pause = pause
    beta_pause_async = pause_async
    beta_resume = resume
    beta_resume_async = resume_async
