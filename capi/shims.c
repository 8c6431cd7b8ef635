/*
 * shims.c - the public entry points that take a user_data pointer.
 *
 * Hosts may pass any value as user_data, including small integers such as
 * (void *)1. Go must never hold such a value as a pointer (its stack copier
 * aborts on "pointers" below 4096), so these functions hand it to the Go
 * exports as a uintptr_t. Including agentbay.h here makes the compiler check
 * every signature against the public header.
 */
#include "capi.h"
#include "_cgo_export.h"

int ab_set_log_callback(ab_log_callback cb, void *user_data, int min_level)
{
    return capi_set_log_callback(cb, (uintptr_t)user_data, min_level);
}

int ab_client_call(ab_client client, const char *name, const char *params_json,
                   ab_callback cb, void *user_data, ab_op *op_out,
                   ab_error **err_out)
{
    return capi_client_call(client, name, params_json, cb, (uintptr_t)user_data,
                            op_out, err_out);
}

int ab_session_call(ab_session session, const char *name, const char *params_json,
                    ab_callback cb, void *user_data, ab_op *op_out,
                    ab_error **err_out)
{
    return capi_session_call(session, name, params_json, cb, (uintptr_t)user_data,
                             op_out, err_out);
}

int ab_client_call_queued(ab_client client, const char *name,
                          const char *params_json, ab_queue queue,
                          void *user_data, ab_op *op_out, ab_error **err_out)
{
    return capi_client_call_queued(client, name, params_json, queue,
                                   (uintptr_t)user_data, op_out, err_out);
}

int ab_session_call_queued(ab_session session, const char *name,
                           const char *params_json, ab_queue queue,
                           void *user_data, ab_op *op_out, ab_error **err_out)
{
    return capi_session_call_queued(session, name, params_json, queue,
                                    (uintptr_t)user_data, op_out, err_out);
}

int ab_session_call_observed(ab_session session, const char *name,
                             const char *params_json, ab_status_callback on_status,
                             void *status_user_data, ab_callback cb, void *user_data,
                             ab_op *op_out, ab_error **err_out)
{
    return capi_session_call_observed(session, name, params_json, on_status,
                                      (uintptr_t)status_user_data, cb,
                                      (uintptr_t)user_data, op_out, err_out);
}

int ab_client_create(ab_client client, const char *params_json, ab_callback cb,
                     void *user_data, ab_op *op_out, ab_error **err_out)
{
    return capi_client_create(client, params_json, cb, (uintptr_t)user_data,
                              op_out, err_out);
}

int ab_client_get(ab_client client, const char *session_id, ab_callback cb,
                  void *user_data, ab_op *op_out, ab_error **err_out)
{
    return capi_client_get(client, session_id, cb, (uintptr_t)user_data, op_out,
                           err_out);
}

int ab_client_list(ab_client client, const char *params_json, ab_callback cb,
                   void *user_data, ab_op *op_out, ab_error **err_out)
{
    return capi_client_list(client, params_json, cb, (uintptr_t)user_data,
                            op_out, err_out);
}

int ab_client_delete(ab_client client, const char *session_id, int sync_context,
                     ab_callback cb, void *user_data, ab_op *op_out,
                     ab_error **err_out)
{
    return capi_client_delete(client, session_id, sync_context, cb,
                              (uintptr_t)user_data, op_out, err_out);
}

int ab_session_delete(ab_session session, int sync_context, ab_callback cb,
                      void *user_data, ab_op *op_out, ab_error **err_out)
{
    return capi_session_delete(session, sync_context, cb, (uintptr_t)user_data,
                               op_out, err_out);
}

int ab_session_set_labels(ab_session session, const char *labels_json,
                          ab_callback cb, void *user_data, ab_op *op_out,
                          ab_error **err_out)
{
    return capi_session_set_labels(session, labels_json, cb,
                                   (uintptr_t)user_data, op_out, err_out);
}

int ab_session_get_labels(ab_session session, ab_callback cb, void *user_data,
                          ab_op *op_out, ab_error **err_out)
{
    return capi_session_get_labels(session, cb, (uintptr_t)user_data, op_out,
                                   err_out);
}

int ab_session_info(ab_session session, ab_callback cb, void *user_data,
                    ab_op *op_out, ab_error **err_out)
{
    return capi_session_info(session, cb, (uintptr_t)user_data, op_out,
                             err_out);
}

int ab_session_get_link(ab_session session, const char *protocol_type,
                        int32_t port, const char *options, ab_callback cb,
                        void *user_data, ab_op *op_out, ab_error **err_out)
{
    return capi_session_get_link(session, protocol_type, port, options, cb,
                                 (uintptr_t)user_data, op_out, err_out);
}

int ab_session_list_mcp_tools(ab_session session, const char *image_id,
                              ab_callback cb, void *user_data, ab_op *op_out,
                              ab_error **err_out)
{
    return capi_session_list_mcp_tools(session, image_id, cb,
                                       (uintptr_t)user_data, op_out, err_out);
}

int ab_session_call_mcp_tool(ab_session session, const char *tool_name,
                             const char *args_json, const char *options_json,
                             ab_callback cb, void *user_data, ab_op *op_out,
                             ab_error **err_out)
{
    return capi_session_call_mcp_tool(session, tool_name, args_json,
                                      options_json, cb, (uintptr_t)user_data,
                                      op_out, err_out);
}

int ab_session_pause(ab_session session, int64_t timeout_ms,
                     int64_t poll_interval_ms, ab_callback cb, void *user_data,
                     ab_op *op_out, ab_error **err_out)
{
    return capi_session_pause(session, timeout_ms, poll_interval_ms, cb,
                              (uintptr_t)user_data, op_out, err_out);
}

int ab_session_pause_async(ab_session session, ab_callback cb, void *user_data,
                           ab_op *op_out, ab_error **err_out)
{
    return capi_session_pause_async(session, cb, (uintptr_t)user_data, op_out,
                                    err_out);
}

int ab_session_resume(ab_session session, int64_t timeout_ms,
                      int64_t poll_interval_ms, ab_callback cb, void *user_data,
                      ab_op *op_out, ab_error **err_out)
{
    return capi_session_resume(session, timeout_ms, poll_interval_ms, cb,
                               (uintptr_t)user_data, op_out, err_out);
}

int ab_session_resume_async(ab_session session, ab_callback cb, void *user_data,
                            ab_op *op_out, ab_error **err_out)
{
    return capi_session_resume_async(session, cb, (uintptr_t)user_data, op_out,
                                     err_out);
}

int ab_session_get_status(ab_session session, ab_callback cb, void *user_data,
                          ab_op *op_out, ab_error **err_out)
{
    return capi_session_get_status(session, cb, (uintptr_t)user_data, op_out,
                                   err_out);
}

int ab_session_command_stream(ab_session session, const char *params_json,
                              ab_chunk_callback on_chunk, ab_callback cb,
                              void *user_data, ab_op *op_out, ab_error **err_out)
{
    return capi_session_command_stream(session, params_json, on_chunk, cb,
                                       (uintptr_t)user_data, op_out, err_out);
}
