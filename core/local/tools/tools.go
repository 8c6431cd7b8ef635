// Package tools implements the MCP tools of local sessions: shell, the
// filesystem tools, run_code and get_metrics, with the argument spellings
// of the official SDKs and the result texts they parse.
package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/libagentbay/libagentbay/core/local/sandbox"
)

// Limits bound what one tool call may do.
type Limits struct {
	MaxOutputBytes int           // text returned by one call
	MaxTimeout     time.Duration // longest command
}

// Workspace is what the tools of one session work on.
type Workspace struct {
	box    *sandbox.Box
	limits Limits

	mu      sync.Mutex
	watches map[string]snapshot // get_file_change state, by session path
	runs    int                 // run_code executions, for executionCount
	procs   map[string]*proc    // background commands (shell_start), by id
	nextID  int
}

// NewWorkspace returns the workspace of a session's box.
func NewWorkspace(box *sandbox.Box, limits Limits) *Workspace {
	return &Workspace{box: box, limits: limits, watches: map[string]snapshot{}}
}

// Result is an MCP tool result with one text item.
type Result struct {
	Text    string
	IsError bool
}

// MCP returns r in the MCP result shape.
func (r Result) MCP() map[string]any {
	return map[string]any{
		"content": []map[string]any{{"type": "text", "text": r.Text}},
		"isError": r.IsError,
	}
}

func failf(format string, a ...any) Result {
	return Result{Text: fmt.Sprintf(format, a...), IsError: true}
}

// Tool is one tool as ListMcpTools and ToolList describe it.
type Tool struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	InputSchema map[string]any `json:"inputSchema"`
	Server      string         `json:"server"`
	Tool        string         `json:"tool"`

	run func(context.Context, *Workspace, args) Result
}

// The MCP servers of the cloud's images that the SDKs address.
const (
	serverShell = "wuying_shell"
	serverFiles = "wuying_filesystem"
	serverCode  = "wuying_codespace"
	serverSys   = "mcp-server"
)

var all = []*Tool{shellTool, shellStartTool, shellOutputTool, shellKillTool, runCodeTool, metricsTool,
	createDirTool, deleteFileTool, editFileTool, fileInfoTool, listDirTool, moveFileTool,
	readFileTool, readMultipleTool, searchFilesTool, writeFileTool, fileChangeTool}

func init() {
	for _, t := range all {
		t.Tool = t.Name
	}
}

// Find returns the tool called name, or nil.
func Find(name string) *Tool {
	for _, t := range all {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// ListJSON is the JSON array of every tool, as ToolList and ListMcpTools
// carry it (in a string).
var ListJSON = sync.OnceValue(func() string {
	b, err := json.Marshal(all)
	if err != nil {
		panic(err)
	}
	return string(b)
})

// ErrUnknownTool is returned by Call for a tool that does not exist.
var ErrUnknownTool = errors.New("unknown tool")

// Call runs the tool called name with args, a JSON object (empty or null
// means no arguments). Bad arguments give an error result; only an
// unknown tool or args that are not an object give an error.
func Call(ctx context.Context, w *Workspace, name string, rawArgs []byte) (Result, error) {
	t := Find(name)
	if t == nil {
		return Result{}, fmt.Errorf("%w %q", ErrUnknownTool, name)
	}
	if !utf8.Valid(rawArgs) {
		// Decoding would turn the bad bytes into U+FFFD: a command or a
		// path other than the one sent.
		return Result{}, errors.New("the arguments are not valid UTF-8")
	}
	a := args{}
	if s := strings.TrimSpace(string(rawArgs)); s != "" && s != "null" {
		if err := json.Unmarshal(rawArgs, &a); err != nil {
			return Result{}, fmt.Errorf("the arguments are not a JSON object: %v", err)
		}
	}
	return t.run(ctx, w, a), nil
}

// args are the arguments of one call. Its getters accept what the three
// SDKs send, and are lenient about numbers and booleans sent as strings.
type args map[string]json.RawMessage

type argError struct{ name, want string }

func (e *argError) Error() string { return fmt.Sprintf("invalid argument %q: want %s", e.name, e.want) }

func (a args) has(name string) bool {
	v, ok := a[name]
	return ok && string(v) != "null"
}

// str returns a string argument; a missing required one is an error.
func (a args) str(name string, required bool) (string, error) {
	if !a.has(name) {
		if required {
			return "", fmt.Errorf("missing argument %q", name)
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(a[name], &s); err != nil {
		return "", &argError{name, "a string"}
	}
	return s, nil
}

// int returns an integer argument, or def if it is missing.
func (a args) int(name string, def int64) (int64, error) {
	if !a.has(name) {
		return def, nil
	}
	var n json.Number
	if err := json.Unmarshal(a[name], &n); err != nil {
		var s string
		if json.Unmarshal(a[name], &s) != nil {
			return 0, &argError{name, "an integer"}
		}
		n = json.Number(s)
	}
	i, err := n.Int64()
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil || f != float64(int64(f)) {
			return 0, &argError{name, "an integer"}
		}
		i = int64(f)
	}
	return i, nil
}

// bool returns a boolean argument given under any of names.
func (a args) bool(names ...string) (bool, error) {
	for _, name := range names {
		if !a.has(name) {
			continue
		}
		var b bool
		if json.Unmarshal(a[name], &b) == nil {
			return b, nil
		}
		var s string
		if json.Unmarshal(a[name], &s) == nil {
			if b, err := strconv.ParseBool(s); err == nil {
				return b, nil
			}
		}
		return false, &argError{name, "true or false"}
	}
	return false, nil
}

// list returns a list of strings given under any of names, as a JSON
// array or as one comma-separated string (Python's excludePatterns).
func (a args) list(names ...string) ([]string, error) {
	for _, name := range names {
		if !a.has(name) {
			continue
		}
		var l []string
		if json.Unmarshal(a[name], &l) == nil {
			return l, nil
		}
		var s string
		if json.Unmarshal(a[name], &s) != nil {
			return nil, &argError{name, "a list of strings"}
		}
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				l = append(l, p)
			}
		}
		return l, nil
	}
	return nil, nil
}

// object decodes an object argument into v, if it is given.
func (a args) object(name string, v any, want string) error {
	if !a.has(name) {
		return nil
	}
	if err := json.Unmarshal(a[name], v); err != nil {
		return &argError{name, want}
	}
	return nil
}

// jsonText is the compact JSON of v, for result texts, with &, < and >
// left as they are.
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%q", err.Error())
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func schema(required []string, props map[string]any) map[string]any {
	if required == nil {
		required = []string{}
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

func prop(typ, desc string) map[string]any {
	return map[string]any{"type": typ, "description": desc}
}
