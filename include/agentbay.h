/*
 * agentbay.h - the C interface of libagentbay.
 *
 * libagentbay drives AgentBay agent sandboxes ("sessions"): on the AgentBay
 * cloud, or on the embedded local backend that runs sessions as sandboxes on
 * this machine. The API is the AsyncSession API of the AgentBay SDK, plus the
 * client calls that create, get, list and delete sessions.
 *
 * RULES THAT HOLD FOR EVERY FUNCTION
 *
 * Objects. Clients, sessions, operations and completion queues are opaque
 *   uint64_t handles.
 *   0 is never a valid handle; handle values are never reused and stay below
 *   2^53 (exact in a JavaScript number). A handle that is unknown, freed, or of
 *   the wrong kind gives AB_E_INVALID_HANDLE, never a crash. Freeing is
 *   idempotent: freeing 0 or an already freed handle returns AB_OK.
 *   Closing a client frees every session and operation handle made from it.
 *
 * Status and errors. Every function that can fail returns an int: AB_OK (0)
 *   or a negative AB_E_* code. When err_out is not NULL and the call fails,
 *   *err_out receives an ab_error that the caller frees with ab_error_free;
 *   on success *err_out is set to NULL. Other out parameters are set to 0 or
 *   NULL when a call fails. There is no thread-local last error.
 *
 * Memory. Inputs are borrowed for the duration of the call only. Strings the
 *   library returns through out parameters are owned by the caller and freed
 *   with ab_string_free. Strings and errors passed to a callback are valid
 *   only until the callback returns; copy what you keep.
 *
 * Text. All strings are NUL-terminated UTF-8. Options, labels, tool
 *   arguments and results are JSON texts whose field names are those of the
 *   AgentBay SDK reference (request_id, success, error_message, ...).
 *   Invalid UTF-8 or JSON, a field of the wrong type, an unknown field or
 *   one given twice gives AB_E_INVALID_ARGUMENT; a JSON null counts as an
 *   absent field.
 *
 * Operations. Every call to the service is an operation of one table,
 *   named as the reference names the method ("create", "get_link", ...),
 *   with parameters named and measured as the reference's arguments
 *   (seconds for pause and resume, milliseconds for tool calls) and a result
 *   with the reference's fields. ab_client_call and ab_session_call run any
 *   of them by name with a JSON object of parameters; the typed functions
 *   below run the same operations from C arguments, where NULL or 0 means
 *   "not given" (the default), and add no rule of their own. The README
 *   lists the table. An operation name the library does not know gives
 *   AB_E_UNSUPPORTED; a bad parameter gives AB_E_INVALID_ARGUMENT from the
 *   call itself, before anything is sent, with ab_error_param naming it.
 *
 * Asynchronous calls. Functions that talk to the service take
 *   (cb, user_data, op_out, err_out) and return at once. If such a call
 *   returns AB_OK, cb (when not NULL) is called exactly once, on a library
 *   thread, never inside the call that started it; it may run before that
 *   call has returned to its caller (*op_out is set by then), so set up
 *   what it needs before the call. If the call returns an error, cb is
 *   never called. Cancelling (ab_op_cancel), closing the client
 *   and ab_shutdown still deliver the one callback, with AB_E_CANCELLED.
 *   When op_out is not NULL it receives an operation handle, which stays
 *   valid after completion until ab_op_free; ab_op_wait on it is the
 *   synchronous form of every call (pass cb = NULL to use only that).
 *   When op_out is NULL the library frees the operation after the callback.
 *   A result that no host code saw (cb NULL, and the operation freed without
 *   ab_op_wait taking its result) gives up the session handle it carried.
 *   user_data is passed back untouched and may be any value, not only a
 *   pointer.
 *
 * Completion queues. Hosts with an event loop can take completions from a
 *   queue they poll instead of callbacks on library threads: make one with
 *   ab_queue_new, watch its file descriptor (ab_queue_fd: readable while
 *   completions are queued) and start calls with ab_client_call_queued or
 *   ab_session_call_queued, which take the queue in place of cb. Every rule
 *   above holds with "a completion is queued" for "cb is called": if the
 *   call returns AB_OK, exactly one completion of it is queued, never
 *   inside the call that started it; if it returns an error, none is.
 *   ab_op_cancel, closing the client and ab_shutdown queue it with
 *   AB_E_CANCELLED (ab_op_cancel before it returns); ab_shutdown returns
 *   once every owed completion is in its queue. ab_queue_drain takes them
 *   in the order they finished, on the host's thread, as ab_completion
 *   items whose result_json and error the host then owns and frees
 *   (ab_queue_take: which the queue keeps, freeing the op handles too). The
 *   op of an item is the call's handle: valid until ab_op_free when op_out
 *   was given, else already freed by the library (then only a number to
 *   tell calls apart; user_data does that too). Queues belong to no client:
 *   closing a client or ab_shutdown leaves them, with their completions,
 *   until ab_queue_free, which frees the completions not yet drained and
 *   closes the descriptor (take it out of your poller first). Completions
 *   that arrive after ab_queue_free are dropped, and ab_op_wait on a kept
 *   handle still gives the outcome. A result nobody drained or waited for
 *   gives up the session handle it carried.
 *
 * Threads. Every function may be called from any thread at any time, also
 *   from inside callbacks (but for ab_shutdown). Callbacks run on a small
 *   fixed pool of library threads: return quickly; ab_op_wait in a callback
 *   works but holds a pool thread, and waiting there for another callback
 *   can stall the pool. Status callbacks (ab_session_call_observed) run on
 *   the thread of the waiting operation instead, which waits for them.
 *
 * Signals and processes. The library never installs signal handlers of its
 *   own, but the Go runtime inside it handles SIGSEGV, SIGBUS, SIGFPE, SIGPIPE
 *   and SIGURG. Hosts should ignore SIGPIPE, install their own handlers with
 *   SA_ONSTACK (or load the library from a thread that blocks asynchronous
 *   signals: the library's threads keep that mask and never run them), and
 *   load the library before installing crash handlers (or chain to the
 *   previous handler). Do not use the library in a child after
 *   fork(); start a new process instead. Keep the code of your callbacks
 *   loaded (a plugin, an addon) until ab_shutdown has returned.
 */
#ifndef AGENTBAY_H
#define AGENTBAY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this header. Compare with ab_version() to detect skew. */
#define AB_VERSION_MAJOR 0
#define AB_VERSION_MINOR 2
#define AB_VERSION_PATCH 0
#define AB_VERSION "0.2.0"

/* ABI version: bumped on any incompatible change. Bindings check it on load. */
#define AB_ABI_VERSION 2

/* Status codes. Each has a stable kind name, given by ab_status_kind() and
 * ab_error_kind(). */
#define AB_OK                  0
#define AB_E_INVALID_ARGUMENT (-1)  /* "invalid_argument": bad input; nothing was sent */
#define AB_E_NOT_FOUND        (-2)  /* "not_found": the session does not exist (any more) */
#define AB_E_UNAUTHORIZED     (-3)  /* "unauthorized": bad or expired API key */
#define AB_E_THROTTLED        (-4)  /* "throttled": the service asked to slow down */
#define AB_E_TIMEOUT          (-5)  /* "timeout": a deadline passed */
#define AB_E_CANCELLED        (-6)  /* "cancelled": cancelled, or the client was closed */
#define AB_E_CONFLICT         (-7)  /* "conflict": wrong session state, e.g. paused */
#define AB_E_SERVER           (-8)  /* "server": the service failed or answered garbage */
#define AB_E_TRANSPORT        (-9)  /* "transport": the network failed */
#define AB_E_UNSUPPORTED      (-10) /* "unsupported": not supported here */
#define AB_E_INVALID_HANDLE   (-11) /* "invalid_handle": unknown, freed or wrong-kind handle, or a closed client */
#define AB_E_INTERNAL         (-12) /* "internal": a bug in libagentbay */

/* Log levels, numerically equal to Python's logging levels. */
#define AB_LOG_DEBUG 10
#define AB_LOG_INFO  20
#define AB_LOG_WARN  30
#define AB_LOG_ERROR 40

typedef uint64_t ab_client;  /* a connection to one endpoint */
typedef uint64_t ab_session; /* one sandbox session of a client */
typedef uint64_t ab_op;      /* one asynchronous operation */
typedef uint64_t ab_queue;   /* a completion queue the host polls */

/* Error details: code, kind, message, request id. Opaque; see accessors. */
typedef struct ab_error ab_error;

/* Completion of an asynchronous call. On success status is AB_OK,
 * result_json is the result and error is NULL; on failure status is an
 * AB_E_* code, result_json is NULL and error describes it. Both pointers are
 * valid only during the callback. */
typedef void (*ab_callback)(void *user_data, ab_op op, int status,
                            const char *result_json, const ab_error *error);

/* One completion taken from a queue by ab_queue_drain: as the arguments
 * of an ab_callback, but owned by the host. On success status is AB_OK,
 * result_json is the result (free with ab_string_free) and error is NULL;
 * on failure status is an AB_E_* code, result_json is NULL and error
 * describes it (free with ab_error_free). */
typedef struct {
    ab_op op;
    void *user_data;
    int status;
    char *result_json;
    ab_error *error;
} ab_completion;

/* A status the wait of an observed operation read, reported once: the
 * first read and each change (e.g. "PAUSING", then "PAUSED"). reads counts
 * the statuses the wait has read, this one included. status is valid only
 * during the callback. */
typedef void (*ab_status_callback)(void *user_data, ab_op op, const char *status,
                                   int64_t reads);

/* A log line of the engine (never containing the API key). message is
 * valid only during the callback. */
typedef void (*ab_log_callback)(void *user_data, int level, const char *message);

/* ---- Library ---------------------------------------------------------- */

/* The library's version, e.g. "0.1.0". The string is static. */
const char *ab_version(void);

/* The library's ABI version; equal to AB_ABI_VERSION when header and
 * library match. */
int ab_abi_version(void);

/* Sends engine log lines at min_level and above to cb (NULL turns logging
 * off). cb may run on any library thread. Once this returns, the previous
 * cb is not running and is never called again (unless this was called from
 * inside it). */
int ab_set_log_callback(ab_log_callback cb, void *user_data, int min_level);

/* Closes every client, also those other threads make meanwhile, cancelling
 * their operations; waits until every owed callback has been delivered; then
 * turns logging off, so no host code runs after it returns. Call before
 * unloading the library, which may also be used again afterwards (set the
 * log callback again). From inside a callback: AB_E_INVALID_ARGUMENT. */
int ab_shutdown(void);

/* Frees a string returned by the library. NULL is allowed. */
void ab_string_free(char *s);

/* The kind name of a status code, e.g. "not_found" for AB_E_NOT_FOUND and
 * "ok" for AB_OK; NULL for a number that is no status code. Static. */
const char *ab_status_kind(int code);

/* ---- Errors ----------------------------------------------------------- */

/* Frees an error. NULL is allowed. The accessors below also accept NULL
 * (the error of a successful call) and then describe "no error": code
 * AB_OK, kind "ok", empty strings, zeros. */
void ab_error_free(ab_error *err);

/* The AB_E_* code of the error. */
int ab_error_code(const ab_error *err);

/* The stable kind name of the error, e.g. "not_found". Valid while err is. */
const char *ab_error_kind(const ab_error *err);

/* A human-readable message. Valid while err is. */
const char *ab_error_message(const ab_error *err);

/* The service's request id, or "" if none. Valid while err is. */
const char *ab_error_request_id(const ab_error *err);

/* The service's own error code, e.g. "InvalidMcpSession.NotFound", or "". */
const char *ab_error_service_code(const ab_error *err);

/* The HTTP status of the failed reply, or 0 if there was none. */
int ab_error_http_status(const ab_error *err);

/* 1 if repeating the same call is safe and may succeed, else 0. */
int ab_error_retryable(const ab_error *err);

/* The parameter a bad-argument error is about, e.g. "port", or "". */
const char *ab_error_param(const ab_error *err);

/* ---- Operations ------------------------------------------------------- */

/* Asks the operation to stop. Its callback still fires once (or its
 * completion is queued once), with AB_E_CANCELLED unless it had already
 * finished. */
int ab_op_cancel(ab_op op);

/* Blocks until the operation finishes or timeout_ms passes (negative waits
 * forever). Returns the operation's status; on AB_OK *result_out (if not
 * NULL) receives the result JSON to free with ab_string_free. Returns
 * AB_E_TIMEOUT with the operation still running if the wait timed out. */
int ab_op_wait(ab_op op, int64_t timeout_ms, char **result_out, ab_error **err_out);

/* Releases an operation handle. A running operation goes on and still
 * calls its callback (or queues its completion). */
int ab_op_free(ab_op op);

/* ---- Completion queues (see "Completion queues" above) --------------- */

/* Makes a completion queue, with its own eventfd (non-blocking,
 * close-on-exec). */
int ab_queue_new(ab_queue *out, ab_error **err_out);

/* The queue's file descriptor, for poll/epoll/a loop's reader: readable
 * while completions are queued, not after a drain that emptied the queue.
 * Owned by the queue: do not read, write or close it. */
int ab_queue_fd(ab_queue queue, int *fd_out);

/* Takes up to max queued completions, oldest first, into items[0..*n_out);
 * never blocks (*n_out is 0 when none is queued). The host owns the
 * result_json and error of each item taken. */
int ab_queue_drain(ab_queue queue, ab_completion *items, int max, int *n_out);

/* As ab_queue_drain, for hosts that would otherwise make three calls per
 * completion (drain, ab_string_free or ab_error_free, ab_op_free): the
 * op handle of each item taken is freed, as by ab_op_free (freeing it
 * again, or ab_op_cancel on it, is harmless), and the items' result_json
 * and error stay the queue's: valid until the next ab_queue_take on the
 * same queue or ab_queue_free, and not to be freed by the host. Take from
 * one thread at a time. */
int ab_queue_take(ab_queue queue, ab_completion *items, int max, int *n_out);

/* Frees the queue: the completions not yet drained (and those that arrive
 * later) are dropped, and its descriptor is closed. Operations started with
 * it go on; kept handles still work with ab_op_wait and ab_op_free. */
int ab_queue_free(ab_queue queue);

/* ---- Clients ---------------------------------------------------------- */

/* Makes a client from a JSON config {"api_key", "endpoint", "timeout_ms",
 * "emulate"}, any of which may be absent (config_json may be NULL). Missing
 * fields come from AGENTBAY_API_KEY, AGENTBAY_ENDPOINT and
 * AGENTBAY_TIMEOUT_MS; with no key and no endpoint the client runs on the
 * embedded local backend (endpoint "embedded"), started inside this process.
 * "emulate" {"create", "pause", "resume", "delete"}, durations such as
 * "1.5s" or ranges "1s-2s", makes the embedded backend's transitions take
 * that long, as the cloud's do (for tests; other backends:
 * AB_E_INVALID_ARGUMENT). */
int ab_client_new(const char *config_json, ab_client *out, ab_error **err_out);

/* Closes the client: cancels its operations, frees its sessions and
 * operations, and stops its embedded backend if it has one. The callbacks
 * of the cancelled operations may still arrive after it returns
 * (ab_shutdown waits for them). Closing 0 or a closed client is AB_OK. */
int ab_client_close(ab_client client);

/* Describes the client as JSON {"endpoint", "embedded", "version"}; never
 * the key. Synchronous; on the embedded backend it waits until the backend
 * has started (ab_client_new does not). */
int ab_client_info(ab_client client, char **json_out, ab_error **err_out);

/* Runs the client operation name ("create", "get", "list", "delete") with
 * params_json, a JSON object of its parameters (NULL means {}). Fails with
 * AB_E_INVALID_HANDLE, AB_E_UNSUPPORTED for an unknown name, or
 * AB_E_INVALID_ARGUMENT for a bad parameter; then cb never fires. */
int ab_client_call(ab_client client, const char *name, const char *params_json,
                   ab_callback cb, void *user_data, ab_op *op_out,
                   ab_error **err_out);

/* ab_client_call with the completion going to queue instead of a
 * callback. A bad queue handle gives AB_E_INVALID_HANDLE. */
int ab_client_call_queued(ab_client client, const char *name,
                          const char *params_json, ab_queue queue,
                          void *user_data, ab_op *op_out, ab_error **err_out);

/* Creates a session ("create"). params_json: {"labels", "image_id",
 * "policy_id"}, all optional, or NULL. Result: {"request_id", "success",
 * "error_message", "session_id", "session_handle", "resource_url"}; the
 * caller owns the session handle and frees it with ab_session_free (see
 * "Asynchronous calls" for a result nobody saw). The official SDKs'
 * "context_syncs", "browser_context", "extra_configs", "is_vpc": true and
 * "enable_browser_replay": false give AB_E_UNSUPPORTED. */
int ab_client_create(ab_client client, const char *params_json, ab_callback cb,
                     void *user_data, ab_op *op_out, ab_error **err_out);

/* Finds an existing session by id ("get"). Result as for ab_client_create. */
int ab_client_get(ab_client client, const char *session_id, ab_callback cb,
                  void *user_data, ab_op *op_out, ab_error **err_out);

/* Lists sessions ("list"). params_json: {"labels", "page" (from 1),
 * "limit" (page size, default 10), "status", "next_token"}, all optional,
 * or NULL. Result: {"request_id", "success", "error_message",
 * "session_ids": [{"session_id", "status"}], "next_token", "max_results",
 * "total_count"}. */
int ab_client_list(ab_client client, const char *params_json, ab_callback cb,
                   void *user_data, ab_op *op_out, ab_error **err_out);

/* Deletes a session by id and waits until it is gone ("delete";
 * sync_context: wait for context uploads first). Result: {"request_id",
 * "success", "error_message"}. */
int ab_client_delete(ab_client client, const char *session_id, int sync_context,
                     ab_callback cb, void *user_data, ab_op *op_out,
                     ab_error **err_out);

/* ---- Sessions --------------------------------------------------------- */

/* Makes a session handle for an existing session id without asking the
 * service (the reference's AsyncSession(agent_bay, session_id)). */
int ab_session_new(ab_client client, const char *session_id, ab_session *out,
                   ab_error **err_out);

/* Copies the session id into *id_out (free with ab_string_free). */
int ab_session_id(ab_session session, char **id_out, ab_error **err_out);

/* Releases a session handle; the session itself lives on. */
int ab_session_free(ab_session session);

/* Runs the session operation name (e.g. "get_link", "pause") with
 * params_json, a JSON object of its parameters (NULL means {}). Fails as
 * ab_client_call does. */
int ab_session_call(ab_session session, const char *name, const char *params_json,
                    ab_callback cb, void *user_data, ab_op *op_out,
                    ab_error **err_out);

/* ab_session_call with the completion going to queue instead of a
 * callback. A bad queue handle gives AB_E_INVALID_HANDLE. */
int ab_session_call_queued(ab_session session, const char *name,
                           const char *params_json, ab_queue queue,
                           void *user_data, ab_op *op_out, ab_error **err_out);

/* ab_session_call that also calls on_status (with status_user_data) for each
 * status the operation's wait reads, once, in order; only "pause", "resume"
 * and "delete" wait (any other name: AB_E_INVALID_ARGUMENT). on_status runs
 * on a library thread and the wait goes on when it returns; it is never
 * called once cb has started or ab_op_wait has returned the outcome (so not
 * after a cancel either). Do not ab_op_wait on op from inside it. */
int ab_session_call_observed(ab_session session, const char *name,
                             const char *params_json, ab_status_callback on_status,
                             void *status_user_data, ab_callback cb, void *user_data,
                             ab_op *op_out, ab_error **err_out);

/* Deletes the session and waits until it is gone. Result: {"request_id",
 * "success", "error_message"}. */
int ab_session_delete(ab_session session, int sync_context, ab_callback cb,
                      void *user_data, ab_op *op_out, ab_error **err_out);

/* Replaces the session's labels with labels_json, a non-empty JSON object
 * of non-blank strings. Result: {"request_id", "success", "error_message"}. */
int ab_session_set_labels(ab_session session, const char *labels_json,
                          ab_callback cb, void *user_data, ab_op *op_out,
                          ab_error **err_out);

/* Reads the session's labels. Result: {..., "data": {"key": "value"}}. */
int ab_session_get_labels(ab_session session, ab_callback cb, void *user_data,
                          ab_op *op_out, ab_error **err_out);

/* Describes the session's resource. Result: {..., "data": {"session_id",
 * "resource_url", "app_id", "auth_code", "connection_properties",
 * "resource_id", "resource_type", "ticket"}}. */
int ab_session_info(ab_session session, ab_callback cb, void *user_data,
                    ab_op *op_out, ab_error **err_out);

/* Gets a URL reaching a port of the session. protocol_type ("https",
 * "wss") and options (a JSON text) may be NULL; port 0 means none, else it
 * must be in 30100..30199. Result: {..., "data": "<url>"}. */
int ab_session_get_link(ab_session session, const char *protocol_type,
                        int32_t port, const char *options, ab_callback cb,
                        void *user_data, ab_op *op_out, ab_error **err_out);

/* Lists the MCP tools of image_id (NULL: the session's image, else
 * linux_latest). Result: {..., "tools": [{"name", "description",
 * "input_schema", "server", "tool"}]}. */
int ab_session_list_mcp_tools(ab_session session, const char *image_id,
                              ab_callback cb, void *user_data, ab_op *op_out,
                              ab_error **err_out);

/* Calls an MCP tool with args_json (a JSON object; NULL means {}).
 * options_json (or NULL): {"read_timeout", "connect_timeout" (milliseconds;
 * 0: the defaults), "auto_gen_session"}. Result: {..., "data": "<text>"};
 * a tool that reports an error gives AB_OK with "success": false and
 * "error_message". */
int ab_session_call_mcp_tool(ab_session session, const char *tool_name,
                             const char *args_json, const char *options_json,
                             ab_callback cb, void *user_data, ab_op *op_out,
                             ab_error **err_out);

/* Pauses the session and waits until it is PAUSED, for up to timeout_ms
 * (0: 600000). It polls after gaps of 10% of the time waited (at least
 * 5 ms, at most poll_interval_ms, 0: 2000), so a transition of length T is
 * seen within T + max(T/10, 50 ms) plus one request, at the cost of about
 * 17 + 24 * log10(T / 0.5 s) status reads until the gaps reach
 * poll_interval_ms, then one per poll_interval_ms. Negative times give
 * AB_E_INVALID_ARGUMENT. Result: {..., "status": "PAUSED"}. */
int ab_session_pause(ab_session session, int64_t timeout_ms,
                     int64_t poll_interval_ms, ab_callback cb, void *user_data,
                     ab_op *op_out, ab_error **err_out);

/* Starts pausing the session without waiting. Result: {..., "status"}. */
int ab_session_pause_async(ab_session session, ab_callback cb, void *user_data,
                           ab_op *op_out, ab_error **err_out);

/* Resumes the session and waits until it is RUNNING; timeouts as for
 * ab_session_pause. Result: {..., "status": "RUNNING"}. */
int ab_session_resume(ab_session session, int64_t timeout_ms,
                      int64_t poll_interval_ms, ab_callback cb, void *user_data,
                      ab_op *op_out, ab_error **err_out);

/* Starts resuming the session without waiting. Result: {..., "status"}. */
int ab_session_resume_async(ab_session session, ab_callback cb, void *user_data,
                            ab_op *op_out, ab_error **err_out);

/* Reads the session's status. Result: {..., "status": "RUNNING"}. */
int ab_session_get_status(ab_session session, ab_callback cb, void *user_data,
                          ab_op *op_out, ab_error **err_out);

/* ---- Streamed commands ------------------------------------------------ */

/* The streams of a chunk. */
#define AB_STREAM_STDOUT 1
#define AB_STREAM_STDERR 2

/* A piece of a streamed command's output: len bytes of stream (AB_STREAM_*)
 * at data, UTF-8 (a chunk never splits a character), not NUL-terminated,
 * valid only during the callback. */
typedef void (*ab_chunk_callback)(void *user_data, ab_op op, int stream,
                                  const char *data, size_t len);

/* Runs a shell command and streams its output: params_json is
 * "command_start"'s ({"command", "timeout_ms" (0: the server's longest),
 * "cwd", "envs"}) to start one, or {"process_id"} to stream one that
 * "command_start" started. on_chunk (may be NULL) gets each piece of output
 * as it arrives: each stream's chunks in order, every byte exactly once,
 * one call at a time, on a library thread (not necessarily one of those of
 * the completion callbacks); the stream waits while on_chunk runs. Every
 * on_chunk call has returned before cb runs, and none comes after it, also
 * after ab_op_cancel (which on_chunk may call; it must not wait for its own
 * op). Then cb gets the result, as "command_wait"'s:
 * {"request_id", "success", "error_message", "output", "exit_code",
 * "stdout", "stderr", "trace_id"}, each stream kept up to 1 MiB there.
 * Needs a server with background commands (the local backend): the cloud
 * answers AB_E_UNSUPPORTED. The same without chunks:
 * ab_session_call(session, "command_start", ...), then "command_wait". */
int ab_session_command_stream(ab_session session, const char *params_json,
                              ab_chunk_callback on_chunk, ab_callback cb,
                              void *user_data, ab_op *op_out, ab_error **err_out);

/* ---- Testing ---------------------------------------------------------- */

/* The number of live handles (clients, sessions, operations and queues).
 * For leak checks in tests: 0 after every client was closed and every kept
 * operation and every queue freed. */
int64_t ab_debug_handle_count(void);

#ifdef __cplusplus
}
#endif

#endif /* AGENTBAY_H */
