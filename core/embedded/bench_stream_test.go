package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// seqBytes is the size of the output of `seq 1 100000`.
const seqBytes = 588895

// BenchmarkStreamSeq streams `seq 1 100000` through the engine: first-byte
// latency (from the call to the first chunk) and throughput, beside the
// same command through the plain shell tool (ExecuteCommand).
func BenchmarkStreamSeq(b *testing.B) {
	ctx := context.Background()
	_, s := newSession(b)
	b.Run("stream", func(b *testing.B) {
		var first, total time.Duration
		chunks := 0
		for i := 0; i < b.N; i++ {
			start := time.Now()
			n, got := 0, false
			r, err := s.ExecuteCommandStream(ctx, "seq 1 100000", agentbay.CommandOptions{}, func(_ string, data []byte) {
				if !got {
					got, first = true, first+time.Since(start)
				}
				n += len(data)
				chunks++
			})
			total += time.Since(start)
			if err != nil || !r.Success || n != seqBytes {
				b.Fatalf("%v %+v %d bytes", err, r, n)
			}
		}
		b.ReportMetric(float64(first.Microseconds())/float64(b.N)/1000, "first-byte-ms")
		b.ReportMetric(float64(seqBytes*b.N)/total.Seconds()/1e6, "MB/s")
		b.ReportMetric(float64(chunks)/float64(b.N), "chunks")
	})
	b.Run("execute_command", func(b *testing.B) {
		var total time.Duration
		for i := 0; i < b.N; i++ {
			start := time.Now()
			r, err := s.ExecuteCommand(ctx, "seq 1 100000", agentbay.CommandOptions{})
			total += time.Since(start)
			if err != nil || len(r.Stdout) != seqBytes {
				b.Fatalf("%v %d", err, len(r.Stdout))
			}
		}
		b.ReportMetric(float64(seqBytes*b.N)/total.Seconds()/1e6, "MB/s")
	})
}
