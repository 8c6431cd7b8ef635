package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var boxSeq atomic.Int64

func newBox(t testing.TB, iso Isolation) *Box {
	t.Helper()
	id := fmt.Sprintf("test-%d-%d", os.Getpid(), boxSeq.Add(1))
	b, err := NewManager(iso, 1<<16).Open(id, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Remove(); err != nil {
			t.Error(err)
		}
	})
	return b
}

func run(t *testing.T, b *Box, script string) Result {
	t.Helper()
	res, err := b.Run(context.Background(), Command{Script: script, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("%q: %v", script, err)
	}
	return res
}

// isolations returns every freezer mode this machine supports.
func isolations(t *testing.T) map[string]Isolation {
	iso := Probe()
	t.Logf("probed: %v, clone into cgroup: %t", iso, iso.CloneIntoCgroup)
	modes := map[string]Isolation{}
	sig := iso
	sig.Freezer = SignalFreezer
	modes["signal"] = sig
	for _, kind := range []FreezerMode{Cgroup1Freezer, Cgroup2Freezer} {
		dir, err := probeCgroup(kind, iso.Shell)
		if err != nil {
			t.Logf("%v: not available: %v", kind, err)
			continue
		}
		c := iso
		c.Freezer, c.CgroupDir = kind, dir
		if kind == Cgroup2Freezer {
			c.CloneIntoCgroup = probeCloneInto(dir) == nil
			if c.CloneIntoCgroup {
				// Also where commands cannot be cloned into their cgroup.
				c2 := c
				c2.CloneIntoCgroup = false
				modes[kind.String()+", shell joins"] = c2
			}
		}
		modes[kind.String()] = c
	}
	return modes
}

func TestRunBasics(t *testing.T) {
	b := newBox(t, Probe())
	res := run(t, b, `echo out; echo err >&2; pwd; echo "$HOME"; exit 3`)
	want := fmt.Sprintf("out\n%s\n%s\n", b.View(filepath.Join(b.Root(), Home)), b.View(filepath.Join(b.Root(), Home)))
	if res.Stdout != want || res.Stderr != "err\n" || res.ExitCode != 3 {
		t.Fatalf("got %+v, want stdout %q", res, want)
	}
	if res := run(t, b, `echo "$AGENTBAY_API_KEY$FOO"`); res.Stdout != "\n" {
		t.Fatalf("the server's environment leaked: %q", res.Stdout)
	}
	res, err := b.Run(context.Background(), Command{Script: `echo "$FOO"; cat`, Env: map[string]string{"FOO": "bar"}, Stdin: "in"})
	if err != nil || res.Stdout != "bar\nin" {
		t.Fatalf("env/stdin: %+v %v", res, err)
	}
	res = run(t, b, `kill -9 $$`)
	if res.ExitCode != 128+9 {
		t.Fatalf("killed by signal: exit %d", res.ExitCode)
	}
}

func TestOutputCap(t *testing.T) {
	iso := Probe()
	b, err := NewManager(iso, 100).Open("test-cap-"+strconv.Itoa(os.Getpid()), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Remove()
	res := run(t, b, `head -c 1000 /dev/zero | tr '\0' a`)
	want := strings.Repeat("a", 100) + "\n[output truncated: 900 bytes omitted]"
	if res.Stdout != want {
		t.Fatalf("stdout = %q", res.Stdout)
	}
}

func TestTimeoutKillsGroup(t *testing.T) {
	b := newBox(t, Probe())
	res, err := b.Run(context.Background(), Command{Script: `sleep 30 & echo started; sleep 30`, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.Stdout != "started\n" {
		t.Fatalf("got %+v", res)
	}
	// The background sleep got SIGKILL too; it dies a moment later.
	for range 500 {
		if b.Usage().Processes == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d processes left after the timeout", b.Usage().Processes)
}

func TestBackgroundDoesNotBlock(t *testing.T) {
	b := newBox(t, Probe())
	res := run(t, b, `sleep 30 & echo fg`)
	if res.Stdout != "fg\n" || res.ExitCode != 0 {
		t.Fatalf("got %+v", res)
	}
	if n := b.Usage().Processes; n != 1 {
		t.Fatalf("%d processes, want the background sleep", n)
	}
	if err := b.Kill(); err != nil {
		t.Fatal(err)
	}
	if n := b.Usage().Processes; n != 0 {
		t.Fatalf("%d processes after Kill", n)
	}
}

func TestNamespaceView(t *testing.T) {
	iso := Probe()
	if iso.Namespaces == NoNamespace {
		t.Skip("mount namespaces are not available here")
	}
	b := newBox(t, iso)
	if err := os.WriteFile(filepath.Join(b.Root(), "tmp", "x.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := run(t, b, `cat /tmp/x.txt; echo made > /home/wuying/y.txt`)
	if res.Stdout != "hello" {
		t.Fatalf("cat /tmp/x.txt: %+v", res)
	}
	if got, _ := os.ReadFile(filepath.Join(b.Root(), "home/wuying/y.txt")); string(got) != "made\n" {
		t.Fatalf("y.txt = %q", got)
	}
}

// counter reads the value a background loop keeps writing to its home.
func counter(t *testing.T, b *Box) int {
	t.Helper()
	for range 100 {
		s, _ := os.ReadFile(filepath.Join(b.Root(), Home, "counter"))
		if n, err := strconv.Atoi(strings.TrimSpace(string(s))); err == nil {
			return n
		}
		time.Sleep(10 * time.Millisecond) // the file is being rewritten
	}
	t.Fatal("no counter")
	return 0
}

// waitAbove waits until the counter passes n.
func waitAbove(t *testing.T, b *Box, n int) {
	t.Helper()
	for range 500 {
		if counter(t, b) > n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the counter stays at %d", n)
}

func TestFreezeThawKill(t *testing.T) {
	for name, iso := range isolations(t) {
		t.Run(name, func(t *testing.T) {
			b := newBox(t, iso)
			run(t, b, `sh -c 'i=0; while true; do i=$((i+1)); echo $i > counter.new; mv counter.new counter; sleep 0.02; done' > /dev/null 2>&1 &`)
			waitAbove(t, b, 0)
			if err := b.Freeze(); err != nil {
				t.Fatal(err)
			}
			frozen := counter(t, b)
			time.Sleep(200 * time.Millisecond)
			if n := counter(t, b); n != frozen {
				t.Fatalf("the counter moved from %d to %d while frozen", frozen, n)
			}
			if _, err := b.Run(context.Background(), Command{Script: "true"}); err != ErrFrozen {
				t.Fatalf("Run on a frozen box: %v", err)
			}
			if err := b.Thaw(); err != nil {
				t.Fatal(err)
			}
			waitAbove(t, b, frozen)

			// Killing a frozen box kills everything.
			b.Freeze()
			if err := b.Kill(); err != nil {
				t.Fatal(err)
			}
			if n := b.Usage().Processes; n != 0 {
				t.Fatalf("%d processes after Kill", n)
			}
			b.Thaw()
			if res := run(t, b, "echo again"); res.Stdout != "again\n" {
				t.Fatalf("after Kill: %+v", res)
			}
		})
	}
}

func TestEscapedProcessKilled(t *testing.T) {
	// A process that leaves its process group is still found and killed.
	for name, iso := range isolations(t) {
		t.Run(name, func(t *testing.T) {
			b := newBox(t, iso)
			run(t, b, `setsid sleep 30 > /dev/null 2>&1 < /dev/null &`)
			if n := b.Usage().Processes; n != 1 {
				t.Fatalf("%d processes, want 1", n)
			}
			if err := b.Kill(); err != nil {
				t.Fatal(err)
			}
			if n := b.Usage().Processes; n != 0 {
				t.Fatalf("%d processes after Kill", n)
			}
		})
	}
}

func TestNamespaceModes(t *testing.T) {
	for _, mode := range []NamespaceMode{NoNamespace, MountNamespace, UserNamespace} {
		iso := Probe()
		iso.Namespaces = mode
		t.Run(strings.Fields(iso.String())[0], func(t *testing.T) {
			if mode != NoNamespace {
				if err := probeNamespace(iso); err != nil {
					t.Skipf("not available: %v", err)
				}
			}
			b := newBox(t, iso)
			res := run(t, b, `echo hi > "${TMPDIR:-/tmp}/f"; pwd`)
			if got, _ := os.ReadFile(filepath.Join(b.Root(), "tmp/f")); string(got) != "hi\n" {
				t.Fatalf("the command's temporary file is not in the session: %q", got)
			}
			if want := b.View(filepath.Join(b.Root(), Home)) + "\n"; res.Stdout != want {
				t.Fatalf("pwd = %q, want %q", res.Stdout, want)
			}
		})
	}
}

func TestCgroupOnlyWhileProcesses(t *testing.T) {
	iso := Probe()
	if iso.Freezer == SignalFreezer {
		t.Skip("no cgroups here")
	}
	b := newBox(t, iso)
	dir := filepath.Join(iso.CgroupDir, b.id)
	exists := func() bool { _, err := os.Stat(dir); return err == nil }
	run(t, b, "true")
	if exists() {
		t.Fatal("the cgroup of an idle session is left")
	}
	run(t, b, "sleep 30 > /dev/null 2>&1 &")
	if !exists() {
		t.Fatal("no cgroup holds the background process")
	}
	run(t, b, "true")
	if !exists() {
		t.Fatal("the cgroup went while a process is left")
	}
	if err := b.Kill(); err != nil || exists() {
		t.Fatalf("after Kill: %v, cgroup left: %t", err, exists())
	}
}

func TestWorkingFolderMissing(t *testing.T) {
	for _, mode := range []NamespaceMode{NoNamespace, MountNamespace} {
		iso := Probe()
		if mode == MountNamespace && iso.Namespaces != MountNamespace {
			continue
		}
		iso.Namespaces = mode
		b := newBox(t, iso)
		dir := filepath.Join(b.Root(), Home, "gone")
		res, err := b.Run(context.Background(), Command{Script: "pwd", Dir: dir})
		if err != nil || res.ExitCode != 125 || !strings.Contains(res.Stderr, "cd: "+b.View(dir)+": No such file or directory") {
			t.Fatalf("%v: %+v, %v", mode, res, err)
		}
	}
}

// TestSharedNamespace checks that the commands of a session, which share
// one mount namespace, see its /tmp and /home whatever earlier commands
// or the file tools did to them.
func TestSharedNamespace(t *testing.T) {
	iso := Probe()
	if iso.Namespaces != MountNamespace {
		t.Skip("mount namespaces are not available here")
	}
	b := newBox(t, iso)
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(b.Root(), name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tmp/x", "1")
	write("home/wuying/y", "2")
	check := func(when string) {
		t.Helper()
		if res := run(t, b, "cat /tmp/x /home/wuying/y"); res.Stdout != "12" {
			t.Fatalf("%s: %+v", when, res)
		}
	}
	check("first")
	ns := b.ns
	check("second")
	if b.ns != ns {
		t.Fatal("the second command got a new namespace")
	}

	// Commands that change the mounts of /tmp and /home.
	for _, script := range []string{"umount /tmp", "mount -t tmpfs none /home", "mount -t tmpfs none /home/wuying", "mount --bind /var /tmp"} {
		if res := run(t, b, script); res.ExitCode != 0 {
			t.Fatalf("%s: %+v", script, res)
		}
		check("after " + script)
	}

	// The session's folders deleted and made again, or replaced.
	for _, d := range []string{"tmp", "home"} {
		old := filepath.Join(b.Root(), d+".old")
		if err := os.Rename(filepath.Join(b.Root(), d), old); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(old); err != nil {
			t.Fatal(err)
		}
		if err := b.makeDirs(); err != nil {
			t.Fatal(err)
		}
		write("tmp/x", "1")
		write("home/wuying/y", "2")
		check("after replacing " + d)
	}

	// A background process keeps its namespace; Kill drops it.
	run(t, b, "sleep 30 > /dev/null 2>&1 &")
	if err := b.Kill(); err != nil {
		t.Fatal(err)
	}
	if b.ns != nil {
		t.Fatal("Kill left the namespace")
	}
	check("after Kill")
}

// TestConcurrentRunsAndFreeze runs many commands at once while the box is
// frozen, thawed and killed: a command either runs, or finds the box
// frozen, and Freeze stops every command that has started.
func TestConcurrentRunsAndFreeze(t *testing.T) {
	for name, iso := range isolations(t) {
		t.Run(name, func(t *testing.T) {
			b := newBox(t, iso)
			var completed, refused atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var once sync.Once
			halt := func() { once.Do(func() { close(stop) }); wg.Wait() }
			t.Cleanup(halt) // before the box goes
			for range 16 {
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						res, err := b.Run(context.Background(), Command{Script: "sleep 0.01; echo ok", Timeout: 20 * time.Second})
						switch {
						case err == ErrFrozen:
							refused.Add(1)
							time.Sleep(5 * time.Millisecond)
						case err != nil:
							t.Error(err)
							return
						case res.Stdout == "ok\n" || res.ExitCode == 128+9:
							completed.Add(1)
						case res.ExitCode == 125 && strings.Contains(res.Stderr, "cgroup.procs"):
							// Its shell was joining the cgroup as
							// Kill removed it.
						default:
							t.Errorf("got %+v", res)
							return
						}
					}
				})
			}
			for range 3 {
				time.Sleep(100 * time.Millisecond)
				if err := b.Freeze(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(50 * time.Millisecond) // for Runs whose command exited just before
				n := completed.Load()
				time.Sleep(150 * time.Millisecond)
				if m := completed.Load(); m != n {
					t.Errorf("%d commands completed while frozen", m-n)
				}
				if err := b.Thaw(); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Kill(); err != nil {
				t.Fatal(err)
			}
			halt()
			if err := b.Kill(); err != nil {
				t.Fatal(err)
			}
			if n := b.Usage().Processes; n != 0 {
				t.Fatalf("%d processes after Kill", n)
			}
			t.Logf("%d commands completed, %d refused", completed.Load(), refused.Load())
			if completed.Load() == 0 || refused.Load() == 0 {
				t.Fatal("the test did not run commands both frozen and not")
			}
		})
	}
}
