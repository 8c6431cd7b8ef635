/*
 * bridge.c - the parts of the C ABI that never enter Go: the error object
 * and its accessors, the string free, and the callback trampolines (Go
 * cannot call C function pointers). Keeping the accessors and the frees in
 * C makes them cheap for hosts: no Go runtime entry per call.
 */
#include <string.h>

#include "capi.h"

struct ab_error {
    int code;
    int http_status;
    int retryable;
    const char *message;
    const char *request_id;
    const char *service_code;
    char text[]; /* the three strings, NUL-terminated, back to back */
};

/* Indexed by -code; the names are part of the ABI. */
static const char *const kind_names[] = {
    "ok",            "invalid_argument", "not_found", "unauthorized",
    "throttled",     "timeout",          "cancelled", "conflict",
    "server",        "transport",        "unsupported", "invalid_handle",
    "internal",
};

static _Thread_local int in_callback;

static char *put(char *dst, const char *src, size_t len)
{
    if (len > 0)
        memcpy(dst, src, len);
    dst[len] = '\0';
    return dst + len + 1;
}

ab_error *capi_error_new(int code, int http_status, int retryable,
                         const char *message, size_t message_len,
                         const char *request_id, size_t request_id_len,
                         const char *service_code, size_t service_code_len)
{
    size_t size = sizeof(ab_error) + message_len + request_id_len +
                  service_code_len + 3;
    ab_error *err = malloc(size);
    char *p;

    if (err == NULL)
        return NULL;
    err->code = code;
    err->http_status = http_status;
    err->retryable = retryable != 0;
    p = err->text;
    err->message = p;
    p = put(p, message, message_len);
    err->request_id = p;
    p = put(p, request_id, request_id_len);
    err->service_code = p;
    put(p, service_code, service_code_len);
    return err;
}

void ab_error_free(ab_error *err)
{
    free(err);
}

void ab_string_free(char *s)
{
    free(s);
}

/* The accessors accept NULL (the error of a successful call) and then
 * describe "no error", so that hosts need no special case. */
int ab_error_code(const ab_error *err)
{
    return err ? err->code : AB_OK;
}

const char *ab_error_kind(const ab_error *err)
{
    int i = err ? -err->code : 0;

    if (i < 0 || i >= (int)(sizeof kind_names / sizeof kind_names[0]))
        return "internal";
    return kind_names[i];
}

const char *ab_error_message(const ab_error *err)
{
    return err ? err->message : "";
}

const char *ab_error_request_id(const ab_error *err)
{
    return err ? err->request_id : "";
}

const char *ab_error_service_code(const ab_error *err)
{
    return err ? err->service_code : "";
}

int ab_error_http_status(const ab_error *err)
{
    return err ? err->http_status : 0;
}

int ab_error_retryable(const ab_error *err)
{
    return err ? err->retryable : 0;
}

void capi_deliver(ab_callback cb, uintptr_t user_data, ab_op op, int status,
                  const char *result_json, const ab_error *err)
{
    in_callback |= CAPI_IN_OP_CALLBACK;
    cb((void *)user_data, op, status, result_json, err);
    in_callback &= ~CAPI_IN_OP_CALLBACK;
}

void capi_log(ab_log_callback cb, uintptr_t user_data, int level,
              const char *message)
{
    in_callback |= CAPI_IN_LOG_CALLBACK;
    cb((void *)user_data, level, message);
    in_callback &= ~CAPI_IN_LOG_CALLBACK;
}

int capi_in_callback(void)
{
    return in_callback;
}
