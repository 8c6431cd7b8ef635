/*
 * addon.c - the Node-API addon of the libagentbay Node binding.
 *
 * It exposes the generic entries of the C ABI (include/agentbay.h) to
 * JavaScript: ab_client_call and ab_session_call run any operation of the
 * library's table by name with a JSON text of parameters, so a new
 * operation needs nothing here. Library lookup, JSON, Promises and
 * AbortSignal live in the JavaScript layer (lib/native.js); argument rules,
 * messages and error kinds come from the library.
 *
 * libagentbay is not linked at build time. JavaScript picks the library path
 * (explicit path, env, package copy, build folder, system loader) and load()
 * dlopens it, so that this lookup order holds whatever the system loader
 * would find first.
 *
 * Completions. The library calls on_complete on one of its threads. It copies
 * the result and the error (valid only during the callback) into a heap
 * struct and hands it to the JavaScript thread through ONE thread-safe
 * function per environment, called non-blocking so that a library thread
 * never waits for JavaScript. The tsfn is referenced only while operations
 * are pending, so a script exits on its own once its work is done.
 *
 * Exit. When an environment goes away (process exit, end of a worker), its
 * state is marked closed under a mutex before the tsfn can be freed; a
 * completion that arrives later is dropped without touching the tsfn. The
 * state itself is never freed, since a library thread may still hold it,
 * and the addon is never unloaded (Node unloads an addon with the last worker
 * that loaded it), since the library keeps pointers to its callbacks.
 */
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE */
#define NAPI_VERSION 8
#include <node_api.h>

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentbay.h"

/* ---- The library, loaded once per process ------------------------------ */

#define AB_FUNCTIONS(X)                                                       \
  X(ab_version) X(ab_abi_version) X(ab_set_log_callback) X(ab_status_kind)   \
  X(ab_error_free) X(ab_error_kind) X(ab_error_message) X(ab_error_param)    \
  X(ab_error_request_id) X(ab_error_service_code) X(ab_error_http_status)    \
  X(ab_error_retryable) X(ab_string_free) X(ab_op_cancel) X(ab_op_free)      \
  X(ab_client_new) X(ab_client_close) X(ab_client_info) X(ab_client_call)    \
  X(ab_session_free) X(ab_session_call)

/* Functions a library of the same ABI may lack (added later): looked up,
 * NULL if missing; the features that need them throw "unsupported". */
#define AB_OPTIONAL(X) X(ab_session_call_observed)

static struct {
#define AB_SLOT(name) __typeof__(name) *name;
  AB_FUNCTIONS(AB_SLOT)
  AB_OPTIONAL(AB_SLOT)
#undef AB_SLOT
} ab;

static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;
static char *loaded_path; /* set once the table above is complete */

/* The kind name of a status code, from the library once it is loaded. */
static const char *kind_of(int code) {
  const char *kind = loaded_path ? ab.ab_status_kind(code) : NULL;
  return kind ? kind : "internal";
}

/* ---- Per-environment state --------------------------------------------- */

typedef struct {
  pthread_mutex_t mu; /* guards closed and tsfn use on library threads */
  int closed;
  napi_threadsafe_function tsfn;
  uint32_t pending;   /* operations started and not yet delivered (JS thread) */
  ab_client *clients; /* open clients, closed when the environment goes away */
  size_t nclients, cap;
} env_state;

/* A completion copied out of the library's callback, or (status set) a
 * status event of an observed operation, which goes through the same tsfn
 * so that it arrives before the operation's completion. */
typedef struct {
  ab_op op;
  char *status;  /* a status event: the status; NULL for a completion */
  int64_t reads; /* a status event: the wait's reads so far */
  int code; /* AB_OK or AB_E_* */
  int http_status, retryable;
  char *result, *kind, *message, *param, *request_id, *service_code;
} completion;

/* The log sink: at most one listener per process, whatever the environment. */
typedef struct {
  napi_threadsafe_function tsfn;
} log_sink;

typedef struct {
  int level;
  char message[];
} log_line;

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static log_sink *log_current;   /* guarded by log_mu */
static env_state *log_owner;    /* the environment that set it; log_mu */

static char *copy_str(const char *s) {
  return strdup(s ? s : "");
}

static void completion_free(completion *c) {
  free(c->status);
  free(c->result);
  free(c->kind);
  free(c->message);
  free(c->param);
  free(c->request_id);
  free(c->service_code);
  free(c);
}

/* ---- Callbacks on library threads -------------------------------------- */

/* Posts c to the environment's tsfn, or frees it once that is gone. The
 * lock makes "not closed" and "tsfn still alive" one fact: the tsfn
 * finalizer and teardown take it before the tsfn can go away. */
static void post(env_state *st, completion *c) {
  pthread_mutex_lock(&st->mu);
  napi_status s = st->closed ? napi_closing
                             : napi_call_threadsafe_function(st->tsfn, c, napi_tsfn_nonblocking);
  pthread_mutex_unlock(&st->mu);
  if (s != napi_ok) completion_free(c);
}

static void on_complete(void *user_data, ab_op op, int status,
                        const char *result_json, const ab_error *error) {
  env_state *st = user_data;
  completion *c = calloc(1, sizeof *c);
  if (!c) return; /* out of memory: nothing sensible is left to do */
  c->op = op;
  c->code = status;
  if (status == AB_OK) {
    c->result = copy_str(result_json);
    if (!c->result) c->code = AB_E_INTERNAL; /* out of memory: still settle */
  } else if (error) {
    c->kind = copy_str(ab.ab_error_kind(error));
    c->message = copy_str(ab.ab_error_message(error));
    c->param = copy_str(ab.ab_error_param(error));
    c->request_id = copy_str(ab.ab_error_request_id(error));
    c->service_code = copy_str(ab.ab_error_service_code(error));
    c->http_status = ab.ab_error_http_status(error);
    c->retryable = ab.ab_error_retryable(error);
  }
  post(st, c);
}

static void on_status(void *user_data, ab_op op, const char *status, int64_t reads) {
  completion *c = calloc(1, sizeof *c);
  if (!c) return;
  c->op = op;
  c->reads = reads;
  c->status = copy_str(status);
  if (!c->status) {
    free(c);
    return;
  }
  post(user_data, c);
}

static void on_log(void *user_data, int level, const char *message) {
  (void)user_data;
  size_t n = strlen(message ? message : "");
  log_line *line = malloc(sizeof *line + n + 1);
  if (!line) return;
  line->level = level;
  memcpy(line->message, message ? message : "", n + 1);
  pthread_mutex_lock(&log_mu);
  napi_status s = log_current
      ? napi_call_threadsafe_function(log_current->tsfn, line, napi_tsfn_nonblocking)
      : napi_closing;
  pthread_mutex_unlock(&log_mu);
  if (s != napi_ok) free(line);
}

/* ---- Helpers on the JavaScript thread ----------------------------------- */

static void set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

static void set_int(napi_env env, napi_value obj, const char *key, int n) {
  napi_value v;
  napi_create_int32(env, n, &v);
  napi_set_named_property(env, obj, key, v);
}

static void set_bool(napi_env env, napi_value obj, const char *key, int b) {
  napi_value v;
  napi_get_boolean(env, b != 0, &v);
  napi_set_named_property(env, obj, key, v);
}

/* The error details JavaScript turns into an AgentBayError. */
static void set_error_fields(napi_env env, napi_value obj, int code, const char *kind,
                             const char *param, const char *request_id,
                             const char *service_code, int http_status, int retryable) {
  set_int(env, obj, "code", code);
  set_str(env, obj, "kind", kind && *kind ? kind : kind_of(code));
  set_str(env, obj, "param", param);
  set_str(env, obj, "requestId", request_id);
  set_str(env, obj, "serviceCode", service_code);
  set_int(env, obj, "httpStatus", http_status);
  set_bool(env, obj, "retryable", retryable);
}

/* Throws an Error with the fields of an AB_E_* failure. */
static napi_value throw_code(napi_env env, int code, const char *message) {
  napi_value msg, e;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &e);
  set_error_fields(env, e, code, NULL, NULL, NULL, NULL, 0, 0);
  napi_throw(env, e);
  return NULL;
}

/* Throws the failure of a synchronous call and frees err. */
static napi_value throw_ab(napi_env env, int code, ab_error *err) {
  const char *message = err ? ab.ab_error_message(err) : kind_of(code);
  napi_value msg, e;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &e);
  if (err)
    set_error_fields(env, e, code, ab.ab_error_kind(err), ab.ab_error_param(err),
                     ab.ab_error_request_id(err), ab.ab_error_service_code(err),
                     ab.ab_error_http_status(err), ab.ab_error_retryable(err));
  else
    set_error_fields(env, e, code, NULL, NULL, NULL, NULL, 0, 0);
  ab.ab_error_free(err);
  napi_throw(env, e);
  return NULL;
}

static napi_value number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

static napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

/* Reads a handle. Handles stay below 2^53, so a double holds them exactly. */
static int arg_handle(napi_env env, napi_value v, uint64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0 && d < 9007199254740992.0)) {
    napi_throw_type_error(env, NULL, "expected a handle");
    return 0;
  }
  *out = (uint64_t)d;
  return 1;
}

static int arg_int64(napi_env env, napi_value v, int64_t *out) {
  if (napi_get_value_int64(env, v, out) == napi_ok) return 1;
  napi_throw_type_error(env, NULL, "expected a number");
  return 0;
}

/* Reads a string into a malloc'd copy; undefined and null give NULL. */
static int arg_str(napi_env env, napi_value v, char **out) {
  napi_valuetype t;
  size_t n;
  *out = NULL;
  napi_typeof(env, v, &t);
  if (t == napi_undefined || t == napi_null) return 1;
  if (t != napi_string || napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a string");
    return 0;
  }
  *out = malloc(n + 1);
  if (!*out) {
    napi_throw_error(env, NULL, "out of memory");
    return 0;
  }
  napi_get_value_string_utf8(env, v, *out, n + 1, &n);
  return 1;
}

/* The call's arguments (napi reads missing ones as undefined) and data. */
#define ARGS(n)                                          \
  napi_value argv[n];                                    \
  size_t argc = (n);                                     \
  void *data = NULL;                                     \
  napi_get_cb_info(env, info, &argc, argv, NULL, &data); \
  (void)data

static env_state *state_of(napi_env env) {
  env_state *st = NULL;
  napi_get_instance_data(env, (void **)&st);
  return st;
}

/* The state of an environment that may call the library, or NULL after
 * throwing why not. */
static env_state *ready(napi_env env) {
  env_state *st = state_of(env);
  if (!loaded_path || !st->tsfn) {
    throw_code(env, AB_E_INTERNAL, "libagentbay is not loaded");
    return NULL;
  }
  if (st->closed) {
    throw_code(env, AB_E_CANCELLED, "the Node environment is shutting down");
    return NULL;
  }
  return st;
}

/* Returns the operation of a started call, or throws why it did not start. */
static napi_value started(napi_env env, env_state *st, int rc, ab_op op, ab_error *err) {
  if (rc != AB_OK) return throw_ab(env, rc, err);
  if (st->pending++ == 0) napi_ref_threadsafe_function(env, st->tsfn);
  return number(env, (double)op);
}

/* ---- Delivery on the JavaScript thread ---------------------------------- */

/* Calls the JavaScript completion function with (op, resultJson, error). */
static void deliver(napi_env env, napi_value js_cb, void *context, void *data) {
  env_state *st = context;
  completion *c = data;
  if (env && c->status) { /* a status event: (op, undefined, undefined, status, reads) */
    napi_value argv[5];
    argv[0] = number(env, (double)c->op);
    argv[1] = argv[2] = undefined(env);
    napi_create_string_utf8(env, c->status, NAPI_AUTO_LENGTH, &argv[3]);
    argv[4] = number(env, (double)c->reads);
    napi_call_function(env, undefined(env), js_cb, 5, argv, NULL);
  } else if (env) { /* NULL while the tsfn is being torn down: just free */
    if (--st->pending == 0) napi_unref_threadsafe_function(env, st->tsfn);
    ab.ab_op_free(c->op);
    napi_value argv[3];
    argv[0] = number(env, (double)c->op);
    argv[1] = undefined(env);
    argv[2] = undefined(env);
    if (c->code == AB_OK) {
      napi_create_string_utf8(env, c->result, NAPI_AUTO_LENGTH, &argv[1]);
    } else {
      napi_create_object(env, &argv[2]);
      set_str(env, argv[2], "message", c->message ? c->message : kind_of(c->code));
      set_error_fields(env, argv[2], c->code, c->kind, c->param, c->request_id,
                       c->service_code, c->http_status, c->retryable);
    }
    napi_call_function(env, undefined(env), js_cb, 3, argv, NULL);
  }
  completion_free(c);
}

static void deliver_log(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)context;
  log_line *line = data;
  if (env) {
    napi_value argv[2];
    napi_create_int32(env, line->level, &argv[0]);
    napi_create_string_utf8(env, line->message, NAPI_AUTO_LENGTH, &argv[1]);
    napi_call_function(env, undefined(env), js_cb, 2, argv, NULL);
  }
  free(line);
}

/* ---- Teardown ----------------------------------------------------------- */

/* Runs when Node frees the tsfn (e.g. at environment cleanup): from here on
 * library threads must not touch it. */
static void tsfn_finalized(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  env_state *st = data;
  pthread_mutex_lock(&st->mu);
  st->closed = 1;
  pthread_mutex_unlock(&st->mu);
}

static void log_sink_finalized(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  log_sink *sink = data;
  pthread_mutex_lock(&log_mu);
  if (log_current == sink) log_current = NULL;
  pthread_mutex_unlock(&log_mu);
  free(sink); /* no library thread can reach it any more */
}

/* Stops deliveries to this environment and closes its clients, so that their
 * embedded backends and sandboxes stop too. Idempotent. */
static void teardown(env_state *st) {
  pthread_mutex_lock(&st->mu);
  st->closed = 1;
  pthread_mutex_unlock(&st->mu);
  if (!loaded_path) return;
  pthread_mutex_lock(&log_mu);
  int owns_log = log_owner == st;
  if (owns_log) log_owner = NULL;
  pthread_mutex_unlock(&log_mu);
  if (owns_log) ab.ab_set_log_callback(NULL, NULL, 0);
  for (size_t i = 0; i < st->nclients; i++) ab.ab_client_close(st->clients[i]);
  st->nclients = 0;
}

static void env_cleanup(void *arg) {
  teardown(arg);
}

/* ---- Exported functions ------------------------------------------------- */

/* dlopen_quiet loads the library with the asynchronous signals blocked. The
 * Go runtime starts its threads with the signal mask of the thread that
 * loaded it, so none of them will ever run a handler Node installs later:
 * libuv installs its handlers (process.on('SIGINT')) without SA_ONSTACK,
 * and such a handler, run on a Go thread, pushes its frame onto a small
 * goroutine stack and corrupts the memory below it (seen as crashes on
 * Ctrl-C with commands starting). Faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL)
 * stay deliverable, and Go keeps SIGURG for itself. */
static void *dlopen_quiet(const char *path) {
  sigset_t async, old;
  sigfillset(&async);
  sigdelset(&async, SIGSEGV);
  sigdelset(&async, SIGBUS);
  sigdelset(&async, SIGFPE);
  sigdelset(&async, SIGILL);
  sigdelset(&async, SIGTRAP);
  pthread_sigmask(SIG_BLOCK, &async, &old);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return h;
}

/* load(path, onComplete): dlopens libagentbay (once per process), checks its
 * ABI version and readies this environment. Returns {version, abiVersion}. */
static napi_value js_load(napi_env env, napi_callback_info info) {
  ARGS(2);
  env_state *st = state_of(env);
  char *path;
  if (!arg_str(env, argv[0], &path)) return NULL;
  if (!path) {
    napi_throw_type_error(env, NULL, "expected a library path");
    return NULL;
  }
  char msg[1024] = "";
  pthread_mutex_lock(&load_mu);
  if (loaded_path && strcmp(loaded_path, path) != 0) {
    snprintf(msg, sizeof msg, "libagentbay is already loaded from %s", loaded_path);
  } else if (!loaded_path) {
    /* A Go library is never unloaded: it cannot be, its runtime runs on. */
    void *h = dlopen_quiet(path);
    const char *missing = NULL;
    if (!h) {
      snprintf(msg, sizeof msg, "cannot load libagentbay from %s: %s", path, dlerror());
    } else {
#define AB_LOOKUP(name) \
  if (!missing && !(*(void **)&ab.name = dlsym(h, #name))) missing = #name;
      AB_FUNCTIONS(AB_LOOKUP)
#undef AB_LOOKUP
#define AB_LOOKUP_OPTIONAL(name) *(void **)&ab.name = h ? dlsym(h, #name) : NULL;
      AB_OPTIONAL(AB_LOOKUP_OPTIONAL)
#undef AB_LOOKUP_OPTIONAL
      if (missing)
        snprintf(msg, sizeof msg, "%s is not libagentbay or too old: no symbol %s", path,
                 missing);
      else if (ab.ab_abi_version() != AB_ABI_VERSION)
        snprintf(msg, sizeof msg,
                 "%s has ABI version %d but this binding needs ABI version %d", path,
                 ab.ab_abi_version(), AB_ABI_VERSION);
      else
        loaded_path = strdup(path);
    }
  }
  pthread_mutex_unlock(&load_mu);
  free(path);
  if (*msg) {
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  if (!st->tsfn) {
    napi_value name;
    napi_create_string_utf8(env, "agentbay.completion", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, st, tsfn_finalized,
                                        st, deliver, &st->tsfn) != napi_ok)
      return NULL; /* napi has thrown (e.g. onComplete is not a function) */
    napi_unref_threadsafe_function(env, st->tsfn);
    /* Added after the tsfn so that it runs before Node frees the tsfn. */
    napi_add_env_cleanup_hook(env, env_cleanup, st);
  }
  napi_value out;
  napi_create_object(env, &out);
  set_str(env, out, "version", ab.ab_version());
  set_int(env, out, "abiVersion", ab.ab_abi_version());
  set_str(env, out, "path", loaded_path);
  return out;
}

/* teardown(): what environment cleanup does, for process 'exit' (which may
 * come before Node's own cleanup, or without it). */
static napi_value js_teardown(napi_env env, napi_callback_info info) {
  (void)info;
  teardown(state_of(env));
  return undefined(env);
}

static napi_value js_client_new(napi_env env, napi_callback_info info) {
  ARGS(1);
  env_state *st = ready(env);
  char *config;
  if (!st || !arg_str(env, argv[0], &config)) return NULL;
  ab_client c = 0;
  ab_error *err = NULL;
  int rc = ab.ab_client_new(config, &c, &err);
  free(config);
  if (rc != AB_OK) return throw_ab(env, rc, err);
  if (st->nclients == st->cap) {
    size_t cap = st->cap ? st->cap * 2 : 4;
    ab_client *grown = realloc(st->clients, cap * sizeof *grown);
    if (!grown) {
      ab.ab_client_close(c);
      napi_throw_error(env, NULL, "out of memory");
      return NULL;
    }
    st->clients = grown;
    st->cap = cap;
  }
  st->clients[st->nclients++] = c;
  return number(env, (double)c);
}

/* clientClose(client): closes the client on a worker thread, since closing
 * waits for its operations to end and its embedded backend to stop; returns
 * a Promise. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  ab_client client;
  int rc;
} close_job;

static void close_execute(napi_env env, void *data) {
  (void)env;
  close_job *job = data;
  job->rc = ab.ab_client_close(job->client);
}

static void close_complete(napi_env env, napi_status status, void *data) {
  close_job *job = data;
  if (status == napi_ok && job->rc == AB_OK) {
    napi_resolve_deferred(env, job->deferred, undefined(env));
  } else {
    int code = job->rc != AB_OK ? job->rc : AB_E_CANCELLED;
    napi_value msg, e;
    napi_create_string_utf8(env, kind_of(code), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &e);
    set_error_fields(env, e, code, NULL, NULL, NULL, NULL, 0, 0);
    napi_reject_deferred(env, job->deferred, e);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value js_client_close(napi_env env, napi_callback_info info) {
  ARGS(1);
  env_state *st = ready(env);
  uint64_t c;
  if (!st || !arg_handle(env, argv[0], &c)) return NULL;
  close_job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  job->client = c;
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "agentbay.close", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, NULL, name, close_execute, close_complete, job,
                             &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    free(job);
    napi_throw_error(env, NULL, "cannot start closing the client");
    return NULL;
  }
  /* Teardown no longer needs to close it: the worker does. */
  for (size_t i = 0; i < st->nclients; i++)
    if (st->clients[i] == c) st->clients[i] = st->clients[--st->nclients];
  return promise;
}

/* clientInfo(client): the JSON text of ab_client_info. */
static napi_value js_client_info(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint64_t h;
  if (!ready(env) || !arg_handle(env, argv[0], &h)) return NULL;
  char *s = NULL;
  ab_error *err = NULL;
  int rc = ab.ab_client_info(h, &s, &err);
  if (rc != AB_OK) return throw_ab(env, rc, err);
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  ab.ab_string_free(s);
  return v;
}

/* Calls fn(handle) whose failures are not worth reporting (frees, cancel). */
static napi_value js_session_free(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint64_t h;
  if (loaded_path && arg_handle(env, argv[0], &h)) ab.ab_session_free(h);
  return undefined(env);
}

static napi_value js_op_cancel(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint64_t h;
  if (loaded_path && arg_handle(env, argv[0], &h)) ab.ab_op_cancel(h);
  return undefined(env);
}

/* clientCall(client, name, paramsJson) and sessionCall(session, name,
 * paramsJson): start the operation name; data points at the table slot of
 * ab_client_call or ab_session_call. Returns the op handle. */
static napi_value js_call(napi_env env, napi_callback_info info) {
  ARGS(3);
  __typeof__(ab_client_call) **fn = data;
  env_state *st = ready(env);
  uint64_t h;
  char *name = NULL, *params = NULL;
  if (!st || !arg_handle(env, argv[0], &h) || !arg_str(env, argv[1], &name) ||
      !arg_str(env, argv[2], &params)) {
    free(name);
    return NULL;
  }
  ab_op op = 0;
  ab_error *err = NULL;
  int rc = (*fn)(h, name, params, on_complete, st, &op, &err);
  free(name);
  free(params);
  return started(env, st, rc, op, err);
}

/* sessionCallObserved(session, name, paramsJson): sessionCall whose status
 * events reach the completion function as (op, undefined, undefined, status,
 * reads), before the operation's completion. */
static napi_value js_call_observed(napi_env env, napi_callback_info info) {
  ARGS(3);
  env_state *st = ready(env);
  if (!st) return NULL;
  if (!ab.ab_session_call_observed)
    return throw_code(env, AB_E_UNSUPPORTED,
                      "onStatus needs a newer libagentbay (no ab_session_call_observed)");
  uint64_t h;
  char *name = NULL, *params = NULL;
  if (!arg_handle(env, argv[0], &h) || !arg_str(env, argv[1], &name) ||
      !arg_str(env, argv[2], &params)) {
    free(name);
    return NULL;
  }
  ab_op op = 0;
  ab_error *err = NULL;
  int rc = ab.ab_session_call_observed(h, name, params, on_status, st, on_complete, st, &op, &err);
  free(name);
  free(params);
  return started(env, st, rc, op, err);
}

/* statusKinds(): { kind: code } for every status code, from the library. */
static napi_value js_status_kinds(napi_env env, napi_callback_info info) {
  (void)info;
  if (!ready(env)) return NULL;
  napi_value out;
  napi_create_object(env, &out);
  for (int code = 0; code > -1000; code--) {
    const char *kind = ab.ab_status_kind(code);
    if (!kind) break;
    set_int(env, out, kind, code);
  }
  return out;
}

/* setLogListener(fn | null, minLevel): one listener per process. Its tsfn is
 * never referenced: logging must not keep a process alive. */
static napi_value js_set_log_listener(napi_env env, napi_callback_info info) {
  ARGS(2);
  env_state *st = ready(env);
  int64_t level;
  napi_valuetype t;
  if (!st || !arg_int64(env, argv[1], &level)) return NULL;
  napi_typeof(env, argv[0], &t);
  log_sink *sink = NULL;
  if (t == napi_function) {
    napi_value name;
    sink = calloc(1, sizeof *sink);
    if (!sink) {
      napi_throw_error(env, NULL, "out of memory");
      return NULL;
    }
    napi_create_string_utf8(env, "agentbay.log", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, sink,
                                        log_sink_finalized, NULL, deliver_log,
                                        &sink->tsfn) != napi_ok) {
      free(sink);
      return NULL;
    }
    napi_unref_threadsafe_function(env, sink->tsfn);
  }
  pthread_mutex_lock(&log_mu);
  log_sink *old = log_current;
  log_current = sink;
  log_owner = sink ? st : NULL;
  pthread_mutex_unlock(&log_mu);
  if (old) napi_release_threadsafe_function(old->tsfn, napi_tsfn_abort);
  int rc = sink ? ab.ab_set_log_callback(on_log, NULL, (int)level)
                : ab.ab_set_log_callback(NULL, NULL, 0);
  return rc == AB_OK ? undefined(env) : throw_ab(env, rc, NULL);
}

/* ---- Module ------------------------------------------------------------- */

/* Marks this addon never to be unloaded: dlopen of an already loaded object
 * with RTLD_NODELETE sets the flag on it. */
static void pin_addon(void) {
  Dl_info self;
  if (dladdr((void *)pin_addon, &self) && self.dli_fname)
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  static pthread_once_t pinned = PTHREAD_ONCE_INIT;
  pthread_once(&pinned, pin_addon);
  env_state *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  pthread_mutex_init(&st->mu, NULL);
  napi_set_instance_data(env, st, NULL, NULL); /* never freed: see the top */

#define FN(js, c, slot) {js, NULL, c, NULL, NULL, NULL, napi_default, (void *)(slot)}
  napi_property_descriptor props[] = {
      FN("load", js_load, NULL),
      FN("teardown", js_teardown, NULL),
      FN("setLogListener", js_set_log_listener, NULL),
      FN("clientNew", js_client_new, NULL),
      FN("clientClose", js_client_close, NULL),
      FN("clientInfo", js_client_info, NULL),
      FN("clientCall", js_call, &ab.ab_client_call),
      FN("sessionCall", js_call, &ab.ab_session_call),
      FN("sessionCallObserved", js_call_observed, NULL),
      FN("sessionFree", js_session_free, NULL),
      FN("opCancel", js_op_cancel, NULL),
      FN("statusKinds", js_status_kinds, NULL),
  };
#undef FN
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  /* The ABI this addon was built for: the library's SONAME is
   * libagentbay.so.<abiVersion>. */
  set_int(env, exports, "abiVersion", AB_ABI_VERSION);
  return exports;
}
