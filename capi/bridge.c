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
    const char *kind;
    const char *message;
    const char *request_id;
    const char *service_code;
    const char *param;
    char text[]; /* the five strings, NUL-terminated, back to back */
};

static _Thread_local int in_callback;

/* Copies t to dst, NUL-terminated; returns the start of the copy and moves
 * *next past it. */
static const char *put(char **next, capi_text t)
{
    char *dst = *next;

    if (t.n > 0)
        memcpy(dst, t.p, t.n);
    dst[t.n] = '\0';
    *next = dst + t.n + 1;
    return dst;
}

ab_error *capi_error_new(int code, int http_status, int retryable, capi_text kind,
                         capi_text message, capi_text request_id,
                         capi_text service_code, capi_text param)
{
    size_t size = sizeof(ab_error) + kind.n + message.n + request_id.n +
                  service_code.n + param.n + 5;
    ab_error *err = malloc(size);
    char *next;

    if (err == NULL)
        return NULL;
    err->code = code;
    err->http_status = http_status;
    err->retryable = retryable != 0;
    next = err->text;
    err->kind = put(&next, kind);
    err->message = put(&next, message);
    err->request_id = put(&next, request_id);
    err->service_code = put(&next, service_code);
    err->param = put(&next, param);
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
    return err ? err->kind : "ok";
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

const char *ab_error_param(const ab_error *err)
{
    return err ? err->param : "";
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

void capi_status(ab_status_callback cb, uintptr_t user_data, ab_op op,
                 const char *status, int64_t reads)
{
    int was = in_callback;

    in_callback |= CAPI_IN_OP_CALLBACK;
    cb((void *)user_data, op, status, reads);
    in_callback = was;
}

void capi_log(ab_log_callback cb, uintptr_t user_data, int level,
              const char *message)
{
    in_callback |= CAPI_IN_LOG_CALLBACK;
    cb((void *)user_data, level, message);
    in_callback &= ~CAPI_IN_LOG_CALLBACK;
}

void capi_completion_set(ab_completion *item, ab_op op, uintptr_t user_data,
                         int status, char *result_json, ab_error *err)
{
    item->op = op;
    item->user_data = (void *)user_data;
    item->status = status;
    item->result_json = result_json;
    item->error = err;
}

void capi_chunk(ab_chunk_callback cb, uintptr_t user_data, ab_op op, int stream,
                const char *data, size_t len)
{
    in_callback |= CAPI_IN_CHUNK_CALLBACK;
    cb((void *)user_data, op, stream, data, len);
    in_callback &= ~CAPI_IN_CHUNK_CALLBACK;
}

int capi_in_callback(void)
{
    return in_callback;
}
