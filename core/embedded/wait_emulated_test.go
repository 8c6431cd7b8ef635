package embedded_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/embedded"
	"github.com/libagentbay/libagentbay/core/local"
)

// Waits against the local backend emulating the cloud's slow transitions
// and faults. The tests assert statuses, orders and request counts (the
// server's), never wall times: the one time-derived figure is a bound on
// the number of reads computed from the time the wait actually took.

// requests counts, server-side, the requests of each action and those that
// got a fault.
type requests struct {
	mu     sync.Mutex
	all    map[string]int
	faults map[string]int
}

func (r *requests) record(action string, fault local.FaultKind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.all == nil {
		r.all, r.faults = map[string]int{}, map[string]int{}
	}
	r.all[action]++
	if fault != "" {
		r.faults[action]++
	}
}

func (r *requests) count(action string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.all[action]
}

func (r *requests) faulted(action string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.faults[action]
}

// emulated returns a client on an embedded backend with emulation e, and
// the server's request counts.
func emulated(t *testing.T, e local.Emulation, retries int) (*agentbay.Client, *requests) {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	reqs := &requests{}
	e.OnRequest = reqs.record
	c, err := agentbay.New(context.Background(), agentbay.Config{Endpoint: agentbay.EmbeddedEndpoint, Retries: retries,
		Embedded: embedded.With(func(o *local.Options) { o.Emulate = e })})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c, reqs
}

// maxReads is the documented schedule of the wait (poll in
// core/agentbay/wait.go): after each read a gap of the largest of 5 ms,
// half the time waited up to 50 ms, and a tenth of the time waited, at most
// interval. It returns how many reads that schedule makes in elapsed with
// replies that take no time, which no real wait of that length exceeds.
func maxReads(elapsed, interval time.Duration) int {
	gap := func(w time.Duration) time.Duration {
		return min(interval, max(5*time.Millisecond, min(w/2, 50*time.Millisecond), w/10))
	}
	n := 1
	for t := gap(0); t <= elapsed; t += gap(t) {
		n++
	}
	return n
}

// observed checks the Observer's statuses: via at least minVia times,
// then want exactly once, at the end.
func observed(t *testing.T, seen []string, minVia int, via, want string) {
	t.Helper()
	require.GreaterOrEqual(t, len(seen), minVia+1, "%v", seen)
	assert.Equal(t, want, seen[len(seen)-1], "%v", seen)
	for _, s := range seen[:len(seen)-1] {
		assert.Equal(t, via, s, "%v", seen)
	}
}

type seen struct {
	mu sync.Mutex
	s  []string
}

func (o *seen) observe(s string) { o.mu.Lock(); o.s = append(o.s, s); o.mu.Unlock() }
func (o *seen) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.s...)
}

func TestWaitEmulatedTransitions(t *testing.T) {
	const d = 300 * time.Millisecond
	c, reqs := emulated(t, local.Emulation{Pause: local.Span{Min: d}, Resume: local.Span{Min: d}, Delete: local.Span{Min: d}}, 0)
	ctx := context.Background()
	r, err := c.Create(ctx, agentbay.CreateParams{})
	require.NoError(t, err)
	s := r.Session

	for _, step := range []struct {
		name, via, want string
		run             func(agentbay.WaitOptions) error
	}{
		{"pause", agentbay.StatusPausing, agentbay.StatusPaused, func(o agentbay.WaitOptions) error { _, err := s.Pause(ctx, o); return err }},
		{"resume", agentbay.StatusResuming, agentbay.StatusRunning, func(o agentbay.WaitOptions) error { _, err := s.Resume(ctx, o); return err }},
	} {
		before := reqs.count("GetSession")
		var obs seen
		start := time.Now()
		require.NoError(t, step.run(agentbay.WaitOptions{Observer: obs.observe}), step.name)
		elapsed := time.Since(start)
		statuses := obs.list()
		observed(t, statuses, 1, step.via, step.want)
		reads := reqs.count("GetSession") - before
		assert.Equal(t, len(statuses), reads, "%s: one read per status observed, no retries", step.name)
		assert.LessOrEqual(t, reads, maxReads(elapsed, agentbay.DefaultPollInterval), "%s: reads in %v", step.name, elapsed)
	}
	assert.Equal(t, 1, reqs.count("PauseSessionAsync"))
	assert.Equal(t, 1, reqs.count("ResumeSessionAsync"))

	var obs seen
	st, err := s.WaitForStatus(ctx, agentbay.StatusRunning, agentbay.WaitOptions{Observer: obs.observe})
	require.NoError(t, err)
	assert.Equal(t, agentbay.StatusRunning, st)
	assert.Equal(t, []string{agentbay.StatusRunning}, obs.list(), "already there: one read")

	start := time.Now()
	_, err = s.Delete(ctx, false)
	require.NoError(t, err)
	elapsed := time.Since(start)
	assert.Equal(t, 1, reqs.count("DeleteSessionAsync"))
	polls := reqs.count("GetSessionDetail")
	assert.GreaterOrEqual(t, polls, 2, "DELETING at least once, then gone")
	assert.LessOrEqual(t, polls, maxReads(elapsed, agentbay.DeletePollInterval), "in %v", elapsed)
}

// OnStatus reports each transition the client sees once, in order, also
// for delete's wait (DeleteWith); Reads of the last event is the wait's
// read count, the server's GetSession count.
func TestWaitEmulatedOnStatus(t *testing.T) {
	const d = 300 * time.Millisecond
	c, reqs := emulated(t, local.Emulation{Pause: local.Span{Min: d}, Resume: local.Span{Min: d}, Delete: local.Span{Min: d}}, 0)
	ctx := context.Background()
	r, err := c.Create(ctx, agentbay.CreateParams{})
	require.NoError(t, err)
	s := r.Session
	var events []agentbay.StatusEvent
	record := agentbay.WaitOptions{OnStatus: func(e agentbay.StatusEvent) { events = append(events, e) }}
	statuses := func() []string {
		var out []string
		for _, e := range events {
			out = append(out, e.Status)
		}
		return out
	}

	before := reqs.count("GetSession")
	_, err = s.Pause(ctx, record)
	require.NoError(t, err)
	assert.Equal(t, []string{agentbay.StatusPausing, agentbay.StatusPaused}, statuses())
	assert.Equal(t, 1, events[0].Reads)
	assert.Equal(t, reqs.count("GetSession")-before, events[1].Reads)

	events, before = nil, reqs.count("GetSession")
	_, err = s.Resume(ctx, record)
	require.NoError(t, err)
	assert.Equal(t, []string{agentbay.StatusResuming, agentbay.StatusRunning}, statuses())
	assert.Equal(t, reqs.count("GetSession")-before, events[1].Reads)

	events = nil
	_, err = s.DeleteWith(ctx, false, record)
	require.NoError(t, err)
	assert.Equal(t, []string{agentbay.StatusDeleting, agentbay.StatusDeleted}, statuses())
}

// Transient faults on the status reads cost reads, not the outcome. (A
// read the client retried, after a Retry-After of 1 s, may be the first to
// succeed and come after the end: PAUSING need not be seen here.)
func TestWaitEmulatedSurvivesFaults(t *testing.T) {
	get := []string{"GetSession"}
	c, reqs := emulated(t, local.Emulation{
		Pause: local.Span{Min: 300 * time.Millisecond}, Resume: local.Span{Min: 200 * time.Millisecond, Max: 400 * time.Millisecond},
		Seed: 42,
		Faults: []local.Fault{
			{Kind: local.FaultServerError, Actions: get, Rate: 0.2},
			{Kind: local.FaultThrottle, Actions: get, Rate: 0.05, RetryAfter: time.Second},
			{Kind: local.FaultReset, Actions: get, Rate: 0.2},
			{Kind: local.FaultSlow, Actions: get, Rate: 0.1, Delay: local.Span{Min: 10 * time.Millisecond, Max: 100 * time.Millisecond}},
		},
	}, 0)
	ctx := context.Background()
	r, err := c.Create(ctx, agentbay.CreateParams{})
	require.NoError(t, err)
	s := r.Session

	var obs seen
	pr, err := s.Pause(ctx, agentbay.WaitOptions{Observer: obs.observe})
	require.NoError(t, err)
	assert.Equal(t, agentbay.StatusPaused, pr.Status)
	observed(t, obs.list(), 0, agentbay.StatusPausing, agentbay.StatusPaused)

	obs = seen{}
	rr, err := s.Resume(ctx, agentbay.WaitOptions{Observer: obs.observe})
	require.NoError(t, err)
	assert.Equal(t, agentbay.StatusRunning, rr.Status)
	observed(t, obs.list(), 0, agentbay.StatusResuming, agentbay.StatusRunning)

	assert.Positive(t, reqs.faulted("GetSession"), "faults were injected")
	assert.Equal(t, 1, reqs.count("PauseSessionAsync"))
	assert.Equal(t, 1, reqs.count("ResumeSessionAsync"))
}

// A status read that keeps failing ends the wait with a typed error after
// 11 reads in a row (maxConsecutiveErrors + 1), not a hang.
func TestWaitEmulatedLastingFaults(t *testing.T) {
	for kind, want := range map[local.FaultKind]agentbay.Kind{
		local.FaultServerError: agentbay.KindServer,
		local.FaultThrottle:    agentbay.KindThrottled,
		local.FaultReset:       agentbay.KindTransport,
	} {
		t.Run(string(kind), func(t *testing.T) {
			c, reqs := emulated(t, local.Emulation{Pause: local.Span{Min: time.Hour},
				Faults: []local.Fault{{Kind: kind, Actions: []string{"GetSession"}, Rate: 1}}}, -1)
			ctx := context.Background()
			r, err := c.Create(ctx, agentbay.CreateParams{})
			require.NoError(t, err)
			_, err = r.Session.Pause(ctx, agentbay.WaitOptions{PollInterval: 20 * time.Millisecond})
			require.Error(t, err)
			assert.Equal(t, want, agentbay.KindOf(err), "%v", err)
			assert.Equal(t, 11, reqs.count("GetSession"))
			assert.Equal(t, 1, reqs.count("PauseSessionAsync"))
		})
	}
}

// State-changing calls are sent once, whatever happens to them: the
// client's retries are on (the default 3), and the server counts.
func TestWaitEmulatedNeverRetriesStateChanges(t *testing.T) {
	faults := []struct {
		name  string
		fault local.Fault
		kind  agentbay.Kind
	}{
		{"503", local.Fault{Kind: local.FaultServerError, Rate: 1}, agentbay.KindServer},
		{"500", local.Fault{Kind: local.FaultServerError, Rate: 1, Status: 500}, agentbay.KindServer},
		{"429", local.Fault{Kind: local.FaultThrottle, Rate: 1}, agentbay.KindThrottled},
		{"reset", local.Fault{Kind: local.FaultReset, Rate: 1}, agentbay.KindTransport},
		{"reset after", local.Fault{Kind: local.FaultReset, Rate: 1, After: true}, agentbay.KindTransport},
	}
	actions := []struct {
		action string
		prep   func(context.Context, *agentbay.Session) error // brings the session to where the action applies
		run    func(context.Context, *agentbay.Session) error
	}{
		{"PauseSessionAsync", nil, func(ctx context.Context, s *agentbay.Session) error {
			_, err := s.Pause(ctx, agentbay.WaitOptions{})
			return err
		}},
		{"ResumeSessionAsync", func(ctx context.Context, s *agentbay.Session) error {
			_, err := s.Pause(ctx, agentbay.WaitOptions{})
			return err
		},
			func(ctx context.Context, s *agentbay.Session) error {
				_, err := s.Resume(ctx, agentbay.WaitOptions{})
				return err
			}},
		{"DeleteSessionAsync", nil, func(ctx context.Context, s *agentbay.Session) error { _, err := s.Delete(ctx, false); return err }},
	}
	for _, a := range actions {
		for _, f := range faults {
			t.Run(a.action+"/"+f.name, func(t *testing.T) {
				fault := f.fault
				fault.Actions = []string{a.action}
				c, reqs := emulated(t, local.Emulation{Faults: []local.Fault{fault}}, 0)
				ctx := context.Background()
				r, err := c.Create(ctx, agentbay.CreateParams{})
				require.NoError(t, err)
				if a.prep != nil {
					require.NoError(t, a.prep(ctx, r.Session))
				}
				err = a.run(ctx, r.Session)
				require.Error(t, err)
				assert.Equal(t, f.kind, agentbay.KindOf(err), "%v", err)
				assert.Equal(t, 1, reqs.count(a.action), "sent once")
				assert.Equal(t, 1, reqs.faulted(a.action))
			})
		}
	}
}
