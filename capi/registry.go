package main

import (
	"fmt"
	"sync"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// A handle is seq<<4 | kind, where each kind counts its own seq from 1. So
// handles are never reused, 0 is never valid, a handle of the wrong kind is
// told apart by its low bits, and a free of a handle that was issued but is
// gone is recognised as "already freed" without remembering freed ids.
// seq stays below 2^49, which keeps every handle below 2^53.
type kind uint64

const (
	kindClient  kind = 1
	kindSession kind = 2
	kindOp      kind = 3
	kindQueue   kind = 4

	kindBits = 4
	kindMask = 1<<kindBits - 1
	maxSeq   = 1<<49 - 1
)

var kindNames = [...]string{kindClient: "client", kindSession: "session", kindOp: "operation", kindQueue: "queue"}

// registry maps live handles to their objects: *client, *session, *op or
// *cqueue.
type registry struct {
	mu   sync.RWMutex
	objs map[uint64]any
	seq  [len(kindNames)]uint64 // the last seq issued, per kind
}

var reg = registry{objs: map[uint64]any{}}

func (r *registry) add(k kind, obj any) (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seq[k] == maxSeq {
		return 0, agentbay.Errorf(agentbay.KindInternal, "out of %s handles", kindNames[k])
	}
	r.seq[k]++
	h := r.seq[k]<<kindBits | uint64(k)
	r.objs[h] = obj
	return h, nil
}

func (r *registry) get(h uint64, k kind) (any, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	obj, ok := r.objs[h]
	if !ok || kind(h&kindMask) != k {
		return nil, invalidHandle(h, k, h != 0 && r.issued(h, k))
	}
	return obj, nil
}

// release removes h. Releasing 0 or a handle of kind k that is already gone
// succeeds; anything else that is not live is an invalid handle.
func (r *registry) release(h uint64, k kind) error {
	_, err := r.take(h, k)
	return err
}

// take is release that also returns the object it removed, if any.
func (r *registry) take(h uint64, k kind) (any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if obj, ok := r.objs[h]; ok && kind(h&kindMask) == k {
		delete(r.objs, h)
		return obj, nil
	}
	if r.issued(h, k) {
		return nil, nil
	}
	return nil, invalidHandle(h, k, false)
}

// gone reports whether h is 0 or a handle of kind k that was freed.
func (r *registry) gone(h uint64, k kind) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, live := r.objs[h]
	return !live && r.issued(h, k)
}

func (r *registry) issued(h uint64, k kind) bool {
	seq := h >> kindBits
	return h == 0 || kind(h&kindMask) == k && seq >= 1 && seq <= r.seq[k]
}

// dropClient removes c and every session and operation handle made from it.
func (r *registry) dropClient(c *client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.objs, c.h)
	for h, obj := range r.objs {
		switch o := obj.(type) {
		case *session:
			if o.c == c {
				delete(r.objs, h)
			}
		case *op:
			if o.c == c {
				delete(r.objs, h)
			}
		}
	}
}

func (r *registry) clients() []*client {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var cs []*client
	for _, obj := range r.objs {
		if c, ok := obj.(*client); ok {
			cs = append(cs, c)
		}
	}
	return cs
}

func (r *registry) count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.objs)
}

// invalidHandle describes a handle that is not live; freed says whether it
// was issued once (so it was freed, or its client closed).
func invalidHandle(h uint64, k kind, freed bool) error {
	var msg string
	switch {
	case freed && k == kindClient:
		msg = fmt.Sprintf("the client is closed (client handle %d)", h)
	case freed && k == kindQueue:
		msg = fmt.Sprintf("queue handle %d was freed", h)
	case freed:
		msg = fmt.Sprintf("%s handle %d was freed, or its client was closed", kindNames[k], h)
	default:
		msg = fmt.Sprintf("invalid %s handle %d (unknown, or of another kind)", kindNames[k], h)
	}
	return agentbay.Errorf(agentbay.KindInvalidHandle, "%s", msg)
}
