"""What the asynchronous and the synchronous API share.

Each API call is written once, here, as a *plan*: either a finished result
(bad input, answered before any native call) or a ``Call``, which names the
native function, its arguments, and how to turn the outcome into the
reference's result object. ``AsyncSession`` runs plans with ``await``;
``Session`` runs the same plans blocking.
"""

from __future__ import annotations

import ctypes
import json
import weakref
from dataclasses import dataclass, fields
from typing import Any, Callable, Dict, NoReturn, Optional, Type, TypeVar, Union

from . import _native
from ._native import NativeCallError, NativeError, Outcome
from .config import Config, CreateSessionParams
from .exceptions import AgentBayError, SessionError
from .results import (DeleteResult, McpTool, McpToolResult, McpToolsResult, OperationResult,
                      SessionInfo, SessionListResult, SessionPauseResult, SessionResult,
                      SessionResumeResult, SessionStatusResult)

R = TypeVar("R")

PORT_MIN, PORT_MAX = 30100, 30199
LIST_STATUSES = ("RUNNING", "PAUSING", "PAUSED", "RESUMING", "DELETING", "DELETED")


# ---- Results from outcomes -------------------------------------------------

def failed(cls: Type[R], err: NativeError) -> R:
    """The reference's failed result of type cls for a native error."""
    values: Dict[str, Any] = {"request_id": err.request_id, "success": False,
                              "error_message": err.message, "error_kind": err.kind}
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    if "code" in names:
        values["code"] = err.service_code
    if "message" in names:
        values["message"] = err.message
    if "http_status_code" in names:
        values["http_status_code"] = err.http_status
    return cls(**values)


def invalid(cls: Type[R], message: str) -> R:
    """A failed result for bad input, made without asking the library."""
    return failed(cls, NativeError(_native.AB_E_INVALID_ARGUMENT, "invalid_argument", message))


def base(d: Dict[str, Any]) -> Dict[str, Any]:
    """The fields every result JSON of the library carries."""
    return {"request_id": d.get("request_id") or "", "success": bool(d.get("success", True)),
            "error_message": d.get("error_message") or ""}


@dataclass(frozen=True)
class Call:
    """A native operation to run and how to read its outcome."""

    fn: _native.StartFn
    args: tuple
    ok: Callable[[Dict[str, Any]], Any]
    fail: Callable[[NativeError], Any]

    def failure(self, err: NativeError) -> Any:
        """The failed result for err; a stale handle is a programming error."""
        if err.kind == "invalid_handle":
            raise AgentBayError(f"{err.message} (was the client closed?)", error_kind=err.kind)
        return self.fail(err)

    def finish(self, outcome: Outcome) -> Any:
        """The result object for how the operation ended."""
        if outcome.status != _native.AB_OK:
            err = outcome.error or NativeError(outcome.status, "internal", "operation failed")
            return self.failure(err)
        return self.ok(json.loads(outcome.result_json or b"{}"))


Plan = Union[Call, Any]


async def run_async(plan: Plan) -> Any:
    """Runs a plan on the running event loop."""
    if not isinstance(plan, Call):
        return plan
    try:
        outcome = await _native.run_async(plan.fn, plan.args)
    except NativeCallError as exc:
        return plan.failure(exc.error)
    return plan.finish(outcome)


def run_sync(plan: Plan) -> Any:
    """Runs a plan, blocking this thread."""
    if not isinstance(plan, Call):
        return plan
    try:
        outcome = _native.run_sync(plan.fn, plan.args)
    except NativeCallError as exc:
        return plan.failure(exc.error)
    return plan.finish(outcome)


# ---- Input checks (the official SDK's rules and messages) ------------------

def labels_problem(labels: Any) -> Optional[str]:
    """Why labels are not acceptable to set_labels, or None if they are."""
    if labels is None:
        return "Labels cannot be null. Please provide a valid labels object."
    if isinstance(labels, (list, tuple)):
        return "Labels cannot be an array. Please provide a valid labels object."
    if not isinstance(labels, dict):
        return "Labels must be an object. Please provide a valid labels object."
    if not labels:
        return "Labels cannot be empty. Please provide at least one label."
    for key, value in labels.items():
        if not isinstance(key, str) or not key.strip():
            return "Label keys cannot be empty. Please provide valid keys."
        if not isinstance(value, str) or not value.strip():
            return "Label values cannot be empty. Please provide valid values."
    return None


def port_problem(port: Any) -> Optional[str]:
    """Why a get_link port is not acceptable, or None (None means no port)."""
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, int) or not PORT_MIN <= port <= PORT_MAX:
        return (f"Invalid port value: {port}. Port must be an integer in the range "
                f"[{PORT_MIN}, {PORT_MAX}].")
    return None


def to_json(value: Any, what: str) -> str:
    """Strict JSON (no NaN), or ValueError with a message naming what."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serialisable: {exc}") from None


def millis(seconds: float) -> int:
    """Seconds to whole milliseconds; 0 (the library's default) if not positive.

    Huge values (even infinity) are capped far beyond any real wait, so that
    they fit the library's int64 milliseconds.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        return 0
    return max(1, int(min(seconds, 1e15) * 1000))


def utf8(value: Optional[str]) -> Optional[bytes]:
    """A str argument as UTF-8 bytes for a char* parameter (None stays NULL)."""
    return None if value is None else value.encode("utf-8")


# ---- Clients ---------------------------------------------------------------

def _close_client(handle: int) -> None:
    if not _native._forked:
        _native.library().ab_client_close(handle)


class ClientCore:
    """One native client (ab_client) and the calls made on it."""

    def __init__(self, api_key: Optional[str], cfg: Optional[Config],
                 library_path: Optional[str]) -> None:
        lib = _native.load_library(library_path)
        _native.forward_logs()
        handle, err = ctypes.c_uint64(), ctypes.c_void_p()
        status = lib.ab_client_new(utf8(self._config_json(api_key, cfg)),
                                   ctypes.byref(handle), ctypes.byref(err))
        if status != _native.AB_OK:
            e = _native.take_error(status, err)
            raise AgentBayError(f"cannot create the AgentBay client: {e.message}",
                                error_kind=e.kind)
        self.handle = handle.value
        self.closed = False
        # Closes the native client if the Python object is dropped unclosed.
        self._finalizer = weakref.finalize(self, _close_client, self.handle)
        info = self._info()
        self.endpoint: str = info.get("endpoint", "")
        self.embedded: bool = bool(info.get("embedded", False))

    @staticmethod
    def _config_json(api_key: Optional[str], cfg: Optional[Config]) -> Optional[str]:
        # Only what the caller set: the library fills the rest from
        # AGENTBAY_API_KEY / AGENTBAY_ENDPOINT / AGENTBAY_TIMEOUT_MS.
        conf: Dict[str, Any] = {}
        if api_key:
            conf["api_key"] = api_key
        if cfg is not None and cfg.endpoint:
            conf["endpoint"] = cfg.endpoint
        if cfg is not None and cfg.timeout_ms:
            conf["timeout_ms"] = cfg.timeout_ms
        return json.dumps(conf) if conf else None

    def _info(self) -> Dict[str, Any]:
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _native.check(_native.library().ab_client_info(self.handle, ctypes.byref(out),
                                                       ctypes.byref(err)), err)
        return json.loads(_native.take_string(out) or "{}")

    def check_open(self) -> None:
        """Raises AgentBayError if the client is closed."""
        _native.check_usable()
        if self.closed:
            raise AgentBayError("the AgentBay client is closed", error_kind="invalid_argument")

    def close(self) -> None:
        """Closes the native client; operations in flight end as cancelled."""
        self.closed = True
        self._finalizer()

    def _call(self, name: str, args: tuple, ok: Callable[[Dict[str, Any]], Any],
              cls: Type[Any]) -> Call:
        self.check_open()
        fn = getattr(_native.library(), name)
        return Call(fn, (self.handle,) + args, ok, lambda err: failed(cls, err))

    def create(self, params: Optional[CreateSessionParams], wrap: Callable[..., Any]) -> Plan:
        """Plan of AgentBay.create; wrap(core, resource_url, image_id) makes the session."""
        self.check_open()
        params = params or CreateSessionParams()
        body = {k: v for k, v in (("labels", params.labels), ("image_id", params.image_id),
                                  ("policy_id", params.policy_id)) if v is not None}
        try:
            text = to_json(body, "labels") if body else None
        except ValueError as exc:
            return invalid(SessionResult, str(exc))
        return self._call("ab_client_create", (utf8(text),),
                          lambda d: self._session_result(d, wrap, params.image_id),
                          SessionResult)

    def get(self, session_id: str, wrap: Callable[..., Any]) -> Plan:
        """Plan of AgentBay.get."""
        self.check_open()
        if not isinstance(session_id, str) or not session_id.strip():
            return invalid(SessionResult, "session_id is required")
        return self._call("ab_client_get", (utf8(session_id),),
                          lambda d: self._session_result(d, wrap, None), SessionResult)

    def _session_result(self, d: Dict[str, Any], wrap: Callable[..., Any],
                        image_id: Optional[str]) -> SessionResult:
        handle = d.get("session_handle") or 0
        session = None
        if handle:
            core = SessionCore(self, d.get("session_id") or "", handle)
            session = wrap(core, d.get("resource_url") or "", image_id)
        return SessionResult(**base(d), session=session)

    def list(self, labels: Optional[Dict[str, str]], status: Optional[str],
             page: Optional[int], limit: Optional[int], next_token: Optional[str]) -> Plan:
        """Plan of AgentBay.list."""
        self.check_open()
        problem = self._list_problem(labels, status, page, limit)
        if problem:
            return invalid(SessionListResult, problem)
        body = {k: v for k, v in (("labels", labels), ("status", status), ("page", page),
                                  ("max_results", limit), ("next_token", next_token)) if v}
        return self._call("ab_client_list", (utf8(json.dumps(body)),),
                          self._list_result, SessionListResult)

    @staticmethod
    def _list_problem(labels: Any, status: Any, page: Any, limit: Any) -> Optional[str]:
        if labels is not None and not (isinstance(labels, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in labels.items())):
            return "Labels must be an object of strings. Please provide a valid labels object."
        if status is not None and status not in LIST_STATUSES:
            return f"Invalid status '{status}'. Must be one of: {', '.join(LIST_STATUSES)}"
        for name, value in (("page", page), ("limit", limit)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                return f"{name} must be a positive integer, got {value!r}"
        return None

    @staticmethod
    def _list_result(d: Dict[str, Any]) -> SessionListResult:
        ids = [{"sessionId": s.get("session_id", ""), "sessionStatus": s.get("status") or "UNKNOWN"}
               for s in d.get("session_ids") or []]
        return SessionListResult(**base(d), session_ids=ids, next_token=d.get("next_token") or "",
                                 max_results=int(d.get("max_results") or 0),
                                 total_count=int(d.get("total_count") or 0))

    def delete(self, session_id: str, sync_context: bool) -> Plan:
        """Plan of AgentBay.delete: a failed DeleteResult rather than an exception."""
        return self._call("ab_client_delete", (utf8(session_id), int(bool(sync_context))),
                          lambda d: DeleteResult(**base(d)), DeleteResult)


# ---- Sessions --------------------------------------------------------------

def _free_session(handle: int) -> None:
    if not _native._forked:
        _native.library().ab_session_free(handle)


def _session_error(err: NativeError) -> NoReturn:
    raise SessionError(f"Failed to delete session: {err.message}", error_kind=err.kind,
                       request_id=err.request_id)


class SessionCore:
    """One native session handle (ab_session) and the calls made on it."""

    def __init__(self, client: ClientCore, session_id: str, handle: int = 0) -> None:
        client.check_open()
        if not handle:
            out, err = ctypes.c_uint64(), ctypes.c_void_p()
            status = _native.library().ab_session_new(client.handle, utf8(session_id),
                                                      ctypes.byref(out), ctypes.byref(err))
            if status != _native.AB_OK:
                e = _native.take_error(status, err)
                raise AgentBayError(f"cannot make a session object: {e.message}",
                                    error_kind=e.kind)
            handle = out.value
        self.client = client
        self.session_id = session_id
        self.handle = handle
        self._finalizer = weakref.finalize(self, _free_session, handle)

    def _call(self, name: str, args: tuple, ok: Callable[[Dict[str, Any]], Any],
              cls: Type[Any], fail: Optional[Callable[[NativeError], Any]] = None) -> Call:
        self.client.check_open()
        fn = getattr(_native.library(), name)
        return Call(fn, (self.handle,) + args, ok, fail or (lambda err: failed(cls, err)))

    def delete(self, sync_context: bool) -> Plan:
        """Plan of delete: raises SessionError when it fails, as the reference says."""
        return self._call("ab_session_delete", (int(bool(sync_context)),),
                          lambda d: DeleteResult(**base(d)), DeleteResult, _session_error)

    def set_labels(self, labels: Any) -> Plan:
        """Plan of set_labels; labels are checked here with the official messages."""
        self.client.check_open()
        problem = labels_problem(labels)
        if problem:
            return invalid(OperationResult, problem)
        return self._call("ab_session_set_labels", (utf8(json.dumps(labels)),),
                          lambda d: OperationResult(**base(d)), OperationResult)

    def get_labels(self) -> Plan:
        """Plan of get_labels: data is the labels dict."""
        return self._call("ab_session_get_labels", (),
                          lambda d: OperationResult(**base(d), data=d.get("data") or {}),
                          OperationResult)

    def info(self) -> Plan:
        """Plan of info: data is a SessionInfo."""
        names = {f.name for f in fields(SessionInfo)}

        def ok(d: Dict[str, Any]) -> OperationResult:
            data = d.get("data") or {}
            info = SessionInfo(**{k: str(v) for k, v in data.items() if k in names})
            return OperationResult(**base(d), data=info)
        return self._call("ab_session_info", (), ok, OperationResult)

    def get_link(self, protocol_type: Optional[str], port: Optional[int],
                 options: Optional[str]) -> Plan:
        """Plan of get_link: data is the URL."""
        self.client.check_open()
        problem = port_problem(port)
        if problem:
            return invalid(OperationResult, problem)
        return self._call("ab_session_get_link", (utf8(protocol_type), port or 0, utf8(options)),
                          lambda d: OperationResult(**base(d), data=d.get("data") or ""),
                          OperationResult)

    def list_mcp_tools(self, image_id: Optional[str]) -> Plan:
        """Plan of list_mcp_tools."""
        def ok(d: Dict[str, Any]) -> McpToolsResult:
            tools = [McpTool(name=t.get("name") or "", description=t.get("description") or "",
                             input_schema=t.get("input_schema") or {},
                             server=t.get("server") or "", tool=t.get("tool") or "")
                     for t in d.get("tools") or []]
            return McpToolsResult(**base(d), tools=tools)
        return self._call("ab_session_list_mcp_tools", (utf8(image_id),), ok, McpToolsResult)

    def call_mcp_tool(self, tool_name: str, args: Any, read_timeout: Optional[int],
                      connect_timeout: Optional[int], auto_gen_session: bool) -> Plan:
        """Plan of call_mcp_tool; timeouts are in milliseconds."""
        self.client.check_open()
        if not isinstance(tool_name, str) or not tool_name.strip():
            return invalid(McpToolResult, "tool_name is required")
        if not isinstance(args, dict):
            return invalid(McpToolResult, f"args must be a dict, got {type(args).__name__}")
        try:
            text = to_json(args, "args")
        except ValueError as exc:
            return invalid(McpToolResult, str(exc))
        return self._call("ab_session_call_mcp_tool",
                          (utf8(tool_name), utf8(text), max(0, read_timeout or 0),
                           max(0, connect_timeout or 0), int(bool(auto_gen_session))),
                          lambda d: McpToolResult(**base(d), data=d.get("data") or ""),
                          McpToolResult)

    def _status_call(self, name: str, args: tuple, cls: Type[Any]) -> Call:
        return self._call(name, args, lambda d: cls(**base(d), status=d.get("status") or ""), cls)

    def pause(self, timeout: float, poll_interval: float) -> Plan:
        """Plan of pause: waits for PAUSED (timeouts in seconds)."""
        return self._status_call("ab_session_pause", (millis(timeout), millis(poll_interval)),
                                 SessionPauseResult)

    def pause_async(self) -> Plan:
        """Plan of pause_async: starts pausing without waiting."""
        return self._status_call("ab_session_pause_async", (), SessionPauseResult)

    def resume(self, timeout: float, poll_interval: float) -> Plan:
        """Plan of resume: waits for RUNNING (timeouts in seconds)."""
        return self._status_call("ab_session_resume", (millis(timeout), millis(poll_interval)),
                                 SessionResumeResult)

    def resume_async(self) -> Plan:
        """Plan of resume_async: starts resuming without waiting."""
        return self._status_call("ab_session_resume_async", (), SessionResumeResult)

    def get_status(self) -> Plan:
        """Plan of get_status."""
        return self._status_call("ab_session_get_status", (), SessionStatusResult)
