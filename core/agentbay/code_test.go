package agentbay

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// run_code's texts: the cloud's JSON with MIME bundles, a failure, the
// older logs/results shape and plain text.
func TestCodeResult(t *testing.T) {
	two := 2
	for _, tc := range []struct {
		name string
		in   McpToolResult
		want CodeResult
	}{
		{"current format", McpToolResult{Result: ok("r"), Data: `{"result":["{\"isMainResult\":true,\"text/plain\":\"3\",\"image/png\":\"iVBO\",\"application/json\":{\"a\":1}}","\"{\\\"text/html\\\":\\\"<b>x</b>\\\"}\""],` +
			`"stdout":["hi\n"],"stderr":[],"executionError":"","executionCount":2,"executionTime":0.5}`},
			CodeResult{Result: ok("r"), ExecutionCount: &two, ExecutionTime: 0.5,
				Logs:    ExecutionLogs{Stdout: []string{"hi\n"}, Stderr: []string{}},
				Results: []ExecutionResult{{Text: "3", PNG: "iVBO", JSON: json.RawMessage(`{"a":1}`), IsMainResult: true}, {HTML: "<b>x</b>"}},
				Text:    "3"}},
		{"execution error", McpToolResult{Result: Result{RequestID: "r", ErrorMessage: `{"result":[],"stdout":["a"],"stderr":["Traceback\nZeroDivisionError: division by zero\n"],"executionError":"ZeroDivisionError: division by zero"}`}},
			CodeResult{Result: Result{RequestID: "r", ErrorMessage: "ZeroDivisionError: division by zero"},
				Logs:    ExecutionLogs{Stdout: []string{"a"}, Stderr: []string{"Traceback\nZeroDivisionError: division by zero\n"}},
				Results: []ExecutionResult{}, Error: &ExecutionError{Name: "ExecutionError", Value: "ZeroDivisionError: division by zero"},
				Text: "a"}},
		{"legacy format", McpToolResult{Result: ok("r"), Data: `{"logs":{"stdout":["x"],"stderr":[]},"results":[{"text":"1","is_main_result":true}],"error":{"name":"E","value":"v","traceback":"tb"}}`},
			CodeResult{Result: Result{RequestID: "r", ErrorMessage: "v"},
				Logs:    ExecutionLogs{Stdout: []string{"x"}, Stderr: []string{}},
				Results: []ExecutionResult{{Text: "1", IsMainResult: true}}, Error: &ExecutionError{Name: "E", Value: "v", Traceback: "tb"},
				Text: "1"}},
		{"plain text", McpToolResult{Result: ok("r"), Data: "42\n"},
			CodeResult{Result: ok("r"), Logs: ExecutionLogs{Stdout: []string{"42\n"}},
				Results: []ExecutionResult{{Text: "42\n", IsMainResult: true}}, Text: "42\n"}},
		{"plain text failure", McpToolResult{Result: Result{RequestID: "r", ErrorMessage: "tool not found"}},
			CodeResult{Result: Result{RequestID: "r", ErrorMessage: "tool not found"}}},
		{"empty failure", McpToolResult{Result: Result{RequestID: "r"}},
			CodeResult{Result: Result{RequestID: "r", ErrorMessage: "Failed to run code"}}},
		{"unknown object", McpToolResult{Result: ok("r"), Data: `{"x":1}`},
			CodeResult{Result: Result{RequestID: "r", ErrorMessage: "Unknown response format"}}},
	} {
		assert.Equal(t, tc.want, *codeResult(&tc.in), tc.name)
	}
}

func TestCodeLanguage(t *testing.T) {
	for in, want := range map[string]string{"Python": "python", " py ": "python", "python3": "python",
		"JS": "javascript", "node": "javascript", "nodejs": "javascript", "r": "r", "Java": "java"} {
		got, err := CodeLanguage(in)
		assert.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := CodeLanguage("ruby")
	assert.EqualError(t, err, "agentbay: Unsupported language: ruby. Supported languages are 'python', 'javascript', 'r', and 'java'")
	assert.Equal(t, KindInvalidArgument, KindOf(err))
}
