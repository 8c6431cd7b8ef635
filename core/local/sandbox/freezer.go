package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A group holds the processes of one session so that they can be frozen,
// thawed and killed together. Box serialises the calls.
type group interface {
	// prepare readies the group for a new process and returns the
	// folder of the cgroup it is to join, or "".
	prepare() (string, error)
	// started records a new process group led by pid.
	started(pid int)
	freeze() error
	thaw() error
	// kill kills every process, leaves nothing frozen, and releases what
	// prepare made.
	kill() error
	// release drops what prepare made if no process is left.
	release()
	pids() []int
}

// cgroup is one session's cgroup, v1 freezer or v2. It exists only while
// the session has processes: made for a command, removed once none is
// left, so that idle sessions cost nothing and a crash leaves behind only
// the cgroups of sessions with live processes.
type cgroup struct {
	kind FreezerMode
	dir  string
}

func (g *cgroup) file(name string) string { return filepath.Join(g.dir, name) }

func freezeFile(kind FreezerMode) string {
	if kind == Cgroup2Freezer {
		return "cgroup.freeze"
	}
	return "freezer.state"
}

func (g *cgroup) prepare() (string, error) {
	if err := os.Mkdir(g.dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	return g.dir, nil
}

func (g *cgroup) started(int) {}

func (g *cgroup) exists() bool {
	_, err := os.Stat(g.dir)
	return err == nil
}

func (g *cgroup) freeze() error {
	if !g.exists() {
		return nil // no command has run: nothing to freeze
	}
	state, events, want := "FROZEN", "freezer.state", "FROZEN"
	if g.kind == Cgroup2Freezer {
		state, events, want = "1", "cgroup.events", "frozen 1"
	}
	if err := os.WriteFile(g.file(freezeFile(g.kind)), []byte(state), 0); err != nil {
		return err
	}
	// Freezing is asynchronous: wait until the kernel says it is done.
	return waitFor(func() (bool, error) {
		b, err := os.ReadFile(g.file(events))
		return strings.Contains(string(b), want), err
	})
}

func (g *cgroup) thaw() error {
	if !g.exists() {
		return nil
	}
	state := "THAWED"
	if g.kind == Cgroup2Freezer {
		state = "0"
	}
	return os.WriteFile(g.file(freezeFile(g.kind)), []byte(state), 0)
}

// kill freezes the cgroup so that nothing forks while its processes are
// being killed, kills them, thaws it so that they can die (a frozen
// process in a v1 freezer does not), and removes it once it is empty. A
// process that joins meanwhile (a shell that was starting) is killed in
// turn.
func (g *cgroup) kill() error {
	if !g.exists() {
		return nil
	}
	err := waitFor(func() (bool, error) {
		pids := g.pids()
		if len(pids) == 0 {
			err := os.Remove(g.dir)
			if err == nil || errors.Is(err, fs.ErrNotExist) {
				return true, nil
			}
			return false, ignore(err, syscall.EBUSY) // someone joined
		}
		g.freeze()
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		return false, g.thaw()
	})
	if err != nil {
		g.thaw()
		return fmt.Errorf("killing the processes of %s: %w", g.dir, err)
	}
	return nil
}

// ignore returns err unless it is errno.
func ignore(err error, errno syscall.Errno) error {
	if errors.Is(err, errno) {
		return nil
	}
	return err
}

func (g *cgroup) release() {
	if len(g.pids()) == 0 {
		os.Remove(g.dir) // fails harmlessly if a process joined meanwhile
	}
}

func (g *cgroup) pids() []int {
	b, _ := os.ReadFile(g.file("cgroup.procs"))
	var pids []int
	for f := range strings.FieldsSeq(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// signals holds a session's processes by the process groups of its
// commands, for machines without a usable cgroup freezer. Processes that
// leave their group (setsid) are found by the session's environment
// marker when the session is killed.
type signals struct {
	marker string
	groups map[int]bool
}

func (g *signals) prepare() (string, error) { return "", nil }

func (g *signals) started(pid int) { g.groups[pid] = true }

func (g *signals) signal(sig syscall.Signal) {
	for pgid := range g.groups {
		if syscall.Kill(-pgid, sig) == syscall.ESRCH {
			delete(g.groups, pgid) // the group is gone
		}
	}
}

func (g *signals) freeze() error { g.signal(syscall.SIGSTOP); return nil }

func (g *signals) thaw() error { g.signal(syscall.SIGCONT); return nil }

func (g *signals) kill() error {
	g.signal(syscall.SIGKILL)
	g.signal(syscall.SIGCONT)
	clear(g.groups)
	// Then whatever left its group, until nothing is left.
	return waitFor(func() (bool, error) {
		pids := markedPIDs(g.marker)
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
			syscall.Kill(pid, syscall.SIGCONT)
		}
		return len(pids) == 0, nil
	})
}

func (g *signals) release() {}

func (g *signals) pids() []int { return markedPIDs(g.marker) }

// waitFor calls done until it reports true, backing off from 100µs to 5ms
// between calls, for at most 10 seconds.
func waitFor(done func() (bool, error)) error {
	deadline := time.Now().Add(10 * time.Second)
	for d := 100 * time.Microsecond; ; d = min(2*d, 5*time.Millisecond) {
		ok, err := done()
		if ok || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(d)
	}
}
