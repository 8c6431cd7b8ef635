package main

/*
#include "capi.h"
*/
import "C"

import (
	"strings"
)

func sessionOf(h C.ab_session) (*session, error) {
	obj, err := reg.get(uint64(h), kindSession)
	if err != nil {
		return nil, err
	}
	return obj.(*session), nil
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
		id, err := cString(sessionID, "session_id")
		switch {
		case err != nil:
			return err
		case strings.TrimSpace(id) == "":
			return invalidArg("session_id is required")
		case out == nil:
			return invalidArg("out is NULL")
		}
		sh, err := c.AddSession(c.eng.Session(id))
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

// ---- The typed functions of sessions ---------------------------------------
// Each builds the parameters of its operation from its C arguments: NULL
// texts and zero numbers are left out, which means the default.

// session runs operation name of session h with the parameters p.
func sessionOp(h C.ab_session, name string, p *cparams, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		return startSessionOp(h, withArgs(name, p), target{cb: cb}, userData, opOut, observer{})
	})
}

//export capi_session_delete
func capi_session_delete(h C.ab_session, syncContext C.int, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	return sessionOp(h, "delete", newParams().set("sync_context", syncContext != 0), cb, userData, opOut, errOut)
}

//export capi_session_set_labels
func capi_session_set_labels(h C.ab_session, labels *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	return sessionOp(h, "set_labels", newParams().raw("labels", labels, "labels_json"), cb, userData, opOut, errOut)
}

//export capi_session_get_labels
func capi_session_get_labels(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return sessionOp(h, "get_labels", newParams(), cb, userData, opOut, errOut)
}

//export capi_session_info
func capi_session_info(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return sessionOp(h, "info", newParams(), cb, userData, opOut, errOut)
}

//export capi_session_get_link
func capi_session_get_link(h C.ab_session, protocolType *C.capi_cchar, port C.int32_t, options *C.capi_cchar,
	cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	p := newParams().text("protocol_type", protocolType, "protocol_type").text("options", options, "options")
	if port != 0 {
		p.set("port", int(port))
	}
	return sessionOp(h, "get_link", p, cb, userData, opOut, errOut)
}

//export capi_session_list_mcp_tools
func capi_session_list_mcp_tools(h C.ab_session, imageID *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	return sessionOp(h, "list_mcp_tools", newParams().text("image_id", imageID, "image_id"), cb, userData, opOut, errOut)
}

//export capi_session_call_mcp_tool
func capi_session_call_mcp_tool(h C.ab_session, toolName, args, options *C.capi_cchar, cb C.ab_callback,
	userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	p := newParams().text("tool_name", toolName, "tool_name")
	if args == nil {
		p.set("args", map[string]any{}) // NULL means no arguments
	} else {
		p.raw("args", args, "args_json")
	}
	return sessionOp(h, "call_mcp_tool", p.merge(options, "options_json"), cb, userData, opOut, errOut)
}

//export capi_session_pause
func capi_session_pause(h C.ab_session, timeoutMs, pollIntervalMs C.int64_t, cb C.ab_callback,
	userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	p := newParams().millisAsSeconds("timeout", timeoutMs).millisAsSeconds("poll_interval", pollIntervalMs)
	return sessionOp(h, "pause", p, cb, userData, opOut, errOut)
}

//export capi_session_pause_async
func capi_session_pause_async(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return sessionOp(h, "pause_async", newParams(), cb, userData, opOut, errOut)
}

//export capi_session_resume
func capi_session_resume(h C.ab_session, timeoutMs, pollIntervalMs C.int64_t, cb C.ab_callback,
	userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	p := newParams().millisAsSeconds("timeout", timeoutMs).millisAsSeconds("poll_interval", pollIntervalMs)
	return sessionOp(h, "resume", p, cb, userData, opOut, errOut)
}

//export capi_session_resume_async
func capi_session_resume_async(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return sessionOp(h, "resume_async", newParams(), cb, userData, opOut, errOut)
}

//export capi_session_get_status
func capi_session_get_status(h C.ab_session, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op,
	errOut **C.ab_error) C.int {
	return sessionOp(h, "get_status", newParams(), cb, userData, opOut, errOut)
}
