package tools

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/libagentbay/libagentbay/core/local/sandbox"
)

var runCodeTool = &Tool{
	Name: "run_code",
	Description: "Run Python (python3) or JavaScript (node) code in the session. Returns JSON with stdout and stderr " +
		"lists, a result list and executionError (empty on success).",
	InputSchema: schema([]string{"code", "language"}, map[string]any{
		"code": prop("string", "Code to run"),
		"language": map[string]any{"type": "string", "enum": []string{"python", "javascript"},
			"description": "python (py, python3) or javascript (js, node, nodejs)"},
		"timeout_s": map[string]any{"type": "integer", "default": defaultCodeTimeout.Seconds(), "description": "Timeout in seconds"},
	}),
	Server: serverCode,
	run:    runCode,
}

const defaultCodeTimeout = 60 * time.Second

// interpreters run code read from stdin.
var interpreters = map[string]string{"python": "python3", "javascript": "node"}

var languageAliases = map[string]string{
	"python": "python", "py": "python", "python3": "python",
	"javascript": "javascript", "js": "javascript", "node": "javascript", "nodejs": "javascript",
}

// codeResult is the JSON text of run_code.
type codeResult struct {
	Result         []string `json:"result"`
	Stdout         []string `json:"stdout"`
	Stderr         []string `json:"stderr"`
	ExecutionError string   `json:"executionError"`
	TraceID        string   `json:"traceId"`
	ExecutionTime  float64  `json:"executionTime"`
	ExecutionCount int      `json:"executionCount"`
}

func runCode(ctx context.Context, w *Workspace, a args) Result {
	code, err := a.str("code", true)
	if err != nil {
		return failf("%v", err)
	}
	language, err := a.str("language", true)
	if err != nil {
		return failf("%v", err)
	}
	secs, err := a.int("timeout_s", int64(defaultCodeTimeout.Seconds()))
	if err != nil {
		return failf("%v", err)
	}
	lang, ok := languageAliases[strings.ToLower(language)]
	if !ok {
		return failf("language %q is not supported by local sessions: use python or javascript", language)
	}
	interp := interpreters[lang]
	if _, err := exec.LookPath(interp); err != nil {
		return failf("%s code cannot run: %s is not installed on this machine", lang, interp)
	}
	timeout := w.timeout(secs, time.Second)
	start := time.Now()
	res, r := w.run(ctx, sandbox.Command{Script: interp + " -", Stdin: code, Timeout: timeout})
	if r != nil {
		return *r
	}
	w.mu.Lock()
	w.runs++
	out := codeResult{
		Result:         []string{},
		Stdout:         nonEmpty(res.Stdout),
		Stderr:         nonEmpty(res.Stderr),
		ExecutionTime:  time.Since(start).Seconds(),
		ExecutionCount: w.runs,
	}
	w.mu.Unlock()
	switch {
	case res.TimedOut:
		out.ExecutionError = fmt.Sprintf("TimeoutError: execution timed out after %d s", int(timeout.Seconds()))
	case res.ExitCode != 0:
		out.ExecutionError = lastLine(res.Stderr)
		if out.ExecutionError == "" {
			out.ExecutionError = fmt.Sprintf("exit status %d", res.ExitCode)
		}
	}
	return Result{Text: jsonText(out), IsError: out.ExecutionError != ""}
}

func nonEmpty(s string) []string {
	if s == "" {
		return []string{}
	}
	return []string{s}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
