// Command capi is libagentbay's C ABI: built with -buildmode=c-shared or
// c-archive, it exports the functions of include/agentbay.h. It is a thin
// layer over the operation table (core/ops) and the engine (core/agentbay):
// it reads C arguments, keeps the handle registry, runs each call on a
// goroutine and delivers its completion through a small fixed pool of
// dispatcher goroutines. It knows no rule of any operation.
//
// Every export recovers panics (AB_E_INTERNAL) and never installs signal
// handlers. Error accessors, the frees and the callback trampolines live in
// bridge.c, so that they never enter the Go runtime.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#include "capi.h"
*/
import "C"

import (
	"time"
	"unsafe"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/ops"
)

func main() {}

// versionText is the static string ab_version returns; it lives as long as
// the process.
var versionText = C.CString(agentbay.Version)

//export ab_version
func ab_version() *C.capi_cchar {
	return (*C.capi_cchar)(unsafe.Pointer(versionText))
}

//export ab_abi_version
func ab_abi_version() C.int {
	return ops.ABIVersion
}

//export capi_set_log_callback
func capi_set_log_callback(cb C.ab_log_callback, userData C.uintptr_t, minLevel C.int) C.int {
	return call(nil, func() error {
		var s *logSink
		if cb != nil {
			s = &logSink{cb: cb, ud: uintptr(userData), minLevel: int(minLevel)}
		}
		// Wait out a log callback running on another thread, so that the old
		// callback is never called once this returns. Inside a log callback
		// there is none to wait for: that callback is this thread's own.
		if C.capi_in_callback()&C.CAPI_IN_LOG_CALLBACK == 0 {
			sinkMu.Lock()
			defer sinkMu.Unlock()
		}
		sink.Store(s)
		return nil
	})
}

//export ab_shutdown
func ab_shutdown() C.int {
	return call(nil, func() error {
		if C.capi_in_callback() != 0 {
			return invalidArg("ab_shutdown cannot be called from a callback")
		}
		// Other threads may make clients and start calls meanwhile: close
		// those too, until a moment comes when nothing is owed.
		for {
			for _, c := range reg.clients() {
				c.close()
			}
			if busy.waitFor(50 * time.Millisecond) {
				break
			}
		}
		// Then no host code runs any more: logging goes off, once a log
		// callback still running has returned.
		sinkMu.Lock()
		sink.Store(nil)
		sinkMu.Unlock()
		return nil
	})
}

//export ab_debug_handle_count
func ab_debug_handle_count() C.int64_t {
	return C.int64_t(reg.count())
}
