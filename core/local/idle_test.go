package local_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/local"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// An idle timeout releases a session once no call has been made on it for
// that long; calls (RefreshSessionIdleTime among them) restart the clock,
// status reads do not;
// a session without one, and a paused one, stay. Afterwards the session is
// not found, saying why, and GetSessionDetail reports FINISH with the
// reason. The clock is the test's, so nothing here waits for time to pass.
func TestIdleRelease(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := start(t, local.Options{Now: clock.Now})
	srv := c.srv
	idle := c.create("Timeout", "60")
	forever := c.create()
	paused := c.create("Timeout", "60")
	c.call("PauseSessionAsync", "SessionId", paused)
	c.waitStatus(paused, "PAUSED")

	clock.advance(59 * time.Second)
	srv.ReleaseIdle()
	assert.Equal(t, "RUNNING", c.status(idle)) // a status read: not activity
	c.call("GetLabel", "SessionId", idle)      // a call: the clock restarts here
	clock.advance(59 * time.Second)
	srv.ReleaseIdle()
	c.call("RefreshSessionIdleTime", "SessionId", idle)
	clock.advance(59 * time.Second)
	srv.ReleaseIdle()
	assert.Equal(t, "RUNNING", c.status(idle), "177 s after create, 59 s after the last call")

	clock.advance(61 * time.Second)
	srv.ReleaseIdle()
	msg := c.fail("InvalidMcpSession.NotFound", "GetSession", "SessionId", idle)
	assert.Equal(t, "Resource [McpSession] is not found. The session was released after 1m0s without activity (idle_release_timeout).", msg)
	c.fail("InvalidMcpSession.NotFound", "RefreshSessionIdleTime", "SessionId", idle)
	c.fail("InvalidMcpSession.NotFound", "CallMcpTool", "SessionId", idle, "Name", "shell", "Args", `{"command":"true"}`)
	d := c.call("GetSessionDetail", "SessionId", idle).Get("Data")
	assert.Equal(t, "FINISH", d.Get("Status").String())
	assert.Equal(t, "IdleTimeout", d.Get("EndReason").String())
	assert.Equal(t, int64(1), d.Get("IsDeleted").Int())
	list := c.call("ListSession", "Labels", "{}", "MaxResults", "100").Get("Data.#.SessionId").Array()
	for _, id := range list {
		assert.NotEqual(t, idle, id.String(), "a released session is not listed")
	}

	// No timeout: never released; paused: not released while paused.
	assert.Equal(t, "RUNNING", c.status(forever))
	assert.Equal(t, "PAUSED", c.status(paused))
	c.call("ResumeSessionAsync", "SessionId", paused)
	c.waitStatus(paused, "RUNNING")

	// A session deleted by its user is simply not found, with no reason.
	c.call("DeleteSessionAsync", "SessionId", forever)
	require.Eventually(t, func() bool {
		status, _ := c.try("GetSessionDetail", "SessionId", forever)
		return status == 400
	}, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, "Resource [McpSession] is not found.", c.fail("InvalidMcpSession.NotFound", "GetSession", "SessionId", forever))
}

// The server's own timer releases a session when its time comes (a real
// one-second timeout); the test waits for the event, the deadline only
// bounds a hang.
func TestIdleReleaseOnTime(t *testing.T) {
	c := start(t, local.Options{})
	id := c.create("Timeout", "1")
	var reason string
	if !until(func() bool {
		status, body := c.try("GetSessionDetail", "SessionId", id)
		reason = body.Get("Data.EndReason").String()
		return status == 200 && body.Get("Data.Status").String() == "FINISH"
	}) {
		t.Fatal("the session was not released")
	}
	assert.Equal(t, "IdleTimeout", reason)
}

func TestIdleTimeoutRefused(t *testing.T) {
	c := start(t, local.Options{})
	c.fail("InvalidParameter", "CreateMcpSession", "Timeout", "-1")
	c.fail("InvalidParameter", "CreateMcpSession", "Timeout", "soon")
}
