package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSplitWords(t *testing.T) {
	for script, want := range map[string][]string{
		"sleep 0.2":                   {"sleep", "0.2"},
		"  ls\t-la  /tmp ":            {"ls", "-la", "/tmp"},
		`python3 -c 'print("a b")'`:   {"python3", "-c", `print("a b")`},
		`grep -r "x y" a'b'"c" ''`:    {"grep", "-r", "x y", "abc", ""},
		"dd if=/dev/zero bs=1k":       {"dd", "if=/dev/zero", "bs=1k"},
		"sh -c 'a\nb; $X | y'":        {"sh", "-c", "a\nb; $X | y"},
		"git commit -m \"a: b, c@d\"": {"git", "commit", "-m", "a: b, c@d"},
	} {
		got, ok := splitWords(script)
		if !ok || !slices.Equal(got, want) {
			t.Errorf("%q: %q %t, want %q", script, got, ok, want)
		}
	}
	for _, script := range []string{
		"", "   ", "echo $HOME", "echo ${X}", `echo "$X"`, "echo `id`", "echo $(id)", `echo "a\"b"`,
		"echo {a,b}", "echo {1..3}", "echo $'a'", "ls *.txt", "ls a?", "ls [ab]", "echo ~", "a; b",
		"a && b", "a || b", "a | b", "a & ", "a > f", "a < f", "a &> f", "a 2>&1", "cat <<<x",
		"diff <(a) <(b)", "(a)", "{ a; }", "[[ 1 == 1 ]]", "a # c", "a\nb", "a\\ b", "echo 'x",
		`echo "x`, "echo !x", "echo a^b", "arr=(1 2)", "echo \"!\"", "echo é",
	} {
		if got, ok := splitWords(script); ok {
			t.Errorf("%q: split as %q, want it left to the shell", script, got)
		}
	}
}

func TestDirectArgv(t *testing.T) {
	b := newBox(t, Probe())
	if !b.m.direct {
		t.Skipf("no direct commands with PATH %s", b.m.path)
	}
	for _, script := range []string{"sleep 0.2", "echo hi", "echo -n 'a b'", "ls -la /tmp", "true", "false",
		"env", `sh -c 'exit 3'`} {
		if path, _ := b.directArgv(Command{Script: script}); path == "" {
			t.Errorf("%q: not direct", script)
		}
	}
	for _, script := range []string{
		"[[ 1 == 1 ]] && echo ok", "echo {a,b}", "echo $HOME", "A=1 env", "cd /tmp", "pwd", "source x",
		"shopt -s extglob", "declare -a x", "echo -e 'a\\nb'", "echo --help", "true --help", "false 1",
		"printf %s x", "test -f x", "exec sleep 1", "time sleep 1", "kill -l", "./x", "/bin/true",
		"%1", "no-such-program-here", "'sleep' 1", "if true", "type ls", "command ls", ": x",
	} {
		if path, argv := b.directArgv(Command{Script: script}); path != "" {
			t.Errorf("%q: direct as %s %q, want the shell", script, path, argv)
		}
	}
	for _, k := range []string{"PATH", "BASH_ENV", "BASH_FUNC_env%%", "ENV", "SHELLOPTS", "IFS", "PWD", "SHLVL"} {
		if path, _ := b.directArgv(Command{Script: "env", Env: map[string]string{k: "x"}}); path != "" {
			t.Errorf("env with %s: direct, want the shell", k)
		}
	}
	if path, _ := b.directArgv(Command{Script: "env", Env: map[string]string{"FOO": "x"}}); path == "" {
		t.Errorf("env with FOO: not direct")
	}
}

// runBoth runs c with bash and then directly in b, and checks which way
// each took.
func runBoth(t *testing.T, b *Box, c Command) (viaBash, direct Result) {
	t.Helper()
	do := func(allow bool) Result {
		t.Helper()
		b.m.direct = allow
		d0, s0 := Starts()
		res, err := b.Run(context.Background(), c)
		if err != nil {
			t.Fatalf("%q: %v", c.Script, err)
		}
		d1, s1 := Starts()
		if allow && (d1 != d0+1 || s1 != s0) || !allow && (d1 != d0 || s1 != s0+1) {
			t.Fatalf("%q (direct allowed: %t): %d direct and %d shell starts", c.Script, allow, d1-d0, s1-s0)
		}
		return res
	}
	defer func() { b.m.direct = directPath(b.m.path, b.m.iso) }()
	return do(false), do(true)
}

func sortLines(s string) string {
	l := strings.Split(s, "\n")
	slices.Sort(l)
	return strings.Join(l, "\n")
}

// TestDirectSameAsBash: a simple command gets the environment, folder,
// output, exit code and timeout kill it got from bash.
func TestDirectSameAsBash(t *testing.T) {
	for name, iso := range isolations(t) {
		t.Run(name, func(t *testing.T) {
			if iso.Namespaces == UserNamespace || iso.Freezer == Cgroup1Freezer ||
				iso.Freezer == Cgroup2Freezer && !iso.CloneIntoCgroup {
				t.Skip("commands start through the prelude's shell here, never directly")
			}
			b := newBox(t, iso)
			if !directPath(b.m.path, iso) {
				t.Skipf("no direct commands with PATH %s", b.m.path)
			}
			tmp := filepath.Join(b.Root(), "tmp")
			cases := []Command{
				{Script: "env", Env: map[string]string{"FOO": "bar baz"}},
				{Script: "readlink /proc/self/cwd"},
				{Script: "readlink /proc/self/cwd", Dir: tmp},
				{Script: `sh -c 'echo out; echo err >&2; exit 3'`},
				{Script: "echo hi"},
				{Script: "cat", Stdin: "in put"},
				{Script: "false"},
				{Script: "head -c 100000 /dev/zero"},
				{Script: "grep -c x /proc/self/cgroup /proc/self/mountinfo"},
			}
			for _, c := range cases {
				c.Timeout = 20 * time.Second
				want, got := runBoth(t, b, c)
				if c.Script == "env" {
					want.Stdout, got.Stdout = sortLines(want.Stdout), sortLines(got.Stdout)
				}
				if got != want {
					t.Errorf("%q: direct %+v, bash %+v", c.Script, got, want)
				}
			}
			// The cgroup and namespace are the box's: as /proc/self
			// shows them to a command started either way.
			for _, f := range []string{"cgroup", "ns/mnt"} {
				c := Command{Script: "readlink /proc/self/" + f, Timeout: 20 * time.Second}
				if f == "cgroup" {
					c.Script = "cat /proc/self/cgroup"
				}
				want, got := runBoth(t, b, c)
				if got != want || got.ExitCode != 0 {
					t.Errorf("%s: direct %+v, bash %+v", f, got, want)
				}
			}
			// A timeout kills the whole process group.
			c := Command{Script: `sh -c 'sleep 30 & echo started; sleep 30'`, Timeout: 300 * time.Millisecond}
			want, got := runBoth(t, b, c)
			if !got.TimedOut || got != want {
				t.Errorf("timeout: direct %+v, bash %+v", got, want)
			}
			for range 500 {
				if b.Usage().Processes == 0 {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Fatalf("%d processes left after the timeout", b.Usage().Processes)
		})
	}
}

func TestDirectOutputCap(t *testing.T) {
	b, err := NewManager(Probe(), 100).Open("test-dcap-"+t.Name(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Remove()
	if !b.m.direct {
		t.Skipf("no direct commands with PATH %s", b.m.path)
	}
	want := strings.Repeat("\x00", 100) + "\n[output truncated: 900 bytes omitted]"
	d0, _ := Starts()
	res := run(t, b, "head -c 1000 /dev/zero")
	if d1, _ := Starts(); res.Stdout != want || d1 != d0+1 {
		t.Fatalf("stdout = %q, %d direct starts", res.Stdout, d1-d0)
	}
}

// TestBashOnlyStillWorks: what needs bash gets bash.
func TestBashOnlyStillWorks(t *testing.T) {
	b := newBox(t, Probe())
	for script, want := range map[string]string{
		"[[ 1 == 1 ]] && echo ok":          "ok\n",
		"echo {a,b}":                       "a b\n",
		"echo $'x\\ty'":                    "x\ty\n",
		"a=(1 2 3); echo ${#a[@]}":         "3\n",
		"cat <(echo sub)":                  "sub\n",
		"shopt -s extglob; echo ok":        "ok\n",
		"echo -e 'a\\nb'":                  "a\nb\n",
		"x=abc; echo ${x^^}":               "ABC\n",
		"source /dev/null && echo sourced": "sourced\n",
	} {
		d0, s0 := Starts()
		res := run(t, b, script)
		d1, s1 := Starts()
		if res.Stdout != want || res.ExitCode != 0 || d1 != d0 || s1 != s0+1 {
			t.Errorf("%q: %+v, %d direct and %d shell starts", script, res, d1-d0, s1-s0)
		}
	}
}

// TestDirectFallsBack: a program that cannot be exec'd (a script without
// #!) runs as bash runs it, and a missing one fails as in bash.
func TestDirectFallsBack(t *testing.T) {
	iso := Probe()
	iso.Namespaces = NoNamespace // the PATH below is under /tmp
	b := newBox(t, iso)
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "noshebang"), []byte("echo from script\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	b.m.path = bin + ":" + b.m.path
	b.m.direct = directPath(b.m.path, iso)
	if !b.m.direct {
		t.Skipf("no direct commands with PATH %s", b.m.path)
	}
	d0, s0 := Starts()
	res := run(t, b, "noshebang")
	d1, s1 := Starts()
	if res.Stdout != "from script\n" || res.ExitCode != 0 || d1 != d0 || s1 != s0+1 {
		t.Fatalf("got %+v, %d direct and %d shell starts", res, d1-d0, s1-s0)
	}
	res = run(t, b, "no-such-program-here")
	if res.ExitCode != 127 || !strings.Contains(res.Stderr, "command not found") {
		t.Fatalf("got %+v", res)
	}
}
