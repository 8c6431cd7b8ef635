package local_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/local"
)

// The emulation tests assert statuses, orders and counts, never how long
// anything took: the emulated durations are long enough that a request
// made right after another sees the transition still under way.

func TestParseSpan(t *testing.T) {
	for in, want := range map[string]local.Span{
		"1.5s":       {Min: 1500 * time.Millisecond},
		"0s":         {},
		"1s-2s":      {Min: time.Second, Max: 2 * time.Second},
		" 100ms-1s ": {Min: 100 * time.Millisecond, Max: time.Second},
	} {
		got, err := local.ParseSpan(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		again, err := local.ParseSpan(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, again, "String reads back")
	}
	for _, in := range []string{"", "1", "fast", "2s-1s", "-1s", "1s-", "1s-2s-3s"} {
		_, err := local.ParseSpan(in)
		assert.Error(t, err, in)
	}
}

func TestParseFault(t *testing.T) {
	cases := map[string]local.Fault{
		"GetSession=5xx:0.2":                       {Kind: local.FaultServerError, Actions: []string{"GetSession"}, Rate: 0.2},
		"GetSession=5xx:1:500":                     {Kind: local.FaultServerError, Actions: []string{"GetSession"}, Rate: 1, Status: 500},
		"*=429:0.1:2s":                             {Kind: local.FaultThrottle, Rate: 0.1, RetryAfter: 2 * time.Second},
		"PauseSessionAsync=reset:1:after":          {Kind: local.FaultReset, Actions: []string{"PauseSessionAsync"}, Rate: 1, After: true},
		"GetSession,ListSession=slow:0.5:100ms-1s": {Kind: local.FaultSlow, Actions: []string{"GetSession", "ListSession"}, Rate: 0.5, Delay: local.Span{Min: 100 * time.Millisecond, Max: time.Second}},
	}
	for in, want := range cases {
		got, err := local.ParseFault(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		assert.Equal(t, in, got.String(), "String reads back")
	}
	for _, in := range []string{
		"", "GetSession", "GetSession=5xx", "GetSession=5xx:0", "GetSession=5xx:1.5", "GetSession=boom:1",
		"GetSession=5xx:1:404", "GetSession=reset:1:2s", "GetSession=slow:1:x", "=5xx:1", "GetSession=429:1:2s:3s",
	} {
		_, err := local.ParseFault(in)
		assert.Error(t, err, in)
	}
}

func TestEmulationIsChecked(t *testing.T) {
	_, err := local.Start(local.Options{DataDir: t.TempDir(), APIKey: testKey,
		Emulate: local.Emulation{Faults: []local.Fault{{Kind: "boom", Rate: 1}}}})
	require.Error(t, err)
	_, err = local.Start(local.Options{DataDir: t.TempDir(), APIKey: testKey,
		Emulate: local.Emulation{Pause: local.Span{Min: 2 * time.Second, Max: time.Second}}})
	require.Error(t, err)
}

// statusesUntil reads the status with read until it is want and returns
// the distinct statuses seen, in order.
func statusesUntil(t *testing.T, read func() string, want string) []string {
	t.Helper()
	var seen []string
	if !until(func() bool {
		st := read()
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		return st == want
	}) {
		t.Fatalf("never %s; saw %v", want, seen)
	}
	return seen
}

func TestEmulatedTransitions(t *testing.T) {
	const d = time.Second
	c := start(t, local.Options{Emulate: local.Emulation{Pause: local.Span{Min: d}, Resume: local.Span{Min: d}, Delete: local.Span{Min: d}}})
	id := c.create()
	listed := func() string {
		return c.call("ListSession", "Labels", "{}").Get("Data.0.SessionStatus").String()
	}

	c.call("PauseSessionAsync", "SessionId", id)
	assert.Equal(t, "PAUSING", listed(), "ListSession shows the transition")
	assert.Equal(t, "PAUSING", c.call("GetSessionDetail", "SessionId", id).Get("Data.Status").String())
	assert.Equal(t, []string{"PAUSING", "PAUSED"}, statusesUntil(t, func() string { return c.status(id) }, "PAUSED"))
	c.fail("InvalidSessionStatus", "CallMcpTool", "SessionId", id, "Name", "shell", "Args", `{"command":"true"}`)

	c.call("ResumeSessionAsync", "SessionId", id)
	assert.Equal(t, "RESUMING", listed())
	assert.Equal(t, []string{"RESUMING", "RUNNING"}, statusesUntil(t, func() string { return c.status(id) }, "RUNNING"))
	assert.Equal(t, "ok\n", c.shell(id, "echo ok"), "usable again")

	c.call("DeleteSessionAsync", "SessionId", id)
	assert.Equal(t, "DELETING", listed())
	detail := func() string {
		status, body := c.try("GetSessionDetail", "SessionId", id)
		if status != 200 {
			return body.Get("Code").String()
		}
		return body.Get("Data.Status").String()
	}
	assert.Equal(t, []string{"DELETING", "InvalidMcpSession.NotFound"}, statusesUntil(t, detail, "InvalidMcpSession.NotFound"))
	assert.Zero(t, c.call("ListSession", "Labels", "{}").Get("TotalCount").Int())
}

// A random duration in a range behaves the same way.
func TestEmulatedRange(t *testing.T) {
	c := start(t, local.Options{Emulate: local.Emulation{Pause: local.Span{Min: 800 * time.Millisecond, Max: 1200 * time.Millisecond}, Seed: 7}})
	id := c.create()
	c.call("PauseSessionAsync", "SessionId", id)
	assert.Equal(t, []string{"PAUSING", "PAUSED"}, statusesUntil(t, func() string { return c.status(id) }, "PAUSED"))
}

// The cloud has no status for a session being created: CreateMcpSession
// replies once it is ready, and until then the session is nowhere.
func TestEmulatedCreate(t *testing.T) {
	arrived := make(chan struct{}, 1)
	c := start(t, local.Options{Emulate: local.Emulation{
		Create: local.Span{Min: time.Second},
		OnRequest: func(action string, _ local.FaultKind) {
			if action == "CreateMcpSession" {
				arrived <- struct{}{}
			}
		},
	}})
	created := make(chan string, 1)
	go func() {
		status, body := c.try("CreateMcpSession", "ImageId", "linux_latest")
		if status != 200 {
			created <- "failed: " + body.Raw
			return
		}
		created <- body.Get("Data.SessionId").String()
	}()
	<-arrived
	assert.Zero(t, c.call("ListSession", "Labels", "{}").Get("TotalCount").Int(), "not listed while being created")
	id := <-created
	require.True(t, strings.HasPrefix(id, "session-"), id)
	assert.Equal(t, "RUNNING", c.status(id), "RUNNING as soon as the reply came")
}

// post sends an action through net/http, so that headers and broken
// connections can be looked at.
func post(c *client, action string, pairs ...string) (*http.Response, gjson.Result, error) {
	resp, err := http.PostForm(c.srv.Endpoint()+"/?Action="+action, c.params(pairs...))
	if err != nil {
		return nil, gjson.Result{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, gjson.ParseBytes(b), err
}

// counter counts the requests the server saw, by action and fault.
type counter struct {
	mu   sync.Mutex
	seen map[string]int
}

func (k *counter) record(action string, fault local.FaultKind) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.seen == nil {
		k.seen = map[string]int{}
	}
	k.seen[action+"/"+string(fault)]++
}

func (k *counter) count(key string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.seen[key]
}

func TestFaults(t *testing.T) {
	t.Run("5xx", func(t *testing.T) {
		var k counter
		c := start(t, local.Options{Emulate: local.Emulation{OnRequest: k.record,
			Faults: []local.Fault{{Kind: local.FaultServerError, Actions: []string{"GetSession"}, Rate: 1}}}})
		id := c.create()
		checkError(t, 503, gjson.Parse(c.raw2Status(c.goRequest("GetSession", nil, c.params("SessionId", id)), 503)), "ServiceUnavailable")
		c.call("GetSessionDetail", "SessionId", id) // other actions are left alone
		assert.Equal(t, 1, k.count("GetSession/5xx"))
		assert.Equal(t, 1, k.count("GetSessionDetail/"))
		assert.Equal(t, 1, k.count("CreateMcpSession/"))
	})

	t.Run("429 with Retry-After", func(t *testing.T) {
		c := start(t, local.Options{Emulate: local.Emulation{
			Faults: []local.Fault{{Kind: local.FaultThrottle, Rate: 1, RetryAfter: 1500 * time.Millisecond}}}})
		resp, body, err := post(c, "ListSession", "Labels", "{}")
		require.NoError(t, err)
		assert.Equal(t, 429, resp.StatusCode)
		assert.Equal(t, "2", resp.Header.Get("Retry-After"), "whole seconds, rounded up")
		checkError(t, 429, body, "Throttling")
	})

	t.Run("reset", func(t *testing.T) {
		c := start(t, local.Options{Emulate: local.Emulation{
			Faults: []local.Fault{{Kind: local.FaultReset, Actions: []string{"ListSession"}, Rate: 1}}}})
		_, _, err := post(c, "ListSession", "Labels", "{}")
		require.Error(t, err)
		var ue *url.Error
		require.True(t, errors.As(err, &ue), "%v", err)
	})

	t.Run("after: the action took effect, its reply is lost", func(t *testing.T) {
		var k counter
		c := start(t, local.Options{Emulate: local.Emulation{OnRequest: k.record, Pause: local.Span{Min: time.Second},
			Faults: []local.Fault{{Kind: local.FaultReset, Actions: []string{"PauseSessionAsync"}, Rate: 1, After: true}}}})
		id := c.create()
		_, _, err := post(c, "PauseSessionAsync", "SessionId", id)
		require.Error(t, err)
		assert.Equal(t, "PAUSING", c.status(id))
		assert.Equal(t, 1, k.count("PauseSessionAsync/reset"))
	})

	t.Run("slow replies still answer", func(t *testing.T) {
		var k counter
		c := start(t, local.Options{Emulate: local.Emulation{OnRequest: k.record,
			Faults: []local.Fault{{Kind: local.FaultSlow, Actions: []string{"ListSession"}, Rate: 1, Delay: local.Span{Min: 50 * time.Millisecond}}}}})
		c.call("ListSession", "Labels", "{}")
		assert.Equal(t, 1, k.count("ListSession/slow"))
	})

	t.Run("a rate is a share of the requests", func(t *testing.T) {
		var k counter
		c := start(t, local.Options{Emulate: local.Emulation{OnRequest: k.record, Seed: 1,
			Faults: []local.Fault{{Kind: local.FaultServerError, Actions: []string{"ListSession"}, Rate: 0.25}}}})
		for range 200 {
			c.try("ListSession", "Labels", "{}")
		}
		faults := k.count("ListSession/5xx")
		assert.Equal(t, 200, faults+k.count("ListSession/"))
		assert.True(t, faults > 20 && faults < 80, "%d of 200 at 25%%", faults)
	})

	t.Run("the first matching fault wins", func(t *testing.T) {
		var k counter
		c := start(t, local.Options{Emulate: local.Emulation{OnRequest: k.record, Faults: []local.Fault{
			{Kind: local.FaultThrottle, Actions: []string{"GetLabel"}, Rate: 1},
			{Kind: local.FaultServerError, Rate: 1},
		}}})
		c.try("GetLabel", "SessionId", "x")
		c.try("ListSession", "Labels", "{}")
		assert.Equal(t, 1, k.count("GetLabel/429"))
		assert.Equal(t, 1, k.count("ListSession/5xx"))
		assert.Zero(t, k.count("GetLabel/5xx"))
	})
}

// raw2Status is raw for a request that must answer with status; it returns
// the body.
func (c *client) raw2Status(req string, status int) string {
	c.t.Helper()
	got, body := c.raw(req)
	if got != status {
		c.t.Fatalf("want %d, got %d %s", status, got, body)
	}
	return body
}
