package tools

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/libagentbay/libagentbay/core/local/sandbox"
)

var shellTool = &Tool{
	Name: "shell",
	Description: "Run a shell command in the session, with its home as the working directory. " +
		"Returns JSON {stdout, stderr, exit_code}; a non-zero exit is an error whose text is JSON " +
		"{errorCode, exit_code, stderr, stdout, traceId}. A timeout kills the command's process group. " +
		"Processes started in the background keep running until the session is paused or deleted.",
	InputSchema: schema([]string{"command", "timeout_ms"}, map[string]any{
		"command":    prop("string", "Shell command to run"),
		"timeout_ms": map[string]any{"type": "integer", "default": defaultShellTimeout.Milliseconds(), "description": "Timeout in milliseconds"},
		"cwd":        prop("string", "Working directory, a folder under /home or /tmp (default: the home directory)"),
		"envs": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"},
			"description": "Extra environment variables"},
	}),
	Server: serverShell,
	run:    runShell,
}

// defaultShellTimeout is the documented default of the cloud's shell tool.
const defaultShellTimeout = time.Second

// timeoutExit is the exit code reported for a command that timed out, as
// timeout(1) reports it.
const timeoutExit = 124

type shellOK struct {
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	ExitCode int    `json:"exit_code"`
}

type shellFailed struct {
	ErrorCode int    `json:"errorCode"`
	ExitCode  int    `json:"exit_code"`
	Stderr    string `json:"stderr"`
	Stdout    string `json:"stdout"`
	TraceID   string `json:"traceId"`
}

// shellCommand reads the arguments of shell and shell_start: command,
// timeout_ms (def if missing), cwd and envs.
func shellCommand(w *Workspace, a args, def int64) (sandbox.Command, *Result) {
	bad := func(err error) (sandbox.Command, *Result) {
		r := failf("%v", err)
		return sandbox.Command{}, &r
	}
	command, err := a.str("command", true)
	if err != nil {
		return bad(err)
	}
	if strings.ContainsRune(command, 0) {
		return bad(fmt.Errorf("invalid argument %q: it contains a NUL character", "command"))
	}
	ms, err := a.int("timeout_ms", def)
	if err != nil {
		return bad(err)
	}
	dir, err := a.str("cwd", false)
	if err != nil {
		return bad(err)
	}
	var envs map[string]string
	if err := a.object("envs", &envs, "an object of strings"); err != nil {
		return bad(err)
	}
	for k, v := range envs {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return bad(fmt.Errorf("invalid environment variable name %q", k))
		}
		if strings.ContainsRune(v, 0) {
			return bad(fmt.Errorf("invalid value of environment variable %q: it contains a NUL character", k))
		}
	}
	cmd := sandbox.Command{Script: command, Env: envs, Timeout: w.timeout(ms, time.Millisecond)}
	if dir != "" {
		var r *Result
		if cmd.Dir, r = w.dir(dir); r != nil {
			return cmd, r
		}
	}
	return cmd, nil
}

func runShell(ctx context.Context, w *Workspace, a args) Result {
	cmd, r := shellCommand(w, a, defaultShellTimeout.Milliseconds())
	if r != nil {
		return *r
	}
	timeout := cmd.Timeout
	res, r := w.run(ctx, cmd)
	if r != nil {
		return *r
	}
	if res.TimedOut {
		res.ExitCode = timeoutExit
		res.Stderr += fmt.Sprintf("\n[command timed out after %d ms; its process group was killed]", timeout.Milliseconds())
	}
	if res.ExitCode != 0 {
		return Result{Text: jsonText(shellFailed{res.ExitCode, res.ExitCode, res.Stderr, res.Stdout, ""}), IsError: true}
	}
	return Result{Text: jsonText(shellOK{res.Stdout, res.Stderr, 0})}
}

// timeout turns n units into a timeout clamped to (0, MaxTimeout]: zero,
// negative and too large all mean MaxTimeout. It compares before it
// multiplies, so that a huge n cannot wrap around to a tiny timeout.
func (w *Workspace) timeout(n int64, unit time.Duration) time.Duration {
	if n <= 0 || n > int64(w.limits.MaxTimeout/unit) {
		return w.limits.MaxTimeout
	}
	return time.Duration(n) * unit
}

// dir resolves a working directory argument to a host path inside the
// session's root.
func (w *Workspace) dir(p string) (string, *Result) {
	root, sp, rn, err := w.resolve(p)
	if err != nil {
		r := failf("%v", err)
		return "", &r
	}
	defer root.Close()
	info, err := root.Stat(rn)
	if err == nil && !info.IsDir() {
		err = syscall.ENOTDIR
	}
	if err != nil {
		r := fsError(sp, err)
		return "", &r
	}
	host := filepath.Join(w.box.Root(), rn)
	if !w.box.Shows(host) {
		r := failf("cwd %s: commands of local sessions see the session's /tmp and /home, not its other folders; "+
			"use a folder under /home/wuying or /tmp", sp)
		return "", &r
	}
	return host, nil
}

// run runs cmd in the session's box.
func (w *Workspace) run(ctx context.Context, cmd sandbox.Command) (sandbox.Result, *Result) {
	res, err := w.box.Run(ctx, cmd)
	if errors.Is(err, sandbox.ErrFrozen) {
		r := failf("the session is paused; resume it first")
		return res, &r
	}
	if err != nil {
		r := failf("running the command: %v", err)
		return res, &r
	}
	return res, nil
}
