// Command direct measures, in Go, the calls that tests/bench/bench_capi.c
// measures through the C ABI, so that the benchmark can print the cost of
// the ABI side by side: Session.ID(), and a GetLabels round trip on the
// embedded backend, and a 1 MiB file written and read back. It prints "name value" lines for bench_capi to read.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/embedded"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "direct:", err)
		os.Exit(1)
	}
}

// sink keeps the compiler from dropping the call being measured.
var sink string

func run() error {
	ctx := context.Background()
	c, err := agentbay.New(ctx, agentbay.Config{Endpoint: agentbay.EmbeddedEndpoint, Embedded: embedded.Start})
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := c.Create(ctx, agentbay.CreateParams{Labels: map[string]string{"bench": "direct"}})
	if err != nil {
		return err
	}
	s := r.Session

	const n = 10_000_000
	start := time.Now()
	for range n {
		sink = s.ID()
	}
	fmt.Printf("session_id_ns %.2f\n", float64(time.Since(start).Nanoseconds())/n)

	rtt, err := median(2000, func() error {
		_, err := s.GetLabels(ctx)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("get_labels_us %.1f\n", rtt)

	// A 1 MiB text file written then read back whole.
	content := strings.Repeat("0123456789abcdef", 1<<16)
	trip, err := median(20, func() error {
		w, err := s.WriteFile(ctx, "/tmp/bench-1mib.txt", content, "")
		if err == nil && !w.Success {
			err = errors.New(w.ErrorMessage)
		}
		if err != nil {
			return err
		}
		r, err := s.ReadFile(ctx, "/tmp/bench-1mib.txt")
		if err == nil && r.Content != content {
			err = errors.New("the file read back differs")
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("file_1mib_us %.0f\n", trip)
	_, err = s.Delete(ctx, false)
	return err
}

// median runs f n times (after a warm-up) and returns its median in µs.
func median(n int, f func() error) (float64, error) {
	times := make([]float64, n)
	for i := -n / 10; i < n; i++ {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		if i >= 0 {
			times[i] = float64(time.Since(start).Nanoseconds()) / 1e3
		}
	}
	slices.Sort(times)
	return times[n/2], nil
}
