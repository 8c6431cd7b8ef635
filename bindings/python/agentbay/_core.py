"""What the asynchronous and the synchronous API share.

Each API call is written once, here, as a *plan*: either a finished result
(bad input, answered before any native call) or a ``Call``, which names the
native function, its arguments, and how to turn the outcome into the
official SDK's result object (or SessionError, where the official SDK
raises). ``AsyncSession`` runs plans with ``await``; ``Session`` runs the
same plans blocking.
"""

from __future__ import annotations

import ctypes
import functools
import json
import math
import weakref
from dataclasses import dataclass, fields, replace
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
MAX_MILLIS = 10 ** 12  # 31 years: beyond any real wait, and within int64 nanoseconds


# ---- Results from outcomes -------------------------------------------------

def failed(cls: Type[R], err: NativeError) -> R:
    """The official SDK's failed result of type cls for a native error."""
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


def unsupported(cls: Type[R], message: str) -> R:
    """A failed result for something the official SDK does that this package does not."""
    return failed(cls, NativeError(_native.AB_E_UNSUPPORTED, "unsupported", message))


def raise_session_error(prefix: str) -> Callable[[NativeError], NoReturn]:
    """A failure handler that raises SessionError, as the official SDK does."""
    def fail(err: NativeError) -> NoReturn:
        raise SessionError(f"{prefix}: {err.message}", error_kind=err.kind,
                           request_id=err.request_id) from None
    return fail


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


# ---- Arguments -------------------------------------------------------------
#
# Every argument is checked and converted here before it reaches ctypes, so
# that a wrong type, a NUL inside a string (C would cut the string there),
# text that is not valid Unicode or a number too big for int64 gives a
# clear message instead of a ctypes error or a silently different request.

class BadInput(ValueError):
    """An argument that cannot be passed to the library; the message says why."""


def checked(cls: Type[Any]) -> Callable[[Callable[..., Plan]], Callable[..., Plan]]:
    """Makes a plan method answer a failed cls result for BadInput."""
    def decorate(method: Callable[..., Plan]) -> Callable[..., Plan]:
        @functools.wraps(method)
        def plan(*args: Any) -> Plan:
            try:
                return method(*args)
            except BadInput as exc:
                return invalid(cls, str(exc))
        return plan
    return decorate


def c_text(value: Any, name: str) -> Optional[bytes]:
    """A str argument (or None) as UTF-8 for a char* parameter."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{name} must be a str, got {type(value).__name__}")
    if "\0" in value:
        raise BadInput(f"{name} must not contain NUL characters")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadInput(f"{name} is not valid Unicode text: {exc.reason}") from None


def c_id(value: Any, name: str) -> bytes:
    """A required, non-blank str argument (a session id, a tool name)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadInput(f"{name} is required")
    return c_text(value, name) or b""


def c_json(value: Any, name: str) -> bytes:
    """Strict JSON (no NaN), UTF-8 encoded."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:  # incl. UnicodeEncodeError
        raise BadInput(f"{name} must be JSON-serialisable: {exc}") from None


def check_labels(labels: Any, name: str) -> None:
    """Labels used as a filter or at creation must be a dict of str to str."""
    if not isinstance(labels, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise BadInput(f"{name} must be a dict of str to str")


def is_real(value: Any) -> bool:
    """True for an int or float that is not a bool and not NaN."""
    if isinstance(value, float):
        return not math.isnan(value)
    return isinstance(value, int) and not isinstance(value, bool)


def c_millis(value: Any, name: str) -> int:
    """An optional time limit in milliseconds; None or 0 is the default (0)."""
    if value is None:
        return 0
    if not is_real(value) or value < 0:
        raise BadInput(f"{name} must be a number of milliseconds >= 0, got {value!r}")
    return math.ceil(min(value, MAX_MILLIS))


def c_seconds(value: Any, name: str) -> int:
    """A positive number of seconds as whole milliseconds (at least 1)."""
    if not is_real(value) or value <= 0:
        raise BadInput(f"{name} must be a positive number of seconds, got {value!r}")
    return max(1, math.ceil(min(value * 1000, MAX_MILLIS)))


def labels_problem(labels: Any) -> Optional[str]:
    """Why set_labels refuses labels without asking the service (the
    official SDK's checks), or None. Other problems, such as a value that
    is not a str, are the service's to report."""
    if not isinstance(labels, (dict, list)):
        return ("Labels cannot be null, undefined, or invalid type. "
                "Please provide a valid labels object.")
    if isinstance(labels, list):
        return "Labels cannot be an array. Please provide a valid labels object."
    if not labels:
        return "Labels cannot be empty. Please provide at least one label."
    for key, value in labels.items():
        if not key or (isinstance(key, str) and not key.strip()):
            return "Label keys cannot be empty. Please provide valid keys."
        if value is None or (isinstance(value, str) and not value.strip()):
            return "Label values cannot be empty. Please provide valid values."
    return None


def port_problem(port: Any) -> Optional[str]:
    """Why a get_link port is refused, or None (None means no port)."""
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, int) or not PORT_MIN <= port <= PORT_MAX:
        return (f"Invalid port value: {port}. Port must be an integer in the range "
                f"[{PORT_MIN}, {PORT_MAX}].")
    return None


# ---- Clients ---------------------------------------------------------------

def _close_client(handle: int) -> None:
    if not _native._forked:
        _native.library().ab_client_close(handle)


class ClientCore:
    """One native client (ab_client) and the calls made on it."""

    def __init__(self, api_key: Optional[str], cfg: Optional[Config], env_file: Optional[str],
                 library_path: Optional[str]) -> None:
        config = self._config_json(api_key, cfg, env_file)
        lib = _native.load_library(library_path)
        _native.forward_logs()
        handle, err = ctypes.c_uint64(), ctypes.c_void_p()
        status = lib.ab_client_new(config, ctypes.byref(handle), ctypes.byref(err))
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
    def _config_json(api_key: Any, cfg: Any, env_file: Any) -> Optional[bytes]:
        # Only what the caller set: the library fills the rest from
        # AGENTBAY_API_KEY / AGENTBAY_ENDPOINT / AGENTBAY_TIMEOUT_MS.
        if env_file is not None:
            raise AgentBayError("env_file is not supported: set AGENTBAY_API_KEY and "
                                "AGENTBAY_ENDPOINT in the environment instead",
                                error_kind="unsupported")
        if cfg is not None and not isinstance(cfg, Config):
            raise AgentBayError(f"cfg must be an agentbay.Config, got {type(cfg).__name__}",
                                error_kind="invalid_argument")
        if cfg is not None and cfg.region_id:
            raise AgentBayError("Config.region_id is not supported", error_kind="unsupported")
        conf = {k: v for k, v in (("api_key", api_key),
                                  ("endpoint", cfg and cfg.endpoint),
                                  ("timeout_ms", cfg and cfg.timeout_ms)) if v}
        try:
            return c_json(conf, "the configuration") if conf else None
        except BadInput as exc:
            raise AgentBayError(str(exc), error_kind="invalid_argument") from None

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

    @checked(SessionResult)
    def create(self, params: Any, wrap: Callable[..., Any]) -> Plan:
        """Plan of AgentBay.create; wrap(core, resource_url, image_id) makes the session."""
        params = CreateSessionParams() if params is None else params
        if not isinstance(params, CreateSessionParams):
            raise BadInput(f"params must be an agentbay.CreateSessionParams, "
                           f"got {type(params).__name__}")
        problem = self._unsupported(params)
        if problem:
            return unsupported(SessionResult, problem)
        if params.labels is not None:
            check_labels(params.labels, "labels")
        c_text(params.image_id, "image_id")
        c_text(params.policy_id, "policy_id")
        body = {"labels": params.labels, "image_id": params.image_id,
                "policy_id": params.policy_id}
        text = c_json({k: v for k, v in body.items() if v}, "params")
        return self._call("ab_client_create", (text,),
                          lambda d: self._session_result(d, wrap, params.image_id),
                          SessionResult)

    @staticmethod
    def _unsupported(params: CreateSessionParams) -> Optional[str]:
        for name, fine in (("context_syncs", not params.context_syncs),
                           ("browser_context", params.browser_context is None),
                           ("is_vpc", not params.is_vpc),
                           ("enable_browser_replay", params.enable_browser_replay in (None, True)),
                           ("extra_configs", params.extra_configs is None)):
            if not fine:
                return f"CreateSessionParams.{name}={getattr(params, name)!r} is not supported"
        return None

    @checked(SessionResult)
    def get(self, session_id: Any, wrap: Callable[..., Any]) -> Plan:
        """Plan of AgentBay.get."""
        return self._call("ab_client_get", (c_id(session_id, "session_id"),),
                          lambda d: self._session_result(d, wrap, None), SessionResult)

    def _session_result(self, d: Dict[str, Any], wrap: Callable[..., Any],
                        image_id: Optional[str]) -> SessionResult:
        handle = d.get("session_handle") or 0
        session = None
        if handle:
            core = SessionCore(self, d.get("session_id") or "", handle)
            session = wrap(core, d.get("resource_url") or "", image_id)
        return SessionResult(**base(d), session=session)

    @checked(SessionListResult)
    def list(self, labels: Any, page: Any, limit: Any, status: Any, next_token: Any) -> Plan:
        """Plan of AgentBay.list; a limit of None or 0 is the service's default."""
        if status is not None and status not in LIST_STATUSES:
            raise BadInput(f"Invalid status '{status}'. Must be one of: {', '.join(LIST_STATUSES)}")
        if page is not None and (isinstance(page, bool) or not isinstance(page, int)):
            raise BadInput(f"page must be an int, got {page!r}")
        if page is not None and page < 1:
            raise BadInput(f"Cannot reach page {page}: Page number must be >= 1")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 0):
            raise BadInput(f"limit must be an int >= 0, got {limit!r}")
        if labels is not None:
            check_labels(labels, "labels")
        c_text(next_token, "next_token")
        body = {"labels": labels, "status": status, "page": page, "max_results": limit,
                "next_token": next_token}
        return self._call("ab_client_list", (c_json({k: v for k, v in body.items() if v},
                                                    "the list filter"),),
                          self._list_result, SessionListResult)

    @staticmethod
    def _list_result(d: Dict[str, Any]) -> SessionListResult:
        ids = [{"sessionId": s.get("session_id", ""), "sessionStatus": s.get("status") or "UNKNOWN"}
               for s in d.get("session_ids") or []]
        return SessionListResult(**base(d), session_ids=ids, next_token=d.get("next_token") or "",
                                 max_results=int(d.get("max_results") or 0),
                                 total_count=int(d.get("total_count") or 0))

    @checked(DeleteResult)
    def delete(self, session: Any, sync_context: Any) -> Plan:
        """Plan of AgentBay.delete: a failed DeleteResult rather than an exception."""
        session_id = getattr(session, "session_id", None)
        if not isinstance(session_id, str):
            raise BadInput(f"session must be a session object, got {type(session).__name__}")
        return self._call("ab_client_delete",
                          (c_id(session_id, "session_id"), int(bool(sync_context))),
                          lambda d: DeleteResult(**base(d)), DeleteResult)


# ---- Sessions --------------------------------------------------------------

def _free_session(handle: int) -> None:
    if not _native._forked:
        _native.library().ab_session_free(handle)


class SessionCore:
    """One native session handle (ab_session) and the calls made on it.

    Failures follow the official SDK: a failed result, except where noted
    that it raises SessionError.
    """

    def __init__(self, client: ClientCore, session_id: Any, handle: int = 0) -> None:
        client.check_open()
        if not handle:
            try:
                c_session_id = c_id(session_id, "session_id")
            except BadInput as exc:
                raise AgentBayError(str(exc), error_kind="invalid_argument") from None
            out, err = ctypes.c_uint64(), ctypes.c_void_p()
            status = _native.library().ab_session_new(client.handle, c_session_id,
                                                      ctypes.byref(out), ctypes.byref(err))
            if status != _native.AB_OK:
                e = _native.take_error(status, err)
                raise AgentBayError(f"cannot make a session object: {e.message}",
                                    error_kind=e.kind)
            handle = out.value
        self.client = client
        self.session_id: str = session_id
        self.handle = handle
        self._finalizer = weakref.finalize(self, _free_session, handle)

    def _call(self, name: str, args: tuple, ok: Callable[[Dict[str, Any]], Any],
              cls: Type[Any], fail: Optional[Callable[[NativeError], Any]] = None) -> Call:
        self.client.check_open()
        fn = getattr(_native.library(), name)
        return Call(fn, (self.handle,) + args, ok, fail or (lambda err: failed(cls, err)))

    def delete(self, sync_context: Any) -> Plan:
        """Plan of delete: a failed DeleteResult when it fails (the official
        SDK's documentation says it raises SessionError, but it never does)."""
        return self._call("ab_session_delete", (int(bool(sync_context)),),
                          lambda d: DeleteResult(**base(d)), DeleteResult)

    def set_labels(self, labels: Any) -> Plan:
        """Plan of set_labels: a failed result for labels the official SDK
        refuses itself; raises SessionError when the service refuses."""
        problem = labels_problem(labels)
        if problem:
            return invalid(OperationResult, problem)
        prefix = f"Failed to set labels for session {self.session_id}"
        try:
            text = c_json(labels, "labels")
        except BadInput as exc:
            raise SessionError(f"{prefix}: {exc}", error_kind="invalid_argument") from None
        return self._call("ab_session_set_labels", (text,),
                          lambda d: OperationResult(**base(d)), OperationResult,
                          raise_session_error(prefix))

    def get_labels(self) -> Plan:
        """Plan of get_labels: data is the labels dict; raises SessionError on failure."""
        return self._call("ab_session_get_labels", (),
                          lambda d: OperationResult(**base(d), data=d.get("data") or {}),
                          OperationResult,
                          raise_session_error(f"Failed to get labels for session "
                                              f"{self.session_id}"))

    def info(self) -> Plan:
        """Plan of info: data is a SessionInfo. An unknown session gives a
        failed result; any other failure raises SessionError."""
        names = {f.name for f in fields(SessionInfo)}
        other = raise_session_error(f"Failed to get session info for session {self.session_id}")

        def ok(d: Dict[str, Any]) -> OperationResult:
            data = d.get("data") or {}
            info = SessionInfo(**{k: str(v) for k, v in data.items() if k in names})
            return OperationResult(**base(d), data=info)

        def fail(err: NativeError) -> OperationResult:
            if err.kind != "not_found":
                other(err)
            return failed(OperationResult,
                          replace(err, message=f"Session {self.session_id} not found"))
        return self._call("ab_session_info", (), ok, OperationResult, fail)

    def get_link(self, protocol_type: Any, port: Any, options: Any) -> Plan:
        """Plan of get_link: data is the URL. Raises SessionError for a bad
        port or argument and when the service refuses."""
        problem = port_problem(port)
        if problem:
            raise SessionError(problem, error_kind="invalid_argument")
        try:
            args = (c_text(protocol_type, "protocol_type"), port or 0, c_text(options, "options"))
        except BadInput as exc:
            raise SessionError(f"Failed to get link: {exc}", error_kind="invalid_argument") from None
        return self._call("ab_session_get_link", args,
                          lambda d: OperationResult(**base(d), data=d.get("data") or ""),
                          OperationResult, raise_session_error("Failed to get link"))

    @checked(McpToolsResult)
    def list_mcp_tools(self, image_id: Any) -> Plan:
        """Plan of list_mcp_tools (a failed result where the official SDK
        lets the HTTP client's exception through)."""

        def ok(d: Dict[str, Any]) -> McpToolsResult:
            tools = [McpTool(name=t.get("name") or "", description=t.get("description") or "",
                             input_schema=t.get("input_schema") or {},
                             server=t.get("server") or "", tool=t.get("tool") or "")
                     for t in d.get("tools") or []]
            return McpToolsResult(**base(d), tools=tools)
        return self._call("ab_session_list_mcp_tools", (c_text(image_id, "image_id"),), ok,
                          McpToolsResult)

    @checked(McpToolResult)
    def call_mcp_tool(self, tool_name: Any, args: Any, read_timeout: Any, connect_timeout: Any,
                      auto_gen_session: Any) -> Plan:
        """Plan of call_mcp_tool; timeouts are in milliseconds. A failed
        result's text is in error_message, and data is "" (as officially)."""
        name = c_id(tool_name, "tool_name")
        if not isinstance(args, dict):
            raise BadInput(f"args must be a dict, got {type(args).__name__}")

        def ok(d: Dict[str, Any]) -> McpToolResult:
            values = base(d)
            return McpToolResult(**values, data=(d.get("data") or "") if values["success"] else "")
        return self._call("ab_session_call_mcp_tool",
                          (name, c_json(args, "args"), c_millis(read_timeout, "read_timeout"),
                           c_millis(connect_timeout, "connect_timeout"),
                           int(bool(auto_gen_session))),
                          ok, McpToolResult)

    def _status_call(self, name: str, args: tuple, cls: Type[Any]) -> Call:
        return self._call(name, args, lambda d: cls(**base(d), status=d.get("status") or ""), cls)

    @checked(SessionPauseResult)
    def pause(self, timeout: Any, poll_interval: Any) -> Plan:
        """Plan of pause: waits for PAUSED (timeouts in seconds)."""
        return self._status_call("ab_session_pause", (c_seconds(timeout, "timeout"),
                                                      c_seconds(poll_interval, "poll_interval")),
                                 SessionPauseResult)

    def pause_async(self) -> Plan:
        """Plan of pause_async: starts pausing without waiting."""
        return self._status_call("ab_session_pause_async", (), SessionPauseResult)

    @checked(SessionResumeResult)
    def resume(self, timeout: Any, poll_interval: Any) -> Plan:
        """Plan of resume: waits for RUNNING (timeouts in seconds)."""
        return self._status_call("ab_session_resume", (c_seconds(timeout, "timeout"),
                                                       c_seconds(poll_interval, "poll_interval")),
                                 SessionResumeResult)

    def resume_async(self) -> Plan:
        """Plan of resume_async: starts resuming without waiting."""
        return self._status_call("ab_session_resume_async", (), SessionResumeResult)

    def get_status(self) -> Plan:
        """Plan of get_status."""
        return self._status_call("ab_session_get_status", (), SessionStatusResult)
