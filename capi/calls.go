package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/ops"
)

// Every asynchronous call goes through start: ab_client_call and
// ab_session_call name the operation, and the typed functions are
// wrappers that only turn their C arguments into the same parameters.

//export capi_client_call
func capi_client_call(h C.ab_client, name, params *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		return startClientOp(h, named(name, params), target{cb: cb}, userData, opOut)
	})
}

//export capi_session_call
func capi_session_call(h C.ab_session, name, params *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		return startSessionOp(h, named(name, params), target{cb: cb}, userData, opOut, observer{})
	})
}

//export capi_client_call_queued
func capi_client_call_queued(h C.ab_client, name, params *C.capi_cchar, q C.ab_queue, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		if _, err := clientOf(h); err != nil {
			return err // a bad client handle is reported before a bad queue
		}
		cq, err := queueOf(q)
		if err != nil {
			return err
		}
		return startClientOp(h, named(name, params), target{q: cq}, userData, opOut)
	})
}

//export capi_session_call_queued
func capi_session_call_queued(h C.ab_session, name, params *C.capi_cchar, q C.ab_queue, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		if _, err := sessionOf(h); err != nil {
			return err
		}
		cq, err := queueOf(q)
		if err != nil {
			return err
		}
		return startSessionOp(h, named(name, params), target{q: cq}, userData, opOut, observer{})
	})
}

//export capi_session_call_observed
func capi_session_call_observed(h C.ab_session, name, params *C.capi_cchar, onStatus C.ab_status_callback,
	statusUD C.uintptr_t, cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		return startSessionOp(h, named(name, params), target{cb: cb}, userData, opOut, observer{onStatus, statusUD})
	})
}

// request gives the operation a call names and its parameters. It reads
// the C arguments only once the handle was found good, so that a bad
// handle is always reported as such.
type request func() (name string, params []byte, err error)

// named is the request of ab_client_call and ab_session_call.
func named(name, params *C.capi_cchar) request {
	return func() (string, []byte, error) {
		if name == nil {
			return "", nil, invalidArg("name is NULL")
		}
		n, err := cString(name, "name")
		if err != nil {
			return "", nil, err
		}
		p, err := cJSON(params, "params_json")
		return n, p, err
	}
}

// withJSON is the request of a typed function that takes the parameters
// as a JSON text.
func withJSON(name string, params *C.capi_cchar) request {
	return func() (string, []byte, error) {
		p, err := cJSON(params, "params_json")
		return name, p, err
	}
}

// withArgs is the request of a typed function that builds the parameters
// from its C arguments.
func withArgs(name string, p *cparams) request {
	return func() (string, []byte, error) {
		b, err := p.json()
		return name, b, err
	}
}

func startClientOp(h C.ab_client, req request, to target, userData C.uintptr_t, opOut *C.ab_op) error {
	c, err := clientOf(h)
	if err != nil {
		return err
	}
	bound, err := bind(ops.OnClient, req)
	if err != nil {
		return err
	}
	return c.start(to, userData, opOut, observer{}, func(ctx context.Context, _ func(agentbay.StatusEvent)) (any, error) {
		return bound.Run(ctx, ops.Exec{Client: c.eng, Host: c})
	})
}

func startSessionOp(h C.ab_session, req request, to target, userData C.uintptr_t, opOut *C.ab_op,
	obs observer) error {
	s, err := sessionOf(h)
	if err != nil {
		return err
	}
	bound, err := bind(ops.OnSession, req)
	if err != nil {
		return err
	}
	if obs.cb != nil {
		if err := bound.Op.CanObserve(); err != nil {
			return err
		}
	}
	return s.c.start(to, userData, opOut, obs, func(ctx context.Context, report func(agentbay.StatusEvent)) (any, error) {
		return bound.Run(ctx, ops.Exec{Client: s.c.eng, Session: s.s, Host: s.c, OnStatus: report})
	})
}

func bind(on ops.Target, req request) (*ops.Call, error) {
	name, params, err := req()
	if err != nil {
		return nil, err
	}
	op, err := ops.Lookup(on, name)
	if err != nil {
		return nil, err
	}
	return op.Bind(params)
}

// cString reads a C string argument (NULL is ""), which must be UTF-8:
// JSON could not carry it otherwise, and Go would silently replace the
// bytes.
func cString(p *C.capi_cchar, name string) (string, error) {
	if p == nil {
		return "", nil
	}
	s := C.GoString((*C.char)(p))
	if !utf8.ValidString(s) {
		return "", invalidArg("%s is not valid UTF-8", name)
	}
	return s, nil
}

// cJSON reads a C JSON text argument: NULL gives nil ("none"), which an
// empty text is not.
func cJSON(p *C.capi_cchar, name string) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	s, err := cString(p, name)
	return []byte(s), err
}

// cparams builds the parameters of a typed function from its C arguments.
// NULL texts and zero numbers are left out, as "the default".
type cparams struct {
	m   map[string]any
	err error
}

func newParams() *cparams { return &cparams{m: map[string]any{}} }

// text adds a C string (NULL: left out). arg names the C argument for a
// text that is not UTF-8.
func (p *cparams) text(name string, s *C.capi_cchar, arg string) *cparams {
	if s != nil && p.err == nil {
		p.m[name], p.err = cString(s, arg)
	}
	return p
}

// raw adds a C string holding JSON as that JSON value (NULL: left out).
func (p *cparams) raw(name string, s *C.capi_cchar, arg string) *cparams {
	if s == nil || p.err != nil {
		return p
	}
	text, err := cString(s, arg)
	switch {
	case err != nil:
		p.err = err
	case !json.Valid([]byte(text)):
		p.err = invalidArg("%s is not valid JSON", arg)
	default:
		p.m[name] = json.RawMessage(text)
	}
	return p
}

// merge adds the members of a C JSON object of options (NULL: none).
func (p *cparams) merge(s *C.capi_cchar, arg string) *cparams {
	if s == nil || p.err != nil {
		return p
	}
	text, err := cString(s, arg)
	var fields map[string]json.RawMessage
	switch {
	case err != nil:
		p.err = err
	case json.Unmarshal([]byte(text), &fields) != nil:
		p.err = invalidArg("%s must be a JSON object", arg)
	}
	for k, v := range fields {
		if _, taken := p.m[k]; taken {
			p.err = invalidArg("%s: %q is an argument of its own", arg, k)
		}
		p.m[k] = v
	}
	return p
}

func (p *cparams) set(name string, v any) *cparams {
	p.m[name] = v
	return p
}

// millisAsSeconds adds a C time in milliseconds to a parameter in seconds
// (0: left out), written exactly.
func (p *cparams) millisAsSeconds(name string, ms C.int64_t) *cparams {
	if ms != 0 {
		p.m[name] = json.Number(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64))
	}
	return p
}

func (p *cparams) json() ([]byte, error) {
	if p.err != nil {
		return nil, p.err
	}
	return toJSON(p.m)
}

func clearOp(opOut *C.ab_op) {
	if opOut != nil {
		*opOut = 0
	}
}

// ---- The typed functions of clients ----------------------------------------

//export capi_client_create
func capi_client_create(h C.ab_client, params *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		return startClientOp(h, withJSON("create", params), target{cb: cb}, userData, opOut)
	})
}

//export capi_client_get
func capi_client_get(h C.ab_client, sessionID *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		p := newParams().text("session_id", sessionID, "session_id")
		return startClientOp(h, withArgs("get", p), target{cb: cb}, userData, opOut)
	})
}

//export capi_client_list
func capi_client_list(h C.ab_client, params *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		return startClientOp(h, withJSON("list", params), target{cb: cb}, userData, opOut)
	})
}

//export capi_client_delete
func capi_client_delete(h C.ab_client, sessionID *C.capi_cchar, syncContext C.int, cb C.ab_callback,
	userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		p := newParams().text("session_id", sessionID, "session_id").set("sync_context", syncContext != 0)
		return startClientOp(h, withArgs("delete", p), target{cb: cb}, userData, opOut)
	})
}
