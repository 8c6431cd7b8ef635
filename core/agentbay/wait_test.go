package agentbay

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests assert counts, orderings and outcomes, never speed: the only
// time bounds are lower bounds that follow from the schedule (a timer never
// fires early) and testCtx's deadline, which only turns a hang into a
// failure. How fast a wait sees a transition or a cancel is measured by the
// benchmarks in bench_test.go (make bench).

// flipAfter makes GetSession report from until delay has passed since the
// async action arrived, and to afterwards.
func flipAfter(api *fakeAPI, async, from, to string, delay time.Duration) {
	var mu sync.Mutex
	var start time.Time
	api.on(async, func(w http.ResponseWriter, r *rpcRequest) {
		mu.Lock()
		start = r.At
		mu.Unlock()
		okWithID("REQ-ASYNC", "")(w, r)
	})
	api.on("GetSession", func(w http.ResponseWriter, r *rpcRequest) {
		mu.Lock()
		st := from
		if !start.IsZero() && r.At.Sub(start) >= delay {
			st = to
		}
		mu.Unlock()
		okReply(statusData(st))(w, r)
	})
}

func statusData(st string) string { return `{"SessionId":"session-0001","Status":"` + st + `"}` }

// recorder is an Observer that keeps what it sees.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) observe(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, s)
}

func (r *recorder) statuses() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// rampPolls is how many gaps the adaptive schedule spends below interval
// (with replies that take no time; slower replies only make it fewer).
func rampPolls(interval time.Duration) int {
	n := 0
	for waited := time.Duration(0); pollGap(waited, interval) < interval; waited += pollGap(waited, interval) {
		n++
	}
	return n
}

func TestWaitSeesAFastTransitionAtOnce(t *testing.T) {
	// A poll interval of an hour: a wait that slept it even once would run
	// into testCtx's deadline, so a success shows that only the ramp ran.
	api := newFakeAPI(t)
	flipAfter(api, "PauseSessionAsync", StatusPausing, StatusPaused, 100*time.Millisecond)
	var obs recorder
	r, err := newClient(t, api.URL()).Session("session-0001").Pause(testCtx(t), WaitOptions{PollInterval: time.Hour, Observer: obs.observe})
	require.NoError(t, err)
	assert.Equal(t, StatusPaused, r.Status)
	assert.Equal(t, "REQ-ASYNC", r.RequestID)
	assert.LessOrEqual(t, api.count("GetSession"), 9, "0, 5, 10, 15, 23, 34, 51, 101 ms, and 151 if a reply was slow")
	seen := obs.statuses()
	require.NotEmpty(t, seen)
	assert.Equal(t, StatusPaused, seen[len(seen)-1])
	for _, s := range seen[:len(seen)-1] {
		assert.Equal(t, StatusPausing, s)
	}
}

func TestWaitSeesTheStatusThatEndsIt(t *testing.T) {
	// The flip is an event, not a time: the fourth poll reads PAUSED, and
	// the wait stops there, with an hour's poll interval that it never uses.
	pausing := okReply(statusData(StatusPausing))
	api := newFakeAPI(t).
		on("PauseSessionAsync", okWithID("REQ-ASYNC", "")).
		on("GetSession", seq(pausing, pausing, pausing, okReply(statusData(StatusPaused)), pausing))
	var obs recorder
	r, err := newClient(t, api.URL()).Session("session-0001").Pause(testCtx(t), WaitOptions{PollInterval: time.Hour, Observer: obs.observe})
	require.NoError(t, err)
	assert.Equal(t, StatusPaused, r.Status)
	assert.Equal(t, 4, api.count("GetSession"), "no poll after the one that saw PAUSED")
	assert.Equal(t, []string{StatusPausing, StatusPausing, StatusPausing, StatusPaused}, obs.statuses())
	// The gaps follow the schedule: each at least the gap for the time
	// waited by the poll before it (the wait started no later than poll 0).
	polls := api.requests("GetSession")
	for i := 1; i < len(polls); i++ {
		want := pollGap(polls[i-1].At.Sub(polls[0].At), time.Hour)
		assert.GreaterOrEqual(t, polls[i].At.Sub(polls[i-1].At), want, "gap before poll %d", i)
	}
}

func TestWaitSlowTransitionCostsOnlyTheRamp(t *testing.T) {
	const delay, interval = 1500 * time.Millisecond, 100 * time.Millisecond
	api := newFakeAPI(t)
	flipAfter(api, "PauseSessionAsync", StatusPausing, StatusPaused, delay)
	r, err := newClient(t, api.URL()).Session("session-0001").Pause(testCtx(t), WaitOptions{PollInterval: interval})
	require.NoError(t, err)
	assert.Equal(t, StatusPaused, r.Status)

	ramp := rampPolls(interval)
	assert.Equal(t, 23, ramp, "gaps of 10% of the time waited reach 100 ms after 1 s, 23 gaps")
	fixed := int(math.Ceil(float64(delay)/float64(interval))) + 1 // polls at 0, 100 ms, ... 1500 ms
	polls := api.requests("GetSession")
	assert.LessOrEqual(t, len(polls), fixed+ramp)

	// The flip was seen, not guessed: the last poll came after it.
	pause := only(t, api, "PauseSessionAsync")
	assert.GreaterOrEqual(t, polls[len(polls)-1].At.Sub(pause.At), delay)

	// Each gap is at least the schedule's for the time waited by the poll
	// before it (the wait started no later than poll 0), so once a second
	// has passed polls are no closer than the interval. A slow machine
	// only makes the gaps longer and the polls fewer.
	for i := 1; i < len(polls); i++ {
		want := pollGap(polls[i-1].At.Sub(polls[0].At), interval)
		assert.GreaterOrEqual(t, polls[i].At.Sub(polls[i-1].At), want, "gap before poll %d", i)
	}
}

func TestWaitCancelled(t *testing.T) {
	// The cancel is an event of the wait itself: it comes from another
	// goroutine once the observer has seen the nth status, so it finds the
	// wait either in its gap or about to enter it. With an hour's poll
	// interval and PAUSING forever, only the cancel can end the wait before
	// testCtx's deadline. How soon it returns after a cancel in a long gap
	// is BenchmarkWaitCancelInAGap's figure.
	for _, n := range []int{1, 4, 9} {
		t.Run(fmt.Sprintf("after %d polls", n), func(t *testing.T) {
			api := newFakeAPI(t)
			flipAfter(api, "PauseSessionAsync", StatusPausing, StatusPaused, time.Hour)
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			var polled atomic.Int64
			pollsAtCancel := make(chan int, 1)
			observe := func(string) {
				if polled.Add(1) == int64(n) {
					go func() { cancel(); pollsAtCancel <- api.count("GetSession") }()
				}
			}
			_, err := newClient(t, api.URL()).Session("session-0001").Pause(ctx, WaitOptions{PollInterval: time.Hour, Observer: observe})
			e := requireKind(t, err, KindCancelled)
			assert.Contains(t, e.Message, "last status PAUSING")
			before := <-pollsAtCancel
			assert.GreaterOrEqual(t, before, n)
			assert.LessOrEqual(t, api.count("GetSession"), before+1, "no poll after the cancel but the one already sent")
		})
	}
}

func TestWaitTimeout(t *testing.T) {
	t.Run("names the last status", func(t *testing.T) {
		api := newFakeAPI(t)
		flipAfter(api, "PauseSessionAsync", StatusPausing, StatusPaused, time.Hour)
		_, err := newClient(t, api.URL()).Session("session-0001").Pause(testCtx(t), WaitOptions{Timeout: 400 * time.Millisecond, PollInterval: 100 * time.Millisecond})
		e := requireKind(t, err, KindTimeout)
		assert.Contains(t, e.Message, "Session pause timed out")
		assert.Contains(t, e.Message, "last status PAUSING")
		assert.Equal(t, "REQ-ASYNC", e.RequestID, "the pause's request id")
		assert.GreaterOrEqual(t, api.count("GetSession"), 2, "it kept polling")
	})

	t.Run("status never read", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", hang)
		_, err := newClient(t, api.URL()).Session("s").WaitForStatus(testCtx(t), StatusRunning, WaitOptions{Timeout: 300 * time.Millisecond})
		e := requireKind(t, err, KindTimeout)
		assert.Contains(t, e.Message, "last status not read")
	})

	t.Run("the caller's deadline", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", okReply(statusData(StatusResuming)))
		ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
		defer cancel()
		_, err := newClient(t, api.URL()).Session("s").WaitForStatus(ctx, StatusRunning, WaitOptions{})
		e := requireKind(t, err, KindTimeout)
		assert.Contains(t, e.Message, "last status RESUMING")
	})
}

func TestWaitUnexpectedStateIsAConflict(t *testing.T) {
	cases := []struct {
		name   string
		run    func(context.Context, *Session, WaitOptions) error
		async  string
		status string
	}{
		{"pause sees RUNNING", func(ctx context.Context, s *Session, o WaitOptions) error { _, err := s.Pause(ctx, o); return err }, "PauseSessionAsync", StatusRunning},
		{"resume sees PAUSED", func(ctx context.Context, s *Session, o WaitOptions) error { _, err := s.Resume(ctx, o); return err }, "ResumeSessionAsync", StatusPaused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t).on(tc.async, okWithID("REQ-ASYNC", "")).on("GetSession", okReply(statusData(tc.status)))
			var obs recorder
			err := tc.run(testCtx(t), newClient(t, api.URL()).Session("s"), WaitOptions{Observer: obs.observe})
			e := requireKind(t, err, KindConflict)
			assert.Contains(t, e.Message, "unexpected state '"+tc.status+"'")
			assert.Equal(t, "REQ-ASYNC", e.RequestID)
			assert.Equal(t, 1, api.count("GetSession"))
			assert.Equal(t, []string{tc.status}, obs.statuses(), "the observer sees the status that ended the wait")
		})
	}
}

func TestWaitToleratesTransientErrors(t *testing.T) {
	t.Run("recovers", func(t *testing.T) {
		unavailable := failReply(503, "ServiceUnavailable", "busy")
		api := newFakeAPI(t).on("GetSession", seq(
			unavailable, unavailable, okReply(statusData(StatusPausing)), rawReply(502, "gateway"),
			hijackClose, failReply(429, "Throttling", "slow"), okReply(statusData(StatusPaused)),
		))
		var obs recorder
		st, err := newClient(t, api.URL(), noRetries).Session("s").WaitForStatus(testCtx(t), StatusPaused, WaitOptions{PollInterval: 100 * time.Millisecond, Observer: obs.observe})
		require.NoError(t, err)
		assert.Equal(t, StatusPaused, st)
		assert.Equal(t, 7, api.count("GetSession"))
		assert.Equal(t, []string{StatusPausing, StatusPaused}, obs.statuses())
	})

	t.Run("but not forever", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", failReply(503, "ServiceUnavailable", "busy"))
		_, err := newClient(t, api.URL(), noRetries).Session("s").WaitForStatus(testCtx(t), StatusPaused, WaitOptions{PollInterval: 20 * time.Millisecond})
		requireKind(t, err, KindServer)
		assert.Equal(t, maxConsecutiveErrors+1, api.count("GetSession"))
	})

	t.Run("a lasting error ends the wait", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", notFound)
		_, err := newClient(t, api.URL()).Session("s").WaitForStatus(testCtx(t), StatusPaused, WaitOptions{})
		requireKind(t, err, KindNotFound)
		assert.Equal(t, 1, api.count("GetSession"))
	})
}

func TestWaitObserverSeesEveryStatusInOrder(t *testing.T) {
	api := newFakeAPI(t).
		on("ResumeSessionAsync", okWithID("REQ-RES", "")).
		on("GetSession", seq(okReply(statusData(StatusResuming)), okReply(statusData(StatusResuming)), okReply(statusData(StatusResuming)), okReply(statusData(StatusRunning))))
	var obs recorder
	r, err := newClient(t, api.URL()).Session("s").Resume(testCtx(t), WaitOptions{PollInterval: 100 * time.Millisecond, Observer: obs.observe})
	require.NoError(t, err)
	assert.Equal(t, StatusRunning, r.Status)
	assert.Equal(t, "REQ-RES", r.RequestID)
	assert.Equal(t, []string{StatusResuming, StatusResuming, StatusResuming, StatusRunning}, obs.statuses())
	assert.Equal(t, 1, api.count("ResumeSessionAsync"))
	for _, p := range api.requests("GetSession") {
		assert.Equal(t, "s", p.Form.Get("SessionId"), "pause and resume poll GetSession")
	}
}

// OnStatus reports each status once, in order, with the reads so far:
// repeats are not reported, a status that comes back after another is.
func TestWaitOnStatusReportsEachStatusOnce(t *testing.T) {
	api := newFakeAPI(t).
		on("ResumeSessionAsync", okWithID("REQ-RES", "")).
		on("GetSession", seq(okReply(statusData(StatusResuming)), okReply(statusData(StatusResuming)), okReply(statusData(StatusResuming)), okReply(statusData(StatusRunning))))
	var events []StatusEvent
	var every recorder
	r, err := newClient(t, api.URL()).Session("s").Resume(testCtx(t), WaitOptions{PollInterval: 100 * time.Millisecond,
		Observer: every.observe, OnStatus: func(e StatusEvent) { events = append(events, e) }})
	require.NoError(t, err)
	assert.Equal(t, StatusRunning, r.Status)
	assert.Equal(t, []StatusEvent{{StatusResuming, 1}, {StatusRunning, 4}}, events)
	assert.Len(t, every.statuses(), 4, "Observer still sees every read")

	// A wait that fails on an unexpected status reports it first.
	api = newFakeAPI(t).
		on("PauseSessionAsync", okWithID("REQ-P", "")).
		on("GetSession", seq(okReply(statusData(StatusPausing)), okReply(statusData(StatusRunning))))
	events = nil
	_, err = newClient(t, api.URL()).Session("s").Pause(testCtx(t), WaitOptions{PollInterval: 100 * time.Millisecond,
		OnStatus: func(e StatusEvent) { events = append(events, e) }})
	requireKind(t, err, KindConflict)
	assert.Equal(t, []StatusEvent{{StatusPausing, 1}, {StatusRunning, 2}}, events)
}

func TestWaitStopsWhenTheClientCloses(t *testing.T) {
	api := newFakeAPI(t)
	flipAfter(api, "PauseSessionAsync", StatusPausing, StatusPaused, time.Hour)
	c := newClient(t, api.URL())
	// An hour's poll interval: only the close can end the wait before
	// testCtx's deadline; a wait that went on to the next poll would fail
	// with the closed client's error, not a cancel.
	_, err := c.Session("s").Pause(testCtx(t), WaitOptions{PollInterval: time.Hour, Observer: func(string) { _ = c.Close() }})
	requireKind(t, err, KindCancelled)
	assert.Equal(t, 1, api.count("GetSession"), "no poll after the close")

	// The error of a later call is the plain "closed" one, with no request id
	// borrowed from the pause.
	_, err = c.Get(testCtx(t), "s")
	e := requireKind(t, err, KindInvalidHandle)
	assert.Empty(t, e.RequestID)
}

// TestTransitionKeepsSharedErrorsIntact: transition adds the async call's
// request id to the wait's error; it must not do so on an error value
// others share.
func TestTransitionKeepsSharedErrorsIntact(t *testing.T) {
	c := newClient(t, newFakeAPI(t).URL())
	start := func(context.Context) (*StatusResult, error) {
		_ = c.Close() // the wait then fails with the client's "closed" error
		return &StatusResult{Result: ok("REQ-T"), Status: StatusPausing}, nil
	}
	_, err := c.Session("s").transition(testCtx(t), start, StatusPaused, WaitOptions{})
	e := requireKind(t, err, KindInvalidHandle)
	assert.Equal(t, "REQ-T", e.RequestID)
	assert.Empty(t, errClosed.RequestID)
}

func TestDelete(t *testing.T) {
	deleting := okReply(`{"Status":"DELETING"}`)
	cases := []struct {
		name  string
		end   handler
		polls int
	}{
		{"ends on NotFound", notFound, 3},
		{"ends on FINISH", okReply(`{"Status":"FINISH"}`), 3},
		{"ends on DELETED", okReply(`{"Status":"DELETED"}`), 3},
		{"tolerates a 503 on the way", seq(failReply(503, "ServiceUnavailable", "busy"), notFound), 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t).
				on("DeleteSessionAsync", okWithID("REQ-DEL", "")).
				on("GetSessionDetail", seq(deleting, deleting, tc.end))
			r, err := newClient(t, api.URL()).Session("session-0001").Delete(testCtx(t), false)
			require.NoError(t, err)
			assert.True(t, r.Success)
			assert.Equal(t, "REQ-DEL", r.RequestID)
			assert.Equal(t, tc.polls, api.count("GetSessionDetail"))
			all := api.requests("")
			assert.Equal(t, "DeleteSessionAsync", all[0].action(), "delete first, then poll")
			for _, p := range api.requests("GetSessionDetail") {
				assert.Equal(t, "session-0001", p.Query.Get("SessionId"))
			}
		})
	}

	t.Run("a refused delete does not poll", func(t *testing.T) {
		api := newFakeAPI(t).on("DeleteSessionAsync", failReply(400, "InvalidSessionStatus.Paused", "resume first"))
		_, err := newClient(t, api.URL()).Delete(testCtx(t), "s", false)
		requireKind(t, err, KindConflict)
		assert.Zero(t, api.count("GetSessionDetail"))
	})

	t.Run("other statuses keep it polling until the timeout", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSessionDetail", okReply(`{"Status":"PAUSED"}`))
		var obs recorder
		_, err := newClient(t, api.URL()).Session("s").WaitForStatus(testCtx(t), StatusDeleted, WaitOptions{Timeout: 300 * time.Millisecond, Observer: obs.observe})
		e := requireKind(t, err, KindTimeout)
		assert.Contains(t, e.Message, "Session deletion timed out")
		assert.Contains(t, e.Message, "last status PAUSED")
		assert.GreaterOrEqual(t, len(obs.statuses()), 2)
	})

	t.Run("syncContext uploads and waits for the uploads first", func(t *testing.T) {
		ctxStatus := func(st string) string {
			items := `[{"contextId":"ctx-1","path":"/home/wuying/data","status":"` + st + `","errorMessage":""}]`
			return `{"ContextStatus":` + jsonString(`[{"type":"data","data":`+jsonString(items)+`}]`) + `}`
		}
		api := newFakeAPI(t).
			on("SyncContext", okReply("")).
			on("GetContextInfo", seq(okReply(ctxStatus("Uploading")), okReply(ctxStatus("Uploading")), okReply(ctxStatus("Success")))).
			on("DeleteSessionAsync", okReply("")).
			on("GetSessionDetail", notFound)
		_, err := newClient(t, api.URL()).Delete(testCtx(t), "s", true)
		require.NoError(t, err)
		all := api.requests("")
		require.Len(t, all, 6)
		for i, want := range []string{"SyncContext", "GetContextInfo", "GetContextInfo", "GetContextInfo", "DeleteSessionAsync", "GetSessionDetail"} {
			assert.Equal(t, want, all[i].action())
		}
		assert.Equal(t, "s", all[0].Form.Get("SessionId"))
		assert.Equal(t, "upload", all[0].Form.Get("Mode"))
		assert.Equal(t, "upload", all[1].Form.Get("TaskType"))
	})
}
