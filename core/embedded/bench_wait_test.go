package embedded_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/embedded"
	"github.com/libagentbay/libagentbay/core/local"
)

// BenchmarkWait measures pause then resume against the embedded backend
// emulating transitions of length T, with the engine's wait ("adaptive")
// and, side by side in the same run, the official SDKs' fixed polling
// every 2 s ("fixed-2s": a read at once, then one every 2 s). Each reports
// the mean pause and resume wall time, the overshoot over T (mean of both,
// in ms and in % of T; and the largest), and the status reads per wait,
// counted by the server. `make bench-wait` runs it (2 iterations each, about a minute);
// AGENTBAY_BENCH_WAIT_LONG=1 adds T = 20 s.
func BenchmarkWait(b *testing.B) {
	lengths := []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 1500 * time.Millisecond, 5 * time.Second}
	if os.Getenv("AGENTBAY_BENCH_WAIT_LONG") == "1" {
		lengths = append(lengths, 20*time.Second)
	}
	for _, T := range lengths {
		for _, mode := range []string{"adaptive", "fixed-2s"} {
			b.Run(fmt.Sprintf("T=%v/%s", T, mode), func(b *testing.B) { benchWait(b, T, mode) })
		}
	}
}

func benchWait(b *testing.B, T time.Duration, mode string) {
	b.Setenv("TMPDIR", b.TempDir())
	reqs := &requests{}
	c, err := agentbay.New(context.Background(), agentbay.Config{Endpoint: agentbay.EmbeddedEndpoint,
		Embedded: embedded.With(func(o *local.Options) {
			o.Emulate = local.Emulation{Pause: local.Span{Min: T}, Resume: local.Span{Min: T}, OnRequest: reqs.record}
		})})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	r, err := c.Create(ctx, agentbay.CreateParams{})
	if err != nil {
		b.Fatal(err)
	}
	s := r.Session

	pause := func() error { _, err := s.Pause(ctx, agentbay.WaitOptions{}); return err }
	resume := func() error { _, err := s.Resume(ctx, agentbay.WaitOptions{}); return err }
	readAction := "GetSession"
	if mode == "fixed-2s" {
		readAction = "GetSessionDetail"
		pause = func() error { return fixedWait(ctx, s, s.PauseAsync, agentbay.StatusPaused) }
		resume = func() error { return fixedWait(ctx, s, s.ResumeAsync, agentbay.StatusRunning) }
	}

	var paused, resumed, worst time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := pause(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := resume(); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		paused += t1.Sub(t0)
		resumed += t2.Sub(t1)
		worst = max(worst, t1.Sub(t0)-T, t2.Sub(t1)-T)
	}
	b.StopTimer()
	n := time.Duration(b.N)
	over := (paused+resumed)/(2*n) - T
	b.ReportMetric(ms(paused/n), "pause-ms")
	b.ReportMetric(ms(resumed/n), "resume-ms")
	b.ReportMetric(ms(over), "overshoot-ms")
	b.ReportMetric(ms(worst), "overshoot-max-ms")
	b.ReportMetric(100*float64(over)/float64(T), "overshoot-%")
	b.ReportMetric(float64(reqs.count(readAction))/float64(2*b.N), "reads/wait")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fixedWait is the official SDKs' wait (wire protocol, section 6.2): the
// async call, a status read at once, then one every 2 s.
func fixedWait(ctx context.Context, s *agentbay.Session, start func(context.Context) (*agentbay.StatusResult, error), want string) error {
	if _, err := start(ctx); err != nil {
		return err
	}
	for {
		st, err := s.GetStatus(ctx)
		if err != nil {
			return err
		}
		if st.Status == want {
			return nil
		}
		time.Sleep(agentbay.DefaultPollInterval)
	}
}
