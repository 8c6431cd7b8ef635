package main

/*
#include "capi.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/debug"
	"unsafe"

	"github.com/libagentbay/libagentbay/core/wire"
)

// The status codes of include/agentbay.h, by error kind.
var codes = map[wire.Kind]int{
	wire.KindInvalidArgument: -1,
	wire.KindNotFound:        -2,
	wire.KindUnauthorized:    -3,
	wire.KindThrottled:       -4,
	wire.KindTimeout:         -5,
	wire.KindCancelled:       -6,
	wire.KindConflict:        -7,
	wire.KindServer:          -8,
	wire.KindTransport:       -9,
	wire.KindUnsupported:     -10,
	wire.KindInvalidHandle:   -11,
	wire.KindInternal:        -12,
}

const (
	statusOK        = 0
	statusCancelled = -6
	statusInternal  = -12
)

func statusOf(err error) int {
	if err == nil {
		return statusOK
	}
	if c, ok := codes[wire.KindOf(err)]; ok {
		return c
	}
	return statusInternal
}

func invalidArg(format string, args ...any) error {
	return wire.Errorf(wire.KindInvalidArgument, format, args...)
}

// call runs the body of an export: it clears *errOut, turns a panic into
// AB_E_INTERNAL, and reports an error as a status and, when errOut is not
// NULL, as an ab_error.
func call(errOut **C.ab_error, body func() error) (rc C.int) {
	if errOut != nil {
		*errOut = nil
	}
	defer func() {
		if p := recover(); p != nil {
			rc = report(errOut, panicError(p))
		}
	}()
	return report(errOut, body())
}

func report(errOut **C.ab_error, err error) C.int {
	if err == nil {
		return statusOK
	}
	if errOut != nil {
		*errOut = newCError(err)
	}
	return C.int(statusOf(err))
}

// panicError logs a recovered panic with its stack and describes it.
func panicError(p any) error {
	engineLog.Error(fmt.Sprintf("libagentbay: internal error: %v\n%s", p, debug.Stack()))
	return wire.Errorf(wire.KindInternal, "internal error: %v", p)
}

// newCError copies err into a malloc'd ab_error (freed by ab_error_free).
func newCError(err error) *C.ab_error {
	var e *wire.Error
	if !errors.As(err, &e) {
		e = &wire.Error{Kind: wire.KindOf(err), Message: err.Error()}
	}
	retryable := 0
	if e.Retryable {
		retryable = 1
	}
	msg, req, svc := cText(e.Message), cText(e.RequestID), cText(e.Code)
	return C.capi_error_new(C.int(statusOf(e)), C.int(e.HTTPStatus), C.int(retryable),
		msg, C.size_t(len(e.Message)), req, C.size_t(len(e.RequestID)), svc, C.size_t(len(e.Code)))
}

// cText lends the bytes of s to C for the duration of a call (C copies them;
// the pointer may be anything when s is empty, and C then never reads it).
func cText(s string) *C.char {
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
}
