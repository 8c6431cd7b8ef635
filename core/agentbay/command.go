package agentbay

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/wire"
)

// The official SDKs' command timeouts (spec 6.4): the newest Python SDK's
// default, and the most any of them sends.
const (
	DefaultCommandTimeout = 50 * time.Second
	MaxCommandTimeout     = 50 * time.Second
)

// CommandOptions are ExecuteCommand's optional arguments.
type CommandOptions struct {
	Timeout time.Duration     // 0: DefaultCommandTimeout; more than MaxCommandTimeout is capped
	Cwd     string            // "": the session's home
	Envs    map[string]string // extra environment variables of the command
}

// CommandResult is the outcome of a command, as the official SDKs shape it:
// Success is false on a non-zero exit, Output is stdout then stderr.
type CommandResult struct {
	Result
	Output   string `json:"output"`
	ExitCode int    `json:"exit_code"`
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	TraceID  string `json:"trace_id"`
}

// ExecuteCommand runs command in the session's shell (the "shell" tool of
// spec 7.1) and waits for it to end. A command that fails or times out is a
// result with Success false and its exit code (124 for a timeout on the
// local backend); errors are for calls that could not be made.
func (s *Session) ExecuteCommand(ctx context.Context, command string, o CommandOptions) (*CommandResult, error) {
	if command == "" {
		return nil, wire.Errorf(wire.KindInvalidArgument, "command is required")
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	timeout = min(timeout, MaxCommandTimeout)
	args := map[string]any{"command": command, "timeout_ms": timeout.Milliseconds()}
	if o.Cwd != "" {
		args["cwd"] = o.Cwd
	}
	if o.Envs != nil {
		args["envs"] = o.Envs
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, wire.Errorf(wire.KindInvalidArgument, "the command's arguments cannot be encoded: %v", err)
	}
	// The call must outlive the command, which the tool bounds by timeout.
	res, err := s.CallMcpTool(ctx, "shell", json.RawMessage(raw), CallOptions{ReadTimeout: timeout + 10*time.Second})
	if err != nil {
		return nil, err
	}
	return commandResult(res), nil
}

// commandResult reads the shell tool's text: JSON {stdout, stderr,
// exit_code} on success; on failure the same with errorCode for exit_code,
// or a plain message.
func commandResult(res *McpToolResult) *CommandResult {
	out := &CommandResult{Result: Result{RequestID: res.RequestID, Success: res.Success}}
	text := res.Data
	if !res.Success {
		text = res.ErrorMessage
	}
	payload := gjson.Parse(text)
	if !gjson.Valid(text) || !payload.IsObject() {
		if res.Success { // an older service's plain text
			out.Output = text
			return out
		}
		out.ExitCode, out.ErrorMessage = 1, text
		if text == "" {
			out.ErrorMessage = "Failed to execute command"
		}
		return out
	}
	out.Stdout = payload.Get("stdout").String()
	out.Stderr = payload.Get("stderr").String()
	out.TraceID = wire.First(payload, "traceId", "trace_id").String()
	out.ExitCode = int(wire.First(payload, "exit_code", "errorCode").Int())
	out.Output = out.Stdout + out.Stderr
	if !res.Success && out.ExitCode == 0 {
		out.ExitCode = 1 // failed, whatever the text said
	}
	out.Success = out.ExitCode == 0
	if !out.Success {
		out.ErrorMessage = out.Stderr
		if out.ErrorMessage == "" {
			out.ErrorMessage = text
		}
	}
	return out
}
