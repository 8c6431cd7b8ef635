package agentbay

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The shell tool's texts, as the cloud and older services give them.
func TestCommandResult(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   McpToolResult
		want CommandResult
	}{
		{"json success", McpToolResult{Result: ok("r"), Data: `{"stdout":"a","stderr":"b","exit_code":0}`},
			CommandResult{Result: ok("r"), Output: "ab", Stdout: "a", Stderr: "b"}},
		{"plain text success", McpToolResult{Result: ok("r"), Data: "legacy"},
			CommandResult{Result: ok("r"), Output: "legacy"}},
		{"cloud failure: errorCode", McpToolResult{Result: Result{RequestID: "r", ErrorMessage: `{"errorCode":127,"stderr":"nope","stdout":"","traceId":"t1"}`}},
			CommandResult{Result: Result{RequestID: "r", ErrorMessage: "nope"}, Output: "nope", ExitCode: 127, Stderr: "nope", TraceID: "t1"}},
		{"failure without a code", McpToolResult{Result: Result{RequestID: "r", ErrorMessage: `{"stderr":""}`}},
			CommandResult{Result: Result{RequestID: "r", ErrorMessage: `{"stderr":""}`}, ExitCode: 1}},
		{"plain text failure", McpToolResult{Result: Result{RequestID: "r", ErrorMessage: "Execution failed. Error code:127"}},
			CommandResult{Result: Result{RequestID: "r", ErrorMessage: "Execution failed. Error code:127"}, ExitCode: 1}},
		{"empty failure", McpToolResult{Result: Result{RequestID: "r"}},
			CommandResult{Result: Result{RequestID: "r", ErrorMessage: "Failed to execute command"}, ExitCode: 1}},
	} {
		got := commandResult(&tc.in)
		assert.Equal(t, tc.want, *got, tc.name)
	}
}
