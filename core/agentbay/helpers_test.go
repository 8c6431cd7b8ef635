package agentbay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKey is long enough for the redactor to remove it on its own too.
const testKey = "akm-test-secret-0123456789"

// rpcRequest is one request as the fake service saw it.
type rpcRequest struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Form   url.Values // the body only
	Body   string
	At     time.Time
	ctx    context.Context // cancelled when the client goes away
}

func (r *rpcRequest) action() string { return r.Query.Get("Action") }

type handler func(w http.ResponseWriter, r *rpcRequest)

// fakeAPI is a recording AgentBay endpoint: it routes on the Action query
// parameter and keeps every request.
type fakeAPI struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []*rpcRequest
	routes map[string]handler
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{t: t, routes: map[string]handler{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) URL() string { return f.srv.URL }

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		f.t.Errorf("body is not form-encoded: %v: %q", err, body)
	}
	req := &rpcRequest{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(),
		Form: form, Body: string(body), At: time.Now(), ctx: r.Context(),
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	h := f.routes[req.action()]
	f.mu.Unlock()
	if h == nil {
		f.t.Errorf("unexpected action %q", req.action())
		reply(w, 400, `{"Code":"InvalidAction.NotFound","Message":"no route","RequestId":"R","Success":false}`)
		return
	}
	h(w, req)
}

// on sets the handler of an action.
func (f *fakeAPI) on(action string, h handler) *fakeAPI {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[action] = h
	return f
}

// requests returns the requests of one action, or all of them for "".
func (f *fakeAPI) requests(action string) []*rpcRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*rpcRequest
	for _, r := range f.reqs {
		if action == "" || r.action() == action {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeAPI) count(action string) int { return len(f.requests(action)) }

// reply writes a JSON body with a status.
func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

var requestSeq atomic.Int64

// envelope is a success reply; data is a JSON text, or "" for none.
func envelope(data string) string {
	id := fmt.Sprintf("REQ-%04d", requestSeq.Add(1))
	if data == "" {
		return `{"Code":"ok","HttpStatusCode":200,"RequestId":"` + id + `","Success":true}`
	}
	return `{"Code":"ok","Data":` + data + `,"HttpStatusCode":200,"RequestId":"` + id + `","Success":true}`
}

// okReply answers success with data (a JSON text, or "" for none).
func okReply(data string) handler {
	return func(w http.ResponseWriter, _ *rpcRequest) { reply(w, 200, envelope(data)) }
}

// okWithID answers success with a fixed request id.
func okWithID(reqID, data string) handler {
	return func(w http.ResponseWriter, _ *rpcRequest) {
		b := map[string]any{"Code": "ok", "HttpStatusCode": 200, "RequestId": reqID, "Success": true}
		if data != "" {
			b["Data"] = json.RawMessage(data)
		}
		reply(w, 200, mustMarshal(b))
	}
}

// failReply answers an error envelope.
func failReply(status int, code, msg string) handler {
	return func(w http.ResponseWriter, _ *rpcRequest) {
		reply(w, status, fmt.Sprintf(`{"Code":%q,"HttpStatusCode":%d,"Message":%q,"RequestId":"REQ-ERR","Success":false}`, code, status, msg))
	}
}

var notFound = failReply(400, "InvalidMcpSession.NotFound", "Resource [McpSession] is not found.")

// seq answers the n-th request with hs[n], and later ones with the last.
func seq(hs ...handler) handler {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *rpcRequest) {
		i := int(n.Add(1) - 1)
		hs[min(i, len(hs)-1)](w, r)
	}
}

// hang answers nothing until the client goes away. (The fake has read the
// body, so the server notices a closed connection.)
func hang(_ http.ResponseWriter, r *rpcRequest) {
	select {
	case <-r.ctx.Done():
	case <-time.After(10 * time.Second):
	}
}

// hijackClose drops the connection without answering.
func hijackClose(w http.ResponseWriter, _ *rpcRequest) {
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		_ = conn.Close()
	}
}

func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// jsonString encodes s as a JSON string, for fields the service sends as
// JSON text inside JSON (spec 2.7).
func jsonString(s string) string { return mustMarshal(s) }

// Canned service data.
const toolList = `[{"name":"shell","description":"Executes a shell command","inputSchema":{"type":"object","required":["command","timeout_ms"],"properties":{"command":{"type":"string"},"timeout_ms":{"type":"integer"}}},"server":"wuying_shell","tool":"shell"},{"name":"read_file","description":"read","inputSchema":{"type":"object"},"server":"wuying_filesystem","tool":"read_file"}]`

const shellResult = `{"content":[{"text":"{\"stdout\":\"hi\\n\",\"stderr\":\"\",\"exit_code\":0}","type":"text"}],"isError":false}`

// sessionData is the Data of CreateMcpSession / GetSession.
func sessionData(status, linkURL, token string) string {
	d := map[string]any{
		"AppInstanceId": "ai-123", "HttpPort": "", "NetworkInterfaceIp": "", "ResourceId": "p-123",
		"ResourceUrl": "https://example.invalid/resource?x=1", "SessionId": "session-0001",
		"Success": true, "Token": token, "ToolList": toolList, "VpcResource": false,
	}
	if status != "" {
		d["Status"] = status
	}
	if linkURL != "" {
		d["LinkUrl"] = linkURL
	}
	return mustMarshal(d)
}

// syncBuffer is a log sink that tolerates concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newClient connects a client with the test key to endpoint. mods adjust the
// config (e.g. Retries, Timeout, Logger).
func newClient(t testing.TB, endpoint string, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{APIKey: testKey, Endpoint: endpoint, Timeout: 10 * time.Second}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func noRetries(c *Config) { c.Retries = -1 }

func withLogger(buf *syncBuffer) func(*Config) {
	return func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
}

// requireKind checks err is an *Error of kind.
func requireKind(t testing.TB, err error, kind Kind) *Error {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e, "want a %s error", kind)
	require.Equal(t, kind, e.Kind, "%v", err)
	return e
}

// requireNoKey checks that neither err's text nor any error it wraps shows the key.
func requireNoKey(t testing.TB, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		require.NotContains(t, e.Error(), testKey)
		require.NotContains(t, e.Error(), "secret-0123456789")
	}
}

// commonQuery are the query keys of every action (spec 2.1).
var commonQuery = []string{"Action", "Format", "Version", "Timestamp", "SignatureNonce"}

// assertRPC checks the parts every action shares (spec 2.1-2.3), that the
// query holds exactly the common keys plus query, and that the form holds
// exactly form. Form values that start with { or [ are compared as JSON;
// "*" only asks for the key.
func assertRPC(t testing.TB, r *rpcRequest, action string, query, form map[string]string) {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/", r.Path)

	wantQ := append([]string{}, commonQuery...)
	for k := range query {
		wantQ = append(wantQ, k)
	}
	assert.ElementsMatch(t, wantQ, keysOf(r.Query), "query keys")
	assert.Equal(t, action, r.Query.Get("Action"))
	assert.Equal(t, "json", r.Query.Get("Format"))
	assert.Equal(t, "2025-05-06", r.Query.Get("Version"))
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, r.Query.Get("Timestamp"))
	if ts, err := time.Parse("2006-01-02T15:04:05Z", r.Query.Get("Timestamp")); assert.NoError(t, err) {
		assert.WithinDuration(t, time.Now(), ts, time.Minute)
	}
	assert.Regexp(t, `^[0-9a-f]{32}$`, r.Query.Get("SignatureNonce"))
	for k, v := range query {
		assert.Equal(t, []string{v}, r.Query[k], "query %s", k)
	}

	assert.Equal(t, action, r.Header.Get("x-acs-action"))
	assert.Equal(t, "2025-05-06", r.Header.Get("x-acs-version"))
	assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "AlibabaCloud ("), r.Header.Get("User-Agent"))
	assert.Empty(t, r.Header.Get("Authorization"), "the key goes in the form, not a header")

	var formKeys []string
	for k := range form {
		formKeys = append(formKeys, k)
	}
	assert.ElementsMatch(t, formKeys, keysOf(r.Form), "form keys")
	for k, want := range form {
		got := r.Form[k]
		if !assert.Len(t, got, 1, "form %s", k) {
			continue
		}
		switch {
		case want == "*":
		case strings.HasPrefix(want, "{") || strings.HasPrefix(want, "["):
			assert.JSONEq(t, want, got[0], "form %s", k)
		default:
			assert.Equal(t, want, got[0], "form %s", k)
		}
	}
}

func keysOf(v url.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}
	return out
}

// only returns the single request of action.
func only(t testing.TB, api *fakeAPI, action string) *rpcRequest {
	t.Helper()
	rs := api.requests(action)
	require.Len(t, rs, 1, "requests of %s", action)
	return rs[0]
}

var bg = context.Background()

// testCtx bounds a test that waits, so that a regression fails in seconds
// instead of running into the engine's 5 and 10 minute wait defaults.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
