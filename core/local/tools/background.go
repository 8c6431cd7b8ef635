package tools

import (
	"context"
	"errors"

	"strconv"
	"time"

	"github.com/libagentbay/libagentbay/core/local/sandbox"
)

// Background commands: shell_start starts a command and returns its id,
// shell_output reads its output from a pair of offsets (waiting up to
// wait_ms for some) and says once it has exited, shell_kill kills it.
// They keep the shell tool's rules (namespace, cgroup, timeout); a stream
// holds at most MaxOutputBytes unread, after which the command waits for
// its reader, as on a full pipe. Reading from an offset acknowledges the
// output before it, which is then dropped, so a retried read (same
// offsets) gets the same output again.

const (
	maxRunningProcs = 64               // running background commands per session
	maxKeptProcs    = 256              // with those that ended, kept for their last read
	maxOutputWait   = 30 * time.Second // longest wait_ms of one shell_output
)

type proc struct {
	id    string
	p     *sandbox.Proc
	order int
}

var shellStartTool = &Tool{
	Name: "shell_start",
	Description: "Start a shell command in the background, as shell runs it (timeout_ms 0 or missing: the longest " +
		"allowed). Returns JSON {id}; read its output with shell_output, stop it with shell_kill.",
	InputSchema: schema([]string{"command"}, map[string]any{
		"command":    prop("string", "Shell command to run"),
		"timeout_ms": map[string]any{"type": "integer", "default": 0, "description": "Timeout in milliseconds"},
		"cwd":        prop("string", "Working directory, a folder under /home or /tmp (default: the home directory)"),
		"envs": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"},
			"description": "Extra environment variables"},
	}),
	Server: serverShell,
	run:    runShellStart,
}

var shellOutputTool = &Tool{
	Name: "shell_output",
	Description: "Read the output of a command started by shell_start from byte offsets of stdout and stderr " +
		"(the output before them is dropped), waiting up to wait_ms (at most 30000) for new output. Returns JSON " +
		"{stdout, stderr, stdout_offset, stderr_offset, exited, exit_code, timed_out, killed}: the offsets to read " +
		"from next; exited is true once the command has exited and its output is read to the end.",
	InputSchema: schema([]string{"id"}, map[string]any{
		"id":            prop("string", "The id from shell_start"),
		"stdout_offset": map[string]any{"type": "integer", "default": 0, "description": "Byte offset in stdout"},
		"stderr_offset": map[string]any{"type": "integer", "default": 0, "description": "Byte offset in stderr"},
		"wait_ms":       map[string]any{"type": "integer", "default": 0, "description": "Longest wait for new output"},
	}),
	Server: serverShell,
	run:    runShellOutput,
}

var shellKillTool = &Tool{
	Name:        "shell_kill",
	Description: "Kill a command started by shell_start (its process group). Returns JSON {killed}: false if it had already exited.",
	InputSchema: schema([]string{"id"}, map[string]any{"id": prop("string", "The id from shell_start")}),
	Server:      serverShell,
	run:         runShellKill,
}

func runShellStart(ctx context.Context, w *Workspace, a args) Result {
	cmd, r := shellCommand(w, a, 0)
	if r != nil {
		return *r
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	running, oldest := 0, (*proc)(nil)
	for _, p := range w.procs {
		if !p.p.Exited() {
			running++
		} else if oldest == nil || p.order < oldest.order {
			oldest = p
		}
	}
	if running >= maxRunningProcs {
		return failf("%d background commands are running in this session, the most allowed; wait for or kill one", running)
	}
	if len(w.procs) >= maxKeptProcs && oldest != nil {
		delete(w.procs, oldest.id)
	}
	p, err := w.box.Start(cmd)
	if errors.Is(err, sandbox.ErrFrozen) {
		return failf("the session is paused; resume it first")
	}
	if err != nil {
		return failf("starting the command: %v", err)
	}
	if w.procs == nil {
		w.procs = map[string]*proc{}
	}
	w.nextID++
	id := "cmd-" + strconv.Itoa(w.nextID)
	w.procs[id] = &proc{id: id, p: p, order: w.nextID}
	return Result{Text: jsonText(map[string]string{"id": id})}
}

func (w *Workspace) proc(a args) (*proc, *Result) {
	id, err := a.str("id", true)
	if err != nil {
		r := failf("%v", err)
		return nil, &r
	}
	w.mu.Lock()
	p := w.procs[id]
	w.mu.Unlock()
	if p == nil {
		r := failf("no background command has id %q in this session (shell_start gives the ids; "+
			"the oldest ended ones are forgotten)", id)
		return nil, &r
	}
	return p, nil
}

type shellOutput struct {
	Stdout       string `json:"stdout"`
	Stderr       string `json:"stderr"`
	StdoutOffset int64  `json:"stdout_offset"`
	StderrOffset int64  `json:"stderr_offset"`
	Exited       bool   `json:"exited"`
	ExitCode     int    `json:"exit_code"`
	TimedOut     bool   `json:"timed_out"`
	Killed       bool   `json:"killed"`
}

func runShellOutput(ctx context.Context, w *Workspace, a args) Result {
	p, r := w.proc(a)
	if r != nil {
		return *r
	}
	var offs [2]int64
	for i, name := range []string{"stdout_offset", "stderr_offset"} {
		n, err := a.int(name, 0)
		if err != nil {
			return failf("%v", err)
		}
		offs[i] = n
	}
	ms, err := a.int("wait_ms", 0)
	if err != nil {
		return failf("%v", err)
	}
	wait := time.Duration(min(max(ms, 0), maxOutputWait.Milliseconds())) * time.Millisecond
	st, err := p.p.Read(ctx, offs, w.limits.MaxOutputBytes, wait)
	if err != nil {
		return failf("%v", err)
	}
	out := shellOutput{Stdout: st.Stdout.Data, Stderr: st.Stderr.Data,
		StdoutOffset: st.Stdout.Offset, StderrOffset: st.Stderr.Offset, Exited: st.Exited, Killed: st.Killed}
	if st.Exited {
		out.ExitCode, out.TimedOut = st.Result.ExitCode, st.Result.TimedOut
		if out.TimedOut {
			out.ExitCode = timeoutExit
		}
	}
	return Result{Text: jsonText(out)}
}

func runShellKill(ctx context.Context, w *Workspace, a args) Result {
	p, r := w.proc(a)
	if r != nil {
		return *r
	}
	killed := !p.p.Exited()
	p.p.Kill()
	return Result{Text: jsonText(map[string]any{"killed": killed, "id": p.id})}
}
