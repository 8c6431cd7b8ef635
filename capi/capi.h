/*
 * capi.h - internal declarations shared by the Go exports and bridge.c.
 * Not installed: the public contract is include/agentbay.h alone.
 */
#ifndef AGENTBAY_CAPI_H
#define AGENTBAY_CAPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "agentbay.h"

/* Go cannot spell "const char *"; exports that take or return one use this
 * type so that cgo's prototypes match the public header exactly. */
typedef const char capi_cchar;

/* A text Go lends to C for one call: not NUL-terminated, maybe empty. */
typedef struct {
    const char *p;
    size_t n;
} capi_text;

/* Builds an error in one malloc'd block, copying the texts. Freed with
 * ab_error_free. NULL if out of memory. */
ab_error *capi_error_new(int code, int http_status, int retryable, capi_text kind,
                         capi_text message, capi_text request_id,
                         capi_text service_code, capi_text param);

/* Go cannot call C function pointers: these trampolines call the host's
 * callbacks, marking the thread as inside a callback while they run. */
void capi_deliver(ab_callback cb, uintptr_t user_data, ab_op op, int status,
                  const char *result_json, const ab_error *err);
void capi_status(ab_status_callback cb, uintptr_t user_data, ab_op op,
                 const char *status, int64_t reads);
void capi_log(ab_log_callback cb, uintptr_t user_data, int level,
              const char *message);
void capi_chunk(ab_chunk_callback cb, uintptr_t user_data, ab_op op, int stream,
                const char *data, size_t len);

/* Fills one completion of ab_queue_drain (user_data is any value, which Go
 * must not hold as a pointer). */
void capi_completion_set(ab_completion *item, ab_op op, uintptr_t user_data,
                         int status, char *result_json, ab_error *err);

/* Which kind of host callback this thread is running now, if any. */
#define CAPI_IN_OP_CALLBACK  1
#define CAPI_IN_LOG_CALLBACK 2
#define CAPI_IN_CHUNK_CALLBACK 4
int capi_in_callback(void);

#endif /* AGENTBAY_CAPI_H */
