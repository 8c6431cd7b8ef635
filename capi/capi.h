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

/* Builds an error in one malloc'd block, copying the texts (which need not
 * be NUL-terminated). Freed with ab_error_free. NULL if out of memory. */
ab_error *capi_error_new(int code, int http_status, int retryable,
                         const char *message, size_t message_len,
                         const char *request_id, size_t request_id_len,
                         const char *service_code, size_t service_code_len);

/* Go cannot call C function pointers: these trampolines call the host's
 * callbacks, marking the thread as inside a callback while they run. */
void capi_deliver(ab_callback cb, uintptr_t user_data, ab_op op, int status,
                  const char *result_json, const ab_error *err);
void capi_log(ab_log_callback cb, uintptr_t user_data, int level,
              const char *message);

/* Which kind of host callback this thread is running now, if any. */
#define CAPI_IN_OP_CALLBACK  1
#define CAPI_IN_LOG_CALLBACK 2
int capi_in_callback(void);

#endif /* AGENTBAY_CAPI_H */
