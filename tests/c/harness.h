/*
 * harness.h - the little the C tests share: checks that report file and
 * line, the test scale, and a counter of callbacks that tests can wait on.
 * Include it first: it selects the POSIX API.
 */
#ifndef AB_TEST_HARNESS_H
#define AB_TEST_HARNESS_H

#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agentbay.h"

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            fflush(stdout);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* CHECK_RC(call, want): the call returns the status want. */
#define CHECK_RC(call, want)                                                 \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != (want)) {                                                 \
            fprintf(stderr, "%s:%d: %s returned %d, want %d\n", __FILE__,    \
                    __LINE__, #call, rc_, (want));                           \
            fflush(stdout);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* Tests run at full scale, or smaller under valgrind (AB_TEST_SCALE=small). */
static inline int scaled(int full, int small)
{
    const char *s = getenv("AB_TEST_SCALE");
    return s && strcmp(s, "small") == 0 ? small : full;
}

static inline double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* A client for config (NULL: the embedded backend), or the test stops. */
static inline ab_client new_client(const char *config)
{
    ab_client c = 0;
    ab_error *err = NULL;

    if (ab_client_new(config, &c, &err) != AB_OK) {
        fprintf(stderr, "ab_client_new: %s\n", ab_error_message(err));
        abort();
    }
    return c;
}

/* A tally of callbacks: how many came, and per slot how many times and
 * with which status, so that "exactly once" can be checked. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int total;
    int n;              /* slots */
    atomic_int *calls;  /* per slot */
    int *status;        /* per slot, last status */
} tally;

typedef struct {
    tally *t;
    int slot;
} tally_ref;

static inline tally *tally_new(int n)
{
    tally *t = calloc(1, sizeof *t);
    CHECK(t != NULL);
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cond, NULL);
    t->n = n;
    t->calls = calloc((size_t)n, sizeof *t->calls);
    t->status = calloc((size_t)n, sizeof *t->status);
    CHECK(t->calls != NULL && t->status != NULL);
    return t;
}

static inline void tally_free(tally *t)
{
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cond);
    free(t->calls);
    free(t->status);
    free(t);
}

/* An ab_callback; user_data is a tally_ref. */
static inline void tally_cb(void *user_data, ab_op op, int status,
                            const char *result_json, const ab_error *err)
{
    tally_ref *r = user_data;
    tally *t = r->t;

    (void)op;
    /* The contract: a result on success, an error otherwise. */
    CHECK(status == AB_OK ? result_json != NULL && err == NULL
                          : result_json == NULL && err != NULL);
    CHECK(status == ab_error_code(err));
    atomic_fetch_add(&t->calls[r->slot], 1);
    pthread_mutex_lock(&t->mu);
    t->status[r->slot] = status;
    t->total++;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->mu);
}

/* Waits until at least want callbacks came, for up to ms milliseconds. */
static inline int tally_wait(tally *t, int want, int ms)
{
    struct timespec deadline;
    int total;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&t->mu);
    while (t->total < want &&
           pthread_cond_timedwait(&t->cond, &t->mu, &deadline) != ETIMEDOUT)
        ;
    total = t->total;
    pthread_mutex_unlock(&t->mu);
    return total;
}

/* Checks that every slot had exactly one callback. */
static inline void tally_check_once(tally *t)
{
    for (int i = 0; i < t->n; i++) {
        int c = atomic_load(&t->calls[i]);
        if (c != 1) {
            fprintf(stderr, "slot %d: %d callbacks, want exactly 1\n", i, c);
            abort();
        }
    }
}

/* Waits for op and returns its result (free with ab_string_free); the
 * operation must succeed. Not inlined: gcc 12 then takes the result for a
 * pointer into this frame (a false -Wdangling-pointer). */
__attribute__((noinline, unused)) static char *wait_ok(ab_op op)
{
    char *result = NULL;
    ab_error *err = NULL;
    int rc = ab_op_wait(op, 60000, &result, &err);

    if (rc != AB_OK) {
        fprintf(stderr, "operation failed: %d %s: %s\n", rc,
                ab_error_kind(err), ab_error_message(err));
        abort();
    }
    CHECK(err == NULL && result != NULL);
    CHECK_RC(ab_op_free(op), AB_OK);
    return result;
}

/* Waits for op, which must fail with status want; frees it. */
static inline void wait_fails(ab_op op, int want)
{
    char *result = NULL;
    ab_error *err = NULL;
    int rc = ab_op_wait(op, 60000, &result, &err);

    if (rc != want)
        fprintf(stderr, "operation: got %d (%s: %s), want %d\n", rc,
                ab_error_kind(err), ab_error_message(err), want);
    CHECK(rc == want);
    CHECK(result == NULL && err != NULL && ab_error_code(err) == want);
    ab_error_free(err);
    CHECK_RC(ab_op_free(op), AB_OK);
}

/* Reads the number after "key": in a JSON text (0 if absent). */
static inline unsigned long long json_number(const char *json, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(json, pat);
    return p ? strtoull(p + strlen(pat), NULL, 10) : 0;
}

/* Listens on a TCP port of 127.0.0.1 and never answers: calls sent there
 * stay in flight until they are cancelled. Writes a client config for it
 * into config; returns the socket (close it at the end). */
static inline int silent_server(char *config, size_t size)
{
    struct sockaddr_in addr = {0};
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    CHECK(fd >= 0);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK(listen(fd, 1024) == 0);
    CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
    snprintf(config, size,
             "{\"endpoint\": \"http://127.0.0.1:%d\", \"api_key\": \"%s\"}",
             ntohs(addr.sin_port), "secret-test-key-0123456789");
    return fd;
}

#endif /* AB_TEST_HARNESS_H */
