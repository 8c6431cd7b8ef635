/*
 * test_misuse.c - misuse of every kind gives a status, never a crash:
 * handles that are 0, freed, stale, of the wrong kind or garbage; double
 * frees; NULL for every pointer argument; invalid JSON, wrong JSON types,
 * unknown fields, invalid UTF-8, negative timeouts. Also versions, error
 * objects and the operation calls (wait, cancel, free).
 *
 * It needs no backend: clients point at a local port that never answers,
 * which also keeps operations in flight for as long as a test needs.
 */
#include "harness.h"

#define GARBAGE 0xdeadbeefcafeULL

static tally *cbs; /* every callback of this test lands here */
static tally_ref ref0;
static char config[256];

/* The call failed with want, described by an error of that kind; the
 * error is freed. */
#define expect_error(rc, err, want) expect_error_at(__LINE__, rc, &(err), want)

static void expect_error_at(int line, int rc, ab_error **err, int want)
{
    if (rc != want || *err == NULL || ab_error_code(*err) != want ||
        strlen(ab_error_message(*err)) == 0) {
        fprintf(stderr, "test_misuse.c:%d: got %d (%s: %s), want %d\n", line,
                rc, ab_error_kind(*err), ab_error_message(*err), want);
        abort();
    }
    ab_error_free(*err);
    *err = NULL;
}

static void test_versions(void)
{
    CHECK(strcmp(ab_version(), AB_VERSION) == 0);
    CHECK(ab_abi_version() == AB_ABI_VERSION);
}

static void test_error_accessors(void)
{
    /* NULL is "no error". */
    CHECK(ab_error_code(NULL) == AB_OK);
    CHECK(strcmp(ab_error_kind(NULL), "ok") == 0);
    CHECK(strcmp(ab_error_message(NULL), "") == 0);
    CHECK(strcmp(ab_error_request_id(NULL), "") == 0);
    CHECK(strcmp(ab_error_service_code(NULL), "") == 0);
    CHECK(ab_error_http_status(NULL) == 0);
    CHECK(ab_error_retryable(NULL) == 0);
    CHECK(strcmp(ab_error_param(NULL), "") == 0);
    ab_error_free(NULL);
    ab_string_free(NULL);
}

static void test_status_kinds(void)
{
    static const struct {
        int code;
        const char *kind;
    } kinds[] = {
        {AB_OK, "ok"},
        {AB_E_INVALID_ARGUMENT, "invalid_argument"},
        {AB_E_NOT_FOUND, "not_found"},
        {AB_E_UNAUTHORIZED, "unauthorized"},
        {AB_E_THROTTLED, "throttled"},
        {AB_E_TIMEOUT, "timeout"},
        {AB_E_CANCELLED, "cancelled"},
        {AB_E_CONFLICT, "conflict"},
        {AB_E_SERVER, "server"},
        {AB_E_TRANSPORT, "transport"},
        {AB_E_UNSUPPORTED, "unsupported"},
        {AB_E_INVALID_HANDLE, "invalid_handle"},
        {AB_E_INTERNAL, "internal"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        CHECK(strcmp(ab_status_kind(kinds[i].code), kinds[i].kind) == 0);
    CHECK(ab_status_kind(AB_E_INTERNAL - 1) == NULL);
    CHECK(ab_status_kind(1) == NULL);
    CHECK(ab_status_kind(INT32_MIN) == NULL);
}

static void test_client_new(void)
{
    static const char *bad[] = {
        "{",                                   /* not JSON */
        "[]",                                  /* not an object */
        "\"embedded\"",                        /* not an object */
        "{\"timeout_ms\": \"5\"}",             /* wrong type */
        "{\"timeout_ms\": -1}",                /* negative */
        "{\"timeout_ms\": 1.5}",               /* not an integer */
        "{\"endpoint\": 5}",                   /* wrong type */
        "{\"api_key\": [\"k\"]}",              /* wrong type */
        "{\"endpiont\": \"embedded\"}",        /* unknown field */
        "{\"api_key\": \"\xff\xfe\"}",         /* invalid UTF-8 */
        "{\"endpoint\": \"http://127.0.0.1:1\"}",           /* no key */
        "{\"endpoint\": \"ftp://x\", \"api_key\": \"k\"}",  /* bad URL */
    };
    ab_client c = 1;
    ab_error *err = NULL;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = 1;
        expect_error(ab_client_new(bad[i], &c, &err), err,
                     AB_E_INVALID_ARGUMENT);
        CHECK(c == 0);
        CHECK_RC(ab_client_new(bad[i], &c, NULL), AB_E_INVALID_ARGUMENT);
    }
    expect_error(ab_client_new(config, NULL, &err), err, AB_E_INVALID_ARGUMENT);

    /* null is an absent field, and 2000.0 an integer. */
    CHECK_RC(ab_client_new("{\"endpoint\": \"http://127.0.0.1:1\", "
                           "\"api_key\": \"k\", \"timeout_ms\": 2000.0, "
                           "\"unused\": null}",
                           &c, &err),
             AB_OK);
    CHECK(err == NULL && c != 0);
    CHECK(c < (1ULL << 53));
    CHECK_RC(ab_client_close(c), AB_OK);
    CHECK_RC(ab_client_close(c), AB_OK); /* idempotent */
}

static void test_client_info(ab_client c)
{
    char *json = (char *)1;
    ab_error *err = NULL;

    CHECK_RC(ab_client_info(c, &json, &err), AB_OK);
    CHECK(err == NULL);
    CHECK(strstr(json, "\"endpoint\":\"http://127.0.0.1:") != NULL);
    CHECK(strstr(json, "\"embedded\":false") != NULL);
    CHECK(strstr(json, "\"version\":\"" AB_VERSION "\"") != NULL);
    CHECK(strstr(json, "secret-test-key") == NULL);
    ab_string_free(json);
    expect_error(ab_client_info(c, NULL, &err), err, AB_E_INVALID_ARGUMENT);
    json = (char *)1;
    expect_error(ab_client_info(0, &json, &err), err, AB_E_INVALID_HANDLE);
    CHECK(json == NULL);
}

/* Every function that takes a handle, called with h; all must give
 * AB_E_INVALID_HANDLE, clear their out parameters and fire no callback. */
static void expect_invalid_everywhere(ab_client ch, ab_session sh, ab_op oh)
{
    ab_error *err = NULL;
    ab_op op = 1;
    char *s = (char *)1;
    ab_session out = 1;
    int ih = AB_E_INVALID_HANDLE;

#define ASYNC(call)                                                          \
    do {                                                                     \
        op = 1;                                                              \
        expect_error((call), err, ih);                                       \
        CHECK(op == 0);                                                      \
    } while (0)
    ASYNC(ab_client_create(ch, NULL, tally_cb, &ref0, &op, &err));
    ASYNC(ab_client_get(ch, "s-1", tally_cb, &ref0, &op, &err));
    ASYNC(ab_client_list(ch, NULL, tally_cb, &ref0, &op, &err));
    ASYNC(ab_client_delete(ch, "s-1", 0, tally_cb, &ref0, &op, &err));
    ASYNC(ab_client_call(ch, "list", NULL, tally_cb, &ref0, &op, &err));
    ASYNC(ab_client_call(ch, NULL, "{", tally_cb, &ref0, &op, &err)); /* the handle first */
    ASYNC(ab_session_call(sh, "get_status", NULL, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_call(sh, "no_such_op", "\xff", tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_delete(sh, 0, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_set_labels(sh, "{\"a\":\"b\"}", tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_get_labels(sh, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_info(sh, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_get_link(sh, NULL, 0, NULL, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_list_mcp_tools(sh, NULL, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_command_stream(sh, "{\"command\": \"true\"}", NULL, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_call_mcp_tool(sh, "shell", "{}", NULL, tally_cb, &ref0,
                                   &op, &err));
    ASYNC(ab_session_pause(sh, 0, 0, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_pause_async(sh, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_resume(sh, 0, 0, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_resume_async(sh, tally_cb, &ref0, &op, &err));
    ASYNC(ab_session_get_status(sh, tally_cb, &ref0, &op, &err));
#undef ASYNC
    /* The same without err_out and op_out. */
    CHECK_RC(ab_session_get_status(sh, tally_cb, &ref0, NULL, NULL), ih);
    CHECK_RC(ab_client_list(ch, NULL, NULL, NULL, NULL, NULL), ih);

    expect_error(ab_client_info(ch, &s, &err), err, ih);
    CHECK(s == NULL);
    expect_error(ab_session_new(ch, "s-1", &out, &err), err, ih);
    CHECK(out == 0);
    s = (char *)1;
    expect_error(ab_session_id(sh, &s, &err), err, ih);
    CHECK(s == NULL);
    expect_error(ab_op_wait(oh, 0, &s, &err), err, ih);
    CHECK_RC(ab_op_wait(oh, 0, NULL, NULL), ih);
    CHECK_RC(ab_op_cancel(oh), ih);
}

static void test_handles(ab_client c)
{
    ab_session s = 0, s2 = 0;
    ab_op op = 0;
    ab_error *err = NULL;

    CHECK_RC(ab_session_new(c, "s-1", &s, &err), AB_OK);
    CHECK(err == NULL && s != 0 && s != c && s < (1ULL << 53));
    CHECK_RC(ab_session_get_status(s, NULL, NULL, &op, NULL), AB_OK);
    CHECK(op != 0 && op != s && op != c);

    /* 0 and garbage. */
    expect_invalid_everywhere(0, 0, 0);
    expect_invalid_everywhere(GARBAGE, GARBAGE, GARBAGE);
    expect_invalid_everywhere(UINT64_MAX, UINT64_MAX, UINT64_MAX);
    /* Live handles of the wrong kind. */
    expect_invalid_everywhere(s, op, c);
    expect_invalid_everywhere(op, c, s);
    /* Frees of the wrong kind or garbage fail, and free nothing. */
    CHECK_RC(ab_client_close(s), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_session_free(c), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_op_free(s), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_session_free(GARBAGE), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_op_free(GARBAGE), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_client_close(GARBAGE), AB_E_INVALID_HANDLE);
    /* A handle of the right kind that was never issued is not "freed". */
    CHECK_RC(ab_session_free(s + (1000 << 4)), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_op_free(op + (1000 << 4)), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_client_close(c + (1000 << 4)), AB_E_INVALID_HANDLE);
    /* Frees of 0 succeed. */
    CHECK_RC(ab_client_close(0), AB_OK);
    CHECK_RC(ab_session_free(0), AB_OK);
    CHECK_RC(ab_op_free(0), AB_OK);

    /* Stale: freed handles are invalid, and freeing again is fine. A new
     * handle never takes an old value. */
    CHECK_RC(ab_session_free(s), AB_OK);
    CHECK_RC(ab_session_free(s), AB_OK);
    CHECK_RC(ab_session_new(c, "s-1", &s2, &err), AB_OK);
    CHECK(s2 != s);
    CHECK_RC(ab_op_cancel(op), AB_OK);
    CHECK_RC(ab_op_free(op), AB_OK);
    CHECK_RC(ab_op_free(op), AB_OK);
    expect_invalid_everywhere(GARBAGE, s, op);
    CHECK_RC(ab_session_free(s2), AB_OK);
}

static void test_null_and_bad_text(ab_client c)
{
    const int ia = AB_E_INVALID_ARGUMENT;
    ab_session s = 0, out = 1;
    ab_error *err = NULL;
    ab_op op = 1;
    char *id = (char *)1;

    CHECK_RC(ab_session_new(c, "s-1", &s, NULL), AB_OK);

    /* NULL for each pointer argument that is required. */
    expect_error(ab_session_new(c, NULL, &out, &err), err, ia);
    CHECK(out == 0);
    expect_error(ab_session_new(c, "s-2", NULL, &err), err, ia);
    expect_error(ab_session_id(s, NULL, &err), err, ia);
    expect_error(ab_client_get(c, NULL, tally_cb, &ref0, &op, &err), err, ia);
    CHECK(op == 0);
    expect_error(ab_client_delete(c, NULL, 0, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_set_labels(s, NULL, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_call_mcp_tool(s, NULL, "{}", NULL, tally_cb, &ref0,
                                          &op, &err),
                 err, ia);

    /* The generic entries: no name, an unknown one, bad parameters. */
    expect_error(ab_session_call(s, NULL, NULL, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_client_call(c, NULL, NULL, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_call(s, "", NULL, tally_cb, &ref0, &op, &err), err,
                 AB_E_UNSUPPORTED);
    expect_error(ab_session_call(s, "create", NULL, tally_cb, &ref0, &op, &err), err,
                 AB_E_UNSUPPORTED);
    expect_error(ab_client_call(c, "get_status", NULL, tally_cb, &ref0, &op, &err), err,
                 AB_E_UNSUPPORTED);
    expect_error(ab_session_call(s, "get_link", "{\"port\": 1}", tally_cb, &ref0, &op, &err),
                 err, ia);
    expect_error(ab_session_call(s, "get_link", "", tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_call(s, "get_link", "null", tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_call(s, "get_status", "{\"x\": 1}", tally_cb, &ref0, &op, &err),
                 err, ia);
    expect_error(ab_session_call(s, "get_st\xff" "atus", NULL, tally_cb, &ref0, &op, &err), err, ia);
    CHECK_RC(ab_session_call(s, "execute_command", "{\"command\": \"true\", \"envs\": {\"A\": 1}}",
                             tally_cb, &ref0, &op, &err),
             ia);
    CHECK(strcmp(ab_error_param(err), "envs") == 0);
    ab_error_free(err);
    err = NULL;
    /* Streamed commands: no command, a blank process id, garbage, bad UTF-8. */
    expect_error(ab_session_command_stream(s, NULL, NULL, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_command_stream(s, "{\"process_id\": \" \"}", NULL, tally_cb, &ref0, &op, &err),
                 err, ia);
    expect_error(ab_session_command_stream(s, "{\"command\": ", NULL, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_command_stream(s, "{\"command\": \"\xff\"}", NULL, tally_cb, &ref0, &op, &err),
                 err, ia);
    expect_error(ab_session_call(s, "command_wait", "{}", tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_client_call(c, "get", "{\"session_id\": \"\xff\"}", tally_cb, &ref0, &op,
                                &err),
                 err, ia);
    CHECK(op == 0);

    /* Empty ids and names. */
    expect_error(ab_session_new(c, "", &out, &err), err, ia);
    expect_error(ab_client_get(c, "", tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_client_delete(c, "", 0, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_call_mcp_tool(s, "", "{}", NULL, tally_cb, &ref0,
                                          &op, &err),
                 err, ia);

    /* Invalid UTF-8 in each text argument. */
    expect_error(ab_session_new(c, "s-\xc3", &out, &err), err, ia);
    expect_error(ab_client_get(c, "\xff", tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_client_delete(c, "\xff", 1, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_get_link(s, "ht\xfftps", 0, NULL, tally_cb, &ref0, &op,
                                     &err),
                 err, ia);
    expect_error(ab_session_list_mcp_tools(s, "\xe2\x82", tally_cb, &ref0, &op,
                                           &err),
                 err, ia);
    expect_error(ab_session_call_mcp_tool(s, "sh\xffll", "{}", NULL, tally_cb,
                                          &ref0, &op, &err),
                 err, ia);
    expect_error(ab_session_set_labels(s, "{\"a\": \"\xff\"}", tally_cb, &ref0,
                                       &op, &err),
                 err, ia);
    expect_error(ab_client_create(c, "{\"image_id\": \"\xc0\xaf\"}", tally_cb,
                                  &ref0, &op, &err),
                 err, ia);

    /* Invalid JSON and wrong JSON types. */
    static const char *bad_create[] = {
        "{", "[1]", "{\"labels\": [\"a\"]}", "{\"labels\": {\"a\": 1}}",
        "{\"labels\": \"a=b\"}", "{\"image_id\": 7}", "{\"policy\": \"p\"}",
    };
    for (size_t i = 0; i < sizeof bad_create / sizeof bad_create[0]; i++)
        expect_error(ab_client_create(c, bad_create[i], tally_cb, &ref0, &op, &err),
                     err, ia);
    static const char *bad_list[] = {
        "nope", "{\"limit\": -1}", "{\"limit\": \"10\"}",
        "{\"page\": 1.5}", "{\"status\": 5}", "{\"labels\": {\"a\": null}}",
        "{\"next_token\": {}}", "{\"max_results\": 3}", "{\"page\": 0}",
        "{\"status\": \"UNKNOWN\"}",
    };
    for (size_t i = 0; i < sizeof bad_list / sizeof bad_list[0]; i++)
        expect_error(ab_client_list(c, bad_list[i], tally_cb, &ref0, &op, &err),
                     err, ia);
    static const char *bad_labels[] = {
        "", "{", "[]", "\"a\"", "{\"a\": 1}", "{\"a\": {\"b\": \"c\"}}", "null",
    };
    for (size_t i = 0; i < sizeof bad_labels / sizeof bad_labels[0]; i++)
        expect_error(ab_session_set_labels(s, bad_labels[i], tally_cb, &ref0, &op,
                                           &err),
                     err, ia);
    static const char *bad_args[] = {"{", "[]", "1", "\"x\"", "{\"a\":}"};
    for (size_t i = 0; i < sizeof bad_args / sizeof bad_args[0]; i++)
        expect_error(ab_session_call_mcp_tool(s, "shell", bad_args[i], NULL,
                                              tally_cb, &ref0, &op, &err),
                     err, ia);
    expect_error(ab_session_get_link(s, NULL, 0, "{nope", tally_cb, &ref0, &op,
                                     &err),
                 err, ia);

    /* Negative timeouts. */
    expect_error(ab_session_call_mcp_tool(s, "shell", "{}", "{\"read_timeout\": -1}",
                                          tally_cb,
                                          &ref0, &op, &err),
                 err, ia);
    expect_error(ab_session_call_mcp_tool(s, "shell", "{}", "{\"connect_timeout\": -5}",
                                          tally_cb,
                                          &ref0, &op, &err),
                 err, ia);
    expect_error(ab_session_pause(s, -1, 0, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_pause(s, 0, -1, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_resume(s, -1, 0, tally_cb, &ref0, &op, &err), err, ia);
    expect_error(ab_session_resume(s, 0, INT64_MIN, tally_cb, &ref0, &op, &err),
                 err, ia);
    CHECK(op == 0);

    /* The out parameter of a successful call is set, err_out cleared. */
    err = (ab_error *)1;
    CHECK_RC(ab_session_id(s, &id, &err), AB_OK);
    CHECK(err == NULL && strcmp(id, "s-1") == 0);
    ab_string_free(id);
    CHECK_RC(ab_session_free(s), AB_OK);
}

/* Operations: wait with a timeout, cancel, free while running. */
static void test_ops(ab_client c)
{
    tally *t = tally_new(3);
    tally_ref refs[3] = {{t, 0}, {t, 1}, {t, 2}};
    ab_session s = 0;
    ab_op op = 0, op2 = 0;
    ab_error *err = NULL;
    char *result = (char *)1;

    CHECK_RC(ab_session_new(c, "s-1", &s, NULL), AB_OK);

    /* A call to a server that never answers is still running. */
    CHECK_RC(ab_session_get_labels(s, tally_cb, &refs[0], &op, &err), AB_OK);
    CHECK(err == NULL && op != 0);
    expect_error(ab_op_wait(op, 0, &result, &err), err, AB_E_TIMEOUT);
    CHECK(result == NULL);
    expect_error(ab_op_wait(op, 30, NULL, &err), err, AB_E_TIMEOUT);
    CHECK(tally_wait(t, 1, 0) == 0);

    /* Cancelled: one callback, with AB_E_CANCELLED; cancelling again or
     * waiting again changes nothing. */
    CHECK_RC(ab_op_cancel(op), AB_OK);
    expect_error(ab_op_wait(op, -1, &result, &err), err, AB_E_CANCELLED);
    CHECK(strcmp(ab_error_kind(NULL), "ok") == 0);
    CHECK_RC(ab_op_cancel(op), AB_OK);
    CHECK_RC(ab_op_wait(op, 1000, NULL, NULL), AB_E_CANCELLED);
    CHECK(tally_wait(t, 1, 5000) == 1);
    CHECK(t->status[0] == AB_E_CANCELLED);
    CHECK_RC(ab_op_free(op), AB_OK);

    /* Freed while running: the operation goes on and still calls back
     * once (here when the client closes, in main). */
    CHECK_RC(ab_session_get_status(s, tally_cb, &refs[1], &op2, NULL), AB_OK);
    CHECK_RC(ab_op_free(op2), AB_OK);
    CHECK_RC(ab_op_cancel(op2), AB_E_INVALID_HANDLE);

    /* No callback and no op handle: allowed, if pointless. */
    CHECK_RC(ab_session_get_status(s, NULL, NULL, NULL, NULL), AB_OK);
    /* No callback, waited on. */
    CHECK_RC(ab_session_info(s, NULL, NULL, &op, NULL), AB_OK);
    CHECK_RC(ab_op_cancel(op), AB_OK);
    CHECK_RC(ab_op_wait(op, -1, NULL, NULL), AB_E_CANCELLED);
    CHECK_RC(ab_op_free(op), AB_OK);

    /* Left running for main's close: an auto-freed op. */
    CHECK_RC(ab_session_info(s, tally_cb, &refs[2], NULL, NULL), AB_OK);

    CHECK_RC(ab_client_close(c), AB_OK);
    CHECK(tally_wait(t, 3, 10000) == 3);
    sleep_ms(50); /* room for a wrong second callback */
    tally_check_once(t);
    CHECK(t->status[1] == AB_E_CANCELLED && t->status[2] == AB_E_CANCELLED);
    /* The client's handles went with it. */
    CHECK_RC(ab_session_free(s), AB_OK);
    CHECK_RC(ab_session_get_status(s, tally_cb, &refs[0], NULL, NULL),
             AB_E_INVALID_HANDLE);
    tally_free(t);
}

/* A callback that tries ab_shutdown, which must refuse from there. */
static atomic_int shutdown_rc = 1;

static void shutdown_cb(void *user_data, ab_op op, int status,
                        const char *result_json, const ab_error *err)
{
    (void)user_data, (void)op, (void)status, (void)result_json, (void)err;
    atomic_store(&shutdown_rc, ab_shutdown());
}

static void test_shutdown(void)
{
    ab_client c = 0;
    ab_session s = 0;
    ab_op op = 0;

    CHECK_RC(ab_client_new(config, &c, NULL), AB_OK);
    CHECK_RC(ab_session_new(c, "s-1", &s, NULL), AB_OK);
    CHECK_RC(ab_session_get_status(s, shutdown_cb, NULL, &op, NULL), AB_OK);
    CHECK_RC(ab_op_cancel(op), AB_OK);
    for (int i = 0; i < 500 && atomic_load(&shutdown_rc) == 1; i++)
        sleep_ms(10);
    CHECK(atomic_load(&shutdown_rc) == AB_E_INVALID_ARGUMENT);

    /* Shutdown closes the client and waits for the callbacks it owes. */
    CHECK_RC(ab_session_get_labels(s, tally_cb, &ref0, NULL, NULL), AB_OK);
    CHECK_RC(ab_shutdown(), AB_OK);
    CHECK(tally_wait(cbs, 1, 0) == 1);
    CHECK(cbs->status[0] == AB_E_CANCELLED);
    CHECK_RC(ab_op_wait(op, 0, NULL, NULL), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_client_close(c), AB_OK);
    CHECK_RC(ab_shutdown(), AB_OK);
}

/* AGENTBAY_* set after the library was loaded still count: the Go runtime
 * keeps its own copy of the environment from load time. */
static void test_env_after_load(void)
{
    ab_client c;
    char *json;

    setenv("AGENTBAY_ENDPOINT", "http://127.0.0.1:9", 1);
    setenv("AGENTBAY_API_KEY", "akm-env-after-load", 1);
    CHECK_RC(ab_client_new(NULL, &c, NULL), AB_OK);
    CHECK_RC(ab_client_info(c, &json, NULL), AB_OK);
    CHECK(strstr(json, "\"endpoint\":\"http://127.0.0.1:9\"") != NULL);
    CHECK(strstr(json, "akm-env-after-load") == NULL);
    ab_string_free(json);
    CHECK_RC(ab_client_close(c), AB_OK);
    unsetenv("AGENTBAY_ENDPOINT");
    unsetenv("AGENTBAY_API_KEY");
}

int main(void)
{
    ab_client c = 0;
    int fd;

    /* Hermetic: the clients below must not pick up a developer's key. */
    unsetenv("AGENTBAY_API_KEY");
    unsetenv("AGENTBAY_ENDPOINT");
    unsetenv("AGENTBAY_TIMEOUT_MS");
    cbs = tally_new(1);
    ref0.t = cbs;
    fd = silent_server(config, sizeof config);

    test_versions();
    test_error_accessors();
    test_status_kinds();
    test_client_new();
    test_env_after_load();
    CHECK_RC(ab_client_new(config, &c, NULL), AB_OK);
    test_client_info(c);
    test_handles(c);
    test_null_and_bad_text(c);
    /* None of the failed calls above called back. */
    CHECK(tally_wait(cbs, 1, 0) == 0);
    test_ops(c);
    test_shutdown();

    CHECK(ab_debug_handle_count() == 0);
    close(fd);
    tally_free(cbs);
    printf("test_misuse: ok\n");
    return 0;
}
