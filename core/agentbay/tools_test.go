package agentbay

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
)

func TestToolResult(t *testing.T) {
	cases := []struct {
		name    string
		data    string // the Data member as JSON
		text    string
		success bool
	}{
		{"object", `{"content":[{"type":"text","text":"out"}],"isError":false}`, "out", true},
		{"string", jsonString(`{"content":[{"type":"text","text":"out"}]}`), "out", true},
		{"isError", `{"content":[{"text":"bad"}],"isError":true}`, "bad", false},
		{"isError in a string", jsonString(`{"content":[{"text":"bad"}],"isError":true}`), "bad", false},
		{"non-JSON string", `"raw text"`, "raw text", true},
		{"empty string", `""`, "", true},
		{"blob", `{"content":[{"blob":"YmxvYg=="}]}`, "YmxvYg==", true},
		{"data member", `{"content":[{"data":"d"}]}`, "d", true},
		{"text wins over blob", `{"content":[{"blob":"b","text":"t"}]}`, "t", true},
		{"only the first item", `{"content":[{"text":"one"},{"text":"two"}]}`, "one", true},
		{"plain string item", `{"content":["s"]}`, "s", true},
		{"result wrapper", `{"result":{"content":[{"text":"w"}],"isError":true}}`, "w", false},
		{"no content", `{"isError":false}`, `{"isError":false}`, true},
		{"empty content", `{"content":[]}`, `{"content":[]}`, true},
		{"number", `42`, `42`, true},
		{"JSON string of a string", jsonString(`"quoted"`), `"quoted"`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := toolResult("REQ", gjson.Parse(tc.data))
			assert.Equal(t, "REQ", r.RequestID)
			assert.Equal(t, tc.text, r.Data)
			assert.Equal(t, tc.success, r.Success)
			if tc.success {
				assert.Empty(t, r.ErrorMessage)
			} else {
				assert.Equal(t, tc.text, r.ErrorMessage)
			}
		})
	}
}

func TestParseTools(t *testing.T) {
	tools, err := parseTools(toolList)
	require.NoError(t, err)
	require.Len(t, tools, 2)
	assert.Equal(t, McpTool{Name: "read_file", Description: "read", InputSchema: []byte(`{"type":"object"}`), Server: "wuying_filesystem", Tool: "read_file"}, tools[1])

	for _, raw := range []string{"", "null"} {
		tools, err := parseTools(raw)
		require.NoError(t, err)
		assert.Nil(t, tools)
	}
	for _, raw := range []string{"{", `{"name":"x"}`, `"[]"`} {
		_, err := parseTools(raw)
		assert.Error(t, err, raw)
	}
}

// FuzzToolResult feeds arbitrary Data members (and arbitrary strings as a
// string Data) to the tool-result reader: it must never panic, and a failed
// result always carries its text as the error message.
func FuzzToolResult(f *testing.F) {
	f.Add(shellResult)
	f.Add(jsonString(shellResult))
	f.Add(`{"result":{"content":[{"text":"x"}],"isError":true}}`)
	f.Add(`{"content":[1,{"blob":null}],"isError":"yes"}`)
	f.Add(`not json`)
	f.Fuzz(func(t *testing.T, data string) {
		for _, v := range []gjson.Result{gjson.Parse(data), {Type: gjson.String, Str: data, Raw: jsonString(data)}} {
			r := toolResult("R", v)
			if r == nil || r.RequestID != "R" {
				t.Fatalf("bad result %+v", r)
			}
			if !r.Success && r.ErrorMessage != r.Data {
				t.Fatalf("failure without its text: %+v", r)
			}
			if r.Success && r.ErrorMessage != "" {
				t.Fatalf("success with an error message: %+v", r)
			}
		}
		_, _ = parseTools(data)
	})
}

// BenchmarkCallMcpToolLoopback measures one CallMcpTool round trip against a
// loopback server answering a canned shell result. The server does the
// least it can (no recording), but its allocations count too.
func BenchmarkCallMcpToolLoopback(b *testing.B) {
	body := []byte(envelope(shellResult))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	s := newClient(b, srv.URL).Session("session-0001")
	args := map[string]any{"command": "echo hi", "timeout_ms": 1000}
	b.ReportAllocs()
	for b.Loop() {
		r, err := s.CallMcpTool(bg, "shell", args, CallOptions{})
		if err != nil || !strings.Contains(r.Data, `"exit_code":0`) {
			b.Fatalf("call: %v", err)
		}
	}
}
