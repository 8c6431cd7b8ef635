"""The asynchronous API: AsyncAgentBay and AsyncSession, as in the reference."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional

from ._core import ClientCore, SessionCore, run_async
from .config import Config, CreateSessionParams
from .exceptions import AgentBayError
from .results import (DeleteResult, McpToolResult, McpToolsResult, OperationResult,
                      SessionListResult, SessionPauseResult, SessionResult,
                      SessionResumeResult, SessionStatusResult)


class AsyncAgentBay:
    """A client of AgentBay for asyncio code: creates, finds, lists and deletes sessions.

    With no API key and no endpoint (no argument, no AGENTBAY_API_KEY, no
    AGENTBAY_ENDPOINT) sessions run on the embedded local backend, started
    inside this process. Close the client with ``close()``/``aclose()`` or
    ``async with``; that cancels its operations in flight.

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
        self._core = ClientCore(api_key, cfg, env_file, library_path)

    @property
    def endpoint(self) -> str:
        """The URL the client talks to (the local one when embedded)."""
        return self._core.endpoint

    @property
    def embedded(self) -> bool:
        """True when sessions run on the embedded local backend."""
        return self._core.embedded

    def _wrap(self, core: SessionCore, resource_url: str, image_id: Optional[str]) -> "AsyncSession":
        return AsyncSession._from_core(self, core, resource_url, image_id)

    async def create(self, params: Optional[CreateSessionParams] = None) -> SessionResult:
        """Creates a session; ``result.session`` is an AsyncSession.

        A failure, including bad or unsupported params, gives a failed result.
        """
        return await run_async(self._core.create(params, self._wrap))

    async def get(self, session_id: str) -> SessionResult:
        """Finds an existing session by id (a failed result if there is none)."""
        return await run_async(self._core.get(session_id, self._wrap))

    async def list(self, labels: Optional[Dict[str, str]] = None, page: Optional[int] = None,
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
        return await run_async(self._core.list(labels, page, limit, status, next_token))

    async def delete(self, session: "AsyncSession", sync_context: bool = False) -> DeleteResult:
        """Deletes a session and waits until it is gone (a failed result if it cannot)."""
        return await run_async(self._core.delete(session, sync_context))

    def close(self) -> None:
        """Closes the client: operations in flight end with error_kind "cancelled",
        later calls raise AgentBayError, an embedded backend stops. Idempotent."""
        self._core.close()

    async def aclose(self) -> None:
        """Closes the client without blocking the event loop (see close)."""
        await asyncio.to_thread(self._core.close)

    async def __aenter__(self) -> "AsyncAgentBay":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()


class AsyncSession:
    """One AgentBay session (a sandbox), with the AsyncSession API of the reference.

    Sessions normally come from ``AsyncAgentBay.create`` or ``get``;
    ``AsyncSession(agent_bay, session_id)`` makes one for a known id without
    asking the service (AgentBayError if the arguments are not an open
    AsyncAgentBay and a non-blank str).

    As in the official SDK, failures give results with ``success=False``,
    except that ``set_labels``, ``get_labels``, ``get_link`` and ``info``
    raise SessionError as described on each.

    Attributes:
        agent_bay: the client the session belongs to.
        session_id: the session's id.
        resource_url: the browser-viewable URL given at creation ("" otherwise).
        image_id: the image the session was created with, if known.
    """

    def __init__(self, agent_bay: AsyncAgentBay, session_id: str) -> None:
        if not isinstance(agent_bay, AsyncAgentBay):
            raise AgentBayError(f"agent_bay must be an AsyncAgentBay, got "
                                f"{type(agent_bay).__name__}", error_kind="invalid_argument")
        self._attach(agent_bay, SessionCore(agent_bay._core, session_id), "", None)

    @classmethod
    def _from_core(cls, agent_bay: AsyncAgentBay, core: SessionCore, resource_url: str,
                   image_id: Optional[str]) -> "AsyncSession":
        session = cls.__new__(cls)
        session._attach(agent_bay, core, resource_url, image_id)
        return session

    def _attach(self, agent_bay: AsyncAgentBay, core: SessionCore, resource_url: str,
                image_id: Optional[str]) -> None:
        self.agent_bay = agent_bay
        self.session_id = core.session_id
        self.resource_url = resource_url
        self.image_id = image_id
        self._core = core

    def __repr__(self) -> str:
        return f"AsyncSession(session_id={self.session_id!r})"

    async def delete(self, sync_context: bool = False) -> DeleteResult:
        """Deletes this session and waits until it is gone.

        Args:
            sync_context: upload context data before deleting.

        Returns:
            DeleteResult: failed (``error_kind`` says why) if the session
            could not be deleted. The official SDK's documentation says this
            raises SessionError, but the official SDK returns the failed
            result, and so does this package.
        """
        return await run_async(self._core.delete(sync_context))

    async def set_labels(self, labels: Dict[str, str]) -> OperationResult:
        """Replaces the session's labels (a non-empty dict of non-blank strings).

        Labels that are None, not a dict, empty, or have a blank key or value
        give a failed result.

        Raises:
            SessionError: the service refused (e.g. a value that is not a str,
                or the session is gone).
        """
        return await run_async(self._core.set_labels(labels))

    async def get_labels(self) -> OperationResult:
        """Reads the session's labels: ``result.data`` is a dict.

        Raises:
            SessionError: the service refused (e.g. the session is gone).
        """
        return await run_async(self._core.get_labels())

    async def info(self) -> OperationResult:
        """Describes the session's resource: ``result.data`` is a SessionInfo.

        An unknown session gives a failed result.

        Raises:
            SessionError: any other failure.
        """
        return await run_async(self._core.info())

    async def get_link(self, protocol_type: Optional[str] = None, port: Optional[int] = None,
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
        return await run_async(self._core.get_link(protocol_type, port, options))

    async def list_mcp_tools(self, image_id: Optional[str] = None) -> McpToolsResult:
        """Lists the MCP tools of ``image_id`` (default: the session's image).

        A failure gives a failed result with no tools.
        """
        return await run_async(self._core.list_mcp_tools(image_id))

    async def call_mcp_tool(self, tool_name: str, args: Dict[str, Any],
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
        return await run_async(self._core.call_mcp_tool(tool_name, args, read_timeout,
                                                        connect_timeout, auto_gen_session))

    async def pause(self, timeout: int = 600, poll_interval: float = 2.0) -> SessionPauseResult:
        """Pauses the session and waits until it is PAUSED.

        Args:
            timeout: how long to wait, in seconds (a positive number).
            poll_interval: the longest pause between status checks, in seconds
                (the library checks sooner at first, so quick pauses return quickly).
        """
        return await run_async(self._core.pause(timeout, poll_interval))

    async def pause_async(self) -> SessionPauseResult:
        """Starts pausing the session without waiting for PAUSED."""
        return await run_async(self._core.pause_async())

    async def resume(self, timeout: int = 600, poll_interval: float = 2.0) -> SessionResumeResult:
        """Resumes the session and waits until it is RUNNING (arguments as for pause)."""
        return await run_async(self._core.resume(timeout, poll_interval))

    async def resume_async(self) -> SessionResumeResult:
        """Starts resuming the session without waiting for RUNNING."""
        return await run_async(self._core.resume_async())

    async def get_status(self) -> SessionStatusResult:
        """Reads the session's status, e.g. "RUNNING" or "PAUSED"."""
        return await run_async(self._core.get_status())

    # The names SDK releases from 0.15 on give these methods, so that code
    # written for them runs too.
    beta_pause = pause
    beta_pause_async = pause_async
    beta_resume = resume
    beta_resume_async = resume_async
