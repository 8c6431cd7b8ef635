package local

import (
	"fmt"
	"net/http"
	"time"
)

// Idle release: a session created with an idle timeout (CreateMcpSession's
// Timeout, in seconds, the official SDKs' idle_release_timeout) is released
// once no call has been made on it for that long. Every authenticated
// action naming the session counts (RefreshSessionIdleTime is the one made
// for it), as do /callTool calls, except the status reads GetSession and
// GetSessionDetail; a call in progress holds the clock. Only
// RUNNING sessions are released: a paused session waits for its resume.

// releasedReason is the EndReason of a session released for idleness.
const releasedReason = "IdleTimeout"

// keepReleased bounds how many released sessions GetSessionDetail still
// reports; older ones are simply not found.
const keepReleased = 1000

// release is what is kept of a session the server ended.
type release struct {
	Reason  string
	Message string
	At      time.Time
	seq     uint64
}

// begin counts a call on the session in: it is active until done.
func (se *session) begin(now time.Time) {
	se.idleMu.Lock()
	se.busy++
	se.lastActive = now
	se.idleMu.Unlock()
}

// done ends a call begun with begin.
func (se *session) done(now time.Time) {
	se.idleMu.Lock()
	se.busy--
	se.lastActive = now
	se.idleMu.Unlock()
}

// idleSince says since when the session has been idle, false while a call
// is in progress.
func (se *session) idleSince() (time.Time, bool) {
	se.idleMu.Lock()
	defer se.idleMu.Unlock()
	return se.lastActive, se.busy == 0
}

// wakeIdle tells the release loop that a deadline may be sooner.
func (s *Server) wakeIdle() {
	select {
	case s.idleWake <- struct{}{}:
	default:
	}
}

// releaseIdleLoop releases idle sessions when their time comes, until the
// server closes.
func (s *Server) releaseIdleLoop() {
	defer s.work.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := s.ReleaseIdle()
		timer.Reset(next)
		select {
		case <-s.ctx.Done():
			return
		case <-timer.C:
		case <-s.idleWake:
			timer.Stop() // since Go 1.23 a stopped timer delivers nothing stale
		}
	}
}

// ReleaseIdle releases every session idle for longer than its idle
// timeout, now (by Options.Now), and says how long until the next one may
// be due. The server calls it when that time comes; tests that move the
// clock call it themselves.
func (s *Server) ReleaseIdle() time.Duration {
	now := s.opts.Now()
	s.mu.Lock()
	live := append([]*session(nil), s.order...)
	s.mu.Unlock()
	next := time.Minute // a recheck, whatever happens
	for _, se := range live {
		timeout := se.snapshot().IdleTimeout
		since, idle := se.idleSince()
		if timeout <= 0 || !idle {
			continue
		}
		if left := since.Add(timeout).Sub(now); left > 0 {
			next = min(next, left)
			continue
		}
		s.releaseIdle(se, timeout)
	}
	return max(next, time.Millisecond)
}

// releaseIdle ends a RUNNING session as DeleteSessionAsync would, and
// keeps why for GetSessionDetail and the not-found messages.
func (s *Server) releaseIdle(se *session, timeout time.Duration) {
	se.mu.Lock()
	if se.rec.Status != statusRunning {
		se.mu.Unlock()
		return
	}
	err := s.setStatus(se, statusDeleting)
	se.mu.Unlock()
	if err != nil {
		s.log.Error("releasing an idle session", "session", se.id, "err", err)
		return
	}
	r := release{Reason: releasedReason, At: s.opts.Now().UTC(),
		Message: fmt.Sprintf("The session was released after %s without activity (idle_release_timeout).", timeout)}
	s.mu.Lock()
	r.seq = se.rec.Seq
	s.released[se.id] = r
	if len(s.released) > keepReleased {
		oldest := ""
		for id, o := range s.released {
			if oldest == "" || o.seq < s.released[oldest].seq {
				oldest = id
			}
		}
		delete(s.released, oldest)
	}
	s.mu.Unlock()
	s.log.Info("session idle: releasing it", "session", se.id, "idle_timeout", timeout)
	s.destroy(se)
}

// notFound is the answer for a session id that is not live: the cloud's,
// with the reason when the server released it.
func (s *Server) notFound(id string) error {
	s.mu.Lock()
	r, ok := s.released[id]
	s.mu.Unlock()
	if !ok {
		return errNotFound
	}
	return &apiError{http.StatusBadRequest, errNotFound.Code, errNotFound.Message + " " + r.Message}
}

// releasedDetail is GetSessionDetail's Data for a session the server
// released: status FINISH (what ends the SDKs' delete polling), IsDeleted
// 1 and the EndReason of the official model.
func (s *Server) releasedDetail(id string) (map[string]any, bool) {
	s.mu.Lock()
	r, ok := s.released[id]
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	return map[string]any{"Status": "FINISH", "IsDeleted": 1, "EndReason": r.Reason,
		"EndMessage": r.Message, "EndTime": r.At.Format(time.RFC3339)}, true
}
