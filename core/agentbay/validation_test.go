package agentbay

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidation checks the arguments rejected before anything is sent.
func TestValidation(t *testing.T) {
	api := newFakeAPI(t) // no routes: any request fails the test
	c := newClient(t, api.URL())
	s := c.Session("session-0001")

	cases := []struct {
		name string
		call func() error
		msg  string
	}{
		{"SetLabels nil", func() error { _, err := s.SetLabels(bg, nil); return err },
			"Labels cannot be empty. Please provide at least one label."},
		{"SetLabels empty", func() error { _, err := s.SetLabels(bg, map[string]string{}); return err },
			"Labels cannot be empty. Please provide at least one label."},
		{"SetLabels empty key", func() error { _, err := s.SetLabels(bg, map[string]string{"": "v"}); return err },
			"Label keys cannot be empty. Please provide valid keys."},
		{"SetLabels blank key", func() error { _, err := s.SetLabels(bg, map[string]string{" \t": "v"}); return err },
			"Label keys cannot be empty. Please provide valid keys."},
		{"SetLabels blank value", func() error { _, err := s.SetLabels(bg, map[string]string{"k": "  "}); return err },
			"Label values cannot be empty. Please provide valid values."},
		{"SetLabels value not UTF-8", func() error { _, err := s.SetLabels(bg, map[string]string{"k": "a\xffb"}); return err },
			"Label keys and values must be valid UTF-8."},
		{"Create with a label key not UTF-8", func() error {
			_, err := c.Create(bg, CreateParams{Labels: map[string]string{"\xfe": "v"}})
			return err
		}, "Label keys and values must be valid UTF-8."},
		{"Create with a blank label", func() error {
			_, err := c.Create(bg, CreateParams{Labels: map[string]string{"k": ""}})
			return err
		}, "Label values cannot be empty. Please provide valid values."},
		{"GetLink port below the range", func() error { _, err := s.GetLink(bg, "https", 30099, ""); return err },
			"Invalid port value: 30099. Port must be an integer in the range [30100, 30199]."},
		{"GetLink port above the range", func() error { _, err := s.GetLink(bg, "https", 30200, ""); return err },
			"Invalid port value: 30200. Port must be an integer in the range [30100, 30199]."},
		{"GetLink negative port", func() error { _, err := s.GetLink(bg, "", -1, ""); return err },
			"Invalid port value: -1."},
		{"GetLink option not JSON", func() error { _, err := s.GetLink(bg, "https", 30100, "{k:v}"); return err },
			"options must be a JSON text"},
		{"List bad status", func() error { _, err := c.List(bg, ListParams{Status: "running"}); return err },
			"Invalid status 'running'. Must be one of: RUNNING, PAUSING, PAUSED, RESUMING, DELETING, DELETED"},
		{"List FINISH is not a filter", func() error { _, err := c.List(bg, ListParams{Status: StatusFinish}); return err },
			"Invalid status 'FINISH'."},
		{"List UNKNOWN is not a filter", func() error { _, err := c.List(bg, ListParams{Status: StatusUnknown}); return err },
			"Invalid status 'UNKNOWN'."},
		{"List negative page size", func() error { _, err := c.List(bg, ListParams{MaxResults: -1}); return err },
			"must not be negative"},
		{"List negative page", func() error { _, err := c.List(bg, ListParams{Page: -2}); return err },
			"Cannot reach page -2: Page number must be >= 1"},
		{"Get empty id", func() error { _, err := c.Get(bg, ""); return err }, "session_id is required"},
		{"Delete empty id", func() error { _, err := c.Delete(bg, "", false); return err }, "session_id is required"},
		{"WaitForStatus unknown status", func() error { _, err := s.WaitForStatus(bg, StatusPausing, WaitOptions{}); return err },
			`cannot wait for status "PAUSING"`},
		{"CallMcpTool no name", func() error { _, err := s.CallMcpTool(bg, "", nil, CallOptions{}); return err },
			"tool name is required"},
	}
	badArgs := map[string]any{
		"array bytes":      []byte(`[1,2]`),
		"not JSON":         []byte(`{"a":`),
		"raw JSON string":  json.RawMessage(`"text"`),
		"a string":         "echo hi",
		"a slice":          []int{1},
		"a number":         42,
		"not encodable":    map[string]any{"f": func() {}},
		"empty raw":        json.RawMessage(``),
		"trailing garbage": []byte(`{"a":1} x`),
		"not UTF-8":        []byte("{\"command\":\"echo \xff\"}"),
	}
	for name, args := range badArgs {
		cases = append(cases, struct {
			name string
			call func() error
			msg  string
		}{"CallMcpTool args " + name, func() error { _, err := s.CallMcpTool(bg, "shell", args, CallOptions{}); return err }, "args"})
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := requireKind(t, tc.call(), KindInvalidArgument)
			assert.Contains(t, e.Message, tc.msg)
			assert.Empty(t, e.Action, "a local check names no action")
		})
	}
	assert.Zero(t, api.count(""), "nothing may be sent")
}

// TestValidArgumentsAreSent is the other side of TestValidation: the edges of
// the accepted ranges do reach the service.
func TestValidArgumentsAreSent(t *testing.T) {
	api := newFakeAPI(t).
		on("GetLink", okReply(`{"Url":"wss://x"}`)).
		on("CallMcpTool", okReply(shellResult)).
		on("ListSession", okReply(`[]`))
	c := newClient(t, api.URL())
	s := c.Session("s")
	for _, port := range []int{0, 30100, 30199} {
		_, err := s.GetLink(bg, "wss", port, "")
		require.NoError(t, err, port)
	}
	type args struct {
		Command string `json:"command"`
	}
	for _, a := range []any{nil, map[string]any{}, args{"ls"}, &args{"ls"}, []byte(` {"x":1} `), json.RawMessage(`{}`)} {
		_, err := s.CallMcpTool(bg, "shell", a, CallOptions{})
		require.NoError(t, err, "%#v", a)
	}
	for _, st := range []string{"", StatusRunning, StatusPausing, StatusPaused, StatusResuming, StatusDeleting, StatusDeleted} {
		_, err := c.List(bg, ListParams{Status: st})
		require.NoError(t, err, st)
	}
	assert.Equal(t, `{"command":"ls"}`, api.requests("CallMcpTool")[2].Form.Get("Args"))
	assert.Equal(t, `{"x":1}`, api.requests("CallMcpTool")[4].Form.Get("Args"))
}

// unusedStarter stands for a Starter where resolve only checks there is one.
func unusedStarter(*slog.Logger) (Backend, error) { return nil, errors.New("not started in this test") }

func TestConfigResolution(t *testing.T) {
	type env struct{ key, endpoint, timeout string }
	cases := []struct {
		name     string
		env      env
		cfg      Config
		endpoint string // resolved Config.Endpoint
		key      string
		timeout  time.Duration
		err      string // substring; the kind is invalid_argument
	}{
		{name: "explicit beats env", env: env{"env-key", "env.example:1", "5000"},
			cfg:      Config{APIKey: "cfg-key", Endpoint: "cfg.example:2", Timeout: 3 * time.Second},
			endpoint: "cfg.example:2", key: "cfg-key", timeout: 3 * time.Second},
		{name: "env fills the gaps", env: env{"env-key", "env.example:1", "5000"},
			endpoint: "env.example:1", key: "env-key", timeout: 5 * time.Second},
		{name: "explicit key, env endpoint", env: env{"", "env.example:1", ""},
			cfg:      Config{APIKey: "cfg-key"},
			endpoint: "env.example:1", key: "cfg-key", timeout: 60 * time.Second},
		{name: "a key and no endpoint means the cloud", env: env{"env-key", "", ""},
			endpoint: DefaultEndpoint, key: "env-key", timeout: 60 * time.Second},
		{name: "nothing means embedded", cfg: Config{Embedded: unusedStarter}, endpoint: EmbeddedEndpoint, timeout: 60 * time.Second},
		{name: "nothing and no starter", err: "Config.Embedded (package core/embedded)"},
		{name: "embedded and no starter", cfg: Config{Endpoint: EmbeddedEndpoint}, err: "Config.Embedded"},
		{name: "endpoint without a key", env: env{"", "env.example:1", ""}, err: "no API key"},
		{name: "bad timeout", env: env{"k", "", "soon"}, err: `AGENTBAY_TIMEOUT_MS="soon"`},
		{name: "zero timeout", env: env{"k", "", "0"}, err: "AGENTBAY_TIMEOUT_MS"},
		{name: "negative timeout", env: env{"k", "", "-5"}, err: "AGENTBAY_TIMEOUT_MS"},
		{name: "an explicit timeout ignores a bad env", env: env{"k", "", "soon"}, cfg: Config{Timeout: time.Second},
			endpoint: DefaultEndpoint, key: "k", timeout: time.Second},
		{name: "negative explicit timeout", cfg: Config{APIKey: "k", Timeout: -time.Second}, err: "must not be negative"},
		{name: "spaces are trimmed", env: env{"k", "  host:1 ", " 250 "}, endpoint: "host:1", key: "k", timeout: 250 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AGENTBAY_API_KEY", tc.env.key)
			t.Setenv("AGENTBAY_ENDPOINT", tc.env.endpoint)
			t.Setenv("AGENTBAY_TIMEOUT_MS", tc.env.timeout)
			got, err := tc.cfg.resolve()
			if tc.err != "" {
				e := requireKind(t, err, KindInvalidArgument)
				assert.Contains(t, e.Message, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.endpoint, got.Endpoint)
			assert.Equal(t, tc.key, got.APIKey)
			assert.Equal(t, tc.timeout, got.Timeout)
			assert.NotNil(t, got.Logger)
		})
	}
}

// TestClientEndpoint checks the base URL New derives from the endpoint.
func TestClientEndpoint(t *testing.T) {
	cases := []struct{ env, cfg, want string }{
		{"", "", "https://wuyingai.cn-shanghai.aliyuncs.com"},
		{"127.0.0.1:18443", "", "https://127.0.0.1:18443"},
		{"http://127.0.0.1:18080", "", "http://127.0.0.1:18080"},
		{"http://127.0.0.1:18080/", "", "http://127.0.0.1:18080"},
		{"env.example", "https://cfg.example", "https://cfg.example"},
	}
	for _, tc := range cases {
		t.Setenv("AGENTBAY_API_KEY", testKey)
		t.Setenv("AGENTBAY_ENDPOINT", tc.env)
		t.Setenv("AGENTBAY_TIMEOUT_MS", "")
		c, err := New(bg, Config{Endpoint: tc.cfg})
		require.NoError(t, err, tc)
		assert.Equal(t, tc.want, c.Endpoint(), tc)
		assert.False(t, c.Embedded())
		require.NoError(t, c.Close())
	}

	t.Setenv("AGENTBAY_ENDPOINT", "ftp://nope")
	_, err := New(bg, Config{})
	requireKind(t, err, KindInvalidArgument)
}

// TestEnvTimeoutApplies checks that AGENTBAY_TIMEOUT_MS reaches the calls.
func TestEnvTimeoutApplies(t *testing.T) {
	api := newFakeAPI(t).on("GetSession", hang)
	t.Setenv("AGENTBAY_API_KEY", testKey)
	t.Setenv("AGENTBAY_ENDPOINT", api.URL())
	t.Setenv("AGENTBAY_TIMEOUT_MS", "200")
	c, err := New(bg, Config{})
	require.NoError(t, err)
	defer c.Close()
	// A timeout, not the error of the hang's own end after 10 s: the 200 ms
	// (and not the 60 s default) ended the call.
	_, err = c.Get(bg, "s")
	requireKind(t, err, KindTimeout)
}

func TestListPaging(t *testing.T) {
	// page answers each NextToken with the next page; "" is the first page.
	page := func(pages map[string]string) handler {
		return func(w http.ResponseWriter, r *rpcRequest) {
			next, known := pages[r.Form.Get("NextToken")]
			if !known {
				reply(w, 400, `{"Code":"InvalidParameter","Message":"bad token","Success":false}`)
				return
			}
			reply(w, 200, `{"Data":[{"SessionId":"on-`+r.Form.Get("NextToken")+`","SessionStatus":"RUNNING"}],"MaxResults":2,"NextToken":"`+next+`","RequestId":"R","Success":true,"TotalCount":5}`)
		}
	}

	t.Run("page 3 follows NextToken twice", func(t *testing.T) {
		api := newFakeAPI(t).on("ListSession", page(map[string]string{"": "tok-2", "tok-2": "tok-3", "tok-3": ""}))
		r, err := newClient(t, api.URL()).List(bg, ListParams{Page: 3, MaxResults: 2, Labels: map[string]string{"env": "test"}})
		require.NoError(t, err)
		assert.Equal(t, []SessionSummary{{"on-tok-3", StatusRunning}}, r.Sessions)
		assert.Empty(t, r.NextToken)
		reqs := api.requests("ListSession")
		require.Len(t, reqs, 3)
		for i, tok := range []string{"", "tok-2", "tok-3"} {
			assert.Equal(t, tok, reqs[i].Form.Get("NextToken"), "request %d", i)
			assert.Equal(t, tok != "", reqs[i].Form.Has("NextToken"), "NextToken only when following")
			assert.Equal(t, "2", reqs[i].Form.Get("MaxResults"))
			assert.JSONEq(t, `{"env":"test"}`, reqs[i].Form.Get("Labels"))
		}
	})

	t.Run("paging starts at a given token", func(t *testing.T) {
		api := newFakeAPI(t).on("ListSession", page(map[string]string{"tok-2": "tok-3", "tok-3": ""}))
		r, err := newClient(t, api.URL()).List(bg, ListParams{Page: 2, NextToken: "tok-2"})
		require.NoError(t, err)
		assert.Equal(t, "on-tok-3", r.Sessions[0].SessionID)
	})

	t.Run("running out of pages", func(t *testing.T) {
		api := newFakeAPI(t).on("ListSession", page(map[string]string{"": "tok-2", "tok-2": ""}))
		_, err := newClient(t, api.URL()).List(bg, ListParams{Page: 3})
		e := requireKind(t, err, KindNotFound)
		assert.Equal(t, "Cannot reach page 3: No more pages available", e.Message)
		assert.Equal(t, 2, api.count("ListSession"))
	})

	t.Run("an error while skipping", func(t *testing.T) {
		api := newFakeAPI(t).on("ListSession", page(map[string]string{"": "tok-bad"}))
		_, err := newClient(t, api.URL()).List(bg, ListParams{Page: 3})
		requireKind(t, err, KindInvalidArgument)
	})

	t.Run("Data must be an array", func(t *testing.T) {
		api := newFakeAPI(t).on("ListSession", okReply(`{"SessionId":"s"}`))
		_, err := newClient(t, api.URL()).List(bg, ListParams{})
		requireKind(t, err, KindServer)
	})
}

// TestEnvTransport checks AGENTBAY_HTTP_TRANSPORT: std or direct, and a
// clear error for anything else.
func TestEnvTransport(t *testing.T) {
	for v, std := range map[string]bool{"": false, "direct": false, " std ": true} {
		t.Setenv("AGENTBAY_HTTP_TRANSPORT", v)
		got, err := Config{APIKey: "k"}.resolve()
		require.NoError(t, err, v)
		assert.Equal(t, std, got.stdTransport, v)
	}
	t.Setenv("AGENTBAY_HTTP_TRANSPORT", "http2")
	_, err := Config{APIKey: "k"}.resolve()
	e := requireKind(t, err, KindInvalidArgument)
	assert.Contains(t, e.Message, `AGENTBAY_HTTP_TRANSPORT="http2"`)
}
