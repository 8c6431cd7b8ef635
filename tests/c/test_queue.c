/*
 * test_queue.c - the completion queue (ab_queue_*, ab_*_call_queued):
 * misuse gives status codes; the descriptor is readable exactly while
 * completions are queued; exactly one completion per call under
 * cancellation, under client close with 100 calls in flight and under
 * ab_shutdown, drained afterwards; a queue freed with completions owed;
 * threads starting calls while another drains; the handle registry empty
 * at the end.
 *
 * As test_concurrency.c: the embedded backend (or AB_TEST_CONFIG), and a
 * local port that never answers. AB_TEST_SCALE=small shrinks the counts.
 */
#include "harness.h"

#include <poll.h>

#define GARBAGE 0xdeadbeefcafeULL

static char silent_config[256];

static int readable(ab_queue q, int ms)
{
    struct pollfd p = {0};

    CHECK_RC(ab_queue_fd(q, &p.fd), AB_OK);
    p.events = POLLIN;
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* The completions of slots 0..n-1 (user_data is the slot number, as an
 * integer, not a pointer): how many times each came and its last status. */
typedef struct {
    int n, total;
    int *calls, *status;
    ab_op *ops;
} seen;

static seen *seen_new(int n)
{
    seen *s = calloc(1, sizeof *s);

    CHECK(s != NULL);
    s->n = n;
    s->calls = calloc((size_t)n, sizeof *s->calls);
    s->status = calloc((size_t)n, sizeof *s->status);
    s->ops = calloc((size_t)n, sizeof *s->ops);
    CHECK(s->calls && s->status && s->ops);
    return s;
}

static void seen_free(seen *s)
{
    free(s->calls);
    free(s->status);
    free(s->ops);
    free(s);
}

/* Takes what is queued into s, checking each item; returns how many. */
static int drain_into(ab_queue q, seen *s)
{
    ab_completion items[16];
    int n = -1, got = 0;

    do {
        CHECK_RC(ab_queue_drain(q, items, 16, &n), AB_OK);
        CHECK(n >= 0 && n <= 16);
        for (int i = 0; i < n; i++) {
            ab_completion *it = &items[i];
            uintptr_t slot = (uintptr_t)it->user_data;

            CHECK(slot < (uintptr_t)s->n);
            CHECK(it->status == AB_OK ? it->result_json != NULL && it->error == NULL
                                      : it->result_json == NULL && it->error != NULL);
            CHECK(it->status == ab_error_code(it->error));
            CHECK(s->ops[slot] == 0 || s->ops[slot] == it->op);
            s->calls[slot]++;
            s->status[slot] = it->status;
            ab_string_free(it->result_json);
            ab_error_free(it->error);
        }
        got += n;
    } while (n == 16);
    s->total += got;
    return got;
}

/* Drains until want completions came in all, waiting on the descriptor,
 * for up to ms milliseconds; returns the total. */
static int drain_until(ab_queue q, seen *s, int want, int ms)
{
    double end = now_ms() + ms;

    drain_into(q, s);
    while (s->total < want && now_ms() < end) {
        if (readable(q, 100))
            drain_into(q, s);
    }
    return s->total;
}

static void check_once(seen *s)
{
    for (int i = 0; i < s->n; i++) {
        if (s->calls[i] != 1) {
            fprintf(stderr, "slot %d: %d completions, want exactly 1\n", i, s->calls[i]);
            abort();
        }
    }
}

static ab_session new_session(ab_client c)
{
    ab_op op;
    char *r;
    ab_session s;

    CHECK_RC(ab_client_create(c, "{\"labels\": {\"suite\": \"capi-queue\"}}", NULL, NULL,
                              &op, NULL),
             AB_OK);
    r = wait_ok(op);
    s = (ab_session)json_number(r, "session_handle");
    CHECK(s != 0);
    ab_string_free(r);
    return s;
}

/* Call number i of a mix, on session s, into q. */
static int start_mixed(ab_session s, int i, ab_queue q, ab_op *op)
{
    void *ud = (void *)(uintptr_t)i;

    switch (i % 4) {
    case 0:
        return ab_session_call_queued(s, "get_labels", NULL, q, ud, op, NULL);
    case 1:
        return ab_session_call_queued(s, "get_status", "{}", q, ud, op, NULL);
    case 2:
        return ab_session_call_queued(s, "call_mcp_tool",
                                      "{\"tool_name\": \"get_file_info\", \"args\": {\"path\": \"/\"}}",
                                      q, ud, op, NULL);
    default:
        return ab_session_call_queued(s, "call_mcp_tool",
                                      "{\"tool_name\": \"shell\", \"args\": {\"command\": \"sleep 5\", "
                                      "\"timeout_ms\": 20000}}",
                                      q, ud, op, NULL);
    }
}

/* Bad handles, NULL pointers and bad arguments: status codes, nothing
 * queued, never a crash. */
static void test_misuse(ab_client c, ab_session s)
{
    ab_queue q, q2;
    ab_completion items[4];
    ab_error *err = NULL;
    ab_op op = 7;
    int fd = 7, n = 7;

    CHECK_RC(ab_queue_new(NULL, &err), AB_E_INVALID_ARGUMENT);
    CHECK(ab_error_code(err) == AB_E_INVALID_ARGUMENT);
    ab_error_free(err);
    CHECK_RC(ab_queue_new(&q, NULL), AB_OK);
    CHECK(q != 0);

    CHECK_RC(ab_queue_fd(0, &fd), AB_E_INVALID_HANDLE);
    CHECK(fd == -1);
    CHECK_RC(ab_queue_fd(GARBAGE, &fd), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_queue_fd(c, &fd), AB_E_INVALID_HANDLE); /* a client is no queue */
    CHECK_RC(ab_queue_fd(q, NULL), AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_queue_fd(q, &fd), AB_OK);
    CHECK(fd >= 0);
    CHECK(!readable(q, 0));

    CHECK_RC(ab_queue_drain(0, items, 4, &n), AB_E_INVALID_HANDLE);
    CHECK(n == 0);
    CHECK_RC(ab_queue_drain(s, items, 4, &n), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_queue_drain(q, items, 4, NULL), AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_queue_drain(q, NULL, 4, &n), AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_queue_drain(q, items, -1, &n), AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_queue_drain(q, NULL, 0, &n), AB_OK);
    CHECK(n == 0);
    CHECK_RC(ab_queue_drain(q, items, 4, &n), AB_OK);
    CHECK(n == 0);

    /* Calls refused: nothing is queued, op_out is 0. */
    err = NULL;
    CHECK_RC(ab_session_call_queued(s, "get_labels", NULL, GARBAGE, NULL, &op, &err),
             AB_E_INVALID_HANDLE);
    CHECK(op == 0 && ab_error_code(err) == AB_E_INVALID_HANDLE);
    ab_error_free(err);
    CHECK_RC(ab_session_call_queued(s, "get_labels", NULL, 0, NULL, &op, NULL),
             AB_E_INVALID_HANDLE);
    CHECK_RC(ab_session_call_queued(s, "get_labels", NULL, c, NULL, &op, NULL),
             AB_E_INVALID_HANDLE);
    CHECK_RC(ab_session_call_queued(GARBAGE, "get_labels", NULL, q, NULL, &op, NULL),
             AB_E_INVALID_HANDLE);
    CHECK_RC(ab_client_call_queued(s, "list", NULL, q, NULL, &op, NULL),
             AB_E_INVALID_HANDLE);
    CHECK_RC(ab_session_call_queued(s, "no_such_op", NULL, q, NULL, &op, NULL),
             AB_E_UNSUPPORTED);
    CHECK_RC(ab_session_call_queued(s, NULL, NULL, q, NULL, &op, NULL),
             AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_session_call_queued(s, "set_labels", "{", q, NULL, &op, NULL),
             AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_client_call_queued(c, "list", "[]", q, NULL, NULL, NULL),
             AB_E_INVALID_ARGUMENT);
    sleep_ms(50);
    CHECK(!readable(q, 0));
    CHECK_RC(ab_queue_drain(q, items, 4, &n), AB_OK);
    CHECK(n == 0);

    /* Freed: every use is an invalid handle, a second free is fine. */
    CHECK_RC(ab_queue_new(&q2, NULL), AB_OK);
    CHECK(q2 != q);
    CHECK_RC(ab_queue_free(q), AB_OK);
    CHECK_RC(ab_queue_free(q), AB_OK);
    CHECK_RC(ab_queue_free(0), AB_OK);
    CHECK_RC(ab_queue_free(GARBAGE), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_queue_free(c), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_queue_fd(q, &fd), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_queue_drain(q, items, 4, &n), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_session_call_queued(s, "get_labels", NULL, q, NULL, &op, NULL),
             AB_E_INVALID_HANDLE);
    CHECK_RC(ab_queue_free(q2), AB_OK);
}

/* One call: the descriptor turns readable, the item carries the result,
 * user_data and op, and a drain that empties the queue clears it. */
static void test_round_trip(ab_client c, ab_session s)
{
    ab_queue q;
    ab_completion items[4];
    ab_op op, op2;
    int n;
    char *r;

    CHECK_RC(ab_queue_new(&q, NULL), AB_OK);
    CHECK_RC(ab_session_set_labels(s, "{\"k\": \"v\"}", NULL, NULL, &op, NULL), AB_OK);
    ab_string_free(wait_ok(op));

    CHECK_RC(ab_session_call_queued(s, "get_labels", NULL, q, (void *)1, &op, NULL), AB_OK);
    CHECK_RC(ab_client_call_queued(c, "list", "{\"labels\": {\"k\": \"v\"}}", q, (void *)2,
                                   &op2, NULL),
             AB_OK);
    CHECK(readable(q, 30000));
    /* Both, in one drain or two. */
    n = 0;
    for (double end = now_ms() + 30000; n < 2 && now_ms() < end;) {
        int got;

        CHECK(readable(q, 1000) || n == 2);
        CHECK_RC(ab_queue_drain(q, items + n, 4 - n, &got), AB_OK);
        n += got;
    }
    CHECK(n == 2);
    CHECK(!readable(q, 0));
    for (int i = 0; i < 2; i++) {
        ab_completion *it = &items[i];

        CHECK(it->status == AB_OK && it->error == NULL);
        if (it->user_data == (void *)1) {
            CHECK(it->op == op);
            CHECK(strstr(it->result_json, "\"k\":\"v\"") != NULL);
        } else {
            CHECK(it->user_data == (void *)2 && it->op == op2);
            CHECK(strstr(it->result_json, "\"session_ids\"") != NULL);
        }
        ab_string_free(it->result_json);
    }
    /* The kept handle still waits: the same result. */
    CHECK_RC(ab_op_wait(op, 0, &r, NULL), AB_OK);
    CHECK(strstr(r, "\"k\":\"v\"") != NULL);
    ab_string_free(r);
    CHECK_RC(ab_op_free(op), AB_OK);
    CHECK_RC(ab_op_free(op2), AB_OK);

    /* A failure: an error to free, no result. */
    CHECK_RC(ab_session_call_queued(s, "get_link", "{\"port\": 30150}", q, (void *)3, NULL,
                                    NULL),
             AB_OK);
    CHECK(readable(q, 30000));
    CHECK_RC(ab_queue_drain(q, items, 4, &n), AB_OK);
    CHECK(n == 1 && items[0].user_data == (void *)3);
    CHECK(items[0].status == AB_OK ? items[0].result_json != NULL
                                   : items[0].error != NULL && items[0].result_json == NULL);
    ab_string_free(items[0].result_json);
    ab_error_free(items[0].error);
    /* op_out NULL: the library freed the handle. */
    CHECK_RC(ab_op_wait(items[0].op, 0, NULL, NULL), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_queue_free(q), AB_OK);
}

/* 2n calls, every one cancelled: one completion each, those on the silent
 * server cancelled, and ab_op_wait agrees with the queue. */
static void test_cancel(ab_session live, ab_session silent, int n)
{
    seen *s = seen_new(2 * n);
    ab_queue q;

    CHECK_RC(ab_queue_new(&q, NULL), AB_OK);
    for (int i = 0; i < 2 * n; i++)
        CHECK_RC(start_mixed(i < n ? silent : live, i, q, &s->ops[i]), AB_OK);
    for (int i = 2 * n - 1; i >= 0; i--) {
        CHECK_RC(ab_op_cancel(s->ops[i]), AB_OK);
        if (i % 7 == 0)
            drain_into(q, s); /* draining while cancelling */
    }
    /* ab_op_cancel queued the cancelled ones before it returned. */
    drain_into(q, s);
    for (int i = 0; i < n; i++)
        CHECK(s->calls[i] == 1 && s->status[i] == AB_E_CANCELLED);
    CHECK(drain_until(q, s, 2 * n, 30000) == 2 * n);
    sleep_ms(100); /* room for a wrong second completion */
    CHECK(drain_into(q, s) == 0);
    CHECK(!readable(q, 0));
    check_once(s);
    for (int i = 0; i < 2 * n; i++) {
        int rc = ab_op_wait(s->ops[i], 0, NULL, NULL);

        CHECK(rc == s->status[i]);
        CHECK(rc == AB_OK || rc == AB_E_CANCELLED);
        CHECK_RC(ab_op_free(s->ops[i]), AB_OK);
    }
    CHECK_RC(ab_queue_free(q), AB_OK);
    seen_free(s);
}

/* n calls in flight when their client closes: one completion each, drained
 * after the close; none of the client's handles is left. */
static void test_close(const char *config, int n, int all_cancelled)
{
    ab_client c = new_client(config);
    seen *s = seen_new(n);
    ab_queue q;
    ab_session ss;
    int64_t before = ab_debug_handle_count();

    CHECK_RC(ab_queue_new(&q, NULL), AB_OK);
    if (all_cancelled)
        CHECK_RC(ab_session_new(c, "s-1", &ss, NULL), AB_OK);
    else
        ss = new_session(c);
    for (int i = 0; i < n; i++) /* half keep their handle */
        CHECK_RC(start_mixed(ss, i, q, i % 2 ? &s->ops[i] : NULL), AB_OK);
    CHECK_RC(ab_client_close(c), AB_OK);
    CHECK(drain_until(q, s, n, 30000) == n);
    sleep_ms(100);
    CHECK(drain_into(q, s) == 0);
    check_once(s);
    for (int i = 0; i < n; i++) {
        if (all_cancelled || i % 4 == 3) /* the sleeps were still running */
            CHECK(s->status[i] == AB_E_CANCELLED);
        if (i % 2)
            CHECK_RC(ab_op_wait(s->ops[i], 0, NULL, NULL), AB_E_INVALID_HANDLE);
    }
    CHECK_RC(ab_session_free(ss), AB_OK);
    CHECK_RC(ab_queue_free(q), AB_OK);
    CHECK(ab_debug_handle_count() == before - 1); /* the client */
    seen_free(s);
}

/* A queue freed with completions queued and calls in flight: those are
 * dropped (with the session handle of an undrained create), kept handles
 * still work. */
static void test_free_owed(const char *config, int n)
{
    ab_client c = new_client(config), silent = new_client(silent_config);
    ab_session dead;
    ab_queue q;
    ab_op *ops = calloc((size_t)n, sizeof *ops);
    ab_op create, create2;
    int64_t before;

    CHECK(ops != NULL);
    CHECK_RC(ab_session_new(silent, "s-1", &dead, NULL), AB_OK);
    CHECK_RC(ab_queue_new(&q, NULL), AB_OK);
    before = ab_debug_handle_count(); /* c, silent, dead, q */
    CHECK_RC(ab_client_call_queued(c, "create", NULL, q, NULL, &create, NULL), AB_OK);
    CHECK_RC(ab_client_call_queued(c, "create", NULL, q, NULL, &create2, NULL), AB_OK);
    for (int i = 0; i < n; i++) /* these stay in flight */
        CHECK_RC(start_mixed(dead, i, q, i % 2 ? &ops[i] : NULL), AB_OK);
    /* Both creates queued (a wait without result_out takes nothing). */
    CHECK_RC(ab_op_wait(create, 60000, NULL, NULL), AB_OK);
    CHECK_RC(ab_op_wait(create2, 60000, NULL, NULL), AB_OK);
    CHECK_RC(ab_op_free(create2), AB_OK);
    CHECK(ab_debug_handle_count() == before + 1 + 2 + n); /* create, 2 sessions */
    CHECK_RC(ab_queue_free(q), AB_OK); /* the creates undrained: sessions given up */
    CHECK(ab_debug_handle_count() == before - 1 + 1 + n);
    for (int i = 1; i < n; i += 2) {
        CHECK_RC(ab_op_cancel(ops[i]), AB_OK);
        CHECK_RC(ab_op_wait(ops[i], 0, NULL, NULL), AB_E_CANCELLED);
        CHECK_RC(ab_op_free(ops[i]), AB_OK);
    }
    CHECK_RC(ab_op_wait(create, 0, NULL, NULL), AB_OK);
    CHECK_RC(ab_op_free(create), AB_OK);
    /* The others end with their client, into the freed queue. */
    CHECK_RC(ab_client_close(silent), AB_OK);
    CHECK_RC(ab_client_close(c), AB_OK);
    CHECK(ab_debug_handle_count() == before - 4);
    free(ops);
}

/* ab_shutdown with calls in flight on two clients into one queue: when it
 * returns every completion is queued; they drain afterwards. */
static void test_shutdown(const char *config, int n)
{
    ab_client live = new_client(config), silent = new_client(silent_config);
    seen *s = seen_new(2 * n);
    ab_queue q;
    ab_session s1, s2;

    CHECK_RC(ab_queue_new(&q, NULL), AB_OK);
    s1 = new_session(live);
    CHECK_RC(ab_session_new(silent, "s-1", &s2, NULL), AB_OK);
    for (int i = 0; i < 2 * n; i++)
        CHECK_RC(start_mixed(i % 2 ? s1 : s2, i, q, NULL), AB_OK);
    CHECK_RC(ab_shutdown(), AB_OK);
    CHECK(ab_debug_handle_count() == 1); /* the queue */
    CHECK(readable(q, 0));
    CHECK(drain_into(q, s) == 2 * n);
    CHECK(!readable(q, 0));
    check_once(s);
    for (int i = 0; i < 2 * n; i += 2)
        CHECK(s->status[i] == AB_E_CANCELLED);
    CHECK_RC(ab_queue_free(q), AB_OK);
    CHECK(ab_debug_handle_count() == 0);
    seen_free(s);
}

/* Threads start calls into one queue while another thread drains it. */
typedef struct {
    ab_session s;
    ab_queue q;
    int first, calls;
} starter;

static void *start_calls(void *arg)
{
    starter *w = arg;

    for (int i = 0; i < w->calls; i++) {
        int slot = w->first + i;

        CHECK_RC(ab_session_call_queued(w->s, slot % 2 ? "get_status" : "get_labels", NULL,
                                        w->q, (void *)(uintptr_t)slot, NULL, NULL),
                 AB_OK);
    }
    return NULL;
}

static void test_threads(ab_session s, int threads, int calls)
{
    seen *seen_ = seen_new(threads * calls);
    starter *w = calloc((size_t)threads, sizeof *w);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    ab_queue q;
    double t0 = now_ms();

    CHECK(w != NULL && tid != NULL);
    CHECK_RC(ab_queue_new(&q, NULL), AB_OK);
    for (int i = 0; i < threads; i++) {
        w[i] = (starter){s, q, i * calls, calls};
        CHECK(pthread_create(&tid[i], NULL, start_calls, &w[i]) == 0);
    }
    CHECK(drain_until(q, seen_, threads * calls, 60000) == threads * calls);
    for (int i = 0; i < threads; i++)
        CHECK(pthread_join(tid[i], NULL) == 0);
    sleep_ms(50);
    CHECK(drain_into(q, seen_) == 0);
    check_once(seen_);
    for (int i = 0; i < threads * calls; i++)
        CHECK(seen_->status[i] == AB_OK);
    printf("threads: %d x %d queued calls in %.0f ms\n", threads, calls, now_ms() - t0);
    CHECK_RC(ab_queue_free(q), AB_OK);
    free(w);
    free(tid);
    seen_free(seen_);
}

/* One ab_queue_take into s, checking each item; returns how many. */
static int take_into(ab_queue q, seen *s)
{
    ab_completion items[16];
    int got;

    CHECK_RC(ab_queue_take(q, items, 16, &got), AB_OK);
    for (int i = 0; i < got; i++) {
        uintptr_t slot = (uintptr_t)items[i].user_data;

        CHECK(slot < (uintptr_t)s->n && items[i].op == s->ops[slot]);
        CHECK(items[i].status == AB_OK ? items[i].result_json != NULL
                                       : ab_error_code(items[i].error) == items[i].status);
        s->calls[slot]++;
        s->status[slot] = items[i].status;
    }
    return got;
}

/* ab_queue_take: the items' op handles are freed and their results stay
 * the queue's until the next take or ab_queue_free (ASan and valgrind see
 * any leak or early free); cancelled and finished calls, exactly once. */
static void test_take(ab_session live, ab_session silent, int n)
{
    seen *s = seen_new(2 * n);
    ab_queue q;
    ab_completion items[16];
    ab_op op;
    int got, total = 0;
    int64_t before;

    CHECK_RC(ab_queue_new(&q, NULL), AB_OK);
    CHECK_RC(ab_queue_take(0, items, 4, &got), AB_E_INVALID_HANDLE);
    CHECK(got == 0);
    CHECK_RC(ab_queue_take(live, items, 4, &got), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_queue_take(q, items, 4, NULL), AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_queue_take(q, NULL, 4, &got), AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_queue_take(q, items, -1, &got), AB_E_INVALID_ARGUMENT);
    CHECK_RC(ab_queue_take(q, NULL, 0, &got), AB_OK);
    CHECK(got == 0);

    /* One result and one failure, both with kept handles. */
    before = ab_debug_handle_count();
    CHECK_RC(ab_session_call_queued(live, "get_labels", NULL, q, (void *)1, &op, NULL), AB_OK);
    CHECK(readable(q, 30000));
    CHECK_RC(ab_queue_take(q, items, 4, &got), AB_OK);
    CHECK(got == 1 && items[0].user_data == (void *)1 && items[0].op == op);
    CHECK(items[0].status == AB_OK && items[0].error == NULL);
    CHECK(strstr(items[0].result_json, "\"request_id\"") != NULL);
    CHECK(ab_debug_handle_count() == before); /* the op handle is gone */
    CHECK_RC(ab_op_wait(op, 0, NULL, NULL), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_op_cancel(op), AB_E_INVALID_HANDLE);
    CHECK_RC(ab_op_free(op), AB_OK);
    CHECK_RC(ab_session_call_queued(silent, "get_labels", NULL, q, (void *)2, &op, NULL), AB_OK);
    CHECK_RC(ab_op_cancel(op), AB_OK);
    /* The previous result is freed by this take; this one's error stays. */
    CHECK_RC(ab_queue_take(q, items, 4, &got), AB_OK);
    CHECK(got == 1 && items[0].user_data == (void *)2);
    CHECK(items[0].status == AB_E_CANCELLED && items[0].result_json == NULL);
    CHECK(ab_error_code(items[0].error) == AB_E_CANCELLED);
    CHECK(ab_error_message(items[0].error)[0] != '\0');
    CHECK(ab_debug_handle_count() == before);

    /* Calls cancelled (those on the silent server) or finished first,
     * taken in batches while cancelling: exactly once each, every handle
     * freed. */
    for (int i = 0; i < 2 * n; i++)
        CHECK_RC(start_mixed(i < n ? silent : live, i, q, &s->ops[i]), AB_OK);
    for (int i = 2 * n - 1; i >= 0; i--) {
        CHECK_RC(ab_op_cancel(s->ops[i]), AB_OK);
        if (i % 7 == 0)
            total += take_into(q, s); /* taking while cancelling */
    }
    for (double end = now_ms() + 30000; total < 2 * n && now_ms() < end;) {
        if (readable(q, 100))
            total += take_into(q, s);
    }
    CHECK(total == 2 * n);
    check_once(s);
    for (int i = 0; i < n; i++)
        CHECK(s->status[i] == AB_E_CANCELLED);
    CHECK(ab_debug_handle_count() == before);
    for (int i = 0; i < 2 * n; i++)
        CHECK_RC(ab_op_free(s->ops[i]), AB_OK); /* freed already: harmless */
    CHECK_RC(ab_queue_free(q), AB_OK); /* frees the last batch's results */
    seen_free(s);
}

int main(void)
{
    const char *config = getenv("AB_TEST_CONFIG");
    ab_client c, silent;
    ab_session s, dead;
    int fd;

    unsetenv("AGENTBAY_API_KEY");
    unsetenv("AGENTBAY_ENDPOINT");
    fd = silent_server(silent_config, sizeof silent_config);
    c = new_client(config);
    silent = new_client(silent_config);
    s = new_session(c);
    CHECK_RC(ab_session_new(silent, "s-1", &dead, NULL), AB_OK);

    test_misuse(c, s);
    test_round_trip(c, s);
    test_cancel(s, dead, scaled(100, 10));
    test_take(s, dead, scaled(100, 10));
    test_threads(s, 4, scaled(500, 30));
    CHECK_RC(ab_client_close(silent), AB_OK);
    CHECK_RC(ab_client_close(c), AB_OK);
    CHECK(ab_debug_handle_count() == 0);

    test_close(silent_config, 100, 1);
    test_close(config, scaled(100, 20), 0);
    test_free_owed(config, scaled(20, 6));
    CHECK(ab_debug_handle_count() == 0);
    test_shutdown(config, scaled(50, 10));

    close(fd);
    printf("test_queue: ok\n");
    return 0;
}
