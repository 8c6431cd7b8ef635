package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/ops"
)

// ab_session_command_stream: command_start's parameters start a command,
// {"process_id"} names a started one; the table checks them either way.
// The chunks are delivered from the op's own goroutine, under op.gate.
//
//export capi_session_command_stream
func capi_session_command_stream(h C.ab_session, params *C.capi_cchar, onChunk C.ab_chunk_callback,
	cb C.ab_callback, userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		s, err := sessionOf(h)
		if err != nil {
			return err
		}
		p, err := cJSON(params, "params_json")
		if err != nil {
			return err
		}
		started := gjson.GetBytes(p, "process_id").Exists() || gjson.GetBytes(p, "processId").Exists()
		name := "command_start"
		if started {
			name = "command_wait"
		}
		bound, err := bind(ops.OnSession, func() (string, []byte, error) { return name, p, nil })
		if err != nil {
			return err
		}
		x := ops.Exec{Client: s.c.eng, Session: s.s, Host: s.c}
		return s.c.startOp(target{cb: cb}, userData, opOut, true, observer{}, func(ctx context.Context, o *op) (any, error) {
			var proc *agentbay.Process
			if started {
				proc = s.s.Process(gjson.GetBytes(p, "process_id").String() + gjson.GetBytes(p, "processId").String())
			} else {
				res, err := bound.Run(ctx, x)
				if err != nil {
					return nil, err
				}
				proc = s.s.Process(res.(*ops.ProcessResult).ProcessID)
			}
			var chunk func(string, []byte)
			if onChunk != nil {
				chunk = func(stream string, data []byte) { o.chunk(onChunk, stream, data) }
			}
			res, err := proc.Stream(ctx, chunk)
			if err != nil && ctx.Err() != nil && !started {
				kctx, cancel := context.WithTimeout(context.Background(), 5e9)
				_ = proc.Kill(kctx) // nobody will read it: do not leave it running
				cancel()
			}
			return res, err
		})
	})
}

// chunk calls the host's chunk callback unless the op has its outcome.
func (o *op) chunk(cb C.ab_chunk_callback, stream string, data []byte) {
	o.gate.Lock()
	defer o.gate.Unlock()
	if o.finished.Load() || len(data) == 0 {
		return
	}
	n := C.int(C.AB_STREAM_STDOUT)
	if stream == "stderr" {
		n = C.AB_STREAM_STDERR
	}
	c := C.CBytes(data) // in C memory, as log lines (see hostLog)
	defer C.free(c)
	C.capi_chunk(cb, C.uintptr_t(o.ud), C.ab_op(o.h), n, (*C.char)(c), C.size_t(len(data)))
}
