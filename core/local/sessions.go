package local

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/libagentbay/libagentbay/core/local/sandbox"
	"github.com/libagentbay/libagentbay/core/local/store"
	"github.com/libagentbay/libagentbay/core/local/tools"
)

// Session statuses, as in section 6 of the wire protocol.
const (
	statusRunning  = "RUNNING"
	statusPausing  = "PAUSING"
	statusPaused   = "PAUSED"
	statusResuming = "RESUMING"
	statusDeleting = "DELETING"
)

// session is a live session. Its record is guarded by mu; every change of
// the record is written to the database before mu is released, so that
// the database never runs behind what a client was told.
type session struct {
	id  string
	box *sandbox.Box
	ws  *tools.Workspace

	mu    sync.Mutex
	rec   store.Record
	tasks []contextTask // the context syncs run, for GetContextInfo

	idleMu     sync.Mutex // guards what idle release reads
	lastActive time.Time  // the end of the last call on the session, or its start
	busy       int        // calls in progress
}

func (se *session) snapshot() store.Record {
	se.mu.Lock()
	defer se.mu.Unlock()
	r := se.rec
	r.Labels = maps.Clone(se.rec.Labels)
	return r
}

func (s *Server) sessionDir(id string) string {
	return filepath.Join(s.opts.DataDir, "sessions", id)
}

func (s *Server) open(rec store.Record) (*session, error) {
	box, err := s.boxes.Open(rec.ID, s.sessionDir(rec.ID))
	if err != nil {
		return nil, err
	}
	return &session{id: rec.ID, box: box, ws: tools.NewWorkspace(box, s.limits), rec: rec,
		lastActive: s.opts.Now()}, nil
}

// add makes se visible; the caller holds s.mu.
func (s *Server) add(se *session) {
	s.sessions[se.id] = se
	s.tokens[se.rec.Token] = se
	s.order = append(s.order, se)
}

// restore brings back the sessions of the database. Processes of a
// previous run are killed: a RUNNING session comes back RUNNING with its
// files but no processes, a PAUSED one PAUSED. Transitions cut short by a
// crash are finished: PAUSING becomes PAUSED, RESUMING becomes RUNNING,
// and a DELETING session is deleted.
func (s *Server) restore() error {
	recs, err := s.db.All()
	if err != nil {
		return err
	}
	for _, rec := range recs {
		se, err := s.open(rec)
		if err != nil {
			return err
		}
		if err := se.box.Kill(); err != nil {
			s.log.Error("killing processes left by a previous run", "session", rec.ID, "err", err)
		}
		switch rec.Status {
		case statusDeleting:
			s.destroy(se)
			continue
		case statusPausing:
			se.rec.Status = statusPaused
		case statusResuming:
			se.rec.Status = statusRunning
		}
		if se.rec.Status != rec.Status {
			if err := s.db.Put(&se.rec); err != nil {
				return err
			}
		}
		s.add(se)
	}
	return nil
}

func (s *Server) create(ctx context.Context, imageID, policyID string, labels map[string]string, mounts []store.Mount,
	idleTimeout time.Duration) (*session, error) {
	s.mu.Lock()
	if len(s.sessions)+s.creating >= s.opts.MaxSessions {
		s.mu.Unlock()
		return nil, &apiError{http.StatusBadRequest, "QuotaExceeded",
			fmt.Sprintf("the server already has %d sessions, its maximum; delete some first", s.opts.MaxSessions)}
	}
	s.creating++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.creating--
		s.mu.Unlock()
	}()
	if d := s.emu.pick(s.emu.Create); d > 0 {
		sleep(ctx, d) // an emulated creation: the reply comes once the session is "ready"
		if ctx.Err() != nil {
			return nil, &apiError{http.StatusServiceUnavailable, "ServiceUnavailable", "the request ended while the session was being created"}
		}
	}

	se, err := s.open(store.Record{
		ID:        newSessionID(),
		Status:    statusRunning,
		Labels:    labels,
		ImageID:   imageID,
		PolicyID:  policyID,
		Token:     newToken(),
		LinkToken: newToken(),
		Created:   time.Now().UTC(),
		Contexts:  mounts,

		IdleTimeout: idleTimeout,
	})
	if err == nil {
		err = s.db.Put(&se.rec)
	}
	if err != nil {
		return nil, internal(err)
	}
	// The session starts with a copy of each mounted context, as the cloud
	// downloads them; a context that cannot be copied is a failed task.
	for _, m := range mounts {
		s.sync(se, m, "download")
	}
	s.mu.Lock()
	s.add(se)
	s.mu.Unlock()
	if idleTimeout > 0 {
		s.wakeIdle()
	}
	s.log.Info("session created", "session", se.id, "image", imageID)
	return se, nil
}

// get returns the live session id.
func (s *Server) get(id string) (*session, error) {
	s.mu.Lock()
	se, ok := s.sessions[id]
	s.mu.Unlock()
	if !ok {
		return nil, s.notFound(id)
	}
	return se, nil
}

// setStatus changes and saves the status; the caller holds se.mu.
func (s *Server) setStatus(se *session, status string) error {
	old := se.rec.Status
	se.rec.Status = status
	if err := s.db.Put(&se.rec); err != nil {
		se.rec.Status = old
		return internal(err)
	}
	return nil
}

func statusError(se *session, advice string) error {
	return &apiError{http.StatusBadRequest, "InvalidSessionStatus",
		fmt.Sprintf("session %s is %s; %s", se.id, se.rec.Status, advice)}
}

// usable checks that tools may run in the session; the caller holds se.mu.
func (se *session) usable() error {
	switch se.rec.Status {
	case statusRunning:
		return nil
	case statusPaused, statusPausing:
		return statusError(se, "resume it first")
	case statusResuming:
		return statusError(se, "try again once it is RUNNING")
	}
	return statusError(se, "it is being deleted")
}

func (se *session) checkUsable() error {
	se.mu.Lock()
	defer se.mu.Unlock()
	return se.usable()
}

// pause moves a RUNNING session to PAUSING, and to PAUSED once its
// processes are frozen. Pausing a paused or pausing session does nothing.
func (s *Server) pause(se *session) error {
	se.mu.Lock()
	defer se.mu.Unlock()
	switch se.rec.Status {
	case statusPaused, statusPausing:
		return nil
	case statusRunning:
	default:
		return statusError(se, "only a RUNNING session can be paused")
	}
	if err := s.setStatus(se, statusPausing); err != nil {
		return err
	}
	s.transition(se, s.emu.pick(s.emu.Pause), se.box.Freeze, se.box.Thaw, statusPaused, statusRunning)
	return nil
}

// resume moves a PAUSED session to RESUMING, and to RUNNING once its
// processes are thawed. Resuming a running or resuming session does
// nothing.
func (s *Server) resume(se *session) error {
	se.mu.Lock()
	defer se.mu.Unlock()
	switch se.rec.Status {
	case statusRunning, statusResuming:
		return nil
	case statusPaused:
	default:
		return statusError(se, "only a PAUSED session can be resumed")
	}
	if err := s.setStatus(se, statusResuming); err != nil {
		return err
	}
	s.transition(se, s.emu.pick(s.emu.Resume), se.box.Thaw, se.box.Freeze, statusRunning, statusPaused)
	return nil
}

// transition runs do in the background, then sets the status to done, no
// sooner than took after the start (an emulated duration; Close cuts it
// short); if do fails, it runs undo and goes back to the status before. The
// caller holds se.mu and has set the transitional status.
func (s *Server) transition(se *session, took time.Duration, do, undo func() error, done, before string) {
	start := time.Now()
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		err := do()
		sleep(s.ctx, took-time.Since(start))
		if err != nil {
			s.log.Error("session transition failed", "session", se.id, "to", done, "err", err)
			undo()
			done = before
		}
		se.mu.Lock()
		defer se.mu.Unlock()
		if err := s.setStatus(se, done); err != nil {
			s.log.Error("saving a session's status", "session", se.id, "err", err)
		}
		s.log.Info("session status", "session", se.id, "status", done)
	}()
}

// delete moves a RUNNING session to DELETING, then kills its processes
// and removes its files and record, in the background unless wait is set.
// Afterwards the session is not found. Deleting a deleting session does
// nothing; a paused one must be resumed first, as in the cloud.
func (s *Server) delete(se *session, wait bool) error {
	se.mu.Lock()
	switch se.rec.Status {
	case statusDeleting:
		se.mu.Unlock()
		return nil
	case statusRunning:
	case statusPaused, statusPausing:
		se.mu.Unlock()
		return statusError(se, "a paused session cannot be deleted; resume it first")
	default:
		se.mu.Unlock()
		return statusError(se, "try again once it is RUNNING")
	}
	err := s.setStatus(se, statusDeleting)
	se.mu.Unlock()
	if err != nil {
		return err
	}
	if wait {
		s.destroy(se)
		return nil
	}
	took := s.emu.pick(s.emu.Delete)
	start := time.Now()
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		sleep(s.ctx, took-time.Since(start)) // an emulated duration; Close cuts it short
		s.destroy(se)
	}()
	return nil
}

// destroy kills the session's processes and removes its files and record.
func (s *Server) destroy(se *session) {
	for _, m := range se.snapshot().Contexts {
		if autoUploads(m.Policy) {
			s.sync(se, m, "upload")
		}
	}
	s.dropFileTransfer(se)
	if err := se.box.Remove(); err != nil {
		s.log.Error("removing a session", "session", se.id, "err", err)
	}
	if err := s.db.Delete(se.id); err != nil {
		s.log.Error("deleting a session's record", "session", se.id, "err", err)
	}
	s.mu.Lock()
	if s.sessions[se.id] == se {
		delete(s.sessions, se.id)
		delete(s.tokens, se.rec.Token)
		s.order = slices.DeleteFunc(s.order, func(o *session) bool { return o == se })
	}
	s.mu.Unlock()
	s.log.Info("session deleted", "session", se.id)
}
