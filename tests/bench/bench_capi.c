/*
 * bench_capi.c - what a call through the C ABI costs, next to the same call
 * made directly in Go (measured by the helper tests/bench/direct, whose
 * path is argv[1]; it runs first, so the two never share the CPU):
 *   - a trivial call: ab_session_id (+ ab_string_free) vs Session.ID();
 *   - a get_labels round trip on the embedded backend, waited on with
 *     ab_op_wait, vs GetLabels;
 *   - the asynchronous round trip, from the C call to its callback;
 *   - pause then resume against an embedded backend emulating transitions
 *     of T = 0.1, 0.5, 1.5 and 5 s: the wall time of each wait, its overshoot
 *     over T and its status reads (from ab_session_call_observed's last
 *     status event).
 * Round trips are medians; trivial calls are means over many calls.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <agentbay.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void check(int rc, const char *what)
{
    if (rc != AB_OK) {
        fprintf(stderr, "bench: %s failed with %d\n", what, rc);
        exit(1);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- the callback round trip: one call in flight, the main thread
 * waiting on a condition variable for its callback ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int done;

static void on_done(void *user_data, ab_op op, int status, const char *result,
                    const ab_error *err)
{
    (void)user_data, (void)op, (void)result, (void)err;
    check(status, "get_labels (callback)");
    pthread_mutex_lock(&mu);
    done = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&mu);
}

static void labels_by_wait(ab_session s)
{
    ab_op op;

    check(ab_session_get_labels(s, NULL, NULL, &op, NULL), "get_labels");
    check(ab_op_wait(op, -1, NULL, NULL), "ab_op_wait");
    ab_op_free(op);
}

static void labels_by_callback(ab_session s)
{
    done = 0;
    check(ab_session_get_labels(s, on_done, NULL, NULL, NULL), "get_labels");
    pthread_mutex_lock(&mu);
    while (!done)
        pthread_cond_wait(&cond, &mu);
    pthread_mutex_unlock(&mu);
}

/* The median of n runs of f, in microseconds, after a warm-up. */
static double median_us(int n, void (*f)(ab_session), ab_session s)
{
    double *t = malloc(sizeof *t * (size_t)n), m;

    for (int i = -n / 10; i < n; i++) {
        double t0 = now_ns();
        f(s);
        if (i >= 0)
            t[i] = (now_ns() - t0) / 1e3;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    m = t[n / 2];
    free(t);
    return m;
}

/* ---- a streamed `seq 1 100000`: first byte and throughput ---- */

static double stream_t0, stream_first;
static size_t stream_bytes;

static void on_seq_chunk(void *user_data, ab_op op, int stream, const char *data, size_t len)
{
    (void)user_data, (void)op, (void)stream, (void)data;
    if (stream_bytes == 0)
        stream_first = now_ns() - stream_t0;
    stream_bytes += len;
}

static double stream_first_us[20];
static int stream_run;

static void stream_seq(ab_session s)
{
    ab_op op;

    stream_bytes = 0;
    stream_t0 = now_ns();
    check(ab_session_command_stream(s, "{\"command\": \"seq 1 100000\"}", on_seq_chunk, NULL, NULL, &op, NULL),
          "command_stream");
    check(ab_op_wait(op, -1, NULL, NULL), "command_stream");
    ab_op_free(op);
    if (stream_bytes != 588895) {
        fprintf(stderr, "bench: streamed %zu bytes\n", stream_bytes);
        exit(1);
    }
    stream_first_us[stream_run++ % 20] = stream_first / 1e3;
}

/* A 1 MiB text file written then read back whole, through the generic call. */
static char *file_params;

static void file_round_trip(ab_session s)
{
    ab_op op;
    char *r;

    check(ab_session_call(s, "write_file", file_params, NULL, NULL, &op, NULL), "write_file");
    check(ab_op_wait(op, -1, NULL, NULL), "write_file");
    ab_op_free(op);
    check(ab_session_call(s, "read_file", "{\"path\": \"/tmp/bench-1mib.txt\"}", NULL, NULL, &op, NULL),
          "read_file");
    check(ab_op_wait(op, -1, &r, NULL), "read_file");
    if (strlen(r) < (1u << 20)) {
        fprintf(stderr, "bench: read_file gave %zu bytes\n", strlen(r));
        exit(1);
    }
    ab_string_free(r);
    ab_op_free(op);
}

/* Reads "name value" lines from the Go helper. */
static void run_direct(const char *path, double *id_ns, double *labels_us, double *file_us)
{
    char line[128], name[64];
    double v;
    FILE *p = popen(path, "r");

    if (p == NULL) {
        perror(path);
        exit(1);
    }
    while (fgets(line, sizeof line, p))
        if (sscanf(line, "%63s %lf", name, &v) == 2) {
            if (strcmp(name, "session_id_ns") == 0)
                *id_ns = v;
            else if (strcmp(name, "get_labels_us") == 0)
                *labels_us = v;
            else if (strcmp(name, "file_1mib_us") == 0)
                *file_us = v;
        }
    if (pclose(p) != 0 || *id_ns < 0 || *labels_us < 0 || *file_us < 0) {
        fprintf(stderr, "bench: %s failed\n", path);
        exit(1);
    }
}

/* ---- waits against emulated transitions ---- */

static void on_status(void *user_data, ab_op op, const char *status, int64_t reads)
{
    (void)op, (void)status;
    *(int64_t *)user_data = reads; /* the last event's count is the wait's */
}

/* One observed wait of s (name "pause" or "resume"): its wall time in ms
 * and its reads. */
static double observed_wait(ab_session s, const char *name, int64_t *reads)
{
    ab_op op;
    double t0 = now_ns();

    check(ab_session_call_observed(s, name, NULL, on_status, reads, NULL, NULL, &op, NULL), name);
    check(ab_op_wait(op, -1, NULL, NULL), name);
    ab_op_free(op);
    return (now_ns() - t0) / 1e6;
}

static void bench_waits(void)
{
    static const double spans[] = {0.1, 0.5, 1.5, 5};
    enum { ITERATIONS = 2 };

    printf("%-44s %20s %24s %10s\n", "pause + resume, emulated transition of T",
           "pause / resume", "overshoot mean (max)", "reads");
    for (size_t k = 0; k < sizeof spans / sizeof spans[0]; k++) {
        double t = spans[k] * 1e3, pause = 0, resume = 0, over = 0, worst = 0;
        int64_t reads = 0, total = 0;
        char config[160];
        ab_client client;
        ab_session s;
        ab_op op;
        char *r;

        snprintf(config, sizeof config,
                 "{\"endpoint\": \"embedded\", \"emulate\": {\"pause\": \"%gs\", \"resume\": \"%gs\"}}",
                 spans[k], spans[k]);
        check(ab_client_new(config, &client, NULL), "ab_client_new (emulate)");
        check(ab_client_create(client, NULL, NULL, NULL, &op, NULL), "create");
        check(ab_op_wait(op, -1, &r, NULL), "create");
        s = strtoull(strstr(r, "\"session_handle\":") + strlen("\"session_handle\":"), NULL, 10);
        ab_string_free(r);
        ab_op_free(op);
        for (int i = 0; i < ITERATIONS; i++) {
            double p = observed_wait(s, "pause", &reads);
            total += reads;
            double q = observed_wait(s, "resume", &reads);
            total += reads;
            pause += p / ITERATIONS;
            resume += q / ITERATIONS;
            over += (p - t + q - t) / (2 * ITERATIONS);
            worst = p - t > worst ? p - t : worst;
            worst = q - t > worst ? q - t : worst;
        }
        printf("T = %.1f s %34s %8.0f / %6.0f ms %10.0f ms (%.0f ms) %10.1f\n", spans[k], "", pause,
               resume, over, worst, (double)total / (2 * ITERATIONS));
        ab_client_close(client);
    }
}

int main(int argc, char **argv)
{
    const int calls = 1000000, trips = 2000;
    double go_id = -1, go_labels = -1, go_file = -1, c_abi, c_id, c_wait, c_cb, c_file, c_stream, t0;
    ab_client client;
    ab_session s;
    ab_op op;
    char *r, *id;

    if (argc != 2) {
        fprintf(stderr, "usage: bench_capi PATH_OF_DIRECT_HELPER\n");
        return 2;
    }
    run_direct(argv[1], &go_id, &go_labels, &go_file);

    check(ab_client_new("{\"endpoint\": \"embedded\"}", &client, NULL), "ab_client_new");
    check(ab_client_create(client, "{\"labels\": {\"bench\": \"capi\"}}", NULL, NULL, &op, NULL),
          "create");
    check(ab_op_wait(op, -1, &r, NULL), "create");
    s = strtoull(strstr(r, "\"session_handle\":") + strlen("\"session_handle\":"), NULL, 10);
    ab_string_free(r);
    ab_op_free(op);

    t0 = now_ns();
    for (int i = 0; i < calls; i++)
        (void)ab_abi_version();
    c_abi = (now_ns() - t0) / calls;
    t0 = now_ns();
    for (int i = 0; i < calls; i++) {
        check(ab_session_id(s, &id, NULL), "ab_session_id");
        ab_string_free(id);
    }
    c_id = (now_ns() - t0) / calls;
    c_wait = median_us(trips, labels_by_wait, s);
    c_cb = median_us(trips, labels_by_callback, s);
    {
        const char *head = "{\"path\": \"/tmp/bench-1mib.txt\", \"content\": \"";
        size_t n = 1u << 20, h = strlen(head);

        file_params = malloc(h + n + 3);
        memcpy(file_params, head, h);
        for (size_t i = 0; i < n; i++)
            file_params[h + i] = "0123456789abcdef"[i % 16];
        memcpy(file_params + h + n, "\"}", 3);
        c_file = median_us(20, file_round_trip, s);
        free(file_params);
    }

    c_stream = median_us(20, stream_seq, s);
    qsort(stream_first_us, 20, sizeof stream_first_us[0], cmp_double);

    check(ab_session_delete(s, 0, NULL, NULL, &op, NULL), "delete");
    check(ab_op_wait(op, -1, NULL, NULL), "delete");
    ab_op_free(op);
    ab_client_close(client);

    printf("libagentbay %s C ABI vs direct Go, embedded backend\n", ab_version());
    printf("%-44s %10s %10s %8s %10s\n", "call", "C ABI", "Go", "ratio", "overhead");
    printf("%-44s %7.0f ns %7.2f ns %7.0fx %7.0f ns\n", "ab_session_id+ab_string_free / Session.ID()",
           c_id, go_id, c_id / go_id, c_id - go_id);
    printf("%-44s %7.0f ns %10s %8s %10s\n", "ab_abi_version (bare C->Go call)", c_abi, "-", "-", "-");
    printf("%-44s %7.1f us %7.1f us %7.2fx %7.1f us\n", "get_labels, ab_op_wait / GetLabels (median)",
           c_wait, go_labels, c_wait / go_labels, c_wait - go_labels);
    printf("%-44s %7.1f us %7.1f us %7.2fx %7.1f us\n", "get_labels, submit to callback (median)", c_cb,
           go_labels, c_cb / go_labels, c_cb - go_labels);
    printf("%-44s %7.2f ms %7.2f ms %7.2fx %7.2f ms\n", "1 MiB write_file + read_file (median of 20)",
           c_file / 1e3, go_file / 1e3, c_file / go_file, (c_file - go_file) / 1e3);
    printf("%-44s %7.2f ms, first byte %.2f ms, %.1f MB/s (median of 20)\n", "streamed seq 1 100000 (ab_session_command_stream)",
           c_stream / 1e3, stream_first_us[10] / 1e3, 588895 / c_stream);
    bench_waits();
    ab_shutdown();
    return 0;
}
