package ops

import (
	"context"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// commandOps are the official SDKs' session.command.
var commandOps = []*Op{
	{Name: "execute_command", On: OnSession, Module: "command", Method: "execute_command",
		Doc: "Runs a shell command and waits for it; a non-zero exit gives success false, not a failure.",
		Params: []Param{
			{"command", ID, "the shell command"},
			{"timeout_ms", Millis, "default and most: 50000, as the official SDKs"},
			{"cwd", String, "the working directory; default: the session's home"},
			{"envs", Envs, "extra environment variables"},
		},
		Result: agentbay.CommandResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ExecuteCommand(ctx, x.Args.str("command"), agentbay.CommandOptions{
				Timeout: x.Args.dur("timeout_ms"), Cwd: x.Args.str("cwd"), Envs: x.Args.strings("envs")})
		}},
	{Name: "command_start", On: OnSession, Module: "command", Method: "start",
		Doc: "Starts a shell command in the background and returns its process id at once (not in the cloud: unsupported there).",
		Params: []Param{
			{"command", ID, "the shell command"},
			{"timeout_ms", Millis, "default 0: the server's longest (10 minutes on the local backend)"},
			{"cwd", String, "the working directory; default: the session's home"},
			{"envs", Envs, "extra environment variables"},
		},
		Result: ProcessResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			p, err := x.Session.StartCommand(ctx, x.Args.str("command"), agentbay.CommandOptions{
				Timeout: x.Args.dur("timeout_ms"), Cwd: x.Args.str("cwd"), Envs: x.Args.strings("envs")})
			if err != nil {
				return nil, err
			}
			return &ProcessResult{Result: agentbay.Result{Success: true}, ProcessID: p.ID()}, nil
		}},
	{Name: "command_wait", On: OnSession, Module: "process", Method: "wait",
		Doc:    "Waits for a background command to exit and returns its result, as execute_command's (output kept up to 1 MiB per stream).",
		Params: []Param{{"process_id", ID, "the id from command_start"}},
		Result: agentbay.CommandResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.Process(x.Args.str("process_id")).Wait(ctx)
		}},
	{Name: "command_read", On: OnSession, Module: "process", Method: "chunks",
		Doc: "Waits for the next output of a background command (one long poll of up to 10 s): new stdout and stderr, " +
			"each maybe empty, and done (with exit_code) once it has ended and its output is all read; command_wait then gives the result at once.",
		Params: []Param{{"process_id", ID, "the id from command_start"}},
		Result: ReadResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			out, errOut, res, err := x.Session.Process(x.Args.str("process_id")).Next(ctx)
			if err != nil {
				return nil, err
			}
			r := &ReadResult{Result: agentbay.Result{Success: true}, Stdout: string(out), Stderr: string(errOut), Done: res != nil}
			if res != nil {
				r.ExitCode = res.ExitCode
			}
			return r, nil
		}},
	{Name: "command_kill", On: OnSession, Module: "process", Method: "kill",
		Doc:    "Kills a background command (its process group); its wait then gives exit code 137. A command that has ended is left alone.",
		Params: []Param{{"process_id", ID, "the id from command_start"}},
		Result: agentbay.OperationResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			if err := x.Session.Process(x.Args.str("process_id")).Kill(ctx); err != nil {
				return nil, err
			}
			return &agentbay.OperationResult{Result: agentbay.Result{Success: true}}, nil
		}},
}

// ProcessResult is command_start's result.
type ProcessResult struct {
	agentbay.Result
	ProcessID string `json:"process_id"`
}

// ReadResult is command_read's result.
type ReadResult struct {
	agentbay.Result
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	Done     bool   `json:"done"`
	ExitCode int    `json:"exit_code"` // once done; command_wait gives the whole result
}
