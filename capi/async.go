package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	gojson "github.com/goccy/go-json"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/ops"
)

// An op is one asynchronous call. Its outcome is set exactly once, by the
// first of: the work finishing, ab_op_cancel, or the client closing. That is
// what makes "exactly one callback" hold whatever races happen.
type op struct {
	c      *client
	h      uint64
	cb     C.ab_callback
	q      *cqueue // or the queue the completion goes to
	ud     uintptr // the host's user_data, kept as a number: it is not ours to trace
	keep   bool    // op_out was given, so the handle lives until ab_op_free
	cancel context.CancelFunc

	// on_status of ab_session_call_observed (nil: none), called from the
	// work's goroutine. statusMu is held while it runs: the completion
	// (deliver, ab_op_wait) takes it once the outcome is set, so that no
	// status is reported after, or during, the completion.
	onStatus C.ab_status_callback
	statusUD uintptr
	statusMu sync.Mutex

	finished atomic.Bool
	done     chan struct{} // closed once the outcome below is set
	status   int
	result   []byte // the result JSON with a NUL appended, on success
	res      any    // the result value, on success
	err      error

	// An op without a callback whose result nobody took (through ab_op_wait)
	// before its handle went gives up what the result holds: a session
	// handle the host can no longer learn must not stay registered.
	mu      sync.Mutex
	taken   bool // ab_op_wait handed the result out
	freed   bool // ab_op_free released the handle
	dropped bool // the result's handles were released

	// An op that calls the host before its completion (chunks of a
	// streamed command) holds gate while it does; the completion waits
	// for it, so that it comes after every such call.
	gate      sync.Mutex
	streaming bool
}

var errCancelled = agentbay.Errorf(agentbay.KindCancelled, "the operation was cancelled")
var errClientClosed = agentbay.Errorf(agentbay.KindCancelled, "the client was closed")

// target is where an op's completion goes: a callback (maybe NULL), or a
// queue.
type target struct {
	cb C.ab_callback
	q  *cqueue
}

// observer is the on_status callback of an observed call (cb nil: none).
type observer struct {
	cb C.ab_status_callback
	ud C.uintptr_t
}

// start runs work as an asynchronous call of c and returns at once. work
// gets the op's status reporter, nil when obs has no callback.
func (c *client) start(to target, userData C.uintptr_t, opOut *C.ab_op, obs observer,
	work func(ctx context.Context, report func(agentbay.StatusEvent)) (any, error)) error {
	return c.startOp(to, userData, opOut, false, obs, func(ctx context.Context, o *op) (any, error) {
		var report func(agentbay.StatusEvent)
		if o.onStatus != nil {
			report = o.report
		}
		return work(ctx, report)
	})
}

// startOp is start for work that needs its op; streaming: see op.gate.
func (c *client) startOp(to target, userData C.uintptr_t, opOut *C.ab_op, streaming bool, obs observer,
	work func(context.Context, *op) (any, error)) error {
	ctx, cancel := context.WithCancel(context.Background())
	o := &op{c: c, cb: to.cb, q: to.q, ud: uintptr(userData), keep: opOut != nil, cancel: cancel,
		done: make(chan struct{}), streaming: streaming, onStatus: obs.cb, statusUD: uintptr(obs.ud)}
	// Counted before the op can be seen: a close on another thread may end
	// it, and count its delivery done, as soon as track returns.
	busy.add(2) // the work, then the delivery
	if err := c.track(o); err != nil {
		busy.done()
		busy.done()
		cancel()
		return err
	}
	if opOut != nil {
		*opOut = C.ab_op(o.h)
	}
	go o.run(ctx, work)
	return nil
}

func (o *op) run(ctx context.Context, work func(context.Context, *op) (any, error)) {
	defer busy.done()
	defer o.cancel()
	res, err := protect(ctx, func(ctx context.Context) (any, error) { return work(ctx, o) })
	var body []byte
	if err == nil {
		body, err = toJSON(res)
	}
	if err != nil {
		o.finish(ops.Code(err), nil, nil, err)
		return
	}
	if !o.finish(statusOK, append(body, 0), res, nil) {
		discard(res)
	}
}

// report calls the op's on_status with a status its wait read, unless the
// op has an outcome already (a cancel, a close).
func (o *op) report(e agentbay.StatusEvent) {
	o.statusMu.Lock()
	defer o.statusMu.Unlock()
	if o.finished.Load() {
		return
	}
	text := C.CString(e.Status)
	defer C.free(unsafe.Pointer(text))
	C.capi_status(o.onStatus, C.uintptr_t(o.statusUD), C.ab_op(o.h), text, C.int64_t(e.Reads))
}

// statusDone returns once no on_status of the op is running; with the
// outcome set, none starts after it.
func (o *op) statusDone() {
	if o.onStatus != nil {
		o.statusMu.Lock()
		//lint:ignore SA2001 an empty critical section: a barrier
		o.statusMu.Unlock()
	}
}

// discard gives up the session handle of a result that no host code will
// see (it lost the race against a cancel, or nobody asked for it).
func discard(res any) {
	if r, ok := res.(*ops.SessionResult); ok && r.SessionHandle != 0 {
		_ = reg.release(r.SessionHandle, kindSession)
	}
}

// dropUnseen releases the handles of a result that no host code saw and
// none ever can. Called with o.mu held, once the outcome is set.
func (o *op) dropUnseen() {
	if !o.taken && !o.dropped {
		o.dropped = true
		discard(o.res)
	}
}

// toJSON encodes a result. Results are not HTML, so <, > and & stay as they
// are (command output is full of them).
func toJSON(v any) ([]byte, error) {
	return gojson.MarshalWithOption(v, gojson.DisableHTMLEscape())
}

func protect(ctx context.Context, work func(context.Context) (any, error)) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, panicError(p)
		}
	}()
	return work(ctx)
}

// finish sets the outcome unless it was set already, and queues the
// callback. It reports whether this call set it.
func (o *op) finish(status int, result []byte, res any, err error) bool {
	if !o.finished.CompareAndSwap(false, true) {
		return false
	}
	o.status, o.result, o.res, o.err = status, result, res, err
	close(o.done)
	o.c.untrack(o)
	if o.q != nil {
		// Queued at once: a push never blocks, so it is safe on any thread
		// that ends an op (its work, a cancel, a close), and it saves the
		// hop through a dispatcher.
		o.q.push(o)
		if !o.keep {
			_ = reg.release(o.h, kindOp)
		}
		busy.done()
	} else if o.cb == nil && o.keep {
		o.mu.Lock()
		if o.freed { // ab_op_free came first: nobody can take the result
			o.dropUnseen()
		}
		o.mu.Unlock()
		busy.done() // nothing to deliver: no callback, and the handle stays
	} else {
		completions.push(o)
	}
	return true
}

// abort ends the op with err (a cancellation) and stops its work.
func (o *op) abort(err error) {
	o.finish(statusCancelled, nil, nil, err)
	o.cancel()
}

// deliver calls the op's callback on a dispatcher goroutine, then drops the
// handle if nobody asked to keep it.
func (o *op) deliver() {
	defer busy.done()
	defer func() {
		if p := recover(); p != nil {
			panicError(p)
		}
	}()
	if o.streaming {
		o.gate.Lock() // a chunk being delivered ends first; none starts after
		o.gate.Unlock()
	}
	o.statusDone()
	if o.cb != nil {
		var result *C.char
		var cerr *C.ab_error
		if o.status == statusOK {
			// A copy in C memory, as for log lines (see hostLog).
			result = (*C.char)(C.CBytes(o.result))
			defer C.free(unsafe.Pointer(result))
		} else {
			cerr = newCError(o.err)
			defer C.ab_error_free(cerr)
		}
		C.capi_deliver(o.cb, C.uintptr_t(o.ud), C.ab_op(o.h), C.int(o.status), result, cerr)
	} else {
		o.mu.Lock()
		o.dropUnseen() // neither a callback nor a handle to wait on
		o.mu.Unlock()
	}
	if !o.keep {
		_ = reg.release(o.h, kindOp)
	}
}

// completions is the FIFO of finished ops. It never blocks the producer, so
// that a cancel or close issued from inside a callback cannot deadlock.
var completions = newQueue()

type queue struct {
	mu    sync.Mutex
	ready sync.Cond
	ops   []*op
}

func newQueue() *queue {
	q := &queue{}
	q.ready.L = &q.mu
	return q
}

func (q *queue) push(o *op) {
	q.mu.Lock()
	q.ops = append(q.ops, o)
	q.mu.Unlock()
	q.ready.Signal()
}

func (q *queue) pop() *op {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.ops) == 0 {
		q.ready.Wait()
	}
	o := q.ops[0]
	q.ops[0] = nil
	q.ops = q.ops[1:]
	return o
}

// dispatchers is the number of goroutines that call completion callbacks:
// few and fixed, so that a host sees a bounded number of threads calling in
// and a binding a bounded number of callbacks pending at once.
const dispatchers = 4

func init() {
	for range dispatchers {
		go func() {
			for {
				completions.pop().deliver()
			}
		}()
	}
}

// busy counts owed work: running calls, undelivered callbacks and log lines.
// ab_shutdown waits for it to reach zero.
var busy = newTracker()

type tracker struct {
	mu   sync.Mutex
	idle sync.Cond
	n    int
}

func newTracker() *tracker {
	t := &tracker{}
	t.idle.L = &t.mu
	return t
}

func (t *tracker) add(n int) {
	t.mu.Lock()
	t.n += n
	t.mu.Unlock()
}

func (t *tracker) done() {
	t.mu.Lock()
	t.n--
	if t.n == 0 {
		t.idle.Broadcast()
	}
	t.mu.Unlock()
}

// waitFor waits up to d for the count to reach zero and reports whether it
// did.
func (t *tracker) waitFor(d time.Duration) bool {
	expired := false
	timer := time.AfterFunc(d, func() {
		t.mu.Lock()
		expired = true
		t.idle.Broadcast()
		t.mu.Unlock()
	})
	defer timer.Stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.n > 0 && !expired {
		t.idle.Wait()
	}
	return t.n == 0
}

func opOf(h C.ab_op) (*op, error) {
	obj, err := reg.get(uint64(h), kindOp)
	if err != nil {
		return nil, err
	}
	return obj.(*op), nil
}

//export ab_op_cancel
func ab_op_cancel(h C.ab_op) C.int {
	return call(nil, func() error {
		o, err := opOf(h)
		if err == nil {
			o.abort(errCancelled)
		}
		return err
	})
}

//export ab_op_wait
func ab_op_wait(h C.ab_op, timeoutMs C.int64_t, resultOut **C.char, errOut **C.ab_error) C.int {
	if resultOut != nil {
		*resultOut = nil
	}
	return call(errOut, func() error {
		o, err := opOf(h)
		if err != nil {
			return err
		}
		if !o.wait(int64(timeoutMs)) {
			return agentbay.Errorf(agentbay.KindTimeout, "the operation is still running after %d ms", int64(timeoutMs))
		}
		if o.streaming && C.capi_in_callback()&C.CAPI_IN_CHUNK_CALLBACK == 0 {
			o.gate.Lock() // as for a callback: no chunk after the wait returns
			o.gate.Unlock()
		}
		o.statusDone()
		switch {
		case o.err != nil:
			return o.err
		case resultOut != nil:
			o.mu.Lock()
			o.taken = true
			o.mu.Unlock()
			*resultOut = (*C.char)(C.CBytes(o.result))
		}
		return nil
	})
}

// wait waits up to ms milliseconds (negative: forever) for the outcome and
// reports whether it is set.
func (o *op) wait(ms int64) bool {
	var timeout <-chan time.Time
	if ms >= 0 {
		t := time.NewTimer(time.Duration(min(ms, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-o.done:
		return true
	case <-timeout:
	}
	select {
	case <-o.done:
		return true
	default:
		return false
	}
}

//export ab_op_free
func ab_op_free(h C.ab_op) C.int {
	return call(nil, func() error {
		obj, err := reg.take(uint64(h), kindOp)
		if o, ok := obj.(*op); ok && o.cb == nil && o.q == nil {
			o.mu.Lock()
			o.freed = true
			select {
			case <-o.done: // finished, and its result can no longer be taken
				o.dropUnseen()
			default: // finish drops it
			}
			o.mu.Unlock()
		}
		return err
	})
}
