package agentbay

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The schedule of the status wait, checked as arithmetic: the overshoot
// bound and the cost that poll's doc comment states. The waits against the
// emulating local backend are in core/embedded (wait_emulated_test.go).

// scheduledReads is how many status reads the schedule makes in the first
// elapsed of a wait whose replies take no time. Replies that take time
// only push every read later (t + pollGap(t) grows with t), so a real wait
// makes at most this many in the same time.
func scheduledReads(elapsed, interval time.Duration) int {
	n := 1 // the read at once
	for t := pollGap(0, interval); t <= elapsed; t += pollGap(t, interval) {
		n++
	}
	return n
}

func TestPollGapBoundsTheOvershoot(t *testing.T) {
	for _, interval := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 300 * time.Millisecond, time.Second, DefaultPollInterval} {
		prev := time.Duration(0)
		for waited := time.Duration(0); waited < 200*time.Second; waited += waited/50 + time.Millisecond {
			g := pollGap(waited, interval)
			require.LessOrEqual(t, g, interval, "never more than the interval")
			require.LessOrEqual(t, g, max(waited/10, 50*time.Millisecond), "within max(10%%, 50 ms) at %v", waited)
			require.GreaterOrEqual(t, g, min(minPollGap, interval), "no busy loop")
			require.GreaterOrEqual(t, g, prev, "gaps never shrink")
			prev = g
		}
		assert.Equal(t, interval, pollGap(10*interval+time.Second, interval), "capped from 10x the interval on")
	}
	assert.Equal(t, minPollGap, pollGap(0, time.Second))
	assert.Equal(t, minPollGap, pollGap(10*time.Millisecond, time.Second), "5 ms while the wait is young")
}

func TestPollCostIsLogarithmic(t *testing.T) {
	const interval = DefaultPollInterval
	// The figures of the doc comment: reads for a transition of length T,
	// the one that sees its end included.
	for T, want := range map[time.Duration]int{
		50 * time.Millisecond: 7, 500 * time.Millisecond: 17, 1500 * time.Millisecond: 29,
		5 * time.Second: 41, 20 * time.Second: 56,
	} {
		assert.Equal(t, want, scheduledReads(T, interval)+1, "reads for %v", T)
	}
	// 24 reads per tenfold (1/log10(1.1) = 24.2) while the gaps are below the cap.
	for T := 500 * time.Millisecond; T <= 2*time.Second; T += 100 * time.Millisecond {
		grow := scheduledReads(10*T, interval) - scheduledReads(T, interval)
		assert.InDelta(t, 24.2, float64(grow), 1.5, "from %v to %v", T, 10*T)
	}
	// Past the cap, one read per interval.
	for _, T := range []time.Duration{40 * time.Second, 100 * time.Second, 600 * time.Second} {
		extra := scheduledReads(T, interval) - scheduledReads(10*interval, interval)
		assert.InDelta(t, float64(T-10*interval)/float64(interval), float64(extra), 1, "past the cap, by %v", T)
	}
	// With a short interval the cap comes early, and the cost is linear.
	assert.Equal(t, 24+14, scheduledReads(2500*time.Millisecond, 100*time.Millisecond),
		"24 reads until the gaps reach 100 ms (at 1.06 s), then one per 100 ms")
}

// A wait against a transition that ends after 300 ms makes no more reads
// than the schedule allows in the time it actually took, and stops at the
// first read after the end.
func TestWaitReadsWithinTheSchedule(t *testing.T) {
	const delay = 300 * time.Millisecond
	api := newFakeAPI(t)
	flipAfter(api, "PauseSessionAsync", StatusPausing, StatusPaused, delay)
	var obs recorder
	start := time.Now()
	_, err := newClient(t, api.URL()).Session("session-0001").Pause(testCtx(t), WaitOptions{Observer: obs.observe})
	elapsed := time.Since(start)
	require.NoError(t, err)

	reads := api.requests("GetSession")
	assert.LessOrEqual(t, len(reads), scheduledReads(elapsed, DefaultPollInterval), "in %v", elapsed)
	seen := obs.statuses()
	require.Len(t, seen, len(reads))
	assert.Equal(t, StatusPaused, seen[len(seen)-1])
	for _, s := range seen[:len(seen)-1] {
		assert.Equal(t, StatusPausing, s, "one read sees the end, and the wait stops there")
	}
}
