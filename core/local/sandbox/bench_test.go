package sandbox

import (
	"context"
	"sync"
	"testing"
	"time"
)

// BenchmarkRun64Concurrent runs 64 commands at once in one box, as an
// agent that fires many shell calls in parallel does. Each iteration
// reports the wall time of the 64 (ns/op), the time of one call alone
// (one-ms), and their ratio (x-one): for `sleep 0.2` the target is under
// 1.5, i.e. starting 64 commands costs well under 100 ms. Each runs with
// bash (as before direct commands) and directly, side by side.
func BenchmarkRun64Concurrent(b *testing.B) {
	for _, script := range []string{"true", "sleep 0.2"} {
		for _, way := range []string{"bash", "direct"} {
			b.Run(script+"/"+way, func(b *testing.B) { bench64(b, script, way == "bash") })
		}
	}
}

func benchBox(b *testing.B, bashOnly bool) *Box {
	box := newBox(b, Probe())
	if bashOnly {
		box.m.BashOnly()
	}
	return box
}

// BenchmarkRun runs one command at a time: the round trip of one start.
func BenchmarkRun(b *testing.B) {
	for _, script := range []string{"true", "echo hi"} {
		for _, way := range []string{"bash", "direct"} {
			b.Run(script+"/"+way, func(b *testing.B) {
				box := benchBox(b, way == "bash")
				for b.Loop() {
					res, err := box.Run(context.Background(), Command{Script: script, Timeout: 20 * time.Second})
					if err != nil || res.ExitCode != 0 {
						b.Fatalf("%q: %+v %v", script, res, err)
					}
				}
			})
		}
	}
}

func bench64(b *testing.B, script string, bashOnly bool) {
	box := benchBox(b, bashOnly)
	runOnce := func() {
		res, err := box.Run(context.Background(), Command{Script: script, Timeout: 20 * time.Second})
		if err != nil || res.ExitCode != 0 {
			b.Errorf("%q: %+v %v", script, res, err)
		}
	}
	runOnce() // warm up: make the box's cgroup, namespace, caches
	var one time.Duration
	for range 3 {
		t0 := time.Now()
		runOnce()
		if d := time.Since(t0); one == 0 || d < one {
			one = d
		}
	}
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(runOnce)
		}
		wg.Wait()
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(one)/1e6, "one-ms")
	b.ReportMetric(float64(per)/float64(one), "x-one")
}
