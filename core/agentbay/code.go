package agentbay

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/wire"
)

// DefaultCodeTimeout is run_code's time limit when none is given, as in the
// official SDKs.
const DefaultCodeTimeout = 60 * time.Second

// CodeOptions are RunCode's optional arguments.
type CodeOptions struct {
	Timeout time.Duration // 0: DefaultCodeTimeout; sent in whole seconds, rounded up
}

// ExecutionResult is one output of the code: a MIME bundle, as the official
// SDKs split it (only the formats present are set).
type ExecutionResult struct {
	Text         string          `json:"text,omitempty"`
	HTML         string          `json:"html,omitempty"`
	Markdown     string          `json:"markdown,omitempty"`
	PNG          string          `json:"png,omitempty"`  // base64
	JPEG         string          `json:"jpeg,omitempty"` // base64
	SVG          string          `json:"svg,omitempty"`
	JSON         json.RawMessage `json:"json,omitempty"`
	LaTeX        string          `json:"latex,omitempty"`
	Chart        json.RawMessage `json:"chart,omitempty"`
	IsMainResult bool            `json:"is_main_result"`
}

// ExecutionLogs are what the code wrote.
type ExecutionLogs struct {
	Stdout []string `json:"stdout"`
	Stderr []string `json:"stderr"`
}

// ExecutionError describes why the code failed.
type ExecutionError struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	Traceback string `json:"traceback"`
}

// CodeResult is the outcome of RunCode, shaped as the official SDKs'
// EnhancedCodeExecutionResult. Success is false when the code raised or
// exited with an error (Error and ErrorMessage say why); Text is the
// official "result": the main result's text, else the first result's,
// else stdout.
type CodeResult struct {
	Result
	ExecutionCount *int              `json:"execution_count"`
	ExecutionTime  float64           `json:"execution_time"`
	Logs           ExecutionLogs     `json:"logs"`
	Results        []ExecutionResult `json:"results"`
	Error          *ExecutionError   `json:"error"`
	Text           string            `json:"result"`
}

// codeLanguages are the languages the official SDKs send, and the aliases
// they accept for them.
var codeLanguages = map[string]string{
	"python": "python", "javascript": "javascript", "r": "r", "java": "java",
	"py": "python", "python3": "python", "js": "javascript", "node": "javascript", "nodejs": "javascript",
}

// CodeLanguage normalises a run_code language as the official SDKs do
// (case and surrounding blanks do not matter; py, python3, js, node and
// nodejs are aliases) and refuses the others with their message.
func CodeLanguage(language string) (string, error) {
	if lang, ok := codeLanguages[strings.ToLower(strings.TrimSpace(language))]; ok {
		return lang, nil
	}
	return "", wire.Errorf(wire.KindInvalidArgument,
		"Unsupported language: %s. Supported languages are 'python', 'javascript', 'r', and 'java'", language)
}

// RunCode runs code in the session (the run_code tool of spec 7.3, on
// code_latest images in the cloud) and waits for it. Code that raises or
// times out is a result with Success false; errors are for calls that
// could not be made and for arguments refused before anything is sent.
func (s *Session) RunCode(ctx context.Context, code, language string, o CodeOptions) (*CodeResult, error) {
	if strings.TrimSpace(code) == "" {
		return nil, wire.Errorf(wire.KindInvalidArgument, "code is required")
	}
	lang, err := CodeLanguage(language)
	if err != nil {
		return nil, err
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultCodeTimeout
	}
	secs := int64((timeout + time.Second - 1) / time.Second)
	raw, err := json.Marshal(map[string]any{"code": code, "language": lang, "timeout_s": secs})
	if err != nil {
		return nil, wire.Errorf(wire.KindInvalidArgument, "the code's arguments cannot be encoded: %v", err)
	}
	// The call must outlive the code, which the tool bounds by timeout.
	res, err := s.CallMcpTool(ctx, "run_code", json.RawMessage(raw),
		CallOptions{ReadTimeout: time.Duration(secs)*time.Second + 10*time.Second})
	if err != nil {
		return nil, err
	}
	return codeResult(res), nil
}

// codeResult reads run_code's text: the JSON of spec 7.3 ({result, stdout,
// stderr, executionError, ...}), an older {logs, results, error} shape, or
// plain text. A tool error with such JSON is read the same way.
func codeResult(res *McpToolResult) *CodeResult {
	out := &CodeResult{Result: Result{RequestID: res.RequestID, Success: res.Success}}
	text := res.Data
	if !res.Success {
		text = res.ErrorMessage
	}
	payload := gjson.Parse(text)
	switch {
	case gjson.Valid(text) && payload.IsObject() && payload.Get("result").IsArray():
		readCurrent(out, payload)
	case gjson.Valid(text) && payload.IsObject() && (payload.Get("logs").Exists() || payload.Get("results").Exists()):
		readLegacy(out, payload)
	case !res.Success:
		out.ErrorMessage = text
		if text == "" {
			out.ErrorMessage = "Failed to run code"
		}
		return out
	case gjson.Valid(text) && payload.IsObject():
		out.Success, out.ErrorMessage = false, "Unknown response format"
		return out
	default: // plain text: the output itself
		out.Logs.Stdout = []string{text}
		out.Results = []ExecutionResult{{Text: text, IsMainResult: true}}
	}
	if out.Error != nil {
		out.Success = false
		if out.ErrorMessage == "" {
			out.ErrorMessage = out.Error.Value
		}
	}
	if !out.Success && out.ErrorMessage == "" {
		out.ErrorMessage = "Failed to run code"
		if !res.Success && text != "" {
			out.ErrorMessage = text
		}
	}
	out.Text = mainText(out)
	return out
}

func readCurrent(out *CodeResult, p gjson.Result) {
	out.Logs = ExecutionLogs{Stdout: stringList(p.Get("stdout")), Stderr: stringList(p.Get("stderr"))}
	out.Results = []ExecutionResult{}
	for _, item := range p.Get("result").Array() {
		bundle := item
		for i := 0; i < 2 && bundle.Type == gjson.String && gjson.Valid(bundle.Str); i++ {
			bundle = gjson.Parse(bundle.Str) // a JSON string, maybe twice encoded
		}
		if !bundle.IsObject() {
			out.Results = append(out.Results, ExecutionResult{Text: item.String()})
			continue
		}
		out.Results = append(out.Results, ExecutionResult{
			Text:         wire.First(bundle, "text/plain", "text").String(),
			HTML:         wire.First(bundle, "text/html", "html").String(),
			Markdown:     wire.First(bundle, "text/markdown", "markdown").String(),
			PNG:          wire.First(bundle, "image/png", "png").String(),
			JPEG:         wire.First(bundle, "image/jpeg", "jpeg").String(),
			SVG:          wire.First(bundle, "image/svg\\+xml", "svg").String(),
			JSON:         rawOf(wire.First(bundle, "application/json", "json")),
			LaTeX:        wire.First(bundle, "text/latex", "latex").String(),
			Chart:        rawOf(wire.First(bundle, "application/vnd\\.vegalite\\.v4\\+json", "application/vnd\\.vegalite\\.v5\\+json", "chart")),
			IsMainResult: wire.First(bundle, "isMainResult", "is_main_result").Bool(),
		})
	}
	if e := p.Get("executionError"); e.Exists() && e.Type != gjson.Null && e.String() != "" {
		out.Error = &ExecutionError{Name: "ExecutionError", Value: e.String()}
	}
	readCounts(out, p)
	if p.Get("isError").Bool() {
		out.Success = false
	}
}

func readLegacy(out *CodeResult, p gjson.Result) {
	logs := p.Get("logs")
	out.Logs = ExecutionLogs{Stdout: stringList(logs.Get("stdout")), Stderr: stringList(logs.Get("stderr"))}
	out.Results = []ExecutionResult{}
	for _, r := range p.Get("results").Array() {
		out.Results = append(out.Results, ExecutionResult{
			Text: r.Get("text").String(), HTML: r.Get("html").String(), Markdown: r.Get("markdown").String(),
			PNG: r.Get("png").String(), JPEG: r.Get("jpeg").String(), SVG: r.Get("svg").String(),
			JSON: rawOf(r.Get("json")), LaTeX: r.Get("latex").String(), Chart: rawOf(r.Get("chart")),
			IsMainResult: r.Get("is_main_result").Bool(),
		})
	}
	if e := p.Get("error"); e.IsObject() {
		out.Error = &ExecutionError{Name: e.Get("name").String(), Value: e.Get("value").String(),
			Traceback: e.Get("traceback").String()}
		if out.Error.Name == "" {
			out.Error.Name = "UnknownError"
		}
	}
	readCounts(out, p)
	if p.Get("isError").Bool() {
		out.Success = false
	}
}

func readCounts(out *CodeResult, p gjson.Result) {
	if n := wire.First(p, "executionCount", "execution_count"); n.Type == gjson.Number {
		c := int(n.Int())
		out.ExecutionCount = &c
	}
	out.ExecutionTime = wire.First(p, "executionTime", "execution_time").Float()
}

// mainText is the official "result": the main result's text, else the
// first result's, else stdout joined.
func mainText(r *CodeResult) string {
	for _, res := range r.Results {
		if res.IsMainResult && res.Text != "" {
			return res.Text
		}
	}
	if len(r.Results) > 0 && r.Results[0].Text != "" {
		return r.Results[0].Text
	}
	return strings.Join(r.Logs.Stdout, "")
}

func stringList(v gjson.Result) []string {
	out := []string{}
	if v.Type == gjson.String {
		return append(out, v.Str)
	}
	for _, s := range v.Array() {
		out = append(out, s.String())
	}
	return out
}

// rawOf keeps a JSON value (an object, or a JSON string of one) as JSON.
func rawOf(v gjson.Result) json.RawMessage {
	if !v.Exists() || v.Type == gjson.Null {
		return nil
	}
	if v.Type == gjson.String && gjson.Valid(v.Str) {
		return json.RawMessage(v.Str)
	}
	if v.Type == gjson.String {
		b, _ := json.Marshal(v.Str)
		return b
	}
	return json.RawMessage(v.Raw)
}
