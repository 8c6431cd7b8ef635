package sandbox

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// capture collects what a command writes to one of its streams, up to a
// limit.
//
// A command may leave a background process that holds the stream open
// (`server &`), so the end of the stream cannot mark the end of the
// command. Instead, once the command has exited, finish takes everything
// that is already in the pipe, and from then on the capture reads and
// drops whatever the background processes write, until they close the
// pipe. They never see a broken pipe, and nothing piles up.
type capture struct {
	r     *os.File
	limit int
	done  chan struct{} // closed once the command's output is complete

	mu       sync.Mutex
	buf      []byte
	omitted  int64
	finished bool
}

// newCapture returns a capture and the write end of its pipe, to be given
// to the command and closed by the caller once the command has started.
func newCapture(limit int) (*capture, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	c := &capture{r: r, limit: limit, done: make(chan struct{})}
	go c.loop()
	return c, w, nil
}

func (c *capture) loop() {
	defer c.r.Close()
	p := make([]byte, 32<<10)
	for {
		n, err := c.r.Read(p)
		c.add(p[:n])
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			// finish woke us: take what is left without blocking.
			c.drain(p)
			c.markFinished()
			c.r.SetReadDeadline(time.Time{})
		case err != nil: // every writer is gone
			c.markFinished()
			return
		}
	}
}

// drain reads what is in the pipe right now. The descriptor is
// non-blocking, so a read of an empty pipe returns at once.
func (c *capture) drain(p []byte) { drainPipe(c.r, p, c.add) }

// drainPipe hands add what the non-blocking pipe r holds right now, read
// into p a piece at a time.
func drainPipe(r *os.File, p []byte, add func([]byte)) {
	rc, err := r.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		for {
			n, err := unix.Read(int(fd), p)
			if n <= 0 || err != nil {
				return
			}
			add(p[:n])
		}
	})
}

func (c *capture) add(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finished {
		return
	}
	keep := min(len(p), c.limit-len(c.buf))
	c.buf = append(c.buf, p[:keep]...)
	c.omitted += int64(len(p) - keep)
}

func (c *capture) markFinished() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.finished {
		c.finished = true
		close(c.done)
	}
}

// finish returns the output of a command that has exited.
func (c *capture) finish() string {
	// If background processes hold the pipe, the reader is blocked:
	// wake it. If it has already seen the end, this fails harmlessly.
	c.r.SetReadDeadline(time.Now())
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.omitted > 0 {
		return fmt.Sprintf("%s\n[output truncated: %d bytes omitted]", c.buf, c.omitted)
	}
	return string(c.buf)
}
