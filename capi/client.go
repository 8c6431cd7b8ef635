package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"
	"sync"
	"unsafe"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/embedded"
	"github.com/libagentbay/libagentbay/core/local"
	"github.com/libagentbay/libagentbay/core/ops"
)

// client is an engine client plus what closing it must end: the calls it
// has running. Its sessions and ops are found in the registry by owner.
type client struct {
	eng *agentbay.Client
	h   uint64

	mu      sync.Mutex
	closed  bool
	running map[*op]struct{}
}

// session is a session handle's object.
type session struct {
	s *agentbay.Session
	c *client
}

func clientOf(h C.ab_client) (*client, error) {
	obj, err := reg.get(uint64(h), kindClient)
	if err != nil {
		return nil, err
	}
	return obj.(*client), nil
}

// track registers a new op of c; it fails once c is closing, so that close
// sees every op that will ever run.
func (c *client) track(o *op) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return invalidHandle(c.h, kindClient, true)
	}
	h, err := reg.add(kindOp, o)
	if err != nil {
		return err
	}
	o.h = h
	c.running[o] = struct{}{}
	return nil
}

func (c *client) untrack(o *op) {
	c.mu.Lock()
	delete(c.running, o)
	c.mu.Unlock()
}

// AddSession registers a session handle of c; it is how the operations
// create and get hand out sessions (ops.Host).
func (c *client) AddSession(s *agentbay.Session) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, invalidHandle(c.h, kindClient, true)
	}
	return reg.add(kindSession, &session{s: s, c: c})
}

// close ends c: its running calls complete as cancelled, its handles go,
// and the engine client closes. Closing twice does nothing.
func (c *client) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	running := c.running
	c.running = nil
	// Under c.mu, so that a concurrent close returns only once the
	// client's handles are gone (the lock order c.mu, reg.mu is track's).
	reg.dropClient(c)
	c.mu.Unlock()

	for o := range running {
		o.abort(errClientClosed)
	}
	if err := c.eng.Close(); err != nil {
		engineLog.Warn("libagentbay: closing the client failed", "error", err.Error())
	}
}

// cGetenv reads the C environment: the Go runtime of a shared library
// copies the environment once, when the library loads, and a host that sets
// AGENTBAY_* later (Python's os.environ, Node's process.env) changes only
// the C one.
func cGetenv(name string) string {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if v := C.getenv(cname); v != nil {
		return C.GoString(v)
	}
	return ""
}

//export ab_client_new
func ab_client_new(config *C.capi_cchar, out *C.ab_client, errOut **C.ab_error) C.int {
	if out != nil {
		*out = 0
	}
	return call(errOut, func() error {
		if out == nil {
			return invalidArg("out is NULL")
		}
		text, err := cJSON(config, "config_json")
		if err != nil {
			return err
		}
		conf, err := ops.Config(text)
		if err != nil {
			return err
		}
		cfg := conf.Config
		cfg.Logger, cfg.Embedded, cfg.Getenv = engineLog, embedded.Start, cGetenv
		if e := conf.Emulate; e != nil {
			cfg.Embedded = embedded.With(func(o *local.Options) {
				span := func(s ops.Spans) local.Span { return local.Span{Min: s.Min, Max: s.Max} }
				o.Emulate.Create, o.Emulate.Pause = span(e.Create), span(e.Pause)
				o.Emulate.Resume, o.Emulate.Delete = span(e.Resume), span(e.Delete)
			})
		}
		eng, err := agentbay.New(context.Background(), cfg)
		if err != nil {
			return err
		}
		if conf.Emulate != nil && !eng.Embedded() {
			eng.Close()
			return ops.ErrEmulateNotEmbedded
		}
		c := &client{eng: eng, running: map[*op]struct{}{}}
		if c.h, err = reg.add(kindClient, c); err != nil {
			eng.Close()
			return err
		}
		*out = C.ab_client(c.h)
		return nil
	})
}

//export ab_client_close
func ab_client_close(h C.ab_client) C.int {
	return call(nil, func() error {
		c, err := clientOf(h)
		if err != nil {
			if reg.gone(uint64(h), kindClient) {
				return nil
			}
			return err
		}
		c.close()
		return nil
	})
}

//export ab_client_info
func ab_client_info(h C.ab_client, jsonOut **C.char, errOut **C.ab_error) C.int {
	if jsonOut != nil {
		*jsonOut = nil
	}
	return call(errOut, func() error {
		c, err := clientOf(h)
		if err != nil {
			return err
		}
		if jsonOut == nil {
			return invalidArg("json_out is NULL")
		}
		b, err := toJSON(struct {
			Endpoint string `json:"endpoint"`
			Embedded bool   `json:"embedded"`
			Version  string `json:"version"`
		}{c.eng.Endpoint(), c.eng.Embedded(), agentbay.Version})
		if err != nil {
			return err
		}
		*jsonOut = C.CString(string(b))
		return nil
	})
}
