package local

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Emulation makes the local backend behave more like the cloud, for tests
// and benchmarks of clients: lifecycle transitions that take time, and
// requests that fail. The zero value emulates nothing.
//
// During an emulated pause, resume or delete, GetSession, GetSessionDetail
// and ListSession report the transitional status (PAUSING, RESUMING,
// DELETING) until the duration has passed since the request arrived. The
// wire protocol has no status for a session being created (the SDKs do not
// poll after CreateMcpSession, section 3.1), so an emulated create delays
// the reply of CreateMcpSession, and the session is not visible until then.
// ReleaseMcpSession, which is synchronous, is not delayed.
type Emulation struct {
	Create, Pause, Resume, Delete Span

	// Faults are tried in order on each RPC request; the first that fires
	// is injected.
	Faults []Fault

	// Seed seeds the random choices (durations in a range, fault rates);
	// 0 picks one at random.
	Seed uint64

	// OnRequest, if set, is called for each RPC request that passed the
	// key check, before it is handled, with its action and the kind of the
	// fault injected into it ("" for none). It lets tests count requests.
	OnRequest func(action string, fault FaultKind)
}

// Span is a duration: Min, or a random one in [Min, Max] when Max > Min.
type Span struct{ Min, Max time.Duration }

// ParseSpan reads "1.5s" (a fixed duration) or "1s-2s" (a range).
func ParseSpan(s string) (Span, error) {
	s = strings.TrimSpace(s)
	lo, hi, isRange := strings.Cut(s, "-")
	min, err := time.ParseDuration(lo)
	if err != nil || min < 0 {
		return Span{}, fmt.Errorf("%q: want a duration such as 1.5s, or a range such as 1s-2s", s)
	}
	if !isRange {
		return Span{Min: min}, nil
	}
	max, err := time.ParseDuration(hi)
	if err != nil || max < min {
		return Span{}, fmt.Errorf("%q: want a range such as 1s-2s, the second no shorter than the first", s)
	}
	return Span{Min: min, Max: max}, nil
}

func (s Span) String() string {
	if s.Max > s.Min {
		return s.Min.String() + "-" + s.Max.String()
	}
	return s.Min.String()
}

// FaultKind names what a Fault does to a request.
type FaultKind string

const (
	FaultServerError FaultKind = "5xx"   // an error reply, 503 unless Fault.Status says otherwise
	FaultThrottle    FaultKind = "429"   // 429 Throttling with Retry-After
	FaultReset       FaultKind = "reset" // the connection is reset, no reply
	FaultSlow        FaultKind = "slow"  // the reply comes Fault.Delay later
)

// Fault is a failure injected into a share of the RPC requests.
type Fault struct {
	Kind    FaultKind
	Actions []string // the actions it applies to; empty means all
	Rate    float64  // the share of their requests, in (0, 1]

	Status     int           // 5xx: the HTTP status; default 503
	RetryAfter time.Duration // 429: the Retry-After header, in whole seconds; default 1 s
	Delay      Span          // slow: how much later; default 1 s

	// After injects the fault once the action has been carried out: its
	// effect stands, its reply is lost (5xx, 429, reset) or late (slow).
	After bool
}

// ParseFault reads ACTIONS=KIND:RATE[:ARG][:after]: ACTIONS is "*" or a
// comma-separated list of actions; KIND is 5xx, 429, reset or slow; ARG is
// the HTTP status for 5xx (e.g. 500), the Retry-After for 429 (e.g. 2s),
// the delay for slow (e.g. 200ms or 100ms-1s). Examples:
//
//	GetSession=5xx:0.2
//	*=429:0.1:2s
//	PauseSessionAsync=reset:1:after
//	GetSession,ListSession=slow:0.5:100ms-1s
func ParseFault(s string) (Fault, error) {
	bad := func(why string) (Fault, error) {
		return Fault{}, fmt.Errorf("fault %q: %s; want ACTIONS=KIND:RATE[:ARG][:after], e.g. GetSession=5xx:0.2", s, why)
	}
	actions, spec, ok := strings.Cut(s, "=")
	if !ok {
		return bad("no '='")
	}
	var f Fault
	if actions = strings.TrimSpace(actions); actions != "*" {
		for _, a := range strings.Split(actions, ",") {
			if a = strings.TrimSpace(a); a != "" {
				f.Actions = append(f.Actions, a)
			}
		}
		if len(f.Actions) == 0 {
			return bad("no action")
		}
	}
	parts := strings.Split(spec, ":")
	if len(parts) < 2 {
		return bad("no rate")
	}
	f.Kind = FaultKind(strings.TrimSpace(parts[0]))
	rate, err := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	if err != nil || rate <= 0 || rate > 1 {
		return bad("the rate must be a number in (0, 1]")
	}
	f.Rate = rate
	rest := parts[2:]
	if n := len(rest); n > 0 && strings.TrimSpace(rest[n-1]) == "after" {
		f.After, rest = true, rest[:n-1]
	}
	if len(rest) > 1 {
		return bad("too many fields")
	}
	arg := ""
	if len(rest) == 1 {
		arg = strings.TrimSpace(rest[0])
	}
	switch f.Kind {
	case FaultServerError:
		if arg != "" {
			if f.Status, err = strconv.Atoi(arg); err != nil || f.Status < 500 || f.Status > 599 {
				return bad("the status of a 5xx fault must be in 500-599")
			}
		}
	case FaultThrottle:
		if arg != "" {
			if f.RetryAfter, err = time.ParseDuration(arg); err != nil || f.RetryAfter < 0 {
				return bad("the Retry-After of a 429 fault must be a duration such as 2s")
			}
		}
	case FaultSlow:
		if arg != "" {
			if f.Delay, err = ParseSpan(arg); err != nil {
				return bad(err.Error())
			}
		}
	case FaultReset:
		if arg != "" {
			return bad("a reset takes no argument")
		}
	default:
		return bad("the kind must be 5xx, 429, reset or slow")
	}
	return f, nil
}

func (f Fault) String() string {
	actions := "*"
	if len(f.Actions) > 0 {
		actions = strings.Join(f.Actions, ",")
	}
	s := fmt.Sprintf("%s=%s:%g", actions, f.Kind, f.Rate)
	switch {
	case f.Kind == FaultServerError && f.Status != 0:
		s += ":" + strconv.Itoa(f.Status)
	case f.Kind == FaultThrottle && f.RetryAfter != 0:
		s += ":" + f.RetryAfter.String()
	case f.Kind == FaultSlow && f.Delay != (Span{}):
		s += ":" + f.Delay.String()
	}
	if f.After {
		s += ":after"
	}
	return s
}

func (e *Emulation) check() error {
	for _, sp := range []Span{e.Create, e.Pause, e.Resume, e.Delete} {
		if sp.Min < 0 || (sp.Max != 0 && sp.Max < sp.Min) {
			return fmt.Errorf("local: emulated duration %v-%v is not a duration or a range", sp.Min, sp.Max)
		}
	}
	for _, f := range e.Faults {
		if _, err := ParseFault(f.String()); err != nil {
			return errors.New("local: " + err.Error())
		}
	}
	return nil
}

// emulator draws the random choices of an Emulation.
type emulator struct {
	Emulation
	mu  sync.Mutex
	rng *rand.Rand
}

func newEmulator(e Emulation) *emulator {
	seed := e.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &emulator{Emulation: e, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (em *emulator) float() float64 {
	em.mu.Lock()
	defer em.mu.Unlock()
	return em.rng.Float64()
}

// pick draws a duration of sp.
func (em *emulator) pick(sp Span) time.Duration {
	if sp.Max <= sp.Min {
		return sp.Min
	}
	em.mu.Lock()
	defer em.mu.Unlock()
	return sp.Min + time.Duration(em.rng.Int64N(int64(sp.Max-sp.Min)+1))
}

// fault returns the fault to inject into a request for action, or nil.
func (em *emulator) fault(action string) *Fault {
	for i := range em.Faults {
		f := &em.Faults[i]
		if len(f.Actions) > 0 && !slices.Contains(f.Actions, action) {
			continue
		}
		if f.Rate >= 1 || em.float() < f.Rate {
			return f
		}
	}
	return nil
}

// inject carries out f on a request; it reports whether it answered the
// request (or dropped it), so that nothing more may be written.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, requestID string, f *Fault) bool {
	switch f.Kind {
	case FaultSlow:
		d := s.emu.pick(f.Delay)
		if f.Delay == (Span{}) {
			d = time.Second
		}
		sleep(r.Context(), d)
		return false
	case FaultServerError:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		writeError(w, requestID, &apiError{status, "ServiceUnavailable", "emulated fault: the service is unavailable"})
	case FaultThrottle:
		ra := f.RetryAfter
		if ra == 0 {
			ra = time.Second
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((ra+time.Second-1)/time.Second)))
		writeError(w, requestID, &apiError{http.StatusTooManyRequests, "Throttling", "emulated fault: request was denied due to request throttling"})
	case FaultReset:
		reset(w)
	}
	return true
}

// reset drops the request's connection with a TCP reset, or failing that
// aborts it.
func reset(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if nc, ok := conn.(interface{ NetConn() net.Conn }); ok { // TLS
				conn = nc.NetConn()
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// sleep waits d or until ctx ends.
func sleep(ctx interface{ Done() <-chan struct{} }, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
