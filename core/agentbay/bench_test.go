package agentbay

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// The latencies of the status waits, which the tests deliberately do not
// assert (wait_test.go asserts counts and orderings): they are figures for
// `make bench`, measured on a machine that may be busy.

// BenchmarkWaitFastTransition: how long after a 100 ms transition a pause
// with the default 2 s poll interval returns (the ramp's doing: without it,
// about 2 s).
func BenchmarkWaitFastTransition(b *testing.B) {
	const delay = 100 * time.Millisecond
	var late time.Duration
	for i := 0; i < b.N; i++ {
		api := newFakeAPI(b)
		flipAfter(api, "PauseSessionAsync", StatusPausing, StatusPaused, delay)
		c := newClient(b, api.URL())
		if _, err := c.Session("session-0001").Pause(testCtx(b), WaitOptions{}); err != nil {
			b.Fatal(err)
		}
		polls := api.requests("GetSession")
		late += polls[len(polls)-1].At.Sub(only(b, api, "PauseSessionAsync").At) - delay
		_ = c.Close()
	}
	b.ReportMetric(float64(late.Milliseconds())/float64(b.N), "ms-after-transition")
}

// BenchmarkWaitCancelInAGap: how long a pause takes to return after a
// cancel that lands 20 ms into a gap between polls (the 8th gap of the
// ramp, about 85 ms; a wait that noticed the cancel only at its next poll
// would take about 65 ms).
func BenchmarkWaitCancelInAGap(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		api := newFakeAPI(b)
		flipAfter(api, "PauseSessionAsync", StatusPausing, StatusPaused, time.Hour)
		c := newClient(b, api.URL())
		ctx, cancel := context.WithCancel(testCtx(b))
		var seen atomic.Int64
		var cancelledAt atomic.Int64
		observe := func(string) {
			if seen.Add(1) == 8 {
				go func() {
					time.Sleep(20 * time.Millisecond) // into the gap that follows
					cancelledAt.Store(time.Now().UnixNano())
					cancel()
				}()
			}
		}
		_, err := c.Session("session-0001").Pause(ctx, WaitOptions{PollInterval: time.Hour, Observer: observe})
		returned := time.Now()
		if KindOf(err) != KindCancelled {
			b.Fatalf("want a cancel, got %v", err)
		}
		total += returned.Sub(time.Unix(0, cancelledAt.Load()))
		cancel()
		_ = c.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs-cancel-to-return")
}
