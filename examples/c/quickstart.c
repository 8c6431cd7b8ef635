/*
 * quickstart.c - libagentbay from C: create a session, run a shell command
 * in it, set and read its labels, pause and resume it, get a link to one of
 * its ports, look it up in several ways, and delete it.
 *
 * It runs on the embedded local backend (sessions are sandboxes on this
 * machine). Give a client config as the first argument to use another
 * endpoint, e.g. '{"api_key": "akm-..."}' for the AgentBay cloud.
 *
 *   cc quickstart.c -o quickstart $(pkg-config --cflags --libs agentbay)
 *
 * Every call here is asynchronous; this example uses the synchronous form,
 * ab_op_wait on the operation handle, and passes no callback.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <agentbay.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void fail(const char *what, int rc, ab_error *err)
{
    fprintf(stderr, "%s failed: %d %s: %s (request id \"%s\")\n", what, rc,
            ab_error_kind(err), ab_error_message(err), ab_error_request_id(err));
    ab_error_free(err);
    ab_shutdown();
    exit(1);
}

/* Waits for the operation a call started and returns its result JSON,
 * which the caller frees with ab_string_free. */
static char *finish(const char *what, int rc, ab_op op, ab_error *err)
{
    char *result = NULL;

    if (rc != AB_OK)
        fail(what, rc, err);
    rc = ab_op_wait(op, -1, &result, &err);
    ab_op_free(op);
    if (rc != AB_OK)
        fail(what, rc, err);
    return result;
}

/* Copies the string or number after "key": in json into out. Enough for
 * this example; use a JSON parser in real code. */
static void field(const char *json, const char *key, char *out, size_t size)
{
    char pat[64];
    const char *p;
    size_t n = 0;

    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(json, pat);
    if (p != NULL) {
        p += strlen(pat);
        if (*p == '"')
            p++;
        while (p[n] && p[n] != '"' && p[n] != ',' && p[n] != '}' && n + 1 < size)
            n++;
        memcpy(out, p, n);
    }
    out[n] = '\0';
}

/* Polls the session's status until it is want. */
static void wait_status(ab_session session, const char *want)
{
    char status[32];

    do {
        ab_op op;
        ab_error *err = NULL;
        int rc = ab_session_get_status(session, NULL, NULL, &op, &err);
        char *r = finish("get_status", rc, op, err);

        field(r, "status", status, sizeof status);
        ab_string_free(r);
        if (strcmp(status, want) != 0)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL); /* 10 ms */
    } while (strcmp(status, want) != 0);
}

/* How often needle occurs in json. */
static int count(const char *json, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(json, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

int main(int argc, char **argv)
{
    ab_client client;
    ab_session session;
    ab_op op;
    ab_error *err = NULL;
    char *r, id[128], handle[32], link[256];
    double t;
    int rc;

    /* A client: the embedded backend starts inside this process. */
    rc = ab_client_new(argc > 1 ? argv[1] : "{\"endpoint\": \"embedded\"}", &client, &err);
    if (rc != AB_OK)
        fail("ab_client_new", rc, err);
    if (ab_client_info(client, &r, NULL) == AB_OK) {
        printf("libagentbay %s, client %s\n", ab_version(), r);
        ab_string_free(r);
    }

    /* Create a session. The result carries its id and a session handle. */
    t = now_ms();
    rc = ab_client_create(client, "{\"labels\": {\"project\": \"quickstart\"}}", NULL, NULL,
                          &op, &err);
    r = finish("create", rc, op, err);
    field(r, "session_id", id, sizeof id);
    field(r, "session_handle", handle, sizeof handle);
    session = strtoull(handle, NULL, 10);
    ab_string_free(r);
    printf("created %s in %.1f ms\n", id, now_ms() - t);

    /* Run a shell command. */
    rc = ab_session_call_mcp_tool(session, "shell",
                                  "{\"command\": \"echo hello from $(uname -s)\", "
                                  "\"timeout_ms\": 10000}",
                                  NULL, NULL, NULL, &op, &err);
    r = finish("shell", rc, op, err);
    printf("shell: %s\n", r);
    ab_string_free(r);

    /* Set labels, then read them back. */
    rc = ab_session_set_labels(session, "{\"project\": \"quickstart\", \"lang\": \"c\"}",
                               NULL, NULL, &op, &err);
    ab_string_free(finish("set_labels", rc, op, err));
    rc = ab_session_get_labels(session, NULL, NULL, &op, &err);
    r = finish("get_labels", rc, op, err);
    printf("labels: %s\n", r);
    ab_string_free(r);

    /* Pause and resume: each returns once the session reached its state. */
    t = now_ms();
    rc = ab_session_pause(session, 0, 0, NULL, NULL, &op, &err);
    ab_string_free(finish("pause", rc, op, err));
    printf("paused in %.1f ms, ", now_ms() - t);
    t = now_ms();
    rc = ab_session_resume(session, 0, 0, NULL, NULL, &op, &err);
    ab_string_free(finish("resume", rc, op, err));
    printf("resumed in %.1f ms\n", now_ms() - t);

    /* A URL that reaches port 30100 inside the session. */
    rc = ab_session_get_link(session, NULL, 30100, NULL, NULL, NULL, &op, &err);
    r = finish("get_link", rc, op, err);
    field(r, "data", link, sizeof link);
    ab_string_free(r);
    printf("link to port 30100: %s\n", link);

    /* What the service knows about it: info, tools, status, a list by
     * label, and a fresh handle from its id. */
    rc = ab_session_info(session, NULL, NULL, &op, &err);
    r = finish("info", rc, op, err);
    printf("info: %s\n", r);
    ab_string_free(r);
    rc = ab_session_list_mcp_tools(session, NULL, NULL, NULL, &op, &err);
    r = finish("list_mcp_tools", rc, op, err);
    printf("tools: %d listed\n", count(r, "\"name\":"));
    ab_string_free(r);
    rc = ab_client_list(client, "{\"labels\": {\"lang\": \"c\"}}", NULL, NULL, &op, &err);
    r = finish("list", rc, op, err);
    printf("sessions labelled lang=c: %d\n", count(r, "\"session_id\":"));
    ab_string_free(r);
    rc = ab_client_get(client, id, NULL, NULL, &op, &err);
    r = finish("get", rc, op, err);
    field(r, "session_handle", handle, sizeof handle);
    ab_session_free(strtoull(handle, NULL, 10));
    ab_string_free(r);

    /* The non-waiting forms: start a pause, watch the status, resume. */
    rc = ab_session_pause_async(session, NULL, NULL, &op, &err);
    ab_string_free(finish("pause_async", rc, op, err));
    wait_status(session, "PAUSED");
    printf("pause_async: PAUSED, ");
    rc = ab_session_resume_async(session, NULL, NULL, &op, &err);
    ab_string_free(finish("resume_async", rc, op, err));
    wait_status(session, "RUNNING");
    printf("resume_async: RUNNING\n");

    /* Delete the session and wait until it is gone. */
    t = now_ms();
    rc = ab_session_delete(session, 0, NULL, NULL, &op, &err);
    ab_string_free(finish("delete", rc, op, err));
    printf("deleted in %.1f ms\n", now_ms() - t);

    ab_session_free(session);
    ab_client_close(client);
    ab_shutdown();
    return 0;
}
