package local_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/local"
)

// The benchmarks call the server as an SDK does: form POSTs over one
// keep-alive connection. Each reports the median besides the mean.

type bench struct {
	b        *testing.B
	http     *http.Client
	endpoint string
	times    []time.Duration
}

func newBench(b *testing.B) *bench {
	srv, err := local.Start(local.Options{DataDir: b.TempDir(), APIKey: testKey, MaxSessions: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return &bench{b: b, http: &http.Client{}, endpoint: srv.Endpoint()}
}

func (c *bench) call(action string, pairs ...string) gjson.Result {
	form := url.Values{"Authorization": {"Bearer " + testKey}}
	for i := 0; i+1 < len(pairs); i += 2 {
		form.Set(pairs[i], pairs[i+1])
	}
	resp, err := c.http.PostForm(c.endpoint+"/?Action="+action, form)
	if err != nil {
		c.b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		c.b.Fatalf("%s: %s", action, body)
	}
	return gjson.ParseBytes(body)
}

// waitStatus polls without pause: a transition takes milliseconds.
func (c *bench) waitStatus(id, want string) {
	for {
		if c.call("GetSession", "SessionId", id).Get("Data.Status").String() == want {
			return
		}
	}
}

// measure runs f b.N times and reports the median.
func (c *bench) measure(f func()) {
	c.b.ResetTimer()
	for range c.b.N {
		t0 := time.Now()
		f()
		c.times = append(c.times, time.Since(t0))
	}
	c.b.StopTimer()
	slices.Sort(c.times)
	c.b.ReportMetric(float64(c.times[len(c.times)/2].Microseconds())/1000, "ms-median")
}

func BenchmarkCreateSession(b *testing.B) {
	c := newBench(b)
	c.measure(func() { c.call("CreateMcpSession", "ImageId", "linux_latest") })
}

// BenchmarkShell: one shell round trip of `echo hi`, run with bash (as
// before direct commands, AGENTBAY_LOCAL_BASH_ONLY=1) and directly, side
// by side.
func BenchmarkShell(b *testing.B) {
	for _, way := range []string{"bash", "direct"} {
		b.Run(way, func(b *testing.B) {
			if way == "bash" {
				b.Setenv("AGENTBAY_LOCAL_BASH_ONLY", "1")
			}
			c := newBench(b)
			id := c.call("CreateMcpSession").Get("Data.SessionId").String()
			c.measure(func() {
				c.call("CallMcpTool", "SessionId", id, "Name", "shell", "Args", `{"command":"echo hi","timeout_ms":5000}`)
			})
		})
	}
}

// BenchmarkPauseResume pauses and resumes a session with a background
// process, waiting for PAUSED and RUNNING by polling GetSession.
func BenchmarkPauseResume(b *testing.B) {
	c := newBench(b)
	id := c.call("CreateMcpSession").Get("Data.SessionId").String()
	c.call("CallMcpTool", "SessionId", id, "Name", "shell", "Args", `{"command":"sleep 1000 > /dev/null 2>&1 &","timeout_ms":5000}`)
	c.measure(func() {
		c.call("PauseSessionAsync", "SessionId", id)
		c.waitStatus(id, "PAUSED")
		c.call("ResumeSessionAsync", "SessionId", id)
		c.waitStatus(id, "RUNNING")
	})
}
