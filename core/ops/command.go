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
}
