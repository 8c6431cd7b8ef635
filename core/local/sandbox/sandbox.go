// Package sandbox runs the processes of local sessions.
//
// Each session has a folder with a root inside; the session's /tmp and
// /home/wuying are root/tmp and root/home/wuying. Where the machine allows,
// every command runs in a private mount namespace that shows those folders
// at /tmp and /home, so that commands and the file tools see the same
// files. With mount namespaces alone (the server is root), a session has
// one namespace, made for its first command and shared by the next ones;
// with user namespaces, each command makes its own. All processes of a
// session are held together (a cgroup, else process groups) so that they
// can be frozen, thawed and killed at once.
//
// A sandbox is not a security boundary against the commands it runs: they
// run as the server's user and see the rest of the host's file system.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Home is where a session's commands start, as they see it.
const Home = "/home/wuying"

// ErrFrozen is returned by Run on a frozen box.
var ErrFrozen = errors.New("the session is paused")

// Manager makes boxes that share one isolation setting.
type Manager struct {
	iso       Isolation
	maxOutput int
	path      string // PATH of commands
	direct    bool   // simple commands may be exec'd without a shell (see direct.go)
}

// NewManager returns a Manager for iso (usually Probe()). Each output
// stream of a command is cut after maxOutput bytes.
func NewManager(iso Isolation, maxOutput int) *Manager {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	return &Manager{iso: iso, maxOutput: maxOutput, path: path, direct: directPath(path, iso)}
}

// BashOnly makes every command of m's boxes run with the shell, as before
// direct commands (benchmarks compare the two; env AGENTBAY_LOCAL_BASH_ONLY=1
// does it for every manager).
func (m *Manager) BashOnly() { m.direct = false }

// Isolation returns what the manager's boxes use.
func (m *Manager) Isolation() Isolation { return m.iso }

// Box is the sandbox of one session.
type Box struct {
	m    *Manager
	id   string
	dir  string
	root string

	// gate is held shared by each start of a process, from the frozen
	// check until the process is in the group, and alone by Freeze, Thaw
	// and Kill, so that these see every process that was started.
	gate sync.RWMutex

	mu      sync.Mutex // guards the fields below; taken after gate
	frozen  bool
	running int // commands started and not yet waited for
	group   group
	ns      *mountNS // in MountNamespace mode, once a command has run
}

// Open returns the box of session id kept in dir, making its root, /tmp
// and home if they are missing. It starts no process.
func (m *Manager) Open(id, dir string) (*Box, error) {
	b := &Box{m: m, id: id, dir: dir, root: filepath.Join(dir, "root")}
	if err := b.makeDirs(); err != nil {
		return nil, err
	}
	if m.iso.Freezer == SignalFreezer {
		b.group = &signals{marker: b.marker(), groups: map[int]bool{}}
	} else {
		b.group = &cgroup{kind: m.iso.Freezer, dir: filepath.Join(m.iso.CgroupDir, id)}
	}
	return b, nil
}

// makeDirs makes the session's root, /tmp and home if they are missing
// (a file tool may have deleted an empty one).
func (b *Box) makeDirs() error {
	for _, d := range []string{"tmp", Home[1:]} {
		if err := os.MkdirAll(filepath.Join(b.root, d), 0o755); err != nil {
			return err
		}
	}
	return os.Chmod(filepath.Join(b.root, "tmp"), 0o777|os.ModeSticky)
}

func (b *Box) marker() string { return markerVar + "=" + b.id }

// Root is the host path of the session's root folder.
func (b *Box) Root() string { return b.root }

// View returns the path under which the box's commands see the host path
// p: in a namespace, paths in the session's /tmp and /home are seen there.
func (b *Box) View(p string) string {
	if b.m.iso.Namespaces == NoNamespace {
		return p
	}
	rel, err := filepath.Rel(b.root, p)
	if err != nil {
		return p
	}
	for _, d := range []string{"tmp", "home"} {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return "/" + rel
		}
	}
	return p
}

// Shows reports whether the box's commands see the host path p, a folder
// inside the root, as a folder of the session: always without a namespace
// (commands see the host's file system, root included), and in a namespace
// only under the session's /tmp and /home, the folders it shows. (Whether
// the rest of the root is there at all, under its host path, depends on
// where the data folder is: not if it is under the host's /tmp or /home.)
func (b *Box) Shows(p string) bool {
	return b.m.iso.Namespaces == NoNamespace || b.View(p) != p
}

// Command is one shell command to run in a box.
type Command struct {
	Script  string            // run by the shell with -c (or exec'd directly if simple: direct.go)
	Dir     string            // host path of the working folder; "" = home
	Env     map[string]string // added to the environment
	Stdin   string
	Timeout time.Duration // 0 = none
}

// Result is how a command ended. Processes it left in the background keep
// running.
type Result struct {
	Stdout, Stderr string
	ExitCode       int  // 128+N if killed by signal N
	TimedOut       bool // the timeout killed the command's process group
}

// prelude runs before a command, in the shell that becomes the command,
// where a command cannot start right away in its cgroup and namespace: it
// joins the session's cgroup (folder $1, if any) before anything can
// fork, bind-mounts the session's home and tmp (relative to the cwd, the
// session root, with the mount binary $2, if any), and changes to the
// working folder $3. Exit status 125 means the prelude failed.
const prelude = `[ -z "$1" ] || echo $$ > "$1/cgroup.procs" || exit 125
if [ -n "$2" ]; then "$2" -c --bind home /home && "$2" -c --bind tmp /tmp || exit 125; fi
cd "$3" || exit 125
exec "$0" -c "$4"`

// preludeFailed is the exit status of a command that could not get ready
// (its cgroup, mounts or working folder), as the prelude reports it. Run
// reports a working folder that cannot be entered the same way without a
// prelude.
const preludeFailed = 125

// dirError: the working folder of a command cannot be entered.
type dirError struct {
	dir string
	err error
}

func (e *dirError) Error() string { return "cd: " + e.dir + ": " + e.err.Error() }

// checkDir returns a *dirError if dir is not a folder.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil && !fi.IsDir() {
		err = syscall.ENOTDIR
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if err != nil {
		return &dirError{dir, err}
	}
	return nil
}

// startIn starts cmd, reporting a working folder that cannot be entered
// as a *dirError (the child's chdir fails without saying so).
func startIn(cmd *exec.Cmd) error {
	err := cmd.Start()
	if err != nil && cmd.Dir != "" {
		if derr := checkDir(cmd.Dir); derr != nil {
			return derr
		}
	}
	return err
}

// Run runs c and returns once it has exited (or timed out, and its
// process group was killed) and its output is read.
func (b *Box) Run(ctx context.Context, c Command) (Result, error) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	stdout, outW, err := newCapture(b.m.maxOutput)
	if err != nil {
		return Result{}, err
	}
	stderr, errW, err := newCapture(b.m.maxOutput)
	if err != nil {
		outW.Close()
		stdout.finish()
		return Result{}, err
	}
	cmd, err := b.start(ctx, c, outW, errW)
	outW.Close()
	errW.Close()
	if derr, ok := err.(*dirError); ok {
		// As a shell's cd would fail.
		stdout.finish()
		stderr.finish()
		msg := derr.err.Error()
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		return Result{Stderr: fmt.Sprintf("cd: %s: %s\n", derr.dir, msg), ExitCode: preludeFailed}, nil
	}
	if err != nil {
		stdout.finish()
		stderr.finish()
		return Result{}, err
	}
	cmd.Wait()
	b.done()
	res := Result{Stdout: stdout.finish(), Stderr: stderr.finish()}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	res.ExitCode = ws.ExitStatus()
	if ws.Signaled() {
		res.ExitCode = 128 + int(ws.Signal())
	}
	if ctx.Err() == context.DeadlineExceeded {
		res.TimedOut = true
	} else if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

func (b *Box) start(ctx context.Context, c Command, stdout, stderr *os.File) (*exec.Cmd, error) {
	b.gate.RLock()
	defer b.gate.RUnlock()
	viaShell, retried := false, false
	for {
		direct := false
		cmd, cgroupFD, ns, want, err := b.prepareCmd(ctx, c, viaShell, &direct)
		if err != nil {
			return nil, err
		}
		if c.Stdin != "" {
			cmd.Stdin = strings.NewReader(c.Stdin)
			// A background process that inherits stdin and never reads
			// it must not keep Wait from returning.
			cmd.WaitDelay = time.Second
		}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		// Other commands of the box start meanwhile: fork and exec take
		// most of the time of a start.
		if ns != nil {
			err = ns.start(cmd, want)
		} else {
			err = startIn(cmd)
		}
		if cgroupFD >= 0 {
			unix.Close(cgroupFD)
		}
		b.mu.Lock()
		if err == nil {
			b.group.started(cmd.Process.Pid)
			b.mu.Unlock()
			if direct {
				directStarts.Add(1)
			} else {
				shellStarts.Add(1)
			}
			return cmd, nil
		}
		b.doneLocked()
		var derr *dirError
		if direct && err != errStaleNS && !errors.As(err, &derr) {
			// The program could not be exec'd (e.g. a script without
			// #!): bash runs it, or says why not, as before.
			viaShell = true
			b.mu.Unlock()
			continue
		}
		if err == errStaleNS && !retried {
			retried = true
			// Start again in a new namespace.
			if b.ns == ns {
				b.dropNS()
			}
			b.mu.Unlock()
			continue
		}
		b.mu.Unlock()
		return nil, err
	}
}

// prepareCmd readies the box for a process to run c and returns its
// command, with arguments, folder, environment and attributes; the cgroup
// into which it is to be cloned (else -1), to be closed once it has
// started; and the namespace it is to start in, if any, with the view of
// the session's folders it is to show. Unless viaShell, a simple command
// is to be exec'd without the shell, which it notes in *direct. Unless it
// fails, it counts the command as running.
func (b *Box) prepareCmd(ctx context.Context, c Command, viaShell bool, direct *bool) (cmd *exec.Cmd, cgroupFD int, ns *mountNS, want view, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.frozen {
		return nil, -1, nil, want, ErrFrozen
	}
	if err := b.makeDirs(); err != nil {
		return nil, -1, nil, want, err
	}
	cgroupDir, err := b.group.prepare()
	if err != nil {
		return nil, -1, nil, want, err
	}
	// Until it is done, the group stays (see done).
	b.running++
	defer func() {
		if err != nil {
			b.doneLocked()
		}
	}()
	iso := b.m.iso
	if iso.Namespaces == MountNamespace {
		if want, err = viewOf(b.root); err != nil {
			return nil, -1, nil, want, err
		}
		if ns, err = b.mountNS(); err != nil {
			return nil, -1, nil, want, err
		}
	}
	dir := c.Dir
	if dir == "" {
		dir = filepath.Join(b.root, Home)
	}
	dir = b.View(dir)
	// Usually the shell runs the command straight away, in its working
	// folder, cloned into its cgroup and namespace; where no prelude is
	// needed, a simple command is exec'd in the shell's place, with the
	// environment the shell would give it.
	cmd = exec.CommandContext(ctx, iso.Shell, "-c", c.Script)
	cmd.Dir = dir
	cmd.Env = b.env(c.Env, dir)
	cmd.SysProcAttr = b.procAttr()
	cgroupFD, join := -1, cgroupDir
	if join != "" && iso.Freezer == Cgroup2Freezer && iso.CloneIntoCgroup {
		cgroupFD, err = unix.Open(cgroupDir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, -1, nil, want, err
		}
		cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, cgroupFD
		join = ""
	}
	if join != "" || iso.Namespaces == UserNamespace {
		// Else a prelude joins the cgroup or makes the mounts.
		mount := ""
		cmd.Dir = "/"
		if iso.Namespaces == UserNamespace {
			mount, cmd.Dir = iso.Mount, b.root
		}
		cmd.Args = []string{iso.Shell, "-c", prelude, iso.Shell, join, mount, dir, c.Script}
	} else if path, argv := b.directArgv(c); path != "" && !viaShell {
		cmd.Path, cmd.Args, cmd.Err = path, argv, nil
		cmd.Env = append(cmd.Env, "SHLVL=0", "_="+path)
		*direct = true
	}
	return cmd, cgroupFD, ns, want, nil
}

// mountNS returns the box's mount namespace, made if there is none.
func (b *Box) mountNS() (*mountNS, error) {
	if b.ns == nil {
		ns, err := newMountNS(b.root)
		if err != nil {
			return nil, err
		}
		b.ns = ns
	}
	return b.ns, nil
}

// dropNS lets the box's mount namespace go once no process is left in it.
func (b *Box) dropNS() {
	if b.ns != nil {
		b.ns.close()
		b.ns = nil
	}
}

// done notes that a command has ended. Once none runs, the group can go
// if the command left no process behind. A command that is still starting
// has not joined its cgroup yet, which is why this waits for all of them.
func (b *Box) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.doneLocked()
}

func (b *Box) doneLocked() {
	if b.running--; b.running == 0 {
		b.group.release()
	}
}

// env is the environment of a command: nothing of the server's own
// (which may hold the API key) but PATH.
func (b *Box) env(extra map[string]string, dir string) []string {
	env := []string{
		"PATH=" + b.m.path,
		"PWD=" + dir, // so that the shell keeps the path as given
		"HOME=" + b.View(filepath.Join(b.root, Home)),
		"LANG=C.UTF-8",
		b.marker(),
	}
	if b.m.iso.Namespaces == NoNamespace {
		env = append(env, "TMPDIR="+filepath.Join(b.root, "tmp"))
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

func (b *Box) procAttr() *syscall.SysProcAttr {
	// Setpgid: the command and what it starts form a process group, which
	// a timeout kills as a whole.
	a := &syscall.SysProcAttr{Setpgid: true}
	if b.m.iso.Namespaces == UserNamespace {
		// A multi-threaded process cannot enter a user namespace, so
		// each command makes its own. Go makes the new mount namespace's
		// mounts private, so that the bind mounts of the prelude do not
		// leak out.
		a.Cloneflags = syscall.CLONE_NEWUSER
		a.Unshareflags = syscall.CLONE_NEWNS
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}
	return a
}

// Freeze stops every process of the box and keeps new ones from starting
// until Thaw.
func (b *Box) Freeze() error {
	b.gate.Lock()
	defer b.gate.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.frozen = true
	return b.group.freeze()
}

// Thaw resumes what Freeze stopped.
func (b *Box) Thaw() error {
	b.gate.Lock()
	defer b.gate.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.group.thaw(); err != nil {
		return err
	}
	b.frozen = false
	return nil
}

// Kill kills every process of the box, frozen or not, and drops its
// mount namespace (with whatever commands mounted there). The box keeps
// its files and stays usable.
func (b *Box) Kill() error {
	b.gate.Lock()
	defer b.gate.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropNS()
	return b.group.kill()
}

// Remove kills every process of the box and deletes its folder.
func (b *Box) Remove() error {
	if err := b.Kill(); err != nil {
		return err
	}
	return os.RemoveAll(b.dir)
}

// Usage returns what the box's live processes use now.
func (b *Box) Usage() Usage {
	b.mu.Lock()
	pids := b.group.pids()
	b.mu.Unlock()
	return usage(pids)
}
