package agentbay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/wire"
)

// parseTools reads a ToolList or ListMcpTools Data text (spec 5.1),
// tolerating the aliases the SDKs accept.
func parseTools(raw string) ([]McpTool, error) {
	if raw == "" || raw == "null" {
		return nil, nil
	}
	if !gjson.Valid(raw) {
		return nil, fmt.Errorf("not JSON")
	}
	list := gjson.Parse(raw)
	if !list.IsArray() {
		return nil, fmt.Errorf("not a JSON array")
	}
	var tools []McpTool
	for _, t := range list.Array() {
		if !t.IsObject() {
			return nil, fmt.Errorf("an item is not an object")
		}
		tool := McpTool{
			Name:        wire.First(t, "name", "Name").String(),
			Description: wire.First(t, "description", "Description").String(),
			Server:      wire.First(t, "server", "serverName", "Server").String(),
			Tool:        wire.First(t, "tool", "Tool").String(),
		}
		if schema := wire.First(t, "inputSchema", "input_schema"); schema.Exists() {
			tool.InputSchema = json.RawMessage(schema.Raw)
		}
		if tool.Name == "" {
			continue
		}
		tools = append(tools, tool)
	}
	return tools, nil
}

func (s *Session) setTools(tools []McpTool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range tools {
		if t.Server != "" {
			s.servers[t.Name] = t.Server
		}
	}
}

func (s *Session) server(tool string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.servers[tool]
}

// ListMcpTools lists the tools of an image: imageID, else the image the
// session was created with, else linux_latest (as the SDKs do). As in the
// SDKs, it does not change routing: only the session's ToolList does.
func (s *Session) ListMcpTools(ctx context.Context, imageID string) (*McpToolsResult, error) {
	if imageID == "" {
		imageID = s.imageID
	}
	if imageID == "" {
		imageID = "linux_latest"
	}
	resp, err := s.client.do(ctx, wire.Call{Action: "ListMcpTools", Form: map[string][]string{"ImageId": {imageID}}})
	if err != nil {
		return nil, err
	}
	tools, err := parseTools(wire.JSONValue(resp.Data))
	if err != nil {
		return nil, badData(resp, "invalid tool list: "+err.Error())
	}
	if tools == nil {
		tools = []McpTool{}
	}
	return &McpToolsResult{Result: ok(resp.RequestID), Tools: tools}, nil
}

// CallOptions are the optional settings of CallMcpTool.
type CallOptions struct {
	ReadTimeout    time.Duration // bounds the whole call; 0 uses the client's timeout
	ConnectTimeout time.Duration // bounds opening a new connection; 0 means the default
	AutoGenSession bool          // legacy flag, sent as AutoGenSession
}

// CallMcpTool calls one MCP tool with args, a JSON object given as a
// map/struct or as raw JSON ([]byte or json.RawMessage); nil means {}.
// It takes the LinkUrl route when the session has one and the tool's server
// is known (spec section 4), and the CallMcpTool action otherwise. A tool
// that reports isError gives a result with Success false, not an error.
func (s *Session) CallMcpTool(ctx context.Context, name string, args any, opts CallOptions) (*McpToolResult, error) {
	if name == "" {
		return nil, wire.Errorf(wire.KindInvalidArgument, "tool name is required")
	}
	rawArgs, err := argsJSON(args)
	if err != nil {
		return nil, err
	}
	server := s.server(name)
	if s.linkURL != "" && s.token != "" && server != "" {
		return s.callLink(ctx, name, server, rawArgs, opts)
	}
	form := s.form(
		"Name", name,
		"Args", string(rawArgs),
		"AutoGenSession", fmt.Sprint(opts.AutoGenSession),
		"ExternalUserId", "",
		"ImageId", "",
	)
	if server != "" {
		form.Set("Server", server)
	}
	resp, err := s.client.do(ctx, wire.Call{
		Action: "CallMcpTool", Form: form,
		Timeout: opts.ReadTimeout, ConnectTimeout: opts.ConnectTimeout,
	})
	if err != nil {
		return nil, err
	}
	if !resp.Data.Exists() || resp.Data.Type == gjson.Null {
		return nil, badData(resp, "Empty response from CallMcpTool")
	}
	if !resp.Data.IsObject() && resp.Data.Type != gjson.String {
		return nil, badData(resp, "invalid response from CallMcpTool: Data is neither an object nor a string")
	}
	return toolResult(resp.RequestID, resp.Data), nil
}

func (s *Session) callLink(ctx context.Context, name, server string, args []byte, opts CallOptions) (*McpToolResult, error) {
	ctx, done, err := s.client.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	result, reqID, err := s.client.wire.CallLink(ctx, wire.LinkCall{
		LinkURL: s.linkURL, Token: s.token, Server: server, Tool: name, Args: args,
		Timeout: opts.ReadTimeout,
	})
	if err != nil {
		return nil, err
	}
	return toolResult(reqID, result), nil
}

// argsJSON turns args into a JSON object text.
func argsJSON(args any) ([]byte, error) {
	var raw []byte
	switch a := args.(type) {
	case nil:
		return []byte("{}"), nil
	case json.RawMessage:
		raw = a
	case []byte:
		raw = a
	default:
		b, err := gojson.Marshal(args)
		if err != nil {
			return nil, wire.Errorf(wire.KindInvalidArgument, "args cannot be encoded as JSON: %v", err)
		}
		raw = b
	}
	raw = bytes.TrimSpace(raw)
	if !gjson.ValidBytes(raw) || !gjson.ParseBytes(raw).IsObject() {
		return nil, wire.Errorf(wire.KindInvalidArgument, "args must be a JSON object")
	}
	if !utf8.Valid(raw) {
		return nil, wire.Errorf(wire.KindInvalidArgument, "args must be valid UTF-8")
	}
	return raw, nil
}

// toolResult reads an MCP tool result (spec 5.2, 3.12), whether Data came
// as an object or as a JSON string.
func toolResult(reqID string, data gjson.Result) *McpToolResult {
	out := &McpToolResult{Result: ok(reqID)}
	if data.Type == gjson.String {
		if !gjson.Valid(data.Str) {
			out.Data = data.Str // not JSON: the SDKs take the raw text
			return out
		}
		data = gjson.Parse(data.Str)
	}
	text, found := contentText(data)
	if !found {
		if inner := data.Get("result"); inner.IsObject() {
			text, found = contentText(inner)
			data = inner
		}
	}
	if !found {
		text = data.Raw
	}
	out.Data = text
	if data.Get("isError").Bool() {
		out.Success = false
		out.ErrorMessage = text
	}
	return out
}

// contentText returns the text of content[0]: a plain string, or its text,
// blob or data member.
func contentText(v gjson.Result) (string, bool) {
	item := v.Get("content.0")
	if !item.Exists() {
		return "", false
	}
	if item.Type == gjson.String {
		return item.Str, true
	}
	for _, k := range []string{"text", "blob", "data"} {
		if f := item.Get(k); f.Exists() {
			return f.String(), true
		}
	}
	return "", false
}

func decodeJSON(raw string, v any) error { return gojson.Unmarshal([]byte(raw), v) }

func jsonValid(s string) bool { return gjson.Valid(s) }
