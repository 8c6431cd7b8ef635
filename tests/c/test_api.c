/*
 * test_api.c - every function of the C ABI against a real backend: the
 * embedded local backend by default, or the client config in the
 * environment variable AB_TEST_CONFIG (e.g. a standalone agentbay-local).
 */
#include "harness.h"

#include <signal.h>

static ab_client client;

/* ---- log callback ---- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_lines;
static int log_bad; /* lines with a bad level or a secret */
static char log_first[256];

static void on_log(void *user_data, int level, const char *message)
{
    CHECK(user_data == &log_lines);
    pthread_mutex_lock(&log_mu);
    if (log_lines++ == 0) {
        snprintf(log_first, sizeof log_first, "%s", message);
        /* Allowed from inside the log callback: must not deadlock. */
        CHECK_RC(ab_set_log_callback(on_log, &log_lines, AB_LOG_DEBUG), AB_OK);
    }
    if ((level != AB_LOG_DEBUG && level != AB_LOG_INFO &&
         level != AB_LOG_WARN && level != AB_LOG_ERROR) ||
        strstr(message, "Bearer") != NULL ||
        strstr(message, "secret-test-key") != NULL ||
        strstr(message, "akm-local-") != NULL) /* the embedded backend's key */
        log_bad++;
    pthread_mutex_unlock(&log_mu);
}

static int log_count(void)
{
    int n;

    pthread_mutex_lock(&log_mu);
    n = log_lines;
    pthread_mutex_unlock(&log_mu);
    return n;
}

/* ---- small JSON readers: enough for results whose shape we know ---- */

/* Copies the string value of "key" into out; returns 0 if absent. */
static int json_string(const char *json, const char *key, char *out,
                       size_t size)
{
    char pat[64];
    const char *p, *end;

    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    p = strstr(json, pat);
    if (p == NULL)
        return 0;
    p += strlen(pat);
    for (end = p; *end && *end != '"'; end++)
        if (*end == '\\' && end[1])
            end++;
    CHECK((size_t)(end - p) < size);
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 1;
}

static void expect_success(const char *json)
{
    char id[128];

    CHECK(strstr(json, "\"success\":true") != NULL);
    CHECK(strstr(json, "\"error_message\":\"\"") != NULL);
    CHECK(json_string(json, "request_id", id, sizeof id) && id[0] != '\0');
}

/* ---- helpers: run one call synchronously ---- */

static ab_session create_session(const char *params, char *id, size_t size)
{
    ab_op op;
    char *r;
    ab_session s;

    CHECK_RC(ab_client_create(client, params, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(json_string(r, "session_id", id, size) && id[0] != '\0');
    CHECK(strstr(r, "\"resource_url\":") != NULL);
    s = (ab_session)json_number(r, "session_handle");
    CHECK(s != 0 && s < (1ULL << 53));
    ab_string_free(r);
    return s;
}

static char *status_of(ab_session s, char *out, size_t size)
{
    ab_op op;
    char *r;

    CHECK_RC(ab_session_get_status(s, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(json_string(r, "status", out, size));
    ab_string_free(r);
    return out;
}

/* ---- the tests ---- */

static void test_client(void)
{
    char *info = NULL;
    const char *config = getenv("AB_TEST_CONFIG");

    CHECK_RC(ab_set_log_callback(on_log, &log_lines, AB_LOG_DEBUG), AB_OK);
    CHECK_RC(ab_client_new(config, &client, NULL), AB_OK);
    CHECK_RC(ab_client_info(client, &info, NULL), AB_OK);
    CHECK(strstr(info, "\"version\":\"" AB_VERSION "\"") != NULL);
    if (config == NULL) {
        CHECK(strstr(info, "\"embedded\":true") != NULL);
        CHECK(strstr(info, "\"endpoint\":\"http://127.0.0.1:") != NULL);
    }
    printf("client: %s\n", info);
    ab_string_free(info);
}

static void test_session_calls(ab_session s, const char *id)
{
    ab_op op;
    char *r, *sid, buf[256];

    /* ab_session_id */
    CHECK_RC(ab_session_id(s, &sid, NULL), AB_OK);
    CHECK(strcmp(sid, id) == 0);
    ab_string_free(sid);

    /* info */
    CHECK_RC(ab_session_info(s, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(json_string(r, "session_id", buf, sizeof buf) && strcmp(buf, id) == 0);
    CHECK(strstr(r, "\"resource_type\":") != NULL);
    ab_string_free(r);

    /* labels */
    CHECK_RC(ab_session_set_labels(s, "{\"suite\": \"capi\", \"owner\": \"t\u00e9st\"}",
                                   NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    expect_success(r);
    ab_string_free(r);
    CHECK_RC(ab_session_get_labels(s, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(json_string(r, "owner", buf, sizeof buf) && strcmp(buf, "t\u00e9st") == 0);
    CHECK(json_string(r, "suite", buf, sizeof buf) && strcmp(buf, "capi") == 0);
    ab_string_free(r);
    /* Labels the official SDKs refuse: refused by the call, before
     * anything is sent. */
    CHECK_RC(ab_session_set_labels(s, "{\"k\": \" \"}", NULL, NULL, &op, NULL),
             AB_E_INVALID_ARGUMENT);

    /* tools */
    CHECK_RC(ab_session_list_mcp_tools(s, NULL, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(strstr(r, "\"name\":\"shell\"") != NULL);
    CHECK(strstr(r, "\"input_schema\":{") != NULL);
    ab_string_free(r);
    CHECK_RC(ab_session_call_mcp_tool(s, "shell",
                                      "{\"command\": \"echo hello-capi\", \"timeout_ms\": 10000}",
                                      NULL, NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(strstr(r, "hello-capi") != NULL);
    ab_string_free(r);
    /* A tool that reports an error: AB_OK with success false. */
    CHECK_RC(ab_session_call_mcp_tool(s, "shell", "{\"command\": \"exit 3\"}",
                                      "{\"read_timeout\": 20000, \"connect_timeout\": 5000, "
                                      "\"auto_gen_session\": true}",
                                      NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"success\":false") != NULL);
    ab_string_free(r);
    /* The same operation by name, with its parameters as JSON. */
    CHECK_RC(ab_session_call(s, "call_mcp_tool",
                             "{\"tool_name\": \"shell\", \"args\": {\"command\": \"echo by-name\"}, "
                             "\"read_timeout\": 20000}",
                             NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(strstr(r, "by-name") != NULL);
    ab_string_free(r);
    /* Commands: the official SDKs' result, by name through the generic call. */
    CHECK_RC(ab_session_call(s, "execute_command",
                             "{\"command\": \"echo out; echo err >&2; exit 4\", "
                             "\"envs\": {\"A\": \"1\"}, \"cwd\": \"/tmp\"}",
                             NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"success\":false") != NULL);
    CHECK(strstr(r, "\"exit_code\":4") != NULL);
    CHECK(strstr(r, "\"output\":\"out\\nerr\\n\"") != NULL);
    CHECK(strstr(r, "\"error_message\":\"err\\n\"") != NULL);
    ab_string_free(r);
    /* Files: write then read back as bytes (base64 in the result JSON). */
    CHECK_RC(ab_session_call(s, "write_file", "{\"path\": \"/tmp/c.txt\", \"content\": \"hi\"}",
                             NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"data\":true") != NULL);
    ab_string_free(r);
    CHECK_RC(ab_session_call(s, "read_file_bytes", "{\"path\": \"/tmp/c.txt\"}", NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"content\":\"aGk=\"") != NULL && strstr(r, "\"size\":2") != NULL);
    ab_string_free(r);
    /* Keep-alive: restarts the idle clock; get_status says why a session ended. */
    CHECK_RC(ab_session_call(s, "keep_alive", NULL, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"success\":true") != NULL);
    ab_string_free(r);
    CHECK_RC(ab_session_call(s, "get_status", NULL, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"end_reason\":\"\"") != NULL);
    ab_string_free(r);
    {
        ab_error *cerr = NULL;
        CHECK_RC(ab_client_call(client, "create", "{\"idle_release_timeout\": 0}", NULL, NULL,
                                &op, &cerr),
                 AB_E_INVALID_ARGUMENT);
        CHECK(strcmp(ab_error_param(cerr), "idle_release_timeout") == 0);
        ab_error_free(cerr);
    }
    /* Code: the official SDKs' result, by name through the generic call. */
    CHECK_RC(ab_session_call(s, "run_code",
                             "{\"code\": \"print(6 * 7)\", \"language\": \"Python3\", "
                             "\"timeout_s\": 20}",
                             NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"success\":true") != NULL);
    CHECK(strstr(r, "\"stdout\":[\"42\\n\"]") != NULL);
    CHECK(strstr(r, "\"result\":\"42\\n\"") != NULL);
    ab_string_free(r);
    {
        ab_error *cerr = NULL;
        CHECK_RC(ab_session_call(s, "run_code", "{\"code\": \"1\", \"language\": \"ruby\"}",
                                 NULL, NULL, &op, &cerr),
                 AB_E_INVALID_ARGUMENT);
        CHECK(strcmp(ab_error_param(cerr), "language") == 0);
        CHECK(strstr(ab_error_message(cerr), "Unsupported language: ruby") != NULL);
        ab_error_free(cerr);
    }
    /* NULL args mean {}: the shell tool then misses its command. */
    CHECK_RC(ab_session_call_mcp_tool(s, "shell", NULL, NULL, NULL, NULL, &op,
                                      NULL),
             AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"success\":false") != NULL && strstr(r, "command") != NULL);
    ab_string_free(r);

    /* links */
    CHECK_RC(ab_session_get_link(s, NULL, 30100, NULL, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(json_string(r, "data", buf, sizeof buf) && strncmp(buf, "http", 4) == 0);
    ab_string_free(r);
    CHECK_RC(ab_session_get_link(s, "wss", 30199, "{}", NULL, NULL, &op, NULL), AB_OK);
    ab_string_free(wait_ok(op));
    /* A port outside the range: refused by the call, naming the port. */
    ab_error *err = NULL;
    CHECK_RC(ab_session_get_link(s, NULL, 80, NULL, NULL, NULL, &op, &err),
             AB_E_INVALID_ARGUMENT);
    CHECK(strcmp(ab_error_param(err), "port") == 0);
    CHECK(strstr(ab_error_message(err), "Invalid port value: 80.") != NULL);
    ab_error_free(err);

    CHECK(strcmp(status_of(s, buf, sizeof buf), "RUNNING") == 0);
}

static void wait_status(ab_session s, const char *want)
{
    char buf[64];

    for (int i = 0; i < 500 && strcmp(status_of(s, buf, sizeof buf), want) != 0; i++)
        sleep_ms(20);
    CHECK(strcmp(buf, want) == 0);
}

static void test_pause_resume(ab_session s)
{
    ab_op op;
    char *r, buf[64];
    double t0;

    t0 = now_ms();
    CHECK_RC(ab_session_pause(s, 60000, 500, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(strstr(r, "\"status\":\"PAUSED\"") != NULL);
    ab_string_free(r);
    printf("pause: %.1f ms\n", now_ms() - t0);
    CHECK(strcmp(status_of(s, buf, sizeof buf), "PAUSED") == 0);

    /* A paused session refuses tools: a conflict. */
    CHECK_RC(ab_session_call_mcp_tool(s, "shell", "{\"command\": \"true\"}", NULL,
                                      NULL, NULL, &op, NULL),
             AB_OK);
    wait_fails(op, AB_E_CONFLICT);

    t0 = now_ms();
    CHECK_RC(ab_session_resume(s, 0, 0, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(strstr(r, "\"status\":\"RUNNING\"") != NULL);
    ab_string_free(r);
    printf("resume: %.1f ms\n", now_ms() - t0);

    /* The fire-and-forget forms. */
    CHECK_RC(ab_session_pause_async(s, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(strstr(r, "\"status\":\"PAUSING\"") != NULL);
    ab_string_free(r);
    wait_status(s, "PAUSED");
    CHECK_RC(ab_session_resume_async(s, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(strstr(r, "\"status\":\"RESUMING\"") != NULL);
    ab_string_free(r);
    wait_status(s, "RUNNING");
}

static void test_client_calls(const char *id, ab_session s)
{
    ab_op op;
    ab_session s2, s3;
    ab_error *err = NULL;
    char *r, buf[128];

    /* get: a new handle on the same session. */
    CHECK_RC(ab_client_get(client, id, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(json_string(r, "session_id", buf, sizeof buf) && strcmp(buf, id) == 0);
    s2 = (ab_session)json_number(r, "session_handle");
    CHECK(s2 != 0 && s2 != s);
    ab_string_free(r);
    CHECK_RC(ab_session_get_labels(s2, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, "\"suite\":\"capi\"") != NULL);
    ab_string_free(r);
    CHECK_RC(ab_session_free(s2), AB_OK);

    /* A handle made without asking the service. */
    CHECK_RC(ab_session_new(client, id, &s3, NULL), AB_OK);
    CHECK(strcmp(status_of(s3, buf, sizeof buf), "RUNNING") == 0);
    CHECK_RC(ab_session_free(s3), AB_OK);

    /* An unknown session id: not_found, from the service. */
    CHECK_RC(ab_client_get(client, "no-such-session", NULL, NULL, &op, NULL), AB_OK);
    CHECK_RC(ab_op_wait(op, -1, NULL, &err), AB_E_NOT_FOUND);
    CHECK(strcmp(ab_error_kind(err), "not_found") == 0);
    printf("unknown session: %s (request id %s)\n", ab_error_message(err),
           ab_error_request_id(err));
    ab_error_free(err);
    CHECK_RC(ab_op_free(op), AB_OK);
    CHECK_RC(ab_session_new(client, "no-such-session", &s3, NULL), AB_OK);
    CHECK_RC(ab_session_get_labels(s3, NULL, NULL, &op, NULL), AB_OK);
    wait_fails(op, AB_E_NOT_FOUND);
    CHECK_RC(ab_session_free(s3), AB_OK);

    /* list, filtered by a label of ours. */
    CHECK_RC(ab_client_list(client, "{\"labels\": {\"suite\": \"capi\"}, \"limit\": 50}",
                            NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(strstr(r, id) != NULL);
    CHECK(strstr(r, "\"session_ids\":[") != NULL && strstr(r, "\"total_count\":") != NULL);
    ab_string_free(r);
    CHECK_RC(ab_client_list(client, NULL, NULL, NULL, &op, NULL), AB_OK);
    ab_string_free(wait_ok(op));
    /* The same operation by name, through the generic entry. */
    CHECK_RC(ab_client_call(client, "list", "{\"labels\": {\"suite\": \"capi\"}}", NULL, NULL,
                            &op, NULL),
             AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, id) != NULL);
    ab_string_free(r);
    /* A status that is none: refused by the call, with the official message. */
    CHECK_RC(ab_client_list(client, "{\"status\": \"SLEEPING\"}", NULL, NULL, &op, &err),
             AB_E_INVALID_ARGUMENT);
    CHECK(strncmp(ab_error_message(err), "Invalid status 'SLEEPING'. Must be one of:", 42) == 0);
    CHECK(strcmp(ab_error_param(err), "status") == 0);
    ab_error_free(err);
    /* Contexts, through the generic entry: create one, list it, delete it. */
    char ctx_id[64];
    CHECK_RC(ab_client_call(client, "context_create", "{\"name\": \"capi-ctx\"}", NULL, NULL, &op,
                            NULL),
             AB_OK);
    r = wait_ok(op);
    expect_success(r);
    CHECK(json_string(r, "context_id", ctx_id, sizeof ctx_id) && strncmp(ctx_id, "ctx-", 4) == 0);
    ab_string_free(r);
    CHECK_RC(ab_client_call(client, "context_list", "{\"max_results\": 100}", NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    CHECK(strstr(r, ctx_id) != NULL && strstr(r, "\"name\":\"capi-ctx\"") != NULL);
    ab_string_free(r);
    char params[128];
    snprintf(params, sizeof params, "{\"context_id\": \"%s\"}", ctx_id);
    CHECK_RC(ab_client_call(client, "context_delete", params, NULL, NULL, &op, NULL), AB_OK);
    ab_string_free(wait_ok(op));
    /* An operation the library does not have. */
    CHECK_RC(ab_client_call(client, "teleport", NULL, NULL, NULL, &op, &err), AB_E_UNSUPPORTED);
    CHECK(op == 0 && strcmp(ab_error_kind(err), "unsupported") == 0);
    ab_error_free(err);
}

/* Completion through the callback rather than a wait. */
static void test_callbacks(ab_session s)
{
    tally *t = tally_new(4);
    tally_ref refs[4] = {{t, 0}, {t, 1}, {t, 2}, {t, 3}};
    ab_op op;

    CHECK_RC(ab_session_get_labels(s, tally_cb, &refs[0], NULL, NULL), AB_OK);
    CHECK_RC(ab_session_get_status(s, tally_cb, &refs[1], NULL, NULL), AB_OK);
    CHECK_RC(ab_client_get(client, "no-such-session", tally_cb, &refs[2], NULL, NULL),
             AB_OK);
    /* A callback and a wait on one operation. */
    CHECK_RC(ab_session_info(s, tally_cb, &refs[3], &op, NULL), AB_OK);
    CHECK_RC(ab_op_wait(op, -1, NULL, NULL), AB_OK);
    CHECK(tally_wait(t, 4, 30000) == 4);
    sleep_ms(20);
    tally_check_once(t);
    CHECK(t->status[0] == AB_OK && t->status[1] == AB_OK);
    CHECK(t->status[2] == AB_E_NOT_FOUND && t->status[3] == AB_OK);
    /* The kept handle outlives the callback; the others were freed. */
    CHECK_RC(ab_op_wait(op, 0, NULL, NULL), AB_OK);
    CHECK_RC(ab_op_free(op), AB_OK);
    tally_free(t);
}

/* user_data is the host's to choose: small integers such as (void *)1 come
 * back unchanged and never upset the Go runtime (whose stack copier aborts on
 * a "pointer" below 4096 held as a pointer). */
enum { SMALL_N = 2000 };
static atomic_int small_seen[SMALL_N + 1];
static atomic_int small_total;

static void small_cb(void *user_data, ab_op op, int status, const char *result_json,
                     const ab_error *err)
{
    uintptr_t v = (uintptr_t)user_data;
    (void)op, (void)result_json, (void)err;
    if (status == AB_OK && v >= 1 && v <= SMALL_N)
        atomic_fetch_add(&small_seen[v], 1);
    atomic_fetch_add(&small_total, 1);
}

static void test_small_user_data(ab_session s)
{
    int n = scaled(SMALL_N, 100);

    for (int i = 1; i <= n; i++)
        CHECK_RC(ab_session_get_status(s, small_cb, (void *)(uintptr_t)i, NULL, NULL), AB_OK);
    for (int waited = 0; atomic_load(&small_total) < n && waited < 60000; waited += 10)
        sleep_ms(10);
    CHECK(atomic_load(&small_total) == n);
    for (int i = 1; i <= n; i++)
        CHECK(atomic_load(&small_seen[i]) == 1);
}

static void test_delete(ab_session s, const char *id)
{
    ab_op op;
    ab_session other;
    char other_id[128], *r;

    CHECK_RC(ab_session_delete(s, 0, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    ab_string_free(r);
    CHECK_RC(ab_session_get_status(s, NULL, NULL, &op, NULL), AB_OK);
    wait_fails(op, AB_E_NOT_FOUND);
    CHECK_RC(ab_client_delete(client, id, 0, NULL, NULL, &op, NULL), AB_OK);
    wait_fails(op, AB_E_NOT_FOUND);
    CHECK_RC(ab_session_free(s), AB_OK);

    /* ab_client_delete, of a session made with default parameters. */
    other = create_session(NULL, other_id, sizeof other_id);
    CHECK_RC(ab_client_delete(client, other_id, 1, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    expect_success(r);
    ab_string_free(r);
    CHECK_RC(ab_session_free(other), AB_OK);
}

/* The library installs no signal handlers beyond the Go runtime's own. */
static void check_signals_untouched(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGCHLD};
    struct sigaction sa;

    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        CHECK(sigaction(sigs[i], NULL, &sa) == 0);
        CHECK(sa.sa_handler == SIG_DFL);
    }
}

/* ---- streamed and background commands ---- */

static pthread_mutex_t chunk_mu = PTHREAD_MUTEX_INITIALIZER;
static char chunk_out[256], chunk_err[256];
static int chunk_calls, chunk_released, chunk_late, chunk_done;
static ab_session chunk_session;

static void on_chunk(void *user_data, ab_op op, int stream, const char *data, size_t len)
{
    char *buf = stream == AB_STREAM_STDOUT ? chunk_out : chunk_err;

    (void)op;
    CHECK(user_data == (void *)7);
    CHECK(stream == AB_STREAM_STDOUT || stream == AB_STREAM_STDERR);
    pthread_mutex_lock(&chunk_mu);
    chunk_calls++;
    if (chunk_done)
        chunk_late++;
    CHECK(strlen(buf) + len < sizeof chunk_out);
    strncat(buf, data, len);
    if (!chunk_released && strstr(chunk_out, "first\n") != NULL) {
        /* The command waits for this file: it is written only now that
         * the first chunk has come. */
        chunk_released = 1;
        CHECK_RC(ab_session_call(chunk_session, "write_file",
                                 "{\"path\": \"/tmp/c-go\", \"content\": \"\"}",
                                 NULL, NULL, NULL, NULL),
                 AB_OK);
    }
    pthread_mutex_unlock(&chunk_mu);
}

/* A stream cancelled from inside its first chunk: the completion says
 * cancelled, and no chunk comes after it (checked after ab_shutdown, which
 * waits for every operation's work). */
static atomic_int cancel_chunks, cancel_late, cancel_done, cancel_status;

static void on_cancel_chunk(void *user_data, ab_op op, int stream, const char *data, size_t len)
{
    (void)user_data, (void)stream, (void)data, (void)len;
    if (atomic_load(&cancel_done))
        atomic_fetch_add(&cancel_late, 1);
    if (atomic_fetch_add(&cancel_chunks, 1) == 0)
        CHECK_RC(ab_op_cancel(op), AB_OK);
}

static void on_cancel_done(void *user_data, ab_op op, int status, const char *result_json,
                           const ab_error *error)
{
    (void)user_data, (void)op, (void)result_json, (void)error;
    atomic_store(&cancel_status, status);
    atomic_store(&cancel_done, 1);
}

static void test_stream(ab_session s)
{
    ab_op op;
    ab_error *err = NULL;
    char *r, pid[64];

    chunk_session = s;
    CHECK_RC(ab_session_command_stream(s,
                                       "{\"command\": \"echo first; echo e1 >&2; "
                                       "while [ ! -e /tmp/c-go ]; do sleep 0.01; done; "
                                       "echo second; exit 3\"}",
                                       on_chunk, NULL, (void *)7, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    pthread_mutex_lock(&chunk_mu);
    chunk_done = 1;
    CHECK(chunk_released);
    CHECK(strcmp(chunk_out, "first\nsecond\n") == 0);
    CHECK(strcmp(chunk_err, "e1\n") == 0);
    pthread_mutex_unlock(&chunk_mu);
    CHECK(strstr(r, "\"exit_code\":3") != NULL);
    CHECK(strstr(r, "\"stdout\":\"first\\nsecond\\n\"") != NULL);
    ab_string_free(r);
    printf("stream: %d chunks\n", chunk_calls);

    /* Background: start, kill, wait; then a started command streamed by id. */
    CHECK_RC(ab_session_call(s, "command_start", "{\"command\": \"sleep 600\"}", NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    CHECK(json_string(r, "process_id", pid, sizeof pid) == 1);
    ab_string_free(r);
    {
        char params[128];
        snprintf(params, sizeof params, "{\"process_id\": \"%s\"}", pid);
        CHECK_RC(ab_session_call(s, "command_kill", params, NULL, NULL, &op, NULL), AB_OK);
        ab_string_free(wait_ok(op));
        CHECK_RC(ab_session_call(s, "command_wait", params, NULL, NULL, &op, NULL), AB_OK);
        r = wait_ok(op);
        CHECK(strstr(r, "\"exit_code\":137") != NULL);
        ab_string_free(r);
    }
    CHECK_RC(ab_session_call(s, "command_start", "{\"command\": \"echo by-id\"}", NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    CHECK(json_string(r, "process_id", pid, sizeof pid) == 1);
    ab_string_free(r);
    {
        char params[128];
        snprintf(params, sizeof params, "{\"process_id\": \"%s\"}", pid);
        CHECK_RC(ab_session_command_stream(s, params, NULL, NULL, NULL, &op, NULL), AB_OK);
        r = wait_ok(op);
        CHECK(strstr(r, "\"stdout\":\"by-id\\n\"") != NULL);
        ab_string_free(r);
    }

    CHECK_RC(ab_session_command_stream(s, "{\"command\": \"while :; do echo tick; sleep 0.001; done\"}",
                                       on_cancel_chunk, on_cancel_done, NULL, NULL, NULL),
             AB_OK);
    /* The session is deleted after this test: the stream must have had its
     * first chunk and been cancelled by then (else it ends with the killed
     * command, no chunk and status OK: a race of the test seen under ASan on
     * a loaded VM). */
    for (int i = 0; i < 1000 && !atomic_load(&cancel_done); i++)
        sleep_ms(10);

    /* Bad ids and arguments. */
    CHECK_RC(ab_session_command_stream(s, "{\"process_id\": \"cmd-999\"}", on_chunk, NULL, NULL, &op, NULL),
             AB_OK);
    wait_fails(op, AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_session_call(s, "command_wait", "{\"process_id\": \"cmd-999\"}", NULL, NULL, &op, NULL), AB_OK);
    wait_fails(op, AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_session_command_stream(s, NULL, on_chunk, NULL, NULL, &op, &err), AB_E_INVALID_ARGUMENT);
    CHECK(strcmp(ab_error_param(err), "command") == 0);
    ab_error_free(err);
    CHECK_RC(ab_session_command_stream(0, "{\"command\": \"true\"}", on_chunk, NULL, NULL, &op, NULL),
             AB_E_INVALID_HANDLE);
}

/* Status events: ab_session_call_observed on a backend whose pause, resume
 * and delete take 300 ms reports each status once, in order, and never
 * after the completion callback. Orders and counts, never timings. */
typedef struct {
    pthread_mutex_t mu;
    char seen[8][16];
    int64_t reads[8];
    int n;
    int late;         /* statuses reported after the completion began */
    int cancel_first; /* cancel the operation from its first status */
    atomic_int completed;
    int status;
} observed;

static void on_status(void *user_data, ab_op op, const char *status, int64_t reads)
{
    observed *o = user_data;

    pthread_mutex_lock(&o->mu);
    if (atomic_load(&o->completed))
        o->late++;
    if (o->n < 8) {
        snprintf(o->seen[o->n], sizeof o->seen[0], "%s", status);
        o->reads[o->n] = reads;
    }
    o->n++;
    pthread_mutex_unlock(&o->mu);
    if (o->cancel_first)
        CHECK_RC(ab_op_cancel(op), AB_OK);
}

static void on_observed_done(void *user_data, ab_op op, int status, const char *result_json,
                             const ab_error *err)
{
    observed *o = user_data;

    (void)op, (void)result_json, (void)err;
    o->status = status;
    atomic_store(&o->completed, 1);
}

static void observe(ab_session s, const char *name, const char *params, observed *o)
{
    pthread_mutex_init(&o->mu, NULL);
    CHECK_RC(ab_session_call_observed(s, name, params, on_status, o, on_observed_done, o,
                                      NULL, NULL),
             AB_OK);
    for (int i = 0; i < 3000 && !atomic_load(&o->completed); i++)
        sleep_ms(10);
    CHECK(atomic_load(&o->completed));
    sleep_ms(50); /* a late status would show up here */
    pthread_mutex_lock(&o->mu);
    CHECK(o->late == 0);
    pthread_mutex_unlock(&o->mu);
}

/* The statuses o saw end with want, after via if there were two; with
 * emulation (the embedded backend), exactly via then want. */
static void check_seen(const observed *o, int emulated, const char *via, const char *want)
{
    CHECK(o->n >= 1 && o->n <= 2 && (emulated ? o->n == 2 : 1));
    CHECK(strcmp(o->seen[o->n - 1], want) == 0);
    CHECK(o->n == 1 || strcmp(o->seen[0], via) == 0);
    CHECK(o->reads[0] == 1 && (o->n == 1 || o->reads[1] > 1));
}

/* On a server of its own (AB_TEST_CONFIG, the valgrind runs) there is no
 * emulation: a transition may end before the first read. */
static void test_status_events(void)
{
    const char *config = getenv("AB_TEST_CONFIG");
    int emulated = config == NULL;
    ab_client emu = new_client(emulated ? "{\"endpoint\": \"embedded\", \"emulate\": "
                               "{\"pause\": \"300ms\", \"resume\": \"300ms\", \"delete\": \"300ms\"}}"
                                        : config);
    ab_client bad = 0;
    ab_error *err = NULL;
    ab_op op;
    ab_session s;
    char *r;
    observed pause = {0}, resume = {0}, cancelled = {0}, del = {0};

    /* emulate is for the embedded backend only, and checked. */
    CHECK_RC(ab_client_new("{\"endpoint\": \"http://127.0.0.1:9\", \"api_key\": \"k\", "
                           "\"emulate\": {\"pause\": \"1s\"}}", &bad, &err),
             AB_E_INVALID_ARGUMENT);
    CHECK(bad == 0 && strcmp(ab_error_param(err), "emulate") == 0);
    ab_error_free(err);
    CHECK_RC(ab_client_new("{\"emulate\": {\"pause\": \"soon\"}}", &bad, &err),
             AB_E_INVALID_ARGUMENT);
    printf("bad emulate: %s\n", ab_error_message(err));
    ab_error_free(err);

    CHECK_RC(ab_client_create(emu, NULL, NULL, NULL, &op, NULL), AB_OK);
    r = wait_ok(op);
    s = (ab_session)json_number(r, "session_handle");
    ab_string_free(r);

    /* Only operations that wait report statuses. */
    CHECK_RC(ab_session_call_observed(s, "get_status", NULL, on_status, NULL, NULL, NULL,
                                      NULL, &err),
             AB_E_INVALID_ARGUMENT);
    CHECK(strcmp(ab_error_param(err), "on_status") == 0);
    ab_error_free(err);

    observe(s, "pause", "{\"timeout\": 60}", &pause);
    CHECK(pause.status == AB_OK);
    check_seen(&pause, emulated, "PAUSING", "PAUSED");
    printf("pause: %s after %lld reads\n", pause.seen[pause.n - 1],
           (long long)pause.reads[pause.n - 1]);

    observe(s, "resume", NULL, &resume);
    CHECK(resume.status == AB_OK);
    check_seen(&resume, emulated, "RESUMING", "RUNNING");

    /* Cancelled from inside its first status: nothing after the completion. */
    cancelled.cancel_first = 1;
    observe(s, "pause", NULL, &cancelled);
    CHECK(cancelled.n == 1);
    CHECK(emulated ? cancelled.status == AB_E_CANCELLED && strcmp(cancelled.seen[0], "PAUSING") == 0
                   : cancelled.status == AB_E_CANCELLED || cancelled.status == AB_OK);
    wait_status(s, "PAUSED");

    /* With ab_op_wait and no completion callback. */
    resume.n = 0;
    atomic_store(&resume.completed, 0);
    CHECK_RC(ab_session_call_observed(s, "resume", NULL, on_status, &resume, NULL, NULL, &op,
                                      NULL),
             AB_OK);
    r = wait_ok(op);
    ab_string_free(r);
    check_seen(&resume, emulated, "RESUMING", "RUNNING");

    observe(s, "delete", NULL, &del);
    CHECK(del.status == AB_OK);
    check_seen(&del, emulated, "DELETING", "DELETED");
    CHECK_RC(ab_client_close(emu), AB_OK);
}

int main(void)
{
    ab_session s;
    ab_op op;
    char id[128];
    int n;

    unsetenv("AGENTBAY_API_KEY");
    unsetenv("AGENTBAY_ENDPOINT");
    test_client();
    s = create_session("{\"image_id\": \"linux_latest\", \"labels\": {\"suite\": \"capi\"}, "
                       "\"policy_id\": null}",
                       id, sizeof id);
    printf("session: %s\n", id);
    test_session_calls(s, id);
    test_pause_resume(s);
    test_client_calls(id, s);
    test_callbacks(s);
    test_small_user_data(s);
    test_stream(s);
    test_delete(s, id);
    test_status_events();
    check_signals_untouched();

    /* The engine logged, without secrets; after turning logging off, no
     * line comes any more. */
    n = log_count();
    CHECK(n > 0 && log_bad == 0);
    printf("log: %d lines, e.g. \"%s\"\n", n, log_first);
    CHECK_RC(ab_set_log_callback(NULL, NULL, 0), AB_OK);
    n = log_count();
    CHECK_RC(ab_client_get(client, "no-such-session", NULL, NULL, &op, NULL), AB_OK);
    wait_fails(op, AB_E_NOT_FOUND);
    CHECK(log_count() == n);

    CHECK_RC(ab_client_close(client), AB_OK);
    CHECK_RC(ab_shutdown(), AB_OK);
    CHECK(ab_debug_handle_count() == 0);
    CHECK(atomic_load(&cancel_done) && atomic_load(&cancel_status) == AB_E_CANCELLED);
    CHECK(atomic_load(&cancel_chunks) >= 1 && atomic_load(&cancel_late) == 0);
    printf("stream cancelled from its chunk: %d chunk call(s), none after the completion\n",
           atomic_load(&cancel_chunks));
    printf("test_api: ok\n");
    return 0;
}
