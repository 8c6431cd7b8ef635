"""The bridge to libagentbay's C ABI (include/agentbay.h), through ctypes.

Everything here is private. The rest of the package uses ``load_library()``
and ``library()`` (load once, check the ABI), ``start_async()`` (start one
asynchronous native call on the running loop), ``run_sync()`` (run one to
its end) and ``NativeError`` (the copied details of a failure).

Asynchronous calls complete through a completion queue of the library
(ab_queue_*), one per event loop: the loop watches the queue's descriptor
with ``add_reader`` and drains it on its own thread, so no library thread
ever runs Python code and no foreign-thread wake-up (``call_soon_threadsafe``)
is needed. Calls are told apart by the integer passed as ``user_data``. The
queue of a loop is freed when the loop shuts down (asyncio.run and the
unittest runner close async generators first: the queue watches for that)
or when the last client closes, whichever comes first.

The older path, one CFUNCTYPE trampoline called on library threads, stays
for comparison (AGENTBAY_ASYNC_COMPLETIONS=callback, read at import): a
callback object that is garbage-collected while the library may still call
it crashes the interpreter, so it lives as long as the process. Blocking
calls use neither: they wait in ab_op_wait.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import ctypes.util
import itertools
import logging
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple, Optional

from .exceptions import AgentBayError

ABI_VERSION = 2

# The codes this module acts on (include/agentbay.h); kind names come from
# the library (ab_status_kind).
AB_OK = 0
AB_E_INVALID_ARGUMENT = -1
AB_E_TIMEOUT = -5
AB_E_UNSUPPORTED = -10

_WAIT_SLICE_MS = 100  # longest delay before a blocking call notices Ctrl-C

_LIB_NAME = "libagentbay.dylib" if sys.platform == "darwin" else "libagentbay.so"
_PACKAGE_DIR = Path(__file__).resolve().parent

# void (*ab_callback)(void *user_data, ab_op op, int status,
#                     const char *result_json, const ab_error *error)
_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int,
                             ctypes.c_char_p, ctypes.c_void_p)
# void (*ab_log_callback)(void *user_data, int level, const char *message)
_LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)
_NO_CALLBACK = _CALLBACK()  # NULL: the caller waits with ab_op_wait
# void (*ab_status_callback)(void *user_data, ab_op op, const char *status,
#                            int64_t reads)
_STATUS_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_char_p,
                                    ctypes.c_int64)


class _Completion(ctypes.Structure):
    """ab_completion: one item of ab_queue_drain."""

    _fields_ = [("op", ctypes.c_uint64), ("user_data", ctypes.c_void_p),
                ("status", ctypes.c_int), ("result_json", ctypes.c_void_p),
                ("error", ctypes.c_void_p)]


class _TakenCompletion(ctypes.Structure):
    """ab_completion as ab_queue_take hands it out: its result_json stays
    the queue's, so ctypes may copy it out as bytes when it is read (which
    costs less than a pointer and ctypes.string_at)."""

    _fields_ = [("op", ctypes.c_uint64), ("user_data", ctypes.c_void_p),
                ("status", ctypes.c_int), ("result_json", ctypes.c_char_p),
                ("error", ctypes.c_void_p)]


# Which path asyncio calls complete through: "queue" (the default) or
# "callback" (the older one, kept to compare them; see bench.py).
_use_queue = os.environ.get("AGENTBAY_ASYNC_COMPLETIONS", "queue") != "callback"

engine_log = logging.getLogger("agentbay")


class StatusEvent(NamedTuple):
    """A status that pause, resume or delete read while waiting, reported once
    (the first read and each change, e.g. PAUSING then PAUSED).

    Attributes:
        status: the session's status, e.g. ``"PAUSING"``.
        reads: how many statuses the wait has read so far, this one included
            (the last event's ``reads`` is the number of polls).
    """

    status: str
    reads: int


@dataclass(frozen=True)
class NativeError:
    """The details of an ab_error, copied out of the library."""

    code: int
    kind: str
    message: str
    request_id: str = ""
    service_code: str = ""
    http_status: int = 0
    retryable: bool = False
    param: str = ""


@dataclass(frozen=True)
class Outcome:
    """How a native operation ended: a status and either a result or an error."""

    status: int
    result_json: Optional[bytes]
    error: Optional[NativeError]


class NativeCallError(AgentBayError):
    """A native call refused to start; carries the copied error."""

    def __init__(self, error: NativeError) -> None:
        super().__init__(error.message, error_kind=error.kind, request_id=error.request_id)
        self.error = error


# ---- Loading ---------------------------------------------------------------

_U64 = ctypes.c_uint64
_P = ctypes.c_void_p
_S = ctypes.c_char_p
_I = ctypes.c_int
_I64 = ctypes.c_int64
_OUT_U64 = ctypes.POINTER(ctypes.c_uint64)
_OUT_P = ctypes.POINTER(ctypes.c_void_p)
_OUT_I = ctypes.POINTER(ctypes.c_int)
_ITEMS = ctypes.POINTER(_Completion)
_TAKEN_ITEMS = ctypes.POINTER(_TakenCompletion)
_ASYNC_TAIL = [_CALLBACK, _P, _OUT_U64, _OUT_P]  # cb, user_data, op_out, err_out
_QUEUED_TAIL = [_U64, _P, _OUT_U64, _OUT_P]  # queue, user_data, op_out, err_out

# name: (restype, argtypes). Every operation goes through ab_client_call or
# ab_session_call by name, so these are all the functions the package uses.
_PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    "ab_version": (_S, []),
    "ab_abi_version": (_I, []),
    "ab_set_log_callback": (_I, [_LOG_CALLBACK, _P, _I]),
    "ab_shutdown": (_I, []),
    "ab_string_free": (None, [_P]),
    "ab_status_kind": (_S, [_I]),
    "ab_error_free": (None, [_P]),
    "ab_error_code": (_I, [_P]),
    "ab_error_kind": (_S, [_P]),
    "ab_error_message": (_S, [_P]),
    "ab_error_request_id": (_S, [_P]),
    "ab_error_service_code": (_S, [_P]),
    "ab_error_http_status": (_I, [_P]),
    "ab_error_retryable": (_I, [_P]),
    "ab_error_param": (_S, [_P]),
    "ab_op_cancel": (_I, [_U64]),
    "ab_op_wait": (_I, [_U64, _I64, _OUT_P, _OUT_P]),
    "ab_op_free": (_I, [_U64]),
    "ab_client_new": (_I, [_S, _OUT_U64, _OUT_P]),
    "ab_client_close": (_I, [_U64]),
    "ab_client_info": (_I, [_U64, _OUT_P, _OUT_P]),
    "ab_client_call": (_I, [_U64, _S, _S] + _ASYNC_TAIL),
    "ab_session_new": (_I, [_U64, _S, _OUT_U64, _OUT_P]),
    "ab_session_id": (_I, [_U64, _OUT_P, _OUT_P]),
    "ab_session_free": (_I, [_U64]),
    "ab_session_call": (_I, [_U64, _S, _S] + _ASYNC_TAIL),
    "ab_queue_new": (_I, [_OUT_U64, _OUT_P]),
    "ab_queue_fd": (_I, [_U64, _OUT_I]),
    "ab_queue_drain": (_I, [_U64, _ITEMS, _I, _OUT_I]),
    "ab_queue_free": (_I, [_U64]),
    "ab_client_call_queued": (_I, [_U64, _S, _S, _U64, _P, _OUT_U64, _OUT_P]),
    "ab_session_call_queued": (_I, [_U64, _S, _S, _U64, _P, _OUT_U64, _OUT_P]),
}

# Functions a library of the same ABI may lack (added later): declared when
# present; the features that need them say "unsupported" otherwise.
_OPTIONAL: dict[str, tuple[Any, list[Any]]] = {
    "ab_session_call_observed": (_I, [_U64, _S, _S, _STATUS_CALLBACK, _P] + _ASYNC_TAIL),
    "ab_queue_take": (_I, [_U64, _TAKEN_ITEMS, _I, _OUT_I]),
}

_load_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_lib_path = ""
_forked = False


def _candidates(explicit: Optional[str]) -> Iterator[tuple[str, str, bool]]:
    """The places to look, in order, as (description, path, must_exist_to_try).

    An explicit path or AGENTBAY_LIBRARY is the only candidate: a choice the
    user made must fail loudly rather than fall back to another copy. The
    system loader comes last and is asked only if reached (it is slow).
    """
    if explicit:
        yield "the path given", explicit, False
        return
    env = os.environ.get("AGENTBAY_LIBRARY")
    if env:
        yield "AGENTBAY_LIBRARY", env, False
        return
    yield "the package", str(_PACKAGE_DIR / "_lib" / _LIB_NAME), True
    repo_build = _PACKAGE_DIR.parent.parent.parent / "build" / _LIB_NAME
    yield "the repository's build folder", str(repo_build), True
    yield "the system loader", ctypes.util.find_library("agentbay") or _LIB_NAME, False


# Signals a thread may block: all but the faults the Go runtime must see.
_ASYNC_SIGNALS = set(signal.valid_signals()) - {
    signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL, signal.SIGTRAP}


def _load_quietly(path: str) -> ctypes.CDLL:
    """Loads the library with the asynchronous signals blocked.

    The Go runtime starts its threads with the signal mask of the thread that
    loaded it, so none of them will run a host's signal handler: one
    installed without SA_ONSTACK (libuv's, as uvloop uses) would run on a
    small goroutine stack and corrupt it. CDLL, not PyDLL: calls release the
    GIL, so the library's threads can run Python callbacks meanwhile.
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _ASYNC_SIGNALS)
    try:
        return ctypes.CDLL(path)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _open(explicit: Optional[str]) -> tuple[ctypes.CDLL, str]:
    tried = []
    for where, path, must_exist in _candidates(explicit):
        if must_exist and not os.path.exists(path):
            tried.append(f"{where} ({path}: not there)")
            continue
        try:
            return _load_quietly(path), path
        except OSError as exc:
            tried.append(f"{where} ({exc})")
    raise AgentBayError(
        "cannot load libagentbay; looked in " + "; ".join(tried)
        + ". Build it with `make lib`, or set AGENTBAY_LIBRARY to its path.",
        error_kind="unsupported")


def _declare(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    for name, (restype, argtypes) in _OPTIONAL.items():
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = restype
            fn.argtypes = argtypes


def has(name: str) -> bool:
    """Whether the loaded library has the (optional) function name."""
    return hasattr(library(), name)


def load_library(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads libagentbay once per process and checks its ABI version.

    The library is looked for at ``path`` if given, else at the environment
    variable AGENTBAY_LIBRARY, else in the package (``agentbay/_lib``), else
    in the repository's ``build/`` folder, else through the system loader.
    Later calls return the loaded library; asking for a different path then
    raises AgentBayError, because one process holds one copy of the engine.
    """
    global _lib, _lib_path
    check_usable()
    with _load_lock:
        if _lib is not None:
            if path and os.path.realpath(path) != os.path.realpath(_lib_path):
                raise AgentBayError(
                    f"libagentbay is already loaded from {_lib_path}; cannot load {path} too",
                    error_kind="invalid_argument")
            return _lib
        lib, where = _open(path)
        try:
            abi = lib.ab_abi_version()
        except AttributeError:
            raise AgentBayError(f"{where} is not libagentbay (no ab_abi_version)",
                                error_kind="unsupported") from None
        if abi != ABI_VERSION:
            raise AgentBayError(
                f"{where} has ABI version {abi}, but this agentbay package needs "
                f"{ABI_VERSION}; install a matching library", error_kind="unsupported")
        _declare(lib)
        _lib, _lib_path = lib, where
        atexit.register(_shutdown)
        return lib


def library() -> ctypes.CDLL:
    """The loaded library, loading it from the default places if needed."""
    check_usable()
    return _lib if _lib is not None else load_library()


def library_path() -> str:
    """Where the library was loaded from ("" before it is loaded)."""
    return _lib_path


def check_usable() -> None:
    """Raises AgentBayError in a child process forked after the library loaded."""
    if _forked:
        raise AgentBayError(
            "libagentbay was loaded before this process was forked and cannot be used in "
            "the child (its threads do not exist here); start a new process instead, e.g. "
            "multiprocessing with the 'spawn' start method", error_kind="unsupported")


def _after_fork_in_child() -> None:
    global _forked, _pending, _queues_lock, _open_clients
    if _lib is not None:
        _forked = True
        _pending = _Pending()  # the old lock may have been held mid-fork
        _queues.clear()  # the library's queues are the parent's
        _queues_lock = threading.Lock()
        _open_clients = 0


os.register_at_fork(after_in_child=_after_fork_in_child)


def _shutdown() -> None:
    # At exit: close every client (stopping embedded backends, removing their
    # data) while Python can still run the callbacks still owed.
    if _lib is not None and not _forked:
        _lib.ab_shutdown()
        _lib.ab_set_log_callback(_LOG_CALLBACK(), None, 0)


# ---- Strings and errors ----------------------------------------------------

def text(value: Optional[bytes]) -> str:
    """Decodes a UTF-8 string from the library ("" for NULL)."""
    return value.decode("utf-8", "replace") if value else ""


def take_bytes(ptr: ctypes.c_void_p) -> bytes:
    """Copies and frees a string the library returned through an out parameter."""
    if not ptr.value:
        return b""
    try:
        return ctypes.string_at(ptr.value)
    finally:
        _lib.ab_string_free(ptr)


def take_string(ptr: ctypes.c_void_p) -> str:
    """As take_bytes, decoded."""
    return text(take_bytes(ptr))


def copy_error(ptr: int) -> NativeError:
    """Copies an ab_error; its strings live only as long as the error does."""
    lib = _lib
    return NativeError(
        code=lib.ab_error_code(ptr),
        kind=text(lib.ab_error_kind(ptr)),
        message=text(lib.ab_error_message(ptr)),
        request_id=text(lib.ab_error_request_id(ptr)),
        service_code=text(lib.ab_error_service_code(ptr)),
        http_status=lib.ab_error_http_status(ptr),
        retryable=bool(lib.ab_error_retryable(ptr)),
        param=text(lib.ab_error_param(ptr)),
    )


def take_error(status: int, ptr: ctypes.c_void_p) -> NativeError:
    """Copies and frees the error of a failed call (or makes one from status)."""
    if not ptr.value:  # out of memory in the library: only the code is left
        kind = kind_of(status)
        return NativeError(code=status, kind=kind, message=f"libagentbay call failed ({kind})")
    try:
        return copy_error(ptr.value)
    finally:
        _lib.ab_error_free(ptr)


def kind_of(status: int) -> str:
    """The kind name of a status code, from the library."""
    return text(library().ab_status_kind(status)) or "internal"


def check(status: int, err: ctypes.c_void_p) -> None:
    """Turns the status of a synchronous call into NativeCallError."""
    if status != AB_OK:
        raise NativeCallError(take_error(status, err))


# ---- Completions -----------------------------------------------------------

class _Pending:
    """The (loop, future) of each operation in flight, by the id passed as user_data
    (loop None: a blocking call, whose future is a queue), and the status
    observers of observed operations by the same id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # The library passes user_data back untouched, whatever its value.
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[Optional[asyncio.AbstractEventLoop], Any]] = {}
        self._observers: dict[int, Callable[[StatusEvent], None]] = {}

    def add(self, loop: Optional[asyncio.AbstractEventLoop], future: Any,
            observer: Optional[Callable[[StatusEvent], None]] = None) -> int:
        with self._lock:
            token = next(self._ids)
            self._waiting[token] = (loop, future)
            if observer is not None:
                self._observers[token] = observer
            return token

    def pop(self, token: Optional[int]) -> Optional[tuple[Optional[asyncio.AbstractEventLoop], Any]]:
        with self._lock:
            self._observers.pop(token or 0, None)
            return self._waiting.pop(token or 0, None)

    def observer(self, token: Optional[int]) -> Optional[Callable[[StatusEvent], None]]:
        with self._lock:
            return self._observers.get(token or 0)

    def __len__(self) -> int:
        return len(self._waiting)


_pending = _Pending()


def _settle(future: asyncio.Future, outcome: Outcome) -> None:
    if not future.done():  # a cancelled task's future is already done
        future.set_result(outcome)


@_CALLBACK
def _on_complete(user_data, op, status, result_json, error):
    # Runs on a library thread. Copy everything now: result_json and error
    # are valid only during this call. Never let an exception escape: ctypes
    # would only print it and the awaiting task would never wake.
    try:
        waiting = _pending.pop(user_data)
        if waiting is None:
            return
        loop, future = waiting
        outcome = Outcome(status, result_json, copy_error(error) if error else None)
        if loop is None:  # a blocking observed call waits on a queue
            future.put(outcome)
            return
        try:
            loop.call_soon_threadsafe(_settle, future, outcome)
        except RuntimeError:
            pass  # the loop is closed: nobody is waiting any more
    except BaseException:  # noqa: BLE001 - nothing may escape into C
        engine_log.exception("agentbay: failed to deliver a completion")


@_STATUS_CALLBACK
def _on_status(user_data, op, status, reads):
    # Runs on a library thread, before the operation's completion callback.
    try:
        observer = _pending.observer(user_data)
        if observer is not None:
            observer(StatusEvent(text(status), int(reads)))
    except BaseException:  # noqa: BLE001 - nothing may escape into C
        engine_log.exception("agentbay: failed to deliver a status")


def _call_observer(on_status: Callable[[StatusEvent], Any], event: StatusEvent) -> None:
    """Runs the user's on_status; what it raises is logged, not propagated
    (the operation goes on)."""
    try:
        on_status(event)
    except Exception:  # noqa: BLE001 - the user's callback
        engine_log.exception("agentbay: on_status raised")


@_LOG_CALLBACK
def _on_log(user_data, level, message):
    try:
        engine_log.log(level, "%s", text(message))
    except BaseException:  # noqa: BLE001 - nothing may escape into C
        pass


def forward_logs() -> None:
    """Sends engine log lines at the 'agentbay' logger's level to logging.

    Called when a client is made, so configure logging before that.
    """
    level = engine_log.getEffectiveLevel() or logging.DEBUG
    library().ab_set_log_callback(_on_log, None, level)


def pending_count() -> int:
    """The number of operations whose completion has not arrived yet."""
    return len(_pending) + sum(len(q.futures) for q in list(_queues.values()))


# ---- Completion queues -------------------------------------------------------

_DRAIN_BATCH = 64

# The queue of each event loop that made asynchronous calls. Read without
# the lock (a dict lookup is atomic), changed under it.
_queues: dict[asyncio.AbstractEventLoop, "_LoopQueue"] = {}
_queues_lock = threading.Lock()
_open_clients = 0


class _LoopQueue:
    """An ab_queue whose descriptor one event loop watches.

    Everything but ``close_soon`` runs on the loop's thread: calls start
    there and their completions are drained there, by the loop's reader.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        handle, fd, err = ctypes.c_uint64(), ctypes.c_int(), ctypes.c_void_p()
        check(_lib.ab_queue_new(ctypes.byref(handle), ctypes.byref(err)), err)
        self.loop = loop
        self.handle = handle.value
        _lib.ab_queue_fd(self.handle, ctypes.byref(fd))
        self.fd = fd.value
        self.closed = False
        self.futures: dict[int, asyncio.Future] = {}  # by the token passed as user_data
        self.ids = itertools.count(1)
        self._n = ctypes.c_int()
        self._n_ref = ctypes.byref(self._n)
        # Out parameters of the calls started here, reused: only the loop's
        # thread starts them, and a fresh pair per call costs more than the
        # rest of the start.
        self._op, self._err = ctypes.c_uint64(), ctypes.c_void_p()
        self._op_ref, self._err_ref = ctypes.byref(self._op), ctypes.byref(self._err)
        self.use_take(hasattr(_lib, "ab_queue_take"))
        try:
            loop.add_reader(self.fd, self.drain)
        except BaseException:
            _lib.ab_queue_free(self.handle)
            raise
        self._watch = self._until_shutdown()
        _start_agen(self._watch)

    async def _until_shutdown(self):
        # An async generator that never ends: the loop's shutdown_asyncgens
        # (asyncio.run, asyncio.Runner, IsolatedAsyncioTestCase) closes it
        # while the loop still runs, which is when the queue can go.
        try:
            yield
        finally:
            self.close()

    def use_take(self, takes: bool) -> None:
        """Drains through ab_queue_take (takes), which frees what it hands out
        (results, errors, op handles) itself: one call per batch instead of
        three per completion. A library without it gets ab_queue_drain."""
        self.takes = takes
        self._take = _lib.ab_queue_take if takes else _lib.ab_queue_drain
        self._items = ((_TakenCompletion if takes else _Completion) * _DRAIN_BATCH)()

    def start(self, queued: Any, args: tuple) -> tuple[asyncio.Future, int]:
        """Starts a call whose completion comes to this queue: its future
        and op. Raises NativeCallError if it refuses."""
        token = next(self.ids)
        future = self.loop.create_future()
        self.futures[token] = future
        status = queued(*args, self.handle, token, self._op_ref, self._err_ref)
        if status != AB_OK:
            del self.futures[token]  # nothing is queued for a refused call
            raise NativeCallError(take_error(status, self._err))
        return future, self._op.value

    def drain(self) -> None:
        """Resolves the futures of the queued completions (the loop's reader)."""
        items, futures, take, takes = self._items, self.futures, self._take, self.takes
        while not self.closed:
            take(self.handle, items, _DRAIN_BATCH, self._n_ref)
            n = self._n.value
            for i in range(n):
                item = items[i]
                future = futures.pop(item.user_data or 0, None)
                if future is not None and not future.done():  # a cancelled task's is done
                    future.set_result(_outcome(item))
                if not takes:
                    _lib.ab_string_free(item.result_json)
                    _lib.ab_error_free(item.error)
            if n < _DRAIN_BATCH:
                return

    def close(self) -> None:
        """Stops watching and frees the queue; on the loop's thread, or once
        the loop is closed."""
        if self.closed:
            return
        with _queues_lock:
            if _queues.get(self.loop) is self:
                del _queues[self.loop]
        if not self.loop.is_closed():
            self.drain()  # what is queued still reaches its awaiter
            try:
                self.loop.remove_reader(self.fd)
            except (RuntimeError, ValueError, AttributeError):
                pass
        self.closed = True
        self._watch = None
        self.futures.clear()
        _lib.ab_queue_free(self.handle)

    def close_soon(self) -> None:
        """close, from any thread, if no client is open by then."""
        def close_if_unused() -> None:
            if _open_clients == 0:
                self.close()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop or self.loop.is_closed():
            close_if_unused()
            return
        try:
            self.loop.call_soon_threadsafe(close_if_unused)
        except RuntimeError:  # closed meanwhile
            close_if_unused()


def _outcome(item: Any) -> Outcome:
    """The outcome of a drained completion (a _TakenCompletion or a
    _Completion), copied out of the library."""
    status = item.status
    if status != AB_OK:
        return Outcome(status, None, copy_error(item.error))
    result = item.result_json
    return Outcome(status, result if isinstance(result, bytes) else ctypes.string_at(result), None)


def _start_agen(agen: Any) -> None:
    """Runs an async generator to its first yield, synchronously (it awaits
    nothing), which registers it with the running loop."""
    step = agen.asend(None)
    try:
        step.send(None)
    except StopIteration:
        pass


def _loop_queue(loop: asyncio.AbstractEventLoop) -> _LoopQueue:
    q = _queues.get(loop)
    if q is not None:
        return q
    with _queues_lock:
        stale = [old for old in _queues.values() if old.loop.is_closed()]
    for old in stale:  # loops closed without shutting down their generators
        old.close()
    q = _LoopQueue(loop)
    with _queues_lock:
        _queues[loop] = q
    return q


def client_opened() -> None:
    """Counts a client made (the queues live while any is open)."""
    global _open_clients
    with _queues_lock:
        _open_clients += 1


def client_closed() -> None:
    """Counts a client closed; after the last, every loop's queue goes."""
    global _open_clients
    with _queues_lock:
        _open_clients = max(0, _open_clients - 1)
        last = _open_clients == 0
        queues = list(_queues.values()) if last else []
    for q in queues:
        q.close_soon()


def queue_count() -> int:
    """The number of live loop queues (for tests)."""
    return len(_queues)


_queued_forms: dict[str, Any] = {}


def _queued_form(fn: StartFn) -> Any:
    """The ab_*_call_queued function of an ab_*_call one, or None."""
    name = getattr(fn, "__name__", "")
    try:
        return _queued_forms[name]
    except KeyError:
        form = getattr(_lib, name + "_queued", None) if name in (
            "ab_client_call", "ab_session_call") else None
        _queued_forms[name] = form
        return form


# ---- Running operations ----------------------------------------------------

StartFn = Callable[..., int]


def _start(fn: StartFn, args: tuple, loop: Optional[asyncio.AbstractEventLoop],
           future: Any, observer: Optional[Callable[[StatusEvent], None]] = None) -> int:
    """Starts an asynchronous native call that will settle future; returns the op.

    ``fn`` is an ab_* function and ``args`` its arguments before
    (cb, user_data, op_out, err_out); with an observer, before (on_status,
    status_user_data, cb, ...), as ab_session_call_observed takes them.
    Raises NativeCallError if it refuses.
    """
    check_usable()
    token = _pending.add(loop, future, observer)
    op, err = ctypes.c_uint64(), ctypes.c_void_p()
    observing = (_on_status, token) if observer is not None else ()
    status = fn(*args, *observing, _on_complete, token, ctypes.byref(op), ctypes.byref(err))
    if status != AB_OK:
        _pending.pop(token)  # the callback never fires for a refused call
        raise NativeCallError(take_error(status, err))
    return op.value


def start_async(fn: StartFn, args: tuple,
                on_status: Optional[Callable[[StatusEvent], Any]] = None
                ) -> tuple[asyncio.Future, int, bool]:
    """Starts a native call on the running event loop: the future its
    Outcome will settle, its op, and whether the completion frees the op
    (see end_async). The caller awaits the future (here it would cost a
    coroutine per call); cancelling it should cancel the op.

    With on_status (and fn ab_session_call_observed), each status event is
    passed to on_status on the loop's thread, all of them before the
    future is settled. Raises NativeCallError if the call refuses.
    """
    loop = asyncio.get_running_loop()
    if on_status is None and _use_queue:
        queued = _queued_form(fn)
        if queued is not None:
            check_usable()
            q = _loop_queue(loop)
            return (*q.start(queued, args), q.takes)
    future = loop.create_future()
    if on_status is not None:
        # Observed calls complete through their callback, after the events
        # they sent through the loop: the queue would overtake them.
        def deliver(event: StatusEvent) -> None:
            if not future.done():
                _call_observer(on_status, event)

        def observer(event: StatusEvent) -> None:
            try:
                loop.call_soon_threadsafe(deliver, event)
            except RuntimeError:
                pass  # the loop is closed
        return future, _start(fn, args, loop, future, observer), False
    return future, _start(fn, args, loop, future), False


def cancel(op: int) -> None:
    """Cancels an op (one freed already is left alone)."""
    _lib.ab_op_cancel(op)


def end_async(op: int, future: asyncio.Future, taken: bool) -> None:
    """Frees the op of an awaited call, unless ab_queue_take did when it
    delivered the result (taken: the call went through such a queue)."""
    if not (taken and future.done() and not future.cancelled()):
        _lib.ab_op_free(op)


def run_sync(fn: StartFn, args: tuple,
             on_status: Optional[Callable[[StatusEvent], Any]] = None) -> Outcome:
    """Runs a native call and blocks this thread until it completes.

    It waits in ab_op_wait, with no callback: cheaper than a callback, which
    would have to wake this thread from a library thread. The wait is cut
    into slices so that Ctrl-C gets through: KeyboardInterrupt cancels the
    native operation and propagates. With on_status (and fn
    ab_session_call_observed), status events and the completion come
    through a queue instead, and on_status runs on this thread.
    """
    if on_status is not None:
        return _run_observed(fn, args, on_status)
    check_usable()
    op, err = ctypes.c_uint64(), ctypes.c_void_p()
    status = fn(*args, _NO_CALLBACK, None, ctypes.byref(op), ctypes.byref(err))
    if status != AB_OK:
        raise NativeCallError(take_error(status, err))
    try:
        return _wait(op.value)
    except BaseException:
        _lib.ab_op_cancel(op.value)
        raise
    finally:
        _lib.ab_op_free(op.value)


def _run_observed(fn: StartFn, args: tuple, on_status: Callable[[StatusEvent], Any]) -> Outcome:
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    op = _start(fn, args, None, inbox, inbox.put)
    try:
        while True:
            try:
                item = inbox.get(timeout=_WAIT_SLICE_MS / 1000)
            except queue.Empty:
                continue  # Python runs signal handlers (Ctrl-C) between slices
            if isinstance(item, Outcome):
                return item
            _call_observer(on_status, item)
    except BaseException:
        _lib.ab_op_cancel(op)  # its completion still comes, to a queue nobody reads
        raise
    finally:
        _lib.ab_op_free(op)


def _wait(op: int) -> Outcome:
    result, err = ctypes.c_void_p(), ctypes.c_void_p()
    while True:
        started = time.monotonic()
        status = _lib.ab_op_wait(op, _WAIT_SLICE_MS, ctypes.byref(result), ctypes.byref(err))
        # AB_E_TIMEOUT means either "still running after the slice" or "the
        # operation itself timed out". A finished operation answers at once,
        # so only a wait that took about the whole slice means "still running".
        if status == AB_E_TIMEOUT and time.monotonic() - started >= _WAIT_SLICE_MS / 2000:
            _lib.ab_error_free(err)
            continue  # Python runs signal handlers (Ctrl-C) between slices
        if status == AB_OK:
            return Outcome(status, take_bytes(result), None)
        return Outcome(status, None, take_error(status, err))
