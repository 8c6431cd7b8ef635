package agentbay

import (
	"context"
	"time"

	"github.com/libagentbay/libagentbay/core/wire"
)

// Defaults of the waits, as in the official SDKs.
const (
	DefaultWaitTimeout   = 600 * time.Second // pause and resume
	DefaultPollInterval  = 2 * time.Second   // pause and resume
	DeleteWaitTimeout    = 300 * time.Second
	DeletePollInterval   = 1 * time.Second
	maxConsecutiveErrors = 10

	// The gaps between status reads (see pollGap).
	minPollGap    = 5 * time.Millisecond
	rampPollGap   = 50 * time.Millisecond
	pollGapFactor = 10 // a gap is at most 1/pollGapFactor of the time waited (past the ramp)
)

// WaitOptions bound a wait for a status.
type WaitOptions struct {
	Timeout      time.Duration // default 600 s
	PollInterval time.Duration // the longest gap between polls; default 2 s

	// Observer sees every status read, in order, repeats included (one call
	// per successful poll); may be nil. For tests and benchmarks that count
	// reads.
	Observer func(string)

	// OnStatus sees each status the wait reads once, in order: a call when
	// the status read differs from the one before (e.g. PAUSING, then
	// PAUSED), never for a repeat; may be nil. It runs on the waiting
	// goroutine, so the wait goes on when it returns, and it is never called
	// after the wait has returned. A transition shorter than the first read
	// shows only its end (PAUSED); a status the wait does not expect is
	// reported before the wait fails on it.
	OnStatus func(StatusEvent)
}

// StatusEvent is a status a wait read for the first time in a row.
type StatusEvent struct {
	Status string `json:"status"` // e.g. PAUSING
	Reads  int    `json:"reads"`  // the status reads of this wait so far, this one included
}

func (o WaitOptions) withDefaults(timeout, interval time.Duration) WaitOptions {
	if o.Timeout <= 0 {
		o.Timeout = timeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = interval
	}
	return o
}

// probe reads the status once. done ends the wait with success; a non-nil
// error ends it with that error unless the error is transient. A status
// returned with an error (an unexpected state) is still observed.
type probe func(ctx context.Context) (status string, done bool, err error)

// poll is the one status-wait primitive behind pause, resume and delete. It
// probes at once, then after each reply waits pollGap(time waited so far):
//
//   - the guarantee: a transition that ends T after the wait began is seen
//     by the first read after T, at most max(T/10, 50 ms) later (never more
//     than 5 ms for T under 10 ms), plus one request's latency, and never
//     later than o.PollInterval after T;
//   - the cost, in reads for a transition of length T: 7 by 50 ms, 17 by
//     0.5 s, then one per 10% of growth, 24 per tenfold (T = 1.5 s: 29;
//     5 s: 41; 20 s: 56), logarithmic until the gaps reach o.PollInterval
//     (at T = 10 x PollInterval, 20 s by default), then one per
//     PollInterval.
//
// Transient errors (network, 5xx, throttling) are tolerated, up to
// maxConsecutiveErrors in a row; the wait stops at o.Timeout with a timeout
// error naming the last status seen, and at once when ctx is cancelled.
func poll(ctx context.Context, what string, o WaitOptions, p probe) (string, error) {
	start := time.Now()
	deadline := start.Add(o.Timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	last, reported := "", ""
	errs, reads := 0, 0
	for {
		status, done, err := p(ctx)
		if err == nil || status != "" {
			last = status
			reads++
			if o.Observer != nil {
				o.Observer(status)
			}
			if o.OnStatus != nil && status != reported {
				reported = status
				o.OnStatus(StatusEvent{Status: status, Reads: reads})
			}
		}
		switch {
		case err == nil:
			errs = 0
			if done {
				return status, nil
			}
		case ctx.Err() != nil:
			return last, waitEnded(ctx, what, o.Timeout, last)
		case transient(err) && errs < maxConsecutiveErrors:
			errs++
		default:
			return last, err
		}

		t := time.NewTimer(min(pollGap(time.Since(start), o.PollInterval), time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return last, waitEnded(ctx, what, o.Timeout, last)
		case <-t.C:
		}
	}
}

// pollGap is the pause before the next status read, waited into a wait:
// the largest of 5 ms, half of waited up to 50 ms (a ramp: 5, 7.5, 11, 17,
// 25, 38, 50 ms), and a tenth of waited, but never more than interval. Each
// term keeps the gap within max(waited/10, 50 ms), which bounds how late
// the end of a transition is seen.
func pollGap(waited, interval time.Duration) time.Duration {
	g := max(minPollGap, min(waited/2, rampPollGap), waited/pollGapFactor)
	return min(g, interval)
}

func transient(err error) bool {
	switch wire.KindOf(err) {
	case wire.KindTransport, wire.KindServer, wire.KindThrottled, wire.KindTimeout:
		return true
	}
	return false
}

// waitEnded explains why a wait stopped: the caller cancelled, or time ran out.
func waitEnded(ctx context.Context, what string, timeout time.Duration, last string) error {
	if ctx.Err() == context.Canceled {
		return wire.Errorf(wire.KindCancelled, "%s cancelled (last status %s)", what, orUnknown(last))
	}
	return wire.Errorf(wire.KindTimeout, "%s timed out after %v (last status %s)", what, timeout, orUnknown(last))
}

func orUnknown(s string) string {
	if s == "" {
		return "not read"
	}
	return s
}

// WaitForStatus waits until the session reaches want: RUNNING (through
// RESUMING), PAUSED (through PAUSING) or DELETED (gone, FINISH or DELETED).
// Any other stable status ends the wait with a conflict error.
func (s *Session) WaitForStatus(ctx context.Context, want string, o WaitOptions) (string, error) {
	ctx, done, err := s.client.begin(ctx) // Close ends the wait at once, not at the next poll
	if err != nil {
		return "", err
	}
	defer done()
	switch want {
	case StatusRunning:
		return s.waitTransition(ctx, "Session resume", StatusRunning, StatusResuming, o)
	case StatusPaused:
		return s.waitTransition(ctx, "Session pause", StatusPaused, StatusPausing, o)
	case StatusDeleted:
		return s.waitGone(ctx, o)
	}
	return "", wire.Errorf(wire.KindInvalidArgument, "cannot wait for status %q: want RUNNING, PAUSED or DELETED", want)
}

func (s *Session) waitTransition(ctx context.Context, what, want, via string, o WaitOptions) (string, error) {
	o = o.withDefaults(DefaultWaitTimeout, DefaultPollInterval)
	return poll(ctx, what, o, func(ctx context.Context) (string, bool, error) {
		st, err := s.status(ctx)
		if err != nil {
			return "", false, err
		}
		switch st {
		case want:
			return st, true, nil
		case via:
			return st, false, nil
		}
		return st, false, wire.Errorf(wire.KindConflict, "%s failed: unexpected state '%s'", what, st)
	})
}

// waitGone polls GetSessionDetail until the session is gone, as the SDKs'
// delete does: NotFound, FINISH and DELETED all mean done.
func (s *Session) waitGone(ctx context.Context, o WaitOptions) (string, error) {
	o = o.withDefaults(DeleteWaitTimeout, DeletePollInterval)
	return poll(ctx, "Session deletion", o, func(ctx context.Context) (string, bool, error) {
		r, err := s.GetStatus(ctx)
		if wire.IsNotFound(err) {
			return StatusDeleted, true, nil
		}
		if err != nil {
			return "", false, err
		}
		done := r.Status == StatusFinish || r.Status == StatusDeleted
		return r.Status, done, nil
	})
}

// PauseAsync asks the service to pause the session and returns at once.
func (s *Session) PauseAsync(ctx context.Context) (*PauseResult, error) {
	return s.lifecycle(ctx, "PauseSessionAsync", StatusPausing)
}

// ResumeAsync asks the service to resume the session and returns at once.
func (s *Session) ResumeAsync(ctx context.Context) (*ResumeResult, error) {
	return s.lifecycle(ctx, "ResumeSessionAsync", StatusResuming)
}

func (s *Session) lifecycle(ctx context.Context, action, status string) (*StatusResult, error) {
	resp, err := s.client.do(ctx, wire.Call{Action: action, Form: s.form()})
	if err != nil {
		return nil, err
	}
	return &StatusResult{Result: ok(resp.RequestID), Status: status}, nil
}

// Pause pauses the session and waits until it is PAUSED.
func (s *Session) Pause(ctx context.Context, o WaitOptions) (*PauseResult, error) {
	return s.transition(ctx, s.PauseAsync, StatusPaused, o)
}

// Resume resumes the session and waits until it is RUNNING.
func (s *Session) Resume(ctx context.Context, o WaitOptions) (*ResumeResult, error) {
	return s.transition(ctx, s.ResumeAsync, StatusRunning, o)
}

func (s *Session) transition(ctx context.Context, start func(context.Context) (*StatusResult, error), want string, o WaitOptions) (*StatusResult, error) {
	r, err := start(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.WaitForStatus(ctx, want, o)
	if err != nil {
		if e, ok := err.(*wire.Error); ok && e.RequestID == "" {
			c := *e // a copy: the error may be shared (errClosed)
			c.RequestID = r.RequestID
			err = &c
		}
		return nil, err
	}
	r.Status = st
	return r, nil
}

// Delete deletes the session and waits until it is gone. With syncContext it
// first uploads the session's contexts and waits for the uploads, as the
// official SDKs do.
func (s *Session) Delete(ctx context.Context, syncContext bool) (*DeleteResult, error) {
	return s.DeleteWith(ctx, syncContext, WaitOptions{})
}

// DeleteWith is Delete with the options of its wait for the session to be
// gone (defaults: 300 s, polls at most 1 s apart), e.g. an OnStatus that
// sees DELETING, then DELETED.
func (s *Session) DeleteWith(ctx context.Context, syncContext bool, o WaitOptions) (*DeleteResult, error) {
	if syncContext {
		if _, err := s.ContextSync(ctx, "", "", "upload"); err != nil {
			return nil, err
		}
	}
	resp, err := s.client.do(ctx, wire.Call{Action: "DeleteSessionAsync", Form: s.form()})
	if err != nil {
		return nil, err
	}
	if _, err := s.WaitForStatus(ctx, StatusDeleted, o); err != nil {
		return nil, err
	}
	return &DeleteResult{Result: ok(resp.RequestID)}, nil
}
