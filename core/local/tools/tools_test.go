package tools

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libagentbay/libagentbay/core/local/sandbox"
)

var seq atomic.Int64

func newWorkspace(t *testing.T) *Workspace {
	t.Helper()
	id := fmt.Sprintf("tools-%d-%d", os.Getpid(), seq.Add(1))
	box, err := sandbox.NewManager(sandbox.Probe(), 1<<20).Open(id, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Remove() })
	return NewWorkspace(box, Limits{MaxOutputBytes: 1 << 20, MaxTimeout: time.Minute})
}

// call runs a tool with args given as a Go value.
func call(t *testing.T, w *Workspace, name string, a any) Result {
	t.Helper()
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Call(context.Background(), w, name, raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func mustOK(t *testing.T, w *Workspace, name string, a any) string {
	t.Helper()
	res := call(t, w, name, a)
	if res.IsError {
		t.Fatalf("%s %v: %s", name, a, res.Text)
	}
	return res.Text
}

func mustFail(t *testing.T, w *Workspace, name string, a any, want string) {
	t.Helper()
	res := call(t, w, name, a)
	if !res.IsError || !strings.Contains(res.Text, want) {
		t.Fatalf("%s %v: got %+v, want an error containing %q", name, a, res, want)
	}
}

type m = map[string]any

func TestToolList(t *testing.T) {
	var list []map[string]any
	if err := json.Unmarshal([]byte(ListJSON()), &list); err != nil {
		t.Fatal(err)
	}
	servers := map[string]string{}
	for _, tool := range list {
		name, _ := tool["name"].(string)
		servers[name], _ = tool["server"].(string)
		s, _ := tool["inputSchema"].(map[string]any)
		if tool["description"] == "" || tool["tool"] != name || s["type"] != "object" || s["properties"] == nil || s["required"] == nil {
			t.Errorf("tool %v is incomplete", tool)
		}
	}
	want := map[string]string{"shell": "wuying_shell", "read_file": "wuying_filesystem", "write_file": "wuying_filesystem",
		"get_file_change": "wuying_filesystem", "run_code": "wuying_codespace", "get_metrics": "mcp-server",
		"shell_start": "wuying_shell", "shell_output": "wuying_shell", "shell_kill": "wuying_shell"}
	for name, server := range want {
		if servers[name] != server {
			t.Errorf("tool %s: server %q, want %q", name, servers[name], server)
		}
	}
	if len(list) != 17 {
		t.Errorf("%d tools, want 17", len(list))
	}
}

func TestCallErrors(t *testing.T) {
	w := newWorkspace(t)
	if _, err := Call(context.Background(), w, "nope", nil); !errors.Is(err, ErrUnknownTool) {
		t.Fatalf("unknown tool: %v", err)
	}
	if _, err := Call(context.Background(), w, "shell", []byte(`[1]`)); err == nil {
		t.Fatal("args that are not an object were accepted")
	}
	if _, err := Call(context.Background(), w, "write_file", []byte("{\"path\":\"/tmp/\xff\",\"content\":\"x\"}")); err == nil ||
		!strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("args that are not UTF-8: %v", err)
	}
	mustFail(t, w, "shell", m{}, `missing argument "command"`)
	mustFail(t, w, "shell", m{"command": 3}, `invalid argument "command"`)
	mustFail(t, w, "read_file", m{"path": ""}, "empty")
}

func TestShell(t *testing.T) {
	w := newWorkspace(t)
	var ok shellOK
	json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": "echo hi; echo warn >&2", "timeout_ms": 5000})), &ok)
	if ok != (shellOK{"hi\n", "warn\n", 0}) {
		t.Fatalf("got %+v", ok)
	}

	res := call(t, w, "shell", m{"command": "echo out; echo bad >&2; exit 7", "timeout_ms": "5000"})
	var failed map[string]any
	json.Unmarshal([]byte(res.Text), &failed)
	if !res.IsError || failed["errorCode"] != 7.0 || failed["exit_code"] != 7.0 || failed["stderr"] != "bad\n" ||
		failed["stdout"] != "out\n" || failed["traceId"] != "" {
		t.Fatalf("non-zero exit: %+v", res)
	}

	json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": `echo "$A $B"; pwd`, "timeout_ms": 5000,
		"envs": m{"A": "1", "B": "two"}})), &ok)
	home := w.box.View(filepath.Join(w.box.Root(), sandbox.Home))
	if ok.Stdout != "1 two\n"+home+"\n" {
		t.Fatalf("envs and cwd: %q", ok.Stdout)
	}
	mustFail(t, w, "shell", m{"command": "true", "envs": m{"A": 1}}, `invalid argument "envs"`)

	mustOK(t, w, "create_directory", m{"path": "/tmp/work"})
	json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": "pwd", "timeout_ms": 5000, "cwd": "/tmp/work"})), &ok)
	if want := w.box.View(filepath.Join(w.box.Root(), "tmp/work")) + "\n"; ok.Stdout != want {
		t.Fatalf("cwd /tmp/work: %q, want %q", ok.Stdout, want)
	}
	mustFail(t, w, "shell", m{"command": "pwd", "cwd": "/no/such"}, "No such file or directory")

	res = call(t, w, "shell", m{"command": "echo before; sleep 10", "timeout_ms": 300})
	json.Unmarshal([]byte(res.Text), &failed)
	if !res.IsError || failed["errorCode"] != 124.0 || failed["stdout"] != "before\n" ||
		!strings.Contains(failed["stderr"].(string), "timed out after 300 ms") {
		t.Fatalf("timeout: %+v", res)
	}
}

// TestShellDirect: simple commands, which the sandbox execs without bash,
// get the tool's envs, cwd, exit codes, output and timeout as before.
func TestShellDirect(t *testing.T) {
	w := newWorkspace(t)
	d0, _ := sandbox.Starts()
	var ok shellOK
	mustOK(t, w, "create_directory", m{"path": "/tmp/work"})
	json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": "printenv A HOME PWD", "timeout_ms": 5000,
		"envs": m{"A": "1 two"}, "cwd": "/tmp/work"})), &ok)
	home := w.box.View(filepath.Join(w.box.Root(), sandbox.Home))
	work := w.box.View(filepath.Join(w.box.Root(), "tmp/work"))
	if ok != (shellOK{"1 two\n" + home + "\n" + work + "\n", "", 0}) {
		t.Fatalf("envs and cwd: %+v", ok)
	}
	res := call(t, w, "shell", m{"command": `sh -c 'echo out; echo bad >&2; exit 7'`, "timeout_ms": 5000})
	var failed map[string]any
	json.Unmarshal([]byte(res.Text), &failed)
	if !res.IsError || failed["exit_code"] != 7.0 || failed["stderr"] != "bad\n" || failed["stdout"] != "out\n" {
		t.Fatalf("non-zero exit: %+v", res)
	}
	res = call(t, w, "shell", m{"command": "sleep 10", "timeout_ms": 300})
	json.Unmarshal([]byte(res.Text), &failed)
	if !res.IsError || failed["errorCode"] != 124.0 || !strings.Contains(failed["stderr"].(string), "timed out after 300 ms") {
		t.Fatalf("timeout: %+v", res)
	}
	iso := sandbox.Probe()
	prelude := iso.Namespaces == sandbox.UserNamespace || iso.Freezer == sandbox.Cgroup1Freezer ||
		iso.Freezer == sandbox.Cgroup2Freezer && !iso.CloneIntoCgroup
	if d1, _ := sandbox.Starts(); !prelude && os.Getenv("AGENTBAY_LOCAL_BASH_ONLY") != "1" && d1 != d0+3 {
		t.Fatalf("%d of 3 commands started directly", d1-d0)
	}
	// Not simple: bash.
	json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": "[[ 1 == 1 ]] && echo {a,b}", "timeout_ms": 5000})), &ok)
	if ok.Stdout != "a b\n" {
		t.Fatalf("bash syntax: %+v", ok)
	}
	res = call(t, w, "shell", m{"command": "no-such-program-here", "timeout_ms": 5000})
	json.Unmarshal([]byte(res.Text), &failed)
	if !res.IsError || failed["exit_code"] != 127.0 || !strings.Contains(failed["stderr"].(string), "command not found") {
		t.Fatalf("missing program: %+v", res)
	}
}

// TestHugeTimeouts: a timeout too large for a time.Duration means the
// longest one, never a value that wrapped around to almost nothing.
// 18446744073710 ms and 18446744074 s are just over 2^64 ns.
func TestHugeTimeouts(t *testing.T) {
	w := newWorkspace(t)
	for _, ms := range []any{18446744073710, int64(1) << 62, 0, -5} {
		var ok shellOK
		json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": "sleep 0.2; echo done", "timeout_ms": ms})), &ok)
		if ok.Stdout != "done\n" {
			t.Fatalf("timeout_ms %v: %+v", ms, ok)
		}
	}
	if _, err := exec.LookPath("python3"); err == nil {
		var r codeResult
		json.Unmarshal([]byte(mustOK(t, w, "run_code", m{"code": "import time; time.sleep(0.5); print('done')",
			"language": "python", "timeout_s": 18446744074})), &r)
		if len(r.Stdout) != 1 || r.Stdout[0] != "done\n" {
			t.Fatalf("timeout_s 18446744074: %+v", r)
		}
	}
}

func TestShellBackgroundProcess(t *testing.T) {
	w := newWorkspace(t)
	// The background process keeps stdout open; the call returns anyway.
	json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": "sleep 30 & echo started", "timeout_ms": 5000})), new(shellOK))
	if n := w.box.Usage().Processes; n != 1 {
		t.Fatalf("%d processes, want the background sleep", n)
	}
}

func TestShellSeesToolFiles(t *testing.T) {
	if sandbox.Probe().Namespaces == sandbox.NoNamespace {
		t.Skip("no mount namespaces here: commands see the host's /tmp")
	}
	w := newWorkspace(t)
	mustOK(t, w, "write_file", m{"path": "/tmp/x.txt", "content": "from the tool"})
	var ok shellOK
	json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": "cat /tmp/x.txt; echo made > /home/wuying/y.txt", "timeout_ms": 5000})), &ok)
	if ok.Stdout != "from the tool" {
		t.Fatalf("cat /tmp/x.txt = %q", ok.Stdout)
	}
	if got := mustOK(t, w, "read_file", m{"path": "y.txt"}); got != "made\n" {
		t.Fatalf("y.txt = %q", got)
	}
}

func TestReadWrite(t *testing.T) {
	w := newWorkspace(t)
	mustOK(t, w, "write_file", m{"path": "/home/wuying/a/b.txt", "content": "hello", "mode": "overwrite"})
	mustOK(t, w, "write_file", m{"path": "a/b.txt", "content": " world", "mode": "append"})
	if got := mustOK(t, w, "read_file", m{"path": "/home/wuying/a/b.txt"}); got != "hello world" {
		t.Fatalf("read = %q", got)
	}
	if got := mustOK(t, w, "read_file", m{"path": "a/b.txt", "offset": 6, "length": 3}); got != "wor" {
		t.Fatalf("offset/length = %q", got)
	}
	if got := mustOK(t, w, "read_file", m{"path": "a/b.txt", "offset": 100}); got != "" {
		t.Fatalf("past the end = %q", got)
	}
	mustOK(t, w, "write_file", m{"path": "a/b.txt", "content": "new"})
	if got := mustOK(t, w, "read_file", m{"path": "a/b.txt"}); got != "new" {
		t.Fatalf("overwrite by default: %q", got)
	}
	if err := os.WriteFile(filepath.Join(w.box.Root(), "tmp/bin"), []byte{0, 1, 2, 255}, 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustOK(t, w, "read_file", m{"path": "/tmp/bin", "format": "binary"})
	if b, _ := base64.StdEncoding.DecodeString(got); string(b) != "\x00\x01\x02\xff" {
		t.Fatalf("binary = %q", got)
	}
	mustFail(t, w, "write_file", m{"path": "x", "content": "x", "mode": "bad"}, "overwrite")
	mustFail(t, w, "write_file", m{"path": "x"}, `missing argument "content"`)
	mustFail(t, w, "read_file", m{"path": "/tmp/none"}, "/tmp/none: No such file or directory")
	mustFail(t, w, "read_file", m{"path": "/tmp"}, "Is a directory")
	mustFail(t, w, "read_file", m{"path": "a/b.txt", "offset": -1}, "negative")

	small := &Workspace{box: w.box, limits: Limits{MaxOutputBytes: 2, MaxTimeout: time.Second}}
	mustFail(t, small, "read_file", m{"path": "a/b.txt"}, "in parts with offset and length")
	if got := mustOK(t, small, "read_file", m{"path": "a/b.txt", "length": 2}); got != "ne" {
		t.Fatalf("a part under the limit: %q", got)
	}
}

func TestFileOperations(t *testing.T) {
	w := newWorkspace(t)
	mustOK(t, w, "create_directory", m{"path": "/home/wuying/d/e"})
	mustOK(t, w, "create_directory", m{"path": "/home/wuying/d/e"})
	mustOK(t, w, "write_file", m{"path": "d/f.txt", "content": "12345"})

	info := mustOK(t, w, "get_file_info", m{"path": "d/f.txt"})
	for _, want := range []string{"name: f.txt", "path: /home/wuying/d/f.txt", "size: 5", "isDirectory: false", "permissions: -rw-r--r--", "modified: "} {
		if !strings.Contains(info, want+"") {
			t.Errorf("file info %q lacks %q", info, want)
		}
	}
	if info := mustOK(t, w, "get_file_info", m{"path": "/home/wuying/d"}); !strings.Contains(info, "isDirectory: true") {
		t.Errorf("dir info: %q", info)
	}
	mustFail(t, w, "get_file_info", m{"path": "nope"}, "No such file or directory")

	if got := mustOK(t, w, "list_directory", m{"path": "d"}); got != "[DIR] e\n[FILE] f.txt" {
		t.Fatalf("list = %q", got)
	}

	mustOK(t, w, "move_file", m{"source": "d/f.txt", "destination": "/tmp/g.txt"})
	mustFail(t, w, "read_file", m{"path": "d/f.txt"}, "No such file")
	mustOK(t, w, "write_file", m{"path": "/tmp/h.txt", "content": "h"})
	mustFail(t, w, "move_file", m{"source": "/tmp/g.txt", "destination": "/tmp/h.txt"}, "File exists")

	mustFail(t, w, "delete_file", m{"path": "d"}, "Directory not empty")
	mustOK(t, w, "delete_file", m{"path": "d/e"})
	mustOK(t, w, "delete_file", m{"path": "/tmp/g.txt"})
	mustFail(t, w, "delete_file", m{"path": "/tmp/g.txt"}, "No such file")
	mustFail(t, w, "delete_file", m{"path": "/"}, "cannot be deleted")
	mustOK(t, w, "delete_file", m{"path": "/tmp/h.txt"})
	mustOK(t, w, "delete_file", m{"path": "/tmp"})
	if out := mustOK(t, w, "shell", m{"command": "echo ok > /tmp/again; cat /tmp/again", "timeout_ms": 5000}); !strings.Contains(out, `"stdout":"ok\n"`) {
		t.Fatalf("a command after /tmp was deleted: %s", out)
	}
	mustOK(t, w, "write_file", m{"path": "/tmp/h.txt", "content": "h"})

	mustOK(t, w, "write_file", m{"path": "r1", "content": "one"})
	got := mustOK(t, w, "read_multiple_files", m{"paths": []string{"r1", "/tmp/h.txt", "missing"}})
	want := "r1:\none\n---\n/tmp/h.txt:\nh\n---\nmissing: Error - No such file or directory"
	if got != want {
		t.Fatalf("read_multiple_files = %q, want %q", got, want)
	}
}

// TestBadArguments: every tool answers bad arguments with an error result
// that says what is wrong, and changes nothing.
func TestBadArguments(t *testing.T) {
	w := newWorkspace(t)
	mustOK(t, w, "write_file", m{"path": "/tmp/f", "content": "keep"})
	mustOK(t, w, "create_directory", m{"path": "/tmp/d"})
	for _, c := range []struct {
		tool string
		args m
		want string
	}{
		{"move_file", m{"source": "/tmp/f", "destination": ""}, `argument "destination" is empty`},
		{"move_file", m{"source": "/tmp/f"}, `missing argument "destination"`},
		{"move_file", m{"source": "/tmp/f", "destination": 7}, `invalid argument "destination"`},
		{"move_file", m{"source": "/tmp/f", "destination": "/tmp/d"}, "File exists"},
		{"search_files", m{"path": "/tmp", "pattern": ""}, `argument "pattern" is empty`},
		{"search_files", m{"path": "/tmp/f", "pattern": "f"}, "Not a directory"},
		{"search_files", m{"path": "/tmp", "pattern": "f", "exclude_patterns": 5}, `invalid argument "exclude_patterns"`},
		{"shell", m{"command": "echo a\x00b", "timeout_ms": 5000}, `invalid argument "command": it contains a NUL character`},
		{"shell", m{"command": "true", "envs": m{"A": "x\x00y"}}, `variable "A": it contains a NUL character`},
		{"shell", m{"command": "true", "envs": m{"A=B": "x"}}, "invalid environment variable name"},
		{"shell", m{"command": "true", "envs": "A=1"}, `invalid argument "envs"`},
		{"shell", m{"command": "true", "timeout_ms": "soon"}, `invalid argument "timeout_ms"`},
		{"shell", m{"command": "true", "cwd": "/tmp/f"}, "Not a directory"},
		{"read_file", m{"path": "/tmp/f", "offset": -1}, "must not be negative"},
		{"read_file", m{"path": "/tmp/f", "length": 1.5}, `invalid argument "length"`},
		{"read_file", m{"path": "/tmp/d"}, "Is a directory"},
		{"read_file", m{"path": "/tmp/f\x00x"}, "invalid argument"},
		{"read_file", m{"path": "/tmp/f", "length": int64(1) << 40}, "more than the"},
		{"write_file", m{"path": "/tmp/d", "content": "x"}, "Is a directory"},
		{"write_file", m{"path": "/tmp/f", "content": "x", "mode": "truncate"}, `invalid argument "mode"`},
		{"edit_file", m{"path": "/tmp/f", "edits": []m{{"oldText": "absent", "newText": "x"}}}, "oldText not found"},
		{"edit_file", m{"path": "/tmp/f", "edits": "keep->x"}, `invalid argument "edits"`},
		{"edit_file", m{"path": "/tmp/d", "edits": []m{{"oldText": "k", "newText": "x"}}}, "Is a directory"},
		{"read_multiple_files", m{"paths": []int{1}}, `invalid argument "paths"`},
		{"delete_file", m{"path": "/.."}, "cannot be deleted"},
	} {
		mustFail(t, w, c.tool, c.args, c.want)
	}
	if got := mustOK(t, w, "read_file", m{"path": "/tmp/f"}); got != "keep" {
		t.Fatalf("a failed call changed /tmp/f: %q", got)
	}
}

// TestShellCwdOutsideTmpAndHome: in a namespace, commands see the
// session's /tmp and /home but the host's other folders, so a cwd elsewhere
// is refused with a clear error, rather than failing with (and showing) a
// host path, or working only where the data folder happens to be visible.
func TestShellCwdOutsideTmpAndHome(t *testing.T) {
	if sandbox.Probe().Namespaces == sandbox.NoNamespace {
		t.Skip("no mount namespaces here: every folder of the session is a host folder commands can use")
	}
	w := newWorkspace(t)
	mustOK(t, w, "create_directory", m{"path": "/opt/proj"})
	for _, cwd := range []string{"/", "/opt/proj", "/opt/../opt", "/home/wuying/../.."} {
		res := call(t, w, "shell", m{"command": "pwd", "timeout_ms": 5000, "cwd": cwd})
		if !res.IsError || !strings.Contains(res.Text, "/home/wuying or /tmp") || strings.Contains(res.Text, w.box.Root()) {
			t.Fatalf("cwd %s: %+v", cwd, res)
		}
	}
	for cwd, want := range map[string]string{"/tmp": "/tmp\n", "/home": "/home\n", "/tmp/../home/wuying": "/home/wuying\n"} {
		var ok shellOK
		json.Unmarshal([]byte(mustOK(t, w, "shell", m{"command": "pwd", "timeout_ms": 5000, "cwd": cwd})), &ok)
		if ok.Stdout != want {
			t.Fatalf("cwd %s: pwd %q", cwd, ok.Stdout)
		}
	}
}

func TestEditFile(t *testing.T) {
	w := newWorkspace(t)
	mustOK(t, w, "write_file", m{"path": "e.txt", "content": "alpha\nbeta\ngamma\n"})
	for _, dry := range []string{"dry_run", "dryRun"} {
		diff := mustOK(t, w, "edit_file", m{"path": "e.txt", "edits": []m{{"oldText": "beta", "newText": "BETA"}}, dry: true})
		if !strings.Contains(diff, "-beta\n+BETA") {
			t.Fatalf("diff = %q", diff)
		}
		if got := mustOK(t, w, "read_file", m{"path": "e.txt"}); got != "alpha\nbeta\ngamma\n" {
			t.Fatalf("%s changed the file: %q", dry, got)
		}
	}
	mustOK(t, w, "edit_file", m{"path": "e.txt", "edits": []m{{"oldText": "alpha", "newText": "A"}, {"oldText": "gamma\n", "newText": ""}}})
	if got := mustOK(t, w, "read_file", m{"path": "e.txt"}); got != "A\nbeta\n" {
		t.Fatalf("edited = %q", got)
	}
	mustFail(t, w, "edit_file", m{"path": "e.txt", "edits": []m{{"oldText": "zzz", "newText": "y"}}}, "not found")
	mustFail(t, w, "edit_file", m{"path": "e.txt"}, `missing argument "edits"`)
}

func TestSearchFiles(t *testing.T) {
	w := newWorkspace(t)
	for _, p := range []string{"s/a.txt", "s/b.log", "s/node_modules/x.txt", "s/sub/Notes.TXT"} {
		mustOK(t, w, "write_file", m{"path": p, "content": "x"})
	}
	all := "/home/wuying/s/a.txt\n/home/wuying/s/node_modules/x.txt\n/home/wuying/s/sub/Notes.TXT"
	if got := mustOK(t, w, "search_files", m{"path": "s", "pattern": ".txt"}); got != all {
		t.Fatalf("search = %q", got)
	}
	want := "/home/wuying/s/a.txt\n/home/wuying/s/sub/Notes.TXT"
	for _, a := range []m{
		{"exclude_patterns": []string{"node_modules"}},        // Go
		{"excludePatterns": "node_modules,other"},             // Python
		{"excludePatterns": []string{"node_modules", "*.md"}}, // TypeScript
	} {
		a["path"], a["pattern"] = "/home/wuying/s", "txt"
		if got := mustOK(t, w, "search_files", a); got != want {
			t.Fatalf("search %v = %q", a, got)
		}
	}
	if got := mustOK(t, w, "search_files", m{"path": "s", "pattern": "*.log"}); got != "/home/wuying/s/b.log" {
		t.Fatalf("glob = %q", got)
	}
	if got := mustOK(t, w, "search_files", m{"path": "s", "pattern": "zzz"}); got != "No matches found" {
		t.Fatalf("no match = %q", got)
	}
}

func TestFileChange(t *testing.T) {
	w := newWorkspace(t)
	mustOK(t, w, "write_file", m{"path": "/tmp/w/keep.txt", "content": "1"})
	mustOK(t, w, "write_file", m{"path": "/tmp/w/gone.txt", "content": "1"})
	if got := mustOK(t, w, "get_file_change", m{"path": "/tmp/w"}); got != "[]" {
		t.Fatalf("first call = %q", got)
	}
	mustOK(t, w, "write_file", m{"path": "/tmp/w/keep.txt", "content": "22"})
	mustOK(t, w, "delete_file", m{"path": "/tmp/w/gone.txt"})
	mustOK(t, w, "create_directory", m{"path": "/tmp/w/new"})
	var changes []change
	json.Unmarshal([]byte(mustOK(t, w, "get_file_change", m{"path": "/tmp/w"})), &changes)
	want := []change{{"delete", "/tmp/w/gone.txt", "file"}, {"modify", "/tmp/w/keep.txt", "file"}, {"create", "/tmp/w/new", "directory"}}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Fatalf("changes = %v, want %v", changes, want)
	}
	if got := mustOK(t, w, "get_file_change", m{"path": "/tmp/w"}); got != "[]" {
		t.Fatalf("no change = %q", got)
	}
}

func TestEscapes(t *testing.T) {
	w := newWorkspace(t)
	hostPasswd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Skip("no /etc/passwd on this machine")
	}
	// ".." stops at the session's root: these name root/etc/passwd, which
	// does not exist.
	for _, p := range []string{"../../etc/passwd", "../../../../../../etc/passwd", "/home/../../etc/passwd", "/etc/passwd"} {
		mustFail(t, w, "read_file", m{"path": p}, "No such file or directory")
	}
	mustOK(t, w, "write_file", m{"path": "../../../etc/passwd", "content": "mine"})
	if got, _ := os.ReadFile(filepath.Join(w.box.Root(), "etc/passwd")); string(got) != "mine" {
		t.Fatalf("the write did not land in the session's root: %q", got)
	}

	// Symbolic links made by a command that lead out are refused.
	mustOK(t, w, "shell", m{"command": "ln -s /etc /home/wuying/abs && ln -s ../../../../../../../../etc /home/wuying/rel && " +
		"ln -s /etc/passwd /home/wuying/pw && echo inside > /home/wuying/in.txt && ln -s in.txt /home/wuying/alias", "timeout_ms": 5000})
	for _, p := range []string{"abs/passwd", "rel/passwd", "pw", "/home/wuying/abs/hostname"} {
		mustFail(t, w, "read_file", m{"path": p}, "outside the session")
		mustFail(t, w, "write_file", m{"path": p, "content": "x"}, "outside the session")
		mustFail(t, w, "get_file_info", m{"path": p}, "outside the session")
	}
	mustFail(t, w, "list_directory", m{"path": "abs"}, "outside the session")
	mustFail(t, w, "shell", m{"command": "pwd", "cwd": "abs"}, "outside the session")
	mustFail(t, w, "move_file", m{"source": "in.txt", "destination": "abs/moved"}, "outside the session")
	if got, _ := os.ReadFile("/etc/passwd"); string(got) != string(hostPasswd) {
		t.Fatal("/etc/passwd changed")
	}
	if _, err := os.Stat("/etc/moved"); err == nil {
		t.Fatal("a file was moved out of the session")
	}
	// A link that stays inside works.
	if got := mustOK(t, w, "read_file", m{"path": "alias"}); got != "inside\n" {
		t.Fatalf("alias = %q", got)
	}
	// The search does not follow links out.
	if got := mustOK(t, w, "search_files", m{"path": "/", "pattern": "passwd"}); got != "/etc/passwd" {
		t.Fatalf("search = %q", got)
	}
}

func TestRunCode(t *testing.T) {
	w := newWorkspace(t)
	for _, c := range []struct{ lang, interp, code, out string }{
		{"python", "python3", "print(1+1)", "2\n"},
		{"py", "python3", "import sys; print('x', file=sys.stderr); print('ok')", "ok\n"},
		{"javascript", "node", "console.log(6*7)", "42\n"},
		{"nodejs", "node", "console.log('js')", "js\n"},
	} {
		if _, err := exec.LookPath(c.interp); err != nil {
			t.Logf("%s: %s is missing", c.lang, c.interp)
			continue
		}
		var r codeResult
		json.Unmarshal([]byte(mustOK(t, w, "run_code", m{"code": c.code, "language": c.lang})), &r)
		if len(r.Stdout) != 1 || r.Stdout[0] != c.out || r.ExecutionError != "" || r.Result == nil {
			t.Fatalf("%s: %+v", c.lang, r)
		}
	}
	if _, err := exec.LookPath("python3"); err == nil {
		res := call(t, w, "run_code", m{"code": "raise ValueError('boom')", "language": "python3"})
		var r codeResult
		json.Unmarshal([]byte(res.Text), &r)
		if !res.IsError || r.ExecutionError != "ValueError: boom" {
			t.Fatalf("error: %+v", res)
		}
		res = call(t, w, "run_code", m{"code": "import time; time.sleep(10)", "language": "python", "timeout_s": 1})
		json.Unmarshal([]byte(res.Text), &r)
		if !res.IsError || !strings.Contains(r.ExecutionError, "timed out") {
			t.Fatalf("timeout: %+v", res)
		}
	}
	mustFail(t, w, "run_code", m{"code": "x", "language": "r"}, "not supported")
	mustFail(t, w, "run_code", m{"code": "x"}, `missing argument "language"`)
}

func TestMetrics(t *testing.T) {
	w := newWorkspace(t)
	mustOK(t, w, "write_file", m{"path": "big", "content": strings.Repeat("x", 64<<10)})
	mustOK(t, w, "shell", m{"command": "sleep 30 &", "timeout_ms": 5000})
	var got metricsResult
	if err := json.Unmarshal([]byte(mustOK(t, w, "get_metrics", m{})), &got); err != nil {
		t.Fatal(err)
	}
	if got.CPUCount < 1 || got.MemTotal <= 0 || got.MemUsed <= 0 || got.DiskTotal <= 0 ||
		got.DiskUsed < 64<<10 || got.Timestamp == "" || got.CPUUsed < 0 {
		t.Fatalf("metrics = %+v", got)
	}
}
