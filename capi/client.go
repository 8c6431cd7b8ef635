package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"
	"os"
	"sync"
	"unsafe"

	"github.com/libagentbay/libagentbay/core/agentbay"
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
		return invalidHandle(c.h, kindClient)
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

// addSession registers a session handle of c.
func (c *client) addSession(s *agentbay.Session) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, invalidHandle(c.h, kindClient)
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

// syncEnv copies the engine's settings from the C environment into Go's.
// The Go runtime of a shared library reads the environment once, when the
// library loads; a host that sets AGENTBAY_* later (Python's os.environ,
// Node's process.env, dotenv) changes only the C environment.
func syncEnv() {
	for _, name := range []string{"AGENTBAY_API_KEY", "AGENTBAY_ENDPOINT", "AGENTBAY_TIMEOUT_MS"} {
		cname := C.CString(name)
		v := C.getenv(cname)
		C.free(unsafe.Pointer(cname))
		if v == nil {
			os.Unsetenv(name)
		} else {
			os.Setenv(name, C.GoString(v))
		}
	}
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
		o := parseObject(config, "config_json")
		cfg := agentbay.Config{
			APIKey:   o.str("api_key"),
			Endpoint: o.str("endpoint"),
			Timeout:  clampMillis(o.count("timeout_ms")),
			Logger:   engineLog,
		}
		if err := o.done(); err != nil {
			return err
		}
		syncEnv()
		eng, err := agentbay.New(context.Background(), cfg)
		if err != nil {
			return err
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

// sessionResult is the result of create and get: the reference's
// SessionResult, with the new session handle.
type sessionResult struct {
	agentbay.Result
	SessionID     string `json:"session_id"`
	SessionHandle uint64 `json:"session_handle"`
	ResourceURL   string `json:"resource_url"`
}

func (r *sessionResult) discard() { _ = reg.release(r.SessionHandle, kindSession) }

// withHandle gives a created or found session a handle of c.
func (c *client) withHandle(r *agentbay.SessionResult, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	h, err := c.addSession(r.Session)
	if err != nil {
		return nil, err
	}
	return &sessionResult{Result: r.Result, SessionID: r.Session.ID(), SessionHandle: h,
		ResourceURL: r.Session.ResourceURL()}, nil
}

//export capi_client_create
func capi_client_create(h C.ab_client, params *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		c, err := clientOf(h)
		if err != nil {
			return err
		}
		o := parseObject(params, "params_json")
		p := agentbay.CreateParams{ImageID: o.str("image_id"), Labels: o.labels("labels"), PolicyID: o.str("policy_id")}
		if err := o.done(); err != nil {
			return err
		}
		return c.start(cb, userData, opOut, func(ctx context.Context) (any, error) {
			return c.withHandle(c.eng.Create(ctx, p))
		})
	})
}

//export capi_client_get
func capi_client_get(h C.ab_client, sessionID *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		c, err := clientOf(h)
		if err != nil {
			return err
		}
		id, err := nonEmpty(sessionID, "session_id")
		if err != nil {
			return err
		}
		return c.start(cb, userData, opOut, func(ctx context.Context) (any, error) {
			return c.withHandle(c.eng.Get(ctx, id))
		})
	})
}

//export capi_client_list
func capi_client_list(h C.ab_client, params *C.capi_cchar, cb C.ab_callback, userData C.uintptr_t,
	opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		c, err := clientOf(h)
		if err != nil {
			return err
		}
		o := parseObject(params, "params_json")
		p := agentbay.ListParams{
			Labels:     o.labels("labels"),
			Status:     o.str("status"),
			MaxResults: int(o.count("max_results")),
			NextToken:  o.str("next_token"),
			Page:       int(o.count("page")),
		}
		if err := o.done(); err != nil {
			return err
		}
		return c.start(cb, userData, opOut, func(ctx context.Context) (any, error) {
			return c.eng.List(ctx, p)
		})
	})
}

//export capi_client_delete
func capi_client_delete(h C.ab_client, sessionID *C.capi_cchar, syncContext C.int, cb C.ab_callback,
	userData C.uintptr_t, opOut *C.ab_op, errOut **C.ab_error) C.int {
	clearOp(opOut)
	return call(errOut, func() error {
		c, err := clientOf(h)
		if err != nil {
			return err
		}
		id, err := nonEmpty(sessionID, "session_id")
		if err != nil {
			return err
		}
		return c.start(cb, userData, opOut, func(ctx context.Context) (any, error) {
			return c.eng.Delete(ctx, id, syncContext != 0)
		})
	})
}

func clearOp(opOut *C.ab_op) {
	if opOut != nil {
		*opOut = 0
	}
}
