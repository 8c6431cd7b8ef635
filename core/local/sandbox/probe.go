package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// NamespaceMode says how commands get the session's own /tmp and /home.
type NamespaceMode int

const (
	// NoNamespace: commands see the host's file system; only their cwd,
	// HOME and TMPDIR point into the session's root.
	NoNamespace NamespaceMode = iota
	// MountNamespace: each command runs in a new private mount namespace
	// where the session's root/tmp and root/home are bind-mounted on /tmp
	// and /home (needs CAP_SYS_ADMIN, e.g. root).
	MountNamespace
	// UserNamespace: as MountNamespace, inside a new user namespace that
	// maps the server's user to root, for servers that are not root.
	UserNamespace
)

// FreezerMode says how the processes of a session are held, paused and
// killed.
type FreezerMode int

const (
	// SignalFreezer: process groups, paused with SIGSTOP and resumed with
	// SIGCONT. A process that leaves its group escapes pausing.
	SignalFreezer FreezerMode = iota
	// Cgroup1Freezer: one cgroup per session in the cgroup v1 freezer
	// hierarchy.
	Cgroup1Freezer
	// Cgroup2Freezer: one cgroup per session in a cgroup v2 hierarchy,
	// paused with cgroup.freeze.
	Cgroup2Freezer
)

// Isolation is what the machine allows; Probe finds it.
type Isolation struct {
	Namespaces NamespaceMode
	Freezer    FreezerMode
	CgroupDir  string // parent of the per-session cgroups, for the cgroup modes
	Shell      string // runs commands: bash if present, else /bin/sh
	Mount      string // the mount binary, for the namespace modes
	// CloneIntoCgroup: in Cgroup2Freezer mode, commands are cloned
	// straight into their cgroup (Linux 5.7+) rather than moved there by
	// their shell.
	CloneIntoCgroup bool
}

func (iso Isolation) String() string {
	ns := [...]string{"no namespaces (commands see the host's /tmp and /home)",
		"mount namespaces", "user and mount namespaces"}[iso.Namespaces]
	fz := [...]string{"process groups with SIGSTOP/SIGCONT", "cgroup v1 freezer", "cgroup v2 freezer"}[iso.Freezer]
	return ns + ", " + fz
}

// cgroupName is the folder, inside the server's own cgroup, that holds one
// cgroup per session.
const cgroupName = "agentbay-local"

var probed = sync.OnceValue(probe)

// Probe finds what isolation the machine allows. It runs its checks once
// per process and returns the same answer afterwards.
func Probe() Isolation { return probed() }

func probe() Isolation {
	iso := Isolation{Shell: "/bin/sh"}
	if p, err := exec.LookPath("bash"); err == nil {
		iso.Shell = p
	}
	if dir, err := probeCgroup(Cgroup2Freezer, iso.Shell); err == nil {
		iso.Freezer, iso.CgroupDir = Cgroup2Freezer, dir
		iso.CloneIntoCgroup = probeCloneInto(dir) == nil
	} else if dir, err := probeCgroup(Cgroup1Freezer, iso.Shell); err == nil {
		iso.Freezer, iso.CgroupDir = Cgroup1Freezer, dir
	}
	if p, err := exec.LookPath("mount"); err == nil {
		iso.Mount = p
		for _, mode := range []NamespaceMode{MountNamespace, UserNamespace} {
			iso.Namespaces = mode
			if probeNamespace(iso) == nil {
				return iso
			}
		}
	}
	iso.Namespaces = NoNamespace
	return iso
}

// probeNamespace runs a command in a throw-away session and checks that it
// sees the session's /tmp.
func probeNamespace(iso Isolation) error {
	dir, err := os.MkdirTemp("", "agentbay-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	iso.Freezer = SignalFreezer
	b, err := NewManager(iso, 1024).Open("probe", dir)
	if err != nil {
		return err
	}
	defer b.Kill()
	marker := filepath.Base(dir)
	if err := os.WriteFile(filepath.Join(b.Root(), "tmp", marker), nil, 0o644); err != nil {
		return err
	}
	res, err := b.Run(context.Background(), Command{Script: "test -f /tmp/" + marker + " && test -d /home/wuying"})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("namespace probe: exit %d: %s", res.ExitCode, res.Stderr)
	}
	return nil
}

// probeCgroup finds the cgroup folder of this process in the hierarchy of
// kind, makes the folder for sessions inside it, and checks that a process
// can be moved into a child cgroup that can be frozen.
func probeCgroup(kind FreezerMode, shell string) (string, error) {
	base, err := ownCgroup(kind)
	if err != nil {
		return "", err
	}
	base = filepath.Join(base, cgroupName)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	g := &cgroup{kind: kind, dir: filepath.Join(base, fmt.Sprintf("probe-%d", os.Getpid()))}
	cg, err := g.prepare()
	if err != nil {
		return "", err
	}
	defer g.kill()
	if _, err := os.Stat(g.file(freezeFile(kind))); err != nil {
		return "", err
	}
	out, err := exec.Command(shell, "-c", `echo $$ > "$1/cgroup.procs"`, "sh", cg).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("moving a process into %s: %v: %s", g.dir, err, out)
	}
	return base, nil
}

// probeCloneInto checks that a process can be cloned into a cgroup v2
// under base.
func probeCloneInto(base string) error {
	g := &cgroup{kind: Cgroup2Freezer, dir: filepath.Join(base, fmt.Sprintf("probe-clone-%d", os.Getpid()))}
	dir, err := g.prepare()
	if err != nil {
		return err
	}
	defer g.kill()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	cmd := exec.Command("cat", "/proc/self/cgroup")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	out, err := cmd.Output()
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "0::") && strings.HasSuffix(strings.TrimSpace(line), "/"+filepath.Base(dir)) {
			return nil
		}
	}
	return fmt.Errorf("the process is not in %s: %s", dir, out)
}

// ownCgroup returns the folder of this process's cgroup in the mounted
// hierarchy of kind.
func ownCgroup(kind FreezerMode) (string, error) {
	mount, mroot, err := findCgroupMount(kind)
	if err != nil {
		return "", err
	}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// hierarchy-id:controllers:path
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		v2 := parts[0] == "0" && parts[1] == ""
		if (kind == Cgroup2Freezer) == v2 && (v2 || hasWord(parts[1], "freezer")) {
			rel := strings.TrimPrefix(parts[2], mroot)
			return filepath.Join(mount, rel), nil
		}
	}
	return "", fmt.Errorf("no %v cgroup in /proc/self/cgroup", kind)
}

// findCgroupMount returns the mount point and mount root of the hierarchy
// of kind, read from /proc/self/mountinfo.
func findCgroupMount(kind FreezerMode) (mount, root string, err error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent dev root mountpoint options [optional...] - fstype source superoptions
		left, right, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		l, r := strings.Fields(left), strings.Fields(right)
		if len(l) < 5 || len(r) < 3 {
			continue
		}
		switch {
		case kind == Cgroup2Freezer && r[0] == "cgroup2",
			kind == Cgroup1Freezer && r[0] == "cgroup" && hasWord(r[2], "freezer"):
			return l[4], l[3], nil
		}
	}
	return "", "", fmt.Errorf("no mounted cgroup hierarchy for %v", kind)
}

func hasWord(list, word string) bool {
	for w := range strings.SplitSeq(list, ",") {
		if w == word {
			return true
		}
	}
	return false
}

func (k FreezerMode) String() string {
	return [...]string{"signal", "cgroup v1 freezer", "cgroup v2"}[k]
}
