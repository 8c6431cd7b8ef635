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

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/ops"
)

const (
	statusOK        = 0
	statusCancelled = -6
)

func invalidArg(format string, args ...any) error {
	return agentbay.Errorf(agentbay.KindInvalidArgument, format, args...)
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
	return C.int(ops.Code(err))
}

// panicError logs a recovered panic with its stack and describes it.
func panicError(p any) error {
	engineLog.Error(fmt.Sprintf("libagentbay: internal error: %v\n%s", p, debug.Stack()))
	return agentbay.Errorf(agentbay.KindInternal, "internal error: %v", p)
}

// newCError copies err into a malloc'd ab_error (freed by ab_error_free).
func newCError(err error) *C.ab_error {
	var e *agentbay.Error
	if !errors.As(err, &e) {
		e = &agentbay.Error{Kind: agentbay.KindOf(err), Message: err.Error()}
	}
	code := ops.Code(e)
	kind, _ := ops.KindOfCode(code)
	retryable := 0
	if e.Retryable {
		retryable = 1
	}
	return C.capi_error_new(C.int(code), C.int(e.HTTPStatus), C.int(retryable),
		cText(kind), cText(e.Message), cText(e.RequestID), cText(e.Code), cText(e.Param))
}

// cText lends the bytes of s to C for the duration of a call (C copies them;
// the pointer may be anything when s is empty, and C then never reads it).
func cText(s string) C.capi_text {
	return C.capi_text{p: (*C.char)(unsafe.Pointer(unsafe.StringData(s))), n: C.size_t(len(s))}
}

// kindTexts are the static strings ab_status_kind returns, by -code. An
// array, not a slice: it lives in the library's data segment, where leak
// checkers (LeakSanitizer, valgrind) see the pointers; a Go heap block they
// cannot scan would make each string look leaked.
var kindTexts [len(ops.Codes) + 1]*C.char

func init() {
	for i := range kindTexts {
		kind, _ := ops.KindOfCode(-i)
		kindTexts[i] = C.CString(kind) // lives as long as the process
	}
}

//export ab_status_kind
func ab_status_kind(code C.int) *C.capi_cchar {
	if code > 0 || int(code) <= -len(kindTexts) { // not -code: -INT_MIN overflows
		return nil
	}
	return (*C.capi_cchar)(unsafe.Pointer(kindTexts[-code]))
}
