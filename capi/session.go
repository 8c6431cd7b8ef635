package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

func sessionOf(h C.ab_session) (*session, error) {
	obj, err := reg.get(uint64(h), kindSession)
	if err != nil {
		return nil, err
	}
	return obj.(*session), nil
}

// startSession validates the session handle and runs work on its client.
func startSession(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error, check func() error, work func(context.Context, *agentbay.Session) (any, error)) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		s, err := sessionOf(h)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(); err != nil {
				return err
			}
		}
		return s.c.start(cb, userData, opOut, func(ctx context.Context) (any, error) {
			return work(ctx, s.s)
		})
	})
}

// millis reads a C timeout in milliseconds, which must not be negative.
func millis(v C.int64_t, name string) (time.Duration, error) {
	if v < 0 {
		return 0, invalidArg("%s must not be negative", name)
	}
	return clampMillis(int64(v)), nil
}

// clampMillis converts ms >= 0 to a Duration; values too large for one mean
// "practically forever".
func clampMillis(ms int64) time.Duration {
	if ms > math.MaxInt64/int64(time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(ms) * time.Millisecond
}

//export ab_session_new
func ab_session_new(h C.ab_client, sessionID *C.capi_cchar, out *C.ab_session, errOut **C.ab_error) C.int {
	if out != nil {
		*out = 0
	}
	return call(errOut, func() error {
		c, err := clientOf(h)
		if err != nil {
			return err
		}
		id, err := nonEmpty(sessionID, "session_id")
		if err != nil {
			return err
		}
		if out == nil {
			return invalidArg("out is NULL")
		}
		sh, err := c.addSession(c.eng.Session(id))
		if err != nil {
			return err
		}
		*out = C.ab_session(sh)
		return nil
	})
}

//export ab_session_id
func ab_session_id(h C.ab_session, idOut **C.char, errOut **C.ab_error) C.int {
	if idOut != nil {
		*idOut = nil
	}
	return call(errOut, func() error {
		s, err := sessionOf(h)
		if err != nil {
			return err
		}
		if idOut == nil {
			return invalidArg("id_out is NULL")
		}
		*idOut = C.CString(s.s.ID())
		return nil
	})
}

//export ab_session_free
func ab_session_free(h C.ab_session) C.int {
	return call(nil, func() error { return reg.release(uint64(h), kindSession) })
}

//export capi_session_delete
func capi_session_delete(h C.ab_session, syncContext C.int, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	return startSession(h, cb, userData, opOut, errOut, nil, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.Delete(ctx, syncContext != 0)
	})
}

//export capi_session_set_labels
func capi_session_set_labels(h C.ab_session, labelsJSON *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	var labels map[string]string
	check := func() error {
		s, err := jsonText(labelsJSON, "labels_json", true, "object")
		if err == nil {
			labels, err = decodeLabels([]byte(s), "labels_json")
		}
		return err
	}
	return startSession(h, cb, userData, opOut, errOut, check, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.SetLabels(ctx, labels)
	})
}

//export capi_session_get_labels
func capi_session_get_labels(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return startSession(h, cb, userData, opOut, errOut, nil, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.GetLabels(ctx)
	})
}

//export capi_session_info
func capi_session_info(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return startSession(h, cb, userData, opOut, errOut, nil, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.Info(ctx)
	})
}

//export capi_session_get_link
func capi_session_get_link(h C.ab_session, protocolType *C.capi_cchar, port C.int32_t, options *C.capi_cchar,
	cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	var proto, opts string
	check := func() (err error) {
		if proto, err = text(protocolType, "protocol_type", false); err == nil {
			opts, err = jsonText(options, "options", false, "")
		}
		return err
	}
	return startSession(h, cb, userData, opOut, errOut, check, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.GetLink(ctx, proto, int(port), opts)
	})
}

//export capi_session_list_mcp_tools
func capi_session_list_mcp_tools(h C.ab_session, imageID *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	var image string
	check := func() (err error) {
		image, err = text(imageID, "image_id", false)
		return err
	}
	return startSession(h, cb, userData, opOut, errOut, check, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.ListMcpTools(ctx, image)
	})
}

//export capi_session_call_mcp_tool
func capi_session_call_mcp_tool(h C.ab_session, toolName *C.capi_cchar, argsJSON *C.capi_cchar,
	readTimeoutMs C.int64_t, connectTimeoutMs C.int64_t, autoGenSession C.int, cb C.ab_callback,
	userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	var name, args string
	opts := agentbay.CallOptions{AutoGenSession: autoGenSession != 0}
	check := func() (err error) {
		if name, err = nonEmpty(toolName, "tool_name"); err != nil {
			return err
		}
		if args, err = jsonText(argsJSON, "args_json", false, "object"); err != nil {
			return err
		}
		if opts.ReadTimeout, err = millis(readTimeoutMs, "read_timeout_ms"); err != nil {
			return err
		}
		opts.ConnectTimeout, err = millis(connectTimeoutMs, "connect_timeout_ms")
		return err
	}
	return startSession(h, cb, userData, opOut, errOut, check, func(ctx context.Context, s *agentbay.Session) (any, error) {
		var a any // nil means {}
		if args != "" {
			a = json.RawMessage(args)
		}
		return s.CallMcpTool(ctx, name, a, opts)
	})
}

// waitOptions reads the timeouts of pause and resume (0 means the default).
func waitOptions(timeoutMs, pollMs C.int64_t, o *agentbay.WaitOptions) func() error {
	return func() (err error) {
		if o.Timeout, err = millis(timeoutMs, "timeout_ms"); err == nil {
			o.PollInterval, err = millis(pollMs, "poll_interval_ms")
		}
		return err
	}
}

//export capi_session_pause
func capi_session_pause(h C.ab_session, timeoutMs C.int64_t, pollIntervalMs C.int64_t, cb C.ab_callback,
	userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	var o agentbay.WaitOptions
	return startSession(h, cb, userData, opOut, errOut, waitOptions(timeoutMs, pollIntervalMs, &o),
		func(ctx context.Context, s *agentbay.Session) (any, error) { return s.Pause(ctx, o) })
}

//export capi_session_pause_async
func capi_session_pause_async(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return startSession(h, cb, userData, opOut, errOut, nil, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.PauseAsync(ctx)
	})
}

//export capi_session_resume
func capi_session_resume(h C.ab_session, timeoutMs C.int64_t, pollIntervalMs C.int64_t, cb C.ab_callback,
	userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	var o agentbay.WaitOptions
	return startSession(h, cb, userData, opOut, errOut, waitOptions(timeoutMs, pollIntervalMs, &o),
		func(ctx context.Context, s *agentbay.Session) (any, error) { return s.Resume(ctx, o) })
}

//export capi_session_resume_async
func capi_session_resume_async(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return startSession(h, cb, userData, opOut, errOut, nil, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.ResumeAsync(ctx)
	})
}

//export capi_session_get_status
func capi_session_get_status(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return startSession(h, cb, userData, opOut, errOut, nil, func(ctx context.Context, s *agentbay.Session) (any, error) {
		return s.GetStatus(ctx)
	})
}
