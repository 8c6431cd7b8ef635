"""What the asynchronous and the synchronous API share.

Every API method is one operation of libagentbay's table, run by name
through ab_client_call or ab_session_call with its arguments as a JSON
object. The library checks every argument and words every message, so this
module only encodes arguments (refusing what JSON cannot carry) and turns
the result JSON, or the failure, into the official SDK's result objects (or
SessionError, where the official SDK raises). A ``Call`` is one such
operation, ready to run: ``run_async`` awaits it, ``run_sync`` blocks on it.
"""

from __future__ import annotations

import asyncio
import base64
import ctypes
import json
import weakref
from dataclasses import fields, replace
from typing import Any, Callable, Dict, Generic, List, Mapping, NoReturn, Optional, Type, TypeVar

from . import _native
from ._native import NativeCallError, NativeError, Outcome
from .config import Config, CreateSessionParams
from .exceptions import AgentBayError, SessionError
from .results import (BinaryFileContentResult, CommandResult, Context, ContextBinding,
                      ContextFileEntry, ContextStatusData, DeleteResult, DirectoryEntry,
                      FileChangeEvent,
                      EnhancedCodeExecutionResult,
                      ExecutionError, ExecutionLogs, ExecutionResult, McpTool, OperationResult,
                      SessionInfo, SessionListResult, SessionResult)

R = TypeVar("R")
S = TypeVar("S", bound="SessionBase")

Fail = Callable[[NativeError], R]


# ---- Calls -------------------------------------------------------------------

class Call(Generic[R]):
    """One operation to run, and how to read how it ended.

    ``start`` is an ab_*_call function and ``args`` its arguments before
    (cb, user_data, op_out, err_out); a call refused before it could start
    (an argument JSON cannot carry) has ``refused`` set instead.
    """

    __slots__ = ("start", "args", "ok", "fail", "refused", "on_status")

    def __init__(self, start: Optional[_native.StartFn], args: tuple,
                 ok: Callable[[Dict[str, Any]], R], fail: Fail[R],
                 refused: Optional[NativeError] = None,
                 on_status: Optional[Callable[[_native.StatusEvent], Any]] = None) -> None:
        self.start, self.args, self.ok, self.fail, self.refused = start, args, ok, fail, refused
        self.on_status = on_status

    def failure(self, err: NativeError) -> R:
        """The outcome of a failure; a closed client is a programming error."""
        if err.kind == "invalid_handle":
            raise AgentBayError(err.message, error_kind=err.kind)
        return self.fail(err)

    def finish(self, outcome: Outcome) -> R:
        if outcome.status != _native.AB_OK:
            return self.failure(outcome.error or NativeError(outcome.status, "internal",
                                                             "the operation failed"))
        return self.ok(_decode((outcome.result_json or b"{}").decode())[0])


# The library's result JSON is compact UTF-8 with nothing around it, so the
# decoder's scan alone reads it: a third of json.loads' cost, which also
# guesses the encoding and skips whitespace.
_decode = json.JSONDecoder().raw_decode


async def run_async(call: Call[R]) -> R:
    """Runs a call on the running event loop; cancelling the task cancels it."""
    if call.refused is not None:
        return call.failure(call.refused)
    try:
        future, op, taken = _native.start_async(call.start, call.args, call.on_status)
    except NativeCallError as exc:
        return call.failure(exc.error)
    try:
        outcome = await future
    except asyncio.CancelledError:
        _native.cancel(op)
        raise
    finally:
        _native.end_async(op, future, taken)
    return call.finish(outcome)


def run_sync(call: Call[R]) -> R:
    """Runs a call, blocking this thread; Ctrl-C cancels it."""
    if call.refused is not None:
        return call.failure(call.refused)
    try:
        outcome = _native.run_sync(call.start, call.args, call.on_status)
    except NativeCallError as exc:
        return call.failure(exc.error)
    return call.finish(outcome)


class _Unencodable(Exception):
    def __init__(self, error: NativeError) -> None:
        super().__init__(error.message)
        self.error = error


def bad_argument(message: str, param: str = "") -> NativeError:
    """A refusal made here, as the library would report it."""
    return NativeError(_native.AB_E_INVALID_ARGUMENT, "invalid_argument", message, param=param)


def encode(params: Mapping[str, Any]) -> bytes:
    """The JSON object of an operation's arguments; None means "not given".

    Each value is encoded on its own, so that one JSON cannot carry (NaN, a
    set, a cycle, a lone surrogate, a None key) is named in the refusal.
    """
    members = []
    for name, value in params.items():
        if value is None:
            continue
        try:
            _no_none_keys(value)
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
            members.append(json.dumps(name).encode() + b":" + text.encode("utf-8"))
        except (TypeError, ValueError, RecursionError) as exc:
            reason = exc.reason if isinstance(exc, UnicodeEncodeError) else exc
            raise _Unencodable(bad_argument(f"{name} must be JSON-serialisable: {reason}",
                                            name)) from None
    return b"{" + b",".join(members) + b"}"


def _no_none_keys(value: Any) -> None:
    """Refuses a dict with a None key, which json.dumps would send as the
    string "null" (int, float and bool keys become their text, as in the
    official SDK)."""
    todo, seen = [value], set()
    while todo:
        v = todo.pop()
        if isinstance(v, (dict, list, tuple)) and id(v) not in seen:
            seen.add(id(v))
            if isinstance(v, dict):
                if None in v:
                    raise TypeError("a dict has a None key")
                todo.extend(v.values())
            else:
                todo.extend(v)


def c_text(value: Any, name: str) -> Optional[bytes]:
    """A str for a char* argument of a synchronous native call (None is
    NULL, which the library words as missing)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise AgentBayError(f"{name} must be a str, got {type(value).__name__}",
                            error_kind="invalid_argument")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AgentBayError(f"{name} is not valid Unicode text: {exc.reason}",
                            error_kind="invalid_argument") from None


# ---- Results -----------------------------------------------------------------

_field_names: Dict[type, frozenset] = {}  # by result class: dataclasses.fields is slow


def result(cls: Type[R], d: Mapping[str, Any], **extra: Any) -> R:
    """cls from a result JSON: the fields of it that cls has, then extra."""
    names = _field_names.get(cls)
    if names is None:
        names = _field_names[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    values = {k: v for k, v in d.items() if k in names}
    values.update(extra)
    return cls(**values)


def failed(cls: Type[R], err: NativeError) -> R:
    """The official SDK's failed result of type cls for err."""
    return result(cls, {"request_id": err.request_id, "success": False,
                        "error_message": err.message, "error_kind": err.kind,
                        "code": err.service_code, "message": err.message,
                        "http_status_code": err.http_status})


def fails(cls: Type[R]) -> Fail[R]:
    """The failure handler of most methods: a failed result."""
    return lambda err: failed(cls, err)


def raises(prefix: str) -> Fail[Any]:
    """A failure handler that raises SessionError, as the official SDK does."""
    def fail(err: NativeError) -> NoReturn:
        raise SessionError(f"{prefix}: {err.message}", error_kind=err.kind,
                           request_id=err.request_id) from None
    return fail


def contexts(d: Mapping[str, Any]) -> List[Context]:
    return [result(Context, c) for c in d.get("contexts") or []]


def file_entries(d: Mapping[str, Any]) -> List[ContextFileEntry]:
    return [result(ContextFileEntry, e) for e in d.get("entries") or []]


def bindings(d: Mapping[str, Any]) -> List[ContextBinding]:
    return [result(ContextBinding, b) for b in d.get("bindings") or []]


def file_changes(d: Mapping[str, Any]) -> List[FileChangeEvent]:
    return [result(FileChangeEvent, e) for e in d.get("events") or []]


def dir_entries(d: Mapping[str, Any]) -> List[DirectoryEntry]:
    return [result(DirectoryEntry, e) for e in d.get("entries") or []]


def file_bytes(d: Mapping[str, Any]) -> BinaryFileContentResult:
    """read_file_bytes' result, whose content is base64 in JSON."""
    return result(BinaryFileContentResult, d, content=base64.b64decode(d.get("content") or ""))


def status_data(d: Mapping[str, Any]) -> List[ContextStatusData]:
    return [result(ContextStatusData, t) for t in d.get("context_status_data") or []]


def context_syncs(syncs: Any) -> Any:
    """create's context_syncs as JSON: ContextSync objects (or any with
    context_id, path and policy attributes) become objects."""
    if not isinstance(syncs, (list, tuple)):
        return syncs  # the library words the refusal
    return [{"context_id": getattr(s, "context_id", None), "path": getattr(s, "path", None),
             "policy": _plain(getattr(s, "policy", None))}
            if hasattr(s, "context_id") else s for s in syncs]


def _plain(value: Any) -> Any:
    """A policy object as plain data: dataclasses and objects by their
    attributes, recursively."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return value


def command_failed(err: NativeError) -> CommandResult:
    """execute_command's failures: a failed result, except the bad envs the
    official SDK raises ValueError for."""
    if err.param == "envs" and err.kind == "invalid_argument":
        raise ValueError(err.message)
    return replace(failed(CommandResult, err), exit_code=1)


def transfer_failed(cls: Type[R], remote_path: str) -> Fail[R]:
    """upload_file's and download_file's failures: a failed result naming
    the remote path, as the official SDK's."""
    return lambda err: result(cls, {"success": False, "error_message": err.message,
                                    "error_kind": err.kind, "path": remote_path})
def code_result(d: Mapping[str, Any]) -> EnhancedCodeExecutionResult:
    """run_code's result JSON as the official result classes."""
    logs = d.get("logs") or {}
    error = d.get("error")
    return result(EnhancedCodeExecutionResult, d,
                  logs=ExecutionLogs(stdout=list(logs.get("stdout") or []),
                                     stderr=list(logs.get("stderr") or [])),
                  results=[result(ExecutionResult, r) for r in d.get("results") or []],
                  error=result(ExecutionError, {"name": "", "value": "", "traceback": "", **error})
                  if error else None)


def refused_here(err: NativeError) -> bool:
    """True for a failure found before anything was sent (a bad argument),
    as opposed to one the service reported."""
    return err.kind == "invalid_argument" and err.http_status == 0 and not err.request_id


def session_ids(d: Mapping[str, Any]) -> List[Dict[str, str]]:
    """A list result's sessions, as the official SDK shapes them."""
    return [{"sessionId": s.get("session_id", ""), "sessionStatus": s.get("status") or "UNKNOWN"}
            for s in d.get("session_ids") or []]


def tools(d: Mapping[str, Any]) -> List[McpTool]:
    return [result(McpTool, t) for t in d.get("tools") or []]


def session_info(d: Mapping[str, Any]) -> SessionInfo:
    return result(SessionInfo, {k: str(v) for k, v in (d.get("data") or {}).items()})


# ---- Clients and sessions ----------------------------------------------------

def _close_client(handle: int) -> None:
    if not _native._forked:
        _native.library().ab_client_close(handle)
        _native.client_closed()


class ClientCore:
    """One native client (ab_client); its calls run the client operations."""

    def __init__(self, api_key: Any, cfg: Any, env_file: Any, library_path: Optional[str]) -> None:
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
        _native.client_opened()
        # Closes the native client if the Python object is dropped unclosed.
        self._finalizer = weakref.finalize(self, _close_client, self.handle)

    @staticmethod
    def _config_json(api_key: Any, cfg: Any, env_file: Any) -> Optional[bytes]:
        # Only what the caller set: the library fills in the rest from
        # AGENTBAY_API_KEY, AGENTBAY_ENDPOINT and AGENTBAY_TIMEOUT_MS.
        if env_file is not None:
            raise AgentBayError("env_file is not supported: set AGENTBAY_API_KEY and "
                                "AGENTBAY_ENDPOINT in the environment instead",
                                error_kind="unsupported")
        if cfg is not None and not isinstance(cfg, Config):
            raise AgentBayError(f"cfg must be an agentbay.Config, got {type(cfg).__name__}",
                                error_kind="invalid_argument")
        if cfg is not None and cfg.region_id:
            raise AgentBayError("Config.region_id is not supported", error_kind="unsupported")
        conf = {"api_key": api_key or None, "endpoint": cfg and cfg.endpoint,
                "timeout_ms": cfg and cfg.timeout_ms, "emulate": cfg and cfg.emulate}
        try:
            return encode(conf) if any(v is not None for v in conf.values()) else None
        except _Unencodable as exc:
            raise AgentBayError(exc.error.message, error_kind="invalid_argument") from None

    def info(self) -> Dict[str, Any]:
        """ab_client_info: endpoint, embedded, version (waits for an
        embedded backend to have started)."""
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _native.check(_native.library().ab_client_info(self.handle, ctypes.byref(out),
                                                       ctypes.byref(err)), err)
        return json.loads(_native.take_string(out) or "{}")

    def call(self, name: str, params: Mapping[str, Any], ok: Callable[[Dict[str, Any]], R],
             fail: Fail[R]) -> Call[R]:
        """The client operation name with params."""
        return _call(_native.library().ab_client_call, self.handle, name, params, ok, fail)

    def close(self) -> None:
        """Closes the native client; operations in flight end as cancelled."""
        self._finalizer()


def _call(start: _native.StartFn, handle: int, name: str, params: Mapping[str, Any],
          ok: Callable[[Dict[str, Any]], R], fail: Fail[R]) -> Call[R]:
    _native.check_usable()
    try:
        return Call(start, (handle, name.encode(), encode(params)), ok, fail)
    except _Unencodable as exc:
        return Call(None, (), ok, fail, refused=exc.error)


def _free_session(handle: int) -> None:
    if not _native._forked:
        _native.library().ab_session_free(handle)


class SessionCore:
    """One native session handle (ab_session); its calls run the session
    operations."""

    def __init__(self, client: ClientCore, session_id: Any, handle: int = 0) -> None:
        if not handle:
            _native.check_usable()
            out, err = ctypes.c_uint64(), ctypes.c_void_p()
            status = _native.library().ab_session_new(
                client.handle, c_text(session_id, "session_id"), ctypes.byref(out),
                ctypes.byref(err))
            if status != _native.AB_OK:
                e = _native.take_error(status, err)
                raise AgentBayError(e.message, error_kind=e.kind)
            handle = out.value
        self.session_id: str = session_id
        self.handle = handle
        self._finalizer = weakref.finalize(self, _free_session, handle)

    def call(self, name: str, params: Mapping[str, Any], ok: Callable[[Dict[str, Any]], R],
             fail: Fail[R], on_status: Optional[Callable[[_native.StatusEvent], Any]] = None
             ) -> Call[R]:
        """The session operation name with params; on_status (pause, resume,
        delete) sees each status its wait reads, once."""
        if on_status is None:
            return _call(_native.library().ab_session_call, self.handle, name, params, ok, fail)
        if not callable(on_status):
            return Call(None, (), ok, fail, refused=bad_argument(
                f"on_status must be callable, got {type(on_status).__name__}", "on_status"))
        if not _native.has("ab_session_call_observed"):
            return Call(None, (), ok, fail, refused=NativeError(
                _native.AB_E_UNSUPPORTED, "unsupported", f"on_status needs a newer libagentbay than "
                f"{_native.library_path()}", param="on_status"))
        call = _call(_native.library().ab_session_call_observed, self.handle, name, params,
                     ok, fail)
        call.on_status = on_status
        return call


# ---- What the two APIs' classes share ------------------------------------------

class ClientBase:
    """The client state and operations AsyncAgentBay and AgentBay share."""

    def __init__(self, api_key: Any, cfg: Any, env_file: Any,
                 library_path: Optional[str]) -> None:
        self._core = ClientCore(api_key, cfg, env_file, library_path)

    @property
    def endpoint(self) -> str:
        """The URL the client talks to (the local one when embedded; reading
        it waits until an embedded backend has started)."""
        return str(self._core.info().get("endpoint", ""))

    @property
    def embedded(self) -> bool:
        """True when sessions run on the embedded local backend."""
        return bool(self._core.info().get("embedded", False))

    def _create(self, params: Any, session_class: type) -> Call[SessionResult]:
        params = CreateSessionParams() if params is None else params
        if not isinstance(params, CreateSessionParams):
            err = bad_argument(f"params must be an agentbay.CreateSessionParams, "
                               f"got {type(params).__name__}", "params")
            return Call(None, (), _never, fails(SessionResult), refused=err)
        fields_ = {f.name: getattr(params, f.name) for f in fields(params)}
        fields_["context_syncs"] = context_syncs(params.context_syncs)
        return self._core.call("create", fields_,
                               lambda d: self._session_result(d, session_class, params.image_id),
                               fails(SessionResult))

    def _get(self, session_id: Any, session_class: type) -> Call[SessionResult]:
        return self._core.call("get", {"session_id": session_id},
                               lambda d: self._session_result(d, session_class, None),
                               fails(SessionResult))

    def _session_result(self, d: Dict[str, Any], session_class: type,
                        image_id: Optional[str]) -> SessionResult:
        core = SessionCore(self._core, d.get("session_id") or "", d["session_handle"])
        session = session_class._from_core(self, core, d.get("resource_url") or "", image_id)
        return result(SessionResult, d, session=session)

    def _list(self, labels: Any, page: Any, limit: Any, status: Any,
              next_token: Any) -> Call[SessionListResult]:
        return self._core.call(
            "list", {"labels": labels, "page": page, "limit": limit, "status": status,
                     "next_token": next_token},
            lambda d: result(SessionListResult, d, session_ids=session_ids(d)),
            fails(SessionListResult))

    def _client_op(self, name: str, cls: Type[R], params: Mapping[str, Any], *,
                   ok: Optional[Callable[[Dict[str, Any]], R]] = None,
                   fail: Optional[Fail[R]] = None) -> Call[R]:
        """The client operation name, read as _op of sessions reads its own."""
        return self._core.call(name, params, ok or (lambda d: result(cls, d)), fail or fails(cls))

    def _delete(self, session: Any, sync_context: Any) -> Call[DeleteResult]:
        session_id = getattr(session, "session_id", None)
        if not isinstance(session_id, str):
            err = bad_argument(f"session must be a session object, got {type(session).__name__}",
                               "session")
            return Call(None, (), _never, fails(DeleteResult), refused=err)
        return self._core.call("delete", {"session_id": session_id, "sync_context": sync_context},
                               lambda d: result(DeleteResult, d), fails(DeleteResult))


def _never(d: Dict[str, Any]) -> NoReturn:
    raise AssertionError("a refused call has no result")


class SessionBase:
    """The session state and operations AsyncSession and Session share.

    Attributes:
        agent_bay: the client the session belongs to.
        session_id: the session's id.
        resource_url: the browser-viewable URL given at creation ("" otherwise).
        image_id: the image the session was created with, if known.
    """

    _client_class: type = object  # the client class this session class belongs to

    def __init__(self, agent_bay: Any, session_id: str) -> None:
        if not isinstance(agent_bay, self._client_class):
            raise AgentBayError(f"agent_bay must be an {self._client_class.__name__}, got "
                                f"{type(agent_bay).__name__}", error_kind="invalid_argument")
        self._attach(agent_bay, SessionCore(agent_bay._core, session_id), "", None)

    @classmethod
    def _from_core(cls: Type[S], agent_bay: Any, core: SessionCore, resource_url: str,
                   image_id: Optional[str]) -> S:
        session = cls.__new__(cls)
        session._attach(agent_bay, core, resource_url, image_id)
        return session

    def _attach(self, agent_bay: Any, core: SessionCore, resource_url: str,
                image_id: Optional[str]) -> None:
        self.agent_bay = agent_bay
        self.session_id = core.session_id
        self.resource_url = resource_url
        self.image_id = image_id
        self._core = core

    def __repr__(self) -> str:
        return f"{type(self).__name__}(session_id={self.session_id!r})"

    def _op(self, name: str, cls: Type[R], params: Optional[Mapping[str, Any]] = None, *,
            ok: Optional[Callable[[Dict[str, Any]], R]] = None,
            fail: Optional[Fail[R]] = None,
            on_status: Optional[Callable[[_native.StatusEvent], Any]] = None) -> Call[R]:
        """The session operation name: its result read as a cls (or by ok),
        its failure a failed cls (or what fail makes of it)."""
        return self._core.call(name, params or {}, ok or (lambda d: result(cls, d)),
                               fail or fails(cls), on_status)

    # Failure handlers of the methods where the official SDK raises.

    def _labels_failed(self, err: NativeError) -> OperationResult:
        if refused_here(err):  # the official SDK's own checks answer a failed result
            return failed(OperationResult, err)
        raises(f"Failed to set labels for session {self.session_id}")(err)

    def _info_failed(self, err: NativeError) -> OperationResult:
        if err.kind != "not_found":
            raises(f"Failed to get session info for session {self.session_id}")(err)
        return failed(OperationResult, replace(err, message=f"Session {self.session_id} not found"))

    @staticmethod
    def _link_failed(err: NativeError) -> NoReturn:
        if err.param == "port":  # the official SDK raises its port message as it is
            raise SessionError(err.message, error_kind=err.kind) from None
        raises("Failed to get link")(err)
