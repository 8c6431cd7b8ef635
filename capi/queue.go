package main

/*
#include "capi.h"
*/
import "C"

import (
	"sync"
	"syscall"
	"unsafe"
)

// A cqueue is a completion queue that a host polls instead of taking
// callbacks: finished ops of calls started with it are appended here (by
// finish, on whatever thread ended the op), and an eventfd is readable
// while any are queued. The host takes them with ab_queue_drain.
type cqueue struct {
	h uint64

	mu     sync.Mutex
	fd     int // eventfd; -1 once freed
	ops    []*op
	freed  bool
	signal bool // the eventfd's counter is non-zero

	// What the last ab_queue_take handed out, freed by the next take or by
	// ab_queue_free (the host does not free it).
	heldMu      sync.Mutex
	heldResults []*C.char
	heldErrors  []*C.ab_error
}

func queueOf(h C.ab_queue) (*cqueue, error) {
	obj, err := reg.get(uint64(h), kindQueue)
	if err != nil {
		return nil, err
	}
	return obj.(*cqueue), nil
}

const (
	efdCloexec  = 0x80000 // EFD_CLOEXEC
	efdNonblock = 0x800   // EFD_NONBLOCK
)

func newEventfd() (int, error) {
	fd, _, errno := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, efdCloexec|efdNonblock, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

var one = [8]byte{1} // an eventfd increment of 1 (host byte order: little endian)

// push queues a finished op. Called once per op, with its outcome set; a
// push into a freed queue gives up what the result holds.
func (q *cqueue) push(o *op) {
	q.mu.Lock()
	if q.freed {
		q.mu.Unlock()
		o.mu.Lock()
		o.dropUnseen()
		o.mu.Unlock()
		return
	}
	q.ops = append(q.ops, o)
	if !q.signal {
		q.signal = true
		// Cannot block: the counter is 0 before this write, far from the
		// eventfd's limit. Under q.mu, so never on a closed (reused) fd.
		_, _ = syscall.Write(q.fd, one[:])
	}
	q.mu.Unlock()
}

// take removes up to max queued ops, clearing the eventfd once the queue
// is empty.
func (q *cqueue) take(max int) []*op {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(max, len(q.ops))
	got := make([]*op, n)
	copy(got, q.ops)
	clear(q.ops[:n])
	q.ops = q.ops[n:]
	if len(q.ops) == 0 {
		q.ops = nil
		if q.signal {
			var buf [8]byte
			_, _ = syscall.Read(q.fd, buf[:])
			q.signal = false
		}
	}
	return got
}

//export ab_queue_new
func ab_queue_new(out *C.ab_queue, errOut **C.ab_error) C.int {
	if out != nil {
		*out = 0
	}
	return call(errOut, func() error {
		if out == nil {
			return invalidArg("out is NULL")
		}
		fd, err := newEventfd()
		if err != nil {
			return invalidArg("cannot make an eventfd: %v", err)
		}
		q := &cqueue{fd: fd}
		if q.h, err = reg.add(kindQueue, q); err != nil {
			syscall.Close(fd)
			return err
		}
		*out = C.ab_queue(q.h)
		return nil
	})
}

//export ab_queue_fd
func ab_queue_fd(h C.ab_queue, fdOut *C.int) C.int {
	if fdOut != nil {
		*fdOut = -1
	}
	return call(nil, func() error {
		q, err := queueOf(h)
		if err != nil {
			return err
		}
		if fdOut == nil {
			return invalidArg("fd_out is NULL")
		}
		*fdOut = C.int(q.fd)
		return nil
	})
}

//export ab_queue_drain
func ab_queue_drain(h C.ab_queue, items *C.ab_completion, max C.int, nOut *C.int) C.int {
	if nOut != nil {
		*nOut = 0
	}
	return call(nil, func() error {
		q, err := queueOf(h)
		if err != nil {
			return err
		}
		if err := checkDrain(items, max, nOut); err != nil {
			return err
		}
		*nOut = C.int(fill(items, q.take(int(max))))
		return nil
	})
}

// checkDrain checks the arguments that ab_queue_drain and ab_queue_take share.
func checkDrain(items *C.ab_completion, max C.int, nOut *C.int) error {
	switch {
	case nOut == nil:
		return invalidArg("n_out is NULL")
	case max < 0:
		return invalidArg("max is negative")
	case max > 0 && items == nil:
		return invalidArg("items is NULL")
	}
	return nil
}

// fill writes the completions of got into items, with a C copy of each
// result or error, and returns how many it wrote.
func fill(items *C.ab_completion, got []*op) int {
	out := unsafe.Slice(items, len(got))
	for i, o := range got {
		var result *C.char
		var cerr *C.ab_error
		if o.status == statusOK {
			result = (*C.char)(C.CBytes(o.result))
		} else {
			cerr = newCError(o.err)
		}
		// In C: user_data may be any value, which Go must not hold
		// as a pointer.
		C.capi_completion_set(&out[i], C.ab_op(o.h), C.uintptr_t(o.ud), C.int(o.status), result, cerr)
	}
	return len(got)
}

//export ab_queue_take
func ab_queue_take(h C.ab_queue, items *C.ab_completion, max C.int, nOut *C.int) C.int {
	if nOut != nil {
		*nOut = 0
	}
	return call(nil, func() error {
		q, err := queueOf(h)
		if err != nil {
			return err
		}
		if err := checkDrain(items, max, nOut); err != nil {
			return err
		}
		q.heldMu.Lock()
		defer q.heldMu.Unlock()
		q.releaseHeld()
		got := q.take(int(max))
		n := fill(items, got)
		for i, it := range unsafe.Slice(items, n) {
			if it.result_json != nil {
				q.heldResults = append(q.heldResults, it.result_json)
			} else {
				q.heldErrors = append(q.heldErrors, it.error)
			}
			if got[i].keep { // as ab_op_free; a handle freed already stays so
				_ = reg.release(got[i].h, kindOp)
			}
		}
		*nOut = C.int(n)
		return nil
	})
}

// releaseHeld frees what the last ab_queue_take handed out. Called with
// q.heldMu held.
func (q *cqueue) releaseHeld() {
	for _, s := range q.heldResults {
		C.free(unsafe.Pointer(s))
	}
	for _, e := range q.heldErrors {
		C.ab_error_free(e)
	}
	q.heldResults, q.heldErrors = q.heldResults[:0], q.heldErrors[:0]
}

//export ab_queue_free
func ab_queue_free(h C.ab_queue) C.int {
	return call(nil, func() error {
		obj, err := reg.take(uint64(h), kindQueue)
		q, ok := obj.(*cqueue)
		if !ok {
			return err
		}
		q.mu.Lock()
		q.freed = true
		syscall.Close(q.fd)
		q.fd = -1
		left := q.ops
		q.ops = nil
		q.mu.Unlock()
		for _, o := range left { // completions nobody will ever see
			o.mu.Lock()
			o.dropUnseen()
			o.mu.Unlock()
		}
		q.heldMu.Lock()
		q.releaseHeld()
		q.heldMu.Unlock()
		return nil
	})
}
