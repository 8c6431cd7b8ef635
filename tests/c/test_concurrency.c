/*
 * test_concurrency.c - exactly one callback per operation under
 * cancellation, under client close with 100 operations in flight and under
 * ab_shutdown; 8 threads issuing 1,000 mixed calls each; the handle
 * registry empty at the end.
 *
 * Operations run on the embedded backend (or the client config in
 * AB_TEST_CONFIG), and on a local port that never answers, where every
 * operation is certainly still in flight when it is cancelled.
 * AB_TEST_SCALE=small shrinks the counts for valgrind.
 */
#include "harness.h"

#define GARBAGE 0xdeadbeefcafeULL

static char silent_config[256];

static ab_session new_session(ab_client c, char *id, size_t size)
{
    ab_op op;
    char *r;
    const char *p, *q;
    ab_session s;

    CHECK_RC(ab_client_create(c, "{\"labels\": {\"suite\": \"capi-concurrency\"}}",
                              NULL, NULL, &op, NULL),
             AB_OK);
    r = wait_ok(op);
    s = (ab_session)json_number(r, "session_handle");
    p = strstr(r, "\"session_id\":\"");
    CHECK(s != 0 && p != NULL);
    p += strlen("\"session_id\":\"");
    q = strchr(p, '"');
    CHECK(q != NULL && (size_t)(q - p) < size);
    memcpy(id, p, (size_t)(q - p));
    id[q - p] = '\0';
    ab_string_free(r);
    return s;
}

/* Starts call number i of a mix, on session s; cb and ref as given. */
static int start_mixed(ab_session s, int i, ab_callback cb, tally_ref *ref,
                       ab_op *op)
{
    switch (i % 5) {
    case 0:
        return ab_session_get_labels(s, cb, ref, op, NULL);
    case 1:
        return ab_session_get_status(s, cb, ref, op, NULL);
    case 2:
        return ab_session_info(s, cb, ref, op, NULL);
    case 3:
        return ab_session_call_mcp_tool(s, "get_file_info", "{\"path\": \"/\"}", NULL, cb,
                                        ref, op, NULL);
    default:
        return ab_session_call_mcp_tool(s, "shell",
                                        "{\"command\": \"sleep 5\", \"timeout_ms\": 20000}",
                                        NULL, cb, ref, op, NULL);
    }
}

/* n operations, every one cancelled by ab_op_cancel: one callback each;
 * those on the silent server with AB_E_CANCELLED, and ab_op_wait agrees
 * with the callback. */
static void test_cancel(ab_session live, ab_session silent, int n)
{
    tally *t = tally_new(2 * n);
    tally_ref *refs = calloc((size_t)(2 * n), sizeof *refs);
    ab_op *ops = calloc((size_t)(2 * n), sizeof *ops);

    CHECK(refs != NULL && ops != NULL);
    for (int i = 0; i < 2 * n; i++) {
        refs[i] = (tally_ref){t, i};
        CHECK_RC(start_mixed(i < n ? silent : live, i, tally_cb, &refs[i], &ops[i]),
                 AB_OK);
    }
    /* Cancel in reverse order, while the dispatchers are delivering. */
    for (int i = 2 * n - 1; i >= 0; i--)
        CHECK_RC(ab_op_cancel(ops[i]), AB_OK);
    CHECK(tally_wait(t, 2 * n, 30000) == 2 * n);
    sleep_ms(100); /* room for a wrong second callback */
    tally_check_once(t);
    for (int i = 0; i < 2 * n; i++) {
        int rc = ab_op_wait(ops[i], 0, NULL, NULL);
        CHECK(rc == t->status[i]);
        CHECK(i >= n || rc == AB_E_CANCELLED);
        CHECK(rc == AB_OK || rc == AB_E_CANCELLED);
        CHECK_RC(ab_op_free(ops[i]), AB_OK);
    }
    free(refs);
    free(ops);
    tally_free(t);
}

/* n operations in flight when their client closes: one callback each, and
 * afterwards none of the client's handles is left. */
static void test_close(const char *config, int n, int all_cancelled)
{
    ab_client c = new_client(config);
    tally *t = tally_new(n);
    tally_ref *refs = calloc((size_t)n, sizeof *refs);
    ab_op *ops = calloc((size_t)n, sizeof *ops);
    ab_session s;
    char id[128];
    int64_t before = ab_debug_handle_count();

    CHECK(refs != NULL && ops != NULL);
    if (all_cancelled)
        CHECK_RC(ab_session_new(c, "s-1", &s, NULL), AB_OK);
    else
        s = new_session(c, id, sizeof id);
    for (int i = 0; i < n; i++) {
        refs[i] = (tally_ref){t, i};
        /* Half keep their handle, half leave it to the library. */
        CHECK_RC(start_mixed(s, i, tally_cb, &refs[i], i % 2 ? &ops[i] : NULL), AB_OK);
    }
    CHECK_RC(ab_client_close(c), AB_OK);
    CHECK(tally_wait(t, n, 30000) == n);
    sleep_ms(100);
    tally_check_once(t);
    for (int i = 0; i < n; i++) {
        /* The sleeps were certainly still running. */
        if (all_cancelled || i % 5 == 4)
            CHECK(t->status[i] == AB_E_CANCELLED);
        if (i % 2)
            CHECK_RC(ab_op_wait(ops[i], 0, NULL, NULL), AB_E_INVALID_HANDLE);
    }
    CHECK_RC(ab_session_free(s), AB_OK);
    CHECK(ab_debug_handle_count() == before - 1);
    free(refs);
    free(ops);
    tally_free(t);
}

/* ---- 8 threads of mixed calls ---- */

typedef struct {
    ab_client client;
    ab_session session;
    int calls;
    tally *t;        /* one slot per call */
    tally_ref *refs;
    int first;       /* this thread's first slot */
    int async;       /* asynchronous calls started */
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    ab_error *err;
    ab_op op;
    ab_session s2;
    char *str;
    int rc;

    for (int i = 0; i < w->calls; i++) {
        tally_ref *ref = &w->refs[w->first + i];

        switch (i % 20) {
        case 0: /* a round trip waited on */
            CHECK_RC(ab_session_get_labels(w->session, NULL, NULL, &op, NULL), AB_OK);
            CHECK_RC(ab_op_wait(op, -1, NULL, NULL), AB_OK);
            CHECK_RC(ab_op_free(op), AB_OK);
            break;
        case 1: /* round trips that call back */
            CHECK_RC(ab_session_get_status(w->session, tally_cb, ref, NULL, NULL), AB_OK);
            w->async++;
            break;
        case 2:
            CHECK_RC(ab_session_call_mcp_tool(w->session, "get_file_info",
                                              "{\"path\": \"/\"}", NULL, tally_cb,
                                              ref, NULL, NULL),
                     AB_OK);
            w->async++;
            break;
        case 3: /* invalid handles */
            err = NULL;
            rc = ab_session_get_labels(GARBAGE, tally_cb, ref, NULL, &err);
            CHECK(rc == AB_E_INVALID_HANDLE && ab_error_code(err) == rc);
            ab_error_free(err);
            break;
        case 4:
            CHECK_RC(ab_op_cancel(GARBAGE), AB_E_INVALID_HANDLE);
            CHECK_RC(ab_op_wait(0, 0, NULL, NULL), AB_E_INVALID_HANDLE);
            break;
        case 5:
            CHECK_RC(ab_client_info(w->session, &str, NULL), AB_E_INVALID_HANDLE);
            CHECK_RC(ab_session_free(w->client), AB_E_INVALID_HANDLE);
            break;
        case 6: /* a bad argument */
            CHECK_RC(ab_session_set_labels(w->session, "{", tally_cb, ref, NULL, NULL),
                     AB_E_INVALID_ARGUMENT);
            break;
        case 7:
            CHECK_RC(ab_session_new(w->client, "s-x", &s2, NULL), AB_OK);
            CHECK_RC(ab_session_free(s2), AB_OK);
            CHECK_RC(ab_session_free(s2), AB_OK);
            break;
        case 8:
            CHECK_RC(ab_client_info(w->client, &str, NULL), AB_OK);
            ab_string_free(str);
            break;
        default: /* the cheapest call */
            CHECK_RC(ab_session_id(w->session, &str, NULL), AB_OK);
            ab_string_free(str);
            break;
        }
    }
    return NULL;
}

static void test_threads(ab_client c, ab_session s, int threads, int calls)
{
    tally *t = tally_new(threads * calls);
    tally_ref *refs = calloc((size_t)(threads * calls), sizeof *refs);
    worker *w = calloc((size_t)threads, sizeof *w);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    int async = 0;
    double t0 = now_ms();

    CHECK(refs != NULL && w != NULL && tid != NULL);
    for (int i = 0; i < threads * calls; i++)
        refs[i] = (tally_ref){t, i};
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){c, s, calls, t, refs, i * calls, 0};
        CHECK(pthread_create(&tid[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < threads; i++) {
        CHECK(pthread_join(tid[i], NULL) == 0);
        async += w[i].async;
    }
    CHECK(tally_wait(t, async, 60000) == async);
    sleep_ms(50);
    CHECK(tally_wait(t, async + 1, 0) == async); /* and no more */
    for (int i = 0; i < threads * calls; i++) {
        int c1 = atomic_load(&t->calls[i]);
        int want = (i % calls) % 20 == 1 || (i % calls) % 20 == 2;
        CHECK(c1 == want);
        CHECK(!want || t->status[i] == AB_OK);
    }
    printf("threads: %d x %d mixed calls (%d asynchronous) in %.0f ms\n", threads,
           calls, async, now_ms() - t0);
    free(refs);
    free(w);
    free(tid);
    tally_free(t);
}

/* ab_shutdown with operations in flight on two clients: when it returns,
 * every callback was delivered and no handle is left. */
static void test_shutdown(const char *config, int n)
{
    ab_client live = new_client(config), silent = new_client(silent_config);
    tally *t = tally_new(2 * n);
    tally_ref *refs = calloc((size_t)(2 * n), sizeof *refs);
    ab_session s1, s2;
    char id[128];

    CHECK(refs != NULL);
    s1 = new_session(live, id, sizeof id);
    CHECK_RC(ab_session_new(silent, "s-1", &s2, NULL), AB_OK);
    for (int i = 0; i < 2 * n; i++) {
        refs[i] = (tally_ref){t, i};
        CHECK_RC(start_mixed(i % 2 ? s1 : s2, i, tally_cb, &refs[i], NULL), AB_OK);
    }
    CHECK_RC(ab_shutdown(), AB_OK);
    CHECK(tally_wait(t, 2 * n, 0) == 2 * n);
    tally_check_once(t);
    CHECK(ab_debug_handle_count() == 0);
    free(refs);
    tally_free(t);
}

int main(void)
{
    const char *config = getenv("AB_TEST_CONFIG");
    ab_client c, silent;
    ab_session s, dead;
    char id[128];
    int fd;

    unsetenv("AGENTBAY_API_KEY");
    unsetenv("AGENTBAY_ENDPOINT");
    fd = silent_server(silent_config, sizeof silent_config);
    c = new_client(config);
    silent = new_client(silent_config);
    s = new_session(c, id, sizeof id);
    CHECK_RC(ab_session_new(silent, "s-1", &dead, NULL), AB_OK);

    test_cancel(s, dead, scaled(100, 10));
    test_threads(c, s, 8, scaled(1000, 60));
    CHECK_RC(ab_client_close(silent), AB_OK);
    CHECK_RC(ab_client_close(c), AB_OK);
    CHECK(ab_debug_handle_count() == 0);

    test_close(silent_config, 100, 1);
    test_close(config, scaled(100, 20), 0);
    CHECK(ab_debug_handle_count() == 0);
    test_shutdown(config, scaled(50, 10));

    close(fd);
    printf("test_concurrency: ok\n");
    return 0;
}
