package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// Proc is a command started in the background by Start. Its output is
// kept until it is read: each stream holds at most the manager's output
// limit of unread bytes, after which the command blocks on its writes as it
// would on a full pipe. Offsets count bytes from the start of a stream.
type Proc struct {
	cancel context.CancelFunc
	out    [2]*stream // stdout, stderr

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on new output or exit
	exited  bool
	res     Result // ExitCode and TimedOut, once exited
	killed  bool
}

// stream buffers one output stream of a Proc from its pipe.
type stream struct {
	p     *Proc
	r     *os.File
	limit int

	// guarded by p.mu
	base     int64  // offset of buf[0]
	buf      []byte // unread (not yet acknowledged) bytes
	finished bool   // no more bytes will come
	room     *sync.Cond
}

// Start starts c in the background. Its timeout, if any, kills its process
// group as Run's does; Kill kills it sooner.
func (b *Box) Start(c Command) (*Proc, error) {
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if c.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	p := &Proc{cancel: cancel, changed: make(chan struct{})}
	var w [2]*os.File
	for i := range p.out {
		r, wf, err := os.Pipe()
		if err != nil {
			for j := 0; j < i; j++ {
				p.out[j].r.Close()
				w[j].Close()
			}
			cancel()
			return nil, err
		}
		p.out[i] = &stream{p: p, r: r, limit: b.m.maxOutput, room: sync.NewCond(&p.mu)}
		w[i] = wf
	}
	cmd, err := b.start(ctx, c, w[0], w[1])
	w[0].Close()
	w[1].Close()
	if err != nil {
		for _, s := range p.out {
			s.r.Close()
		}
		cancel()
		var derr *dirError
		if errors.As(err, &derr) {
			return nil, fmt.Errorf("cd: %s: %v", derr.dir, derr.err)
		}
		return nil, err
	}
	for _, s := range p.out {
		go s.loop()
	}
	go func() {
		cmd.Wait()
		b.done()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		res := Result{ExitCode: ws.ExitStatus()}
		if ws.Signaled() {
			res.ExitCode = 128 + int(ws.Signal())
		}
		res.TimedOut = ctx.Err() == context.DeadlineExceeded
		cancel()
		// The command has exited: what is in the pipes now is the rest of
		// its output (background processes may hold the pipes open).
		for _, s := range p.out {
			s.r.SetReadDeadline(time.Now())
		}
		p.mu.Lock()
		p.exited, p.res = true, res
		p.notifyLocked()
		for _, s := range p.out {
			s.room.Broadcast()
		}
		p.mu.Unlock()
	}()
	return p, nil
}

func (s *stream) loop() {
	defer s.r.Close()
	buf := make([]byte, 32<<10)
	for {
		s.p.mu.Lock()
		for len(s.buf) >= s.limit && !s.p.exited {
			s.room.Wait() // the reader is behind: hold the command back
		}
		done := s.finished
		s.p.mu.Unlock()
		n, err := s.r.Read(buf)
		if !done {
			s.add(buf[:n])
		}
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded) && !done:
			s.drain(buf)
			s.finish()
			s.r.SetReadDeadline(time.Time{})
		case err != nil && !errors.Is(err, os.ErrDeadlineExceeded):
			s.finish()
			return
		}
	}
}

func (s *stream) drain(p []byte) { drainPipe(s.r, p, s.add) }

func (s *stream) add(b []byte) {
	if len(b) == 0 {
		return
	}
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.finished {
		return // written by a background process after the command exited
	}
	s.buf = append(s.buf, b...)
	s.p.notifyLocked()
}

func (s *stream) finish() {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if !s.finished {
		s.finished = true
		s.p.notifyLocked()
	}
}

func (p *Proc) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Output is what Read returns for one stream.
type Output struct {
	Data   string // from the offset asked for, ending on a UTF-8 boundary unless the stream ended
	Offset int64  // the offset after Data: the next one to ask for
}

// State is what Read returns.
type State struct {
	Stdout, Stderr Output
	Exited         bool // the command exited and both streams are read to the end
	Result         Result
	Killed         bool
}

// ErrOffset: an offset before output that was already acknowledged, or
// after the output.
var ErrOffset = errors.New("bad output offset")

// Read returns the output from the offsets given, at most max bytes per
// stream, and acknowledges (drops) the bytes before them. If there is no
// new output and the command has not ended, it waits up to wait for some.
func (p *Proc) Read(ctx context.Context, offsets [2]int64, max int, wait time.Duration) (State, error) {
	var timer <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	for {
		p.mu.Lock()
		st, ready, err := p.readLocked(offsets, max)
		ch := p.changed
		p.mu.Unlock()
		if err != nil || ready || timer == nil {
			return st, err
		}
		select {
		case <-ch:
		case <-timer:
			timer = nil
		case <-ctx.Done():
			return st, ctx.Err()
		}
	}
}

func (p *Proc) readLocked(offsets [2]int64, max int) (st State, ready bool, err error) {
	var outs [2]Output
	ended := p.exited
	for i, s := range p.out {
		off := offsets[i]
		end := s.base + int64(len(s.buf))
		if off < s.base || off > end {
			return st, false, fmt.Errorf("%w %d: the %s output available runs from %d to %d",
				ErrOffset, off, [2]string{"stdout", "stderr"}[i], s.base, end)
		}
		if off > s.base { // acknowledged
			s.buf = s.buf[off-s.base:]
			s.base = off
			if len(s.buf) == 0 {
				s.buf = nil
			}
			s.room.Broadcast()
		}
		data := s.buf[:min(len(s.buf), max)]
		if !s.finished {
			data = data[:utf8Cut(data)]
		}
		outs[i] = Output{Data: string(data), Offset: off + int64(len(data))}
		if len(data) > 0 {
			ready = true
		}
		if !s.finished || outs[i].Offset != end {
			ended = false
		}
	}
	st = State{Stdout: outs[0], Stderr: outs[1], Exited: ended, Killed: p.killed}
	if ended {
		st.Result = p.res
		ready = true
	}
	return st, ready, nil
}

// utf8Cut returns the length of b without a UTF-8 sequence cut short at
// its end.
func utf8Cut(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

// Kill kills the command's process group; it is a no-op once the command
// has exited.
func (p *Proc) Kill() {
	p.mu.Lock()
	if !p.exited {
		p.killed = true
	}
	p.mu.Unlock()
	p.cancel()
}

// Exited reports whether the command has exited.
func (p *Proc) Exited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}
