package ops_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/embedded"
	"github.com/libagentbay/libagentbay/core/ops"
)

func lookup(t *testing.T, on ops.Target, name string) *ops.Op {
	t.Helper()
	op, err := ops.Lookup(on, name)
	require.NoError(t, err)
	return op
}

// refused checks that params are refused for op with kind and message.
func refused(t *testing.T, op *ops.Op, params string, kind agentbay.Kind, message string) {
	t.Helper()
	_, err := op.Bind([]byte(params))
	require.Error(t, err, "%s %s", op.Name, params)
	assert.Equal(t, kind, agentbay.KindOf(err), "%s %s: %v", op.Name, params, err)
	var e *agentbay.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, message, e.Message, "%s %s", op.Name, params)
}

func TestParamsRefused(t *testing.T) {
	ia, un := agentbay.KindInvalidArgument, agentbay.KindUnsupported
	link := lookup(t, ops.OnSession, "get_link")
	set := lookup(t, ops.OnSession, "set_labels")
	tool := lookup(t, ops.OnSession, "call_mcp_tool")
	pause := lookup(t, ops.OnSession, "pause")
	list := lookup(t, ops.OnClient, "list")
	create := lookup(t, ops.OnClient, "create")
	get := lookup(t, ops.OnClient, "get")
	edit := lookup(t, ops.OnSession, "edit_file")
	write := lookup(t, ops.OnSession, "write_file")
	multi := lookup(t, ops.OnSession, "read_multiple_files")
	for _, tc := range []struct {
		op      *ops.Op
		params  string
		kind    agentbay.Kind
		message string
	}{
		// The params object itself.
		{link, `[]`, ia, "params must be a JSON object, got []"},
		{link, `null`, ia, "params must be a JSON object, got null"},
		{link, ``, ia, "params are not valid JSON"},
		{link, `{`, ia, "params are not valid JSON"},
		{link, "{\"protocol_type\": \"\xff\"}", ia, "params are not valid UTF-8"},
		{link, `{"port": 30100, "port": 30101}`, ia, `params: "port" appears twice`},
		{link, `{"prot": "https"}`, ia, `get_link has no parameter "prot"`},
		// Official messages.
		{link, `{"port": 30099}`, ia, "Invalid port value: 30099. Port must be an integer in the range [30100, 30199]."},
		{link, `{"port": "30150"}`, ia, "Invalid port value: 30150. Port must be an integer in the range [30100, 30199]."},
		{link, `{"port": 30100.0}`, ia, "Invalid port value: 30100.0. Port must be an integer in the range [30100, 30199]."},
		{link, `{"port": true}`, ia, "Invalid port value: true. Port must be an integer in the range [30100, 30199]."},
		{link, `{"port": 0}`, ia, "Invalid port value: 0. Port must be an integer in the range [30100, 30199]."},
		{link, `{"options": "{k"}`, ia, "options must be a JSON text, got {k"},
		{link, `{"options": {}}`, ia, "options must be a string, got {}"},
		{set, `{}`, ia, "Labels cannot be null, undefined, or invalid type. Please provide a valid labels object."},
		{set, `{"labels": "k=v"}`, ia, "Labels cannot be null, undefined, or invalid type. Please provide a valid labels object."},
		{set, `{"labels": 42}`, ia, "Labels cannot be null, undefined, or invalid type. Please provide a valid labels object."},
		{set, `{"labels": []}`, ia, "Labels cannot be an array. Please provide a valid labels object."},
		{set, `{"labels": {}}`, ia, "Labels cannot be empty. Please provide at least one label."},
		{set, `{"labels": {" ": "v"}}`, ia, "Label keys cannot be empty. Please provide valid keys."},
		{set, `{"labels": {"k": " \t"}}`, ia, "Label values cannot be empty. Please provide valid values."},
		{set, `{"labels": {"k": null}}`, ia, "Label values cannot be empty. Please provide valid values."},
		{set, `{"labels": {"k": 5}}`, ia, `labels must be an object of strings, got "k": 5`},
		{list, `{"status": "SLEEPING"}`, ia, "Invalid status 'SLEEPING'. Must be one of: RUNNING, PAUSING, PAUSED, RESUMING, DELETING, DELETED"},
		{list, `{"status": 5}`, ia, "Invalid status '5'. Must be one of: RUNNING, PAUSING, PAUSED, RESUMING, DELETING, DELETED"},
		{list, `{"status": "UNKNOWN"}`, ia, "Invalid status 'UNKNOWN'. Must be one of: RUNNING, PAUSING, PAUSED, RESUMING, DELETING, DELETED"},
		{list, `{"page": 0}`, ia, "Cannot reach page 0: Page number must be >= 1"},
		{list, `{"page": "2"}`, ia, "page must be an integer, got 2"},
		{list, `{"page": 1.5}`, ia, "page must be an integer, got 1.5"},
		{list, `{"limit": -5}`, ia, "limit must be an integer >= 0, got -5"},
		{list, `{"labels": {"a": null}}`, ia, `labels must be an object of strings, got "a": null`},
		{list, `{"labels": ["a"]}`, ia, `labels must be an object of strings, got ["a"]`},
		{list, `{"next_token": 5}`, ia, "next_token must be a string, got 5"},
		// Ids, names and their types.
		{get, `{}`, ia, "session_id is required"},
		{get, `{"session_id": null}`, ia, "session_id is required"},
		{get, `{"session_id": "  "}`, ia, "session_id is required"},
		{get, `{"sessionId": null}`, ia, "sessionId is required"},
		{get, `{"session_id": 5}`, ia, "session_id must be a string, got 5"},
		{get, `{"session_id": "a\u0000b"}`, ia, "session_id must not contain NUL characters"},
		{tool, `{"tool_name": "shell"}`, ia, "args is required"},
		{tool, `{"tool_name": "shell", "args": ["x"]}`, ia, `args must be a JSON object, got ["x"]`},
		{tool, `{"tool_name": "shell", "args": {}, "read_timeout": -1}`, ia, "read_timeout must be a number of milliseconds >= 0, got -1"},
		{tool, `{"tool_name": "shell", "args": {}, "connect_timeout": "5"}`, ia, "connect_timeout must be a number of milliseconds >= 0, got 5"},
		{tool, `{"tool_name": "shell", "args": {}, "auto_gen_session": 1}`, ia, "auto_gen_session must be true or false, got 1"},
		{pause, `{"timeout": 0}`, ia, "timeout must be a positive number of seconds, got 0"},
		{pause, `{"poll_interval": -2}`, ia, "poll_interval must be a positive number of seconds, got -2"},
		{pause, `{"timeout": true}`, ia, "timeout must be a positive number of seconds, got true"},
		// What this library does not do.
		{create, `{"context_syncs": {"context_id": "c"}}`, ia, `context_syncs must be a list of {context_id, path, policy}, got {"context_id": "c"}`},
		{create, `{"context_syncs": [{"context_id": "c"}]}`, ia, "path is required"},
		{create, `{"context_syncs": [{"context_id": "c", "path": "/p", "policy": "x"}]}`, ia, "policy must be a JSON object, got x"},
		{create, `{"context_syncs": [{"contextId": "c", "path": "/p", "mode": 1}]}`, ia, `context_syncs[0] has no parameter "mode"`},
		{create, `{"browser_context": {"context_id": "b"}}`, un, "browser_context is not supported"},
		{create, `{"is_vpc": true}`, un, "is_vpc=true is not supported"},
		{create, `{"enable_browser_replay": false}`, un, "enable_browser_replay=false is not supported: browser sessions always record"},
		{create, `{"labels": {"a": 1}}`, ia, `labels must be an object of strings, got "a": 1`},
		{create, `{"image_id": 7}`, ia, "image_id must be a string, got 7"},
		// camelCase spellings are the same parameters, named as given.
		{create, `{"imageId": 7}`, ia, "imageId must be a string, got 7"},
		{create, `{"image_id": "a", "imageId": "b"}`, ia, "image_id and imageId are the same parameter: give one"},
		{tool, `{"toolName": "shell", "args": {}, "readTimeout": -1}`, ia, "readTimeout must be a number of milliseconds >= 0, got -1"},
		{create, `{"ImageId": "a"}`, ia, `create has no parameter "ImageId"`},
		// The file system's lists and texts.
		{edit, `{"path": "/f"}`, ia, "edits is required"},
		{edit, `{"path": "/f", "edits": {"oldText": "a"}}`, ia, `edits must be a list of {oldText, newText}, got {"oldText": "a"}`},
		{edit, `{"path": "/f", "edits": [{"oldText": "a"}]}`, ia, "edits[0]: newText is required"},
		{edit, `{"path": "/f", "edits": [{"oldText": "a", "newText": 1}]}`, ia, "edits[0]: newText must be a string, got 1"},
		{edit, `{"path": "/f", "edits": [{"oldText": "a", "newText": "b", "x": 1}]}`, ia, `edits[0] has no parameter "x"`},
		{write, `{"path": "/f"}`, ia, "content is required"},
		{write, `{"path": "/f", "content": 5}`, ia, "content must be a string, got 5"},
		{multi, `{"paths": "/f"}`, ia, "paths must be a list of strings, got /f"},
		{multi, `{"paths": ["/f", 2]}`, ia, "paths[1] must be a string, got 2"},
	} {
		refused(t, tc.op, tc.params, tc.kind, tc.message)
	}
}

func TestParamsAccepted(t *testing.T) {
	for _, tc := range []struct {
		on     ops.Target
		name   string
		params string
		want   ops.Args
	}{
		{ops.OnSession, "get_link", `{}`, ops.Args{}},
		{ops.OnSession, "get_link", `{"port": 30199, "unused": null}`, ops.Args{"port": 30199}},
		{ops.OnSession, "get_link", `{"options": ""}`, ops.Args{"options": ""}},
		{ops.OnSession, "pause", `{"timeout": 1.5, "poll_interval": 0.001}`,
			ops.Args{"timeout": 1500 * time.Millisecond, "poll_interval": time.Millisecond}},
		{ops.OnSession, "pause", `{"timeout": 1e400}`, ops.Args{"timeout": time.Duration(1<<63 - 1)}},
		{ops.OnSession, "call_mcp_tool", `{"tool_name": "shell", "args": {"a": [1]}, "read_timeout": 2000.0, "connect_timeout": 0.5}`,
			ops.Args{"tool_name": "shell", "args": json.RawMessage(`{"a": [1]}`), "read_timeout": 2 * time.Second,
				"connect_timeout": 500 * time.Microsecond}},
		{ops.OnSession, "set_labels", `{"labels": {"k": "a\u0000b", "ключ": "値"}}`,
			ops.Args{"labels": map[string]string{"k": "a\x00b", "ключ": "値"}}},
		{ops.OnClient, "list", `{"page": 2, "limit": 0, "status": "PAUSED", "labels": {}}`,
			ops.Args{"page": 2, "limit": 0, "status": "PAUSED", "labels": map[string]string{}}},
		{ops.OnClient, "create", `{"context_syncs": [], "is_vpc": false, "enable_browser_replay": true, "framework": "x"}`,
			ops.Args{"context_syncs": []agentbay.ContextSync{}, "is_vpc": false, "enable_browser_replay": true, "framework": "x"}},
		{ops.OnSession, "write_file", `{"path": "/f", "content": ""}`, ops.Args{"path": "/f", "content": ""}},
		{ops.OnSession, "edit_file", `{"path": "/f", "edits": [{"oldText": "a", "newText": ""}], "dryRun": true}`,
			ops.Args{"path": "/f", "edits": []agentbay.Edit{{OldText: "a", NewText: ""}}, "dry_run": true}},
		{ops.OnSession, "search_files", `{"path": "/", "pattern": "*", "excludePatterns": []}`,
			ops.Args{"path": "/", "pattern": "*", "exclude_patterns": []string{}}},
	} {
		op, err := ops.Lookup(tc.on, tc.name)
		require.NoError(t, err)
		call, err := op.Bind([]byte(tc.params))
		require.NoError(t, err, "%s %s", tc.name, tc.params)
		assert.Equal(t, tc.want, call.Args, "%s %s", tc.name, tc.params)
	}
}

func TestLookup(t *testing.T) {
	_, err := ops.Lookup(ops.OnSession, "create")
	assert.Equal(t, agentbay.KindUnsupported, agentbay.KindOf(err))
	assert.Contains(t, err.Error(), `session has no operation "create"`)
	op := lookup(t, ops.OnSession, "list_mcp_tools")
	assert.Equal(t, "listMcpTools", op.CamelName())
}

// Every status code has a kind, and every kind one code.
func TestCodes(t *testing.T) {
	seen := map[agentbay.Kind]bool{}
	for i, c := range ops.Codes {
		assert.Equal(t, -(i + 1), c.Code, "codes run -1, -2, ...")
		assert.False(t, seen[c.Kind], c.Kind)
		seen[c.Kind] = true
		kind, ok := ops.KindOfCode(c.Code)
		assert.True(t, ok)
		assert.Equal(t, string(c.Kind), kind)
		assert.Equal(t, c.Code, ops.Code(agentbay.Errorf(c.Kind, "x")))
	}
	_, ok := ops.KindOfCode(-99)
	assert.False(t, ok)
	assert.Equal(t, 0, ops.Code(nil))
}

// host gives sessions handles, as the C ABI does.
type host struct{ n uint64 }

func (h *host) AddSession(*agentbay.Session) (uint64, error) { h.n++; return h.n, nil }

// Every operation of the table runs against a real backend, with its
// result carrying exactly the fields the table names.
func TestEveryOperationRuns(t *testing.T) {
	ctx := context.Background()
	c, err := agentbay.New(ctx, agentbay.Config{Endpoint: agentbay.EmbeddedEndpoint, Embedded: embedded.Start})
	require.NoError(t, err)
	defer c.Close()
	h := &host{}
	run := func(on ops.Target, name, params string, s *agentbay.Session) map[string]any {
		t.Helper()
		op := lookup(t, on, name)
		var p []byte // none: nil
		if params != "" {
			p = []byte(params)
		}
		call, err := op.Bind(p)
		require.NoError(t, err, name)
		res, err := call.Run(ctx, ops.Exec{Client: c, Session: s, Host: h})
		require.NoError(t, err, name)
		b, err := json.Marshal(res)
		require.NoError(t, err)
		var fields map[string]any
		require.NoError(t, json.Unmarshal(b, &fields))
		got := make([]string, 0, len(fields))
		for k := range fields {
			got = append(got, k)
		}
		assert.ElementsMatch(t, op.ResultFields(), got, name)
		assert.Equal(t, true, fields["success"], "%s: %v", name, fields)
		return fields
	}
	created := run(ops.OnClient, "create", `{"labels": {"op": "test"}}`, nil)
	assert.Equal(t, float64(1), created["session_handle"])
	id := created["session_id"].(string)
	s := c.Session(id)
	run(ops.OnClient, "get", `{"session_id": "`+id+`"}`, nil)
	listed := run(ops.OnClient, "list", `{"labels": {"op": "test"}}`, nil)
	assert.Len(t, listed["session_ids"], 1)
	run(ops.OnSession, "set_labels", `{"labels": {"op": "test", "more": "x"}}`, s)
	labels := run(ops.OnSession, "get_labels", ``, s)
	assert.Equal(t, map[string]any{"op": "test", "more": "x"}, labels["data"])
	run(ops.OnSession, "info", ``, s)
	link := run(ops.OnSession, "get_link", `{"port": 30100}`, s)
	assert.True(t, strings.HasPrefix(link["data"].(string), "http"), link["data"])
	run(ops.OnSession, "list_mcp_tools", ``, s)
	out := run(ops.OnSession, "call_mcp_tool", `{"tool_name": "shell", "args": {"command": "echo hi", "timeout_ms": 5000}}`, s)
	assert.Contains(t, out["data"], `"stdout":"hi\n"`)
	run(ops.OnSession, "pause_async", ``, s)
	run(ops.OnSession, "pause", `{"timeout": 30, "poll_interval": 0.5}`, s)
	run(ops.OnSession, "resume_async", ``, s)
	st := run(ops.OnSession, "resume", ``, s)
	assert.Equal(t, "RUNNING", st["status"])
	run(ops.OnSession, "get_status", ``, s)
	run(ops.OnSession, "delete", ``, s)
	second := run(ops.OnClient, "create", ``, nil)
	run(ops.OnClient, "delete", `{"session_id": "`+second["session_id"].(string)+`"}`, nil)
	for _, op := range ops.Table() {
		assert.NotEmpty(t, op.Doc, op.Name)
	}
}

func TestConfigEmulate(t *testing.T) {
	cfg, err := ops.Config([]byte(`{"endpoint": "embedded", "emulate": {"pause": "300ms", "resume": "1s-2s"}}`))
	require.NoError(t, err)
	assert.Equal(t, "embedded", cfg.Endpoint)
	require.NotNil(t, cfg.Emulate)
	assert.Equal(t, ops.Spans{Min: 300 * time.Millisecond}, cfg.Emulate.Pause)
	assert.Equal(t, ops.Spans{Min: time.Second, Max: 2 * time.Second}, cfg.Emulate.Resume)
	assert.Zero(t, cfg.Emulate.Create)

	cfg, err = ops.Config(nil)
	require.NoError(t, err)
	assert.Nil(t, cfg.Emulate, "no emulation unless asked for")

	for params, message := range map[string]string{
		`{"emulate": {"pause": "soon"}}`:  `emulate.pause must be a duration such as "1.5s" or a range such as "1s-2s", got soon`,
		`{"emulate": {"pause": "2s-1s"}}`: `emulate.pause must be a duration such as "1.5s" or a range such as "1s-2s", got 2s-1s`,
		`{"emulate": {"pause": 1.5}}`:     `emulate.pause must be a duration such as "1.5s" or a range such as "1s-2s", got 1.5`,
		`{"emulate": {"pasue": "1s"}}`:    `emulate has no parameter "pasue"`,
		`{"emulate": ["pause"]}`:          `emulate must be a JSON object, got ["pause"]`,
	} {
		_, err := ops.Config([]byte(params))
		require.Error(t, err, params)
		var e *agentbay.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, agentbay.KindInvalidArgument, e.Kind, params)
		assert.Equal(t, message, e.Message, params)
		assert.Equal(t, "emulate", e.Param, params)
	}
}

func TestObserved(t *testing.T) {
	for _, name := range []string{"pause", "resume", "delete"} {
		assert.NoError(t, lookup(t, ops.OnSession, name).CanObserve(), name)
	}
	err := lookup(t, ops.OnSession, "get_status").CanObserve()
	var e *agentbay.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, agentbay.KindInvalidArgument, e.Kind)
	assert.Equal(t, "on_status", e.Param)
	assert.Equal(t, "get_status waits for no status: on_status is for delete, pause, resume", e.Message)
}
