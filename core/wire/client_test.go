package wire

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testKey = "akm-wire-secret-0123456789"

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

func newWire(t testing.TB, base string, mod func(*Options)) (*Client, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	o := Options{
		APIKey:  testKey,
		BaseURL: base,
		Timeout: 10 * time.Second,
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c, logs
}

// requireNoKey checks that neither err's text nor any error it wraps shows the key.
func requireNoKey(t testing.TB, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		require.NotContains(t, e.Error(), testKey)
		require.NotContains(t, e.Error(), "0123456789")
	}
}

// hang answers nothing until the client goes away. It reads the body first:
// the server notices a closed connection only once the body is consumed.
func hang(_ http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// hijackClose drops the connection without answering.
func hijackClose(t testing.TB, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

func TestNewChecksOptions(t *testing.T) {
	_, err := New(Options{BaseURL: "https://example.com"})
	assert.Equal(t, KindInvalidArgument, KindOf(err))
	_, err = New(Options{APIKey: testKey, BaseURL: "ftp://example.com"})
	assert.Equal(t, KindInvalidArgument, KindOf(err))
	_, err = New(Options{APIKey: testKey, BaseURL: "https://example.com/"})
	assert.NoError(t, err)
}

func TestDoSendsRPCRequest(t *testing.T) {
	type seen struct {
		method, path string
		query        url.Values
		header       http.Header
		form         url.Values
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		got <- seen{r.Method, r.URL.Path, r.URL.Query(), r.Header.Clone(), form}
		_, _ = io.WriteString(w, `{"RequestId":"R1","Success":true,"Data":{"Status":"RUNNING"}}`)
	}))
	defer srv.Close()
	c, logs := newWire(t, srv.URL+"/", nil)

	resp, err := c.Do(context.Background(), Call{
		Action: "GetSessionDetail",
		Query:  url.Values{"SessionId": {"session-0001"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "R1", resp.RequestID)
	assert.Equal(t, "RUNNING", resp.Data.Get("Status").String())

	r := <-got
	assert.Equal(t, http.MethodPost, r.method)
	assert.Equal(t, "/", r.path)
	assert.Equal(t, url.Values{"Authorization": {"Bearer " + testKey}}, r.form)
	assert.ElementsMatch(t, []string{"Action", "Format", "Version", "Timestamp", "SignatureNonce", "SessionId"}, keys(r.query))
	assert.Equal(t, "GetSessionDetail", r.query.Get("Action"))
	assert.Equal(t, "json", r.query.Get("Format"))
	assert.Equal(t, "2025-05-06", r.query.Get("Version"))
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, r.query.Get("Timestamp"))
	assert.Regexp(t, `^[0-9a-f]{32}$`, r.query.Get("SignatureNonce"))
	assert.Equal(t, "session-0001", r.query.Get("SessionId"))
	assert.Equal(t, "GetSessionDetail", r.header.Get("x-acs-action"))
	assert.Equal(t, "2025-05-06", r.header.Get("x-acs-version"))
	assert.Equal(t, "application/x-www-form-urlencoded", r.header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(r.header.Get("User-Agent"), "AlibabaCloud ("), r.header.Get("User-Agent"))
	assert.Contains(t, r.header.Get("User-Agent"), "libagentbay/"+LibraryVersion)
	assert.Empty(t, r.header.Get("Authorization"))

	assert.Contains(t, logs.String(), "action=GetSessionDetail")
	assert.NotContains(t, logs.String(), testKey)
}

func keys(v url.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}
	return out
}

func TestDoCallTimeoutOverridesClientTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(hang))
	defer srv.Close()
	c, _ := newWire(t, srv.URL, nil)

	// A timeout, not the error of the hang's own end after 10 s (an empty
	// reply): the call's 200 ms, not the client's 60 s, ended it.
	_, err := c.Do(context.Background(), Call{Action: "CallMcpTool", Timeout: 200 * time.Millisecond})
	assert.Equal(t, KindTimeout, KindOf(err), "%v", err)
	requireNoKey(t, err)
}

// A redirect must not carry the form (and with it the key) to another host:
// the reply is read as it is, and the other host sees nothing. Nor is a
// redirect an answer, even with a success envelope in its body.
func TestDoDoesNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = io.WriteString(w, `{"RequestId":"R","Success":true}`)
	}))
	defer other.Close()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", other.URL+"/steal")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_, _ = io.WriteString(w, `{"Code":"ok","RequestId":"R","Success":true,"Data":{"SessionId":"s"}}`)
		}))
		c, _ := newWire(t, srv.URL, nil)
		_, err := c.Do(context.Background(), Call{Action: "GetSession", Form: url.Values{"SessionId": {"s"}}})
		srv.Close()
		assert.Equal(t, KindServer, KindOf(err), "HTTP %d: %v", code, err)
		requireNoKey(t, err)
	}
	assert.Zero(t, elsewhere.Load(), "a redirect was followed")
}

// A reply larger than the cap is garbage from a service that did answer:
// a server error, neither retried (a read) nor safe to repeat (a change),
// on both routes.
func TestDoReplyTooLarge(t *testing.T) {
	old := maxReplyBytes
	maxReplyBytes = 1024
	t.Cleanup(func() { maxReplyBytes = old })
	big := `{"Code":"ok","RequestId":"R","Success":true,"Data":"` + strings.Repeat("x", 4096) + `"}`
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, big)
	}))
	defer srv.Close()
	c, logs := newWire(t, srv.URL, func(o *Options) { o.Retries = 3 })
	for _, action := range []string{"GetSession", "CallMcpTool"} {
		n.Store(0)
		_, err := c.Do(context.Background(), Call{Action: action})
		var e *Error
		require.ErrorAs(t, err, &e, action)
		assert.Equal(t, KindServer, e.Kind, "%s: %v", action, err)
		assert.False(t, e.Retryable, action)
		assert.Contains(t, e.Message, "larger than 1024 bytes", action)
		assert.Equal(t, int32(1), n.Load(), "%s: attempts", action)
		requireNoKey(t, err)
	}
	n.Store(0)
	_, _, err := c.CallLink(context.Background(), LinkCall{LinkURL: srv.URL, Token: "t", Server: "s", Tool: "shell", Args: []byte(`{}`)})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, KindServer, e.Kind, "%v", err)
	assert.False(t, e.Retryable)
	assert.Equal(t, int32(1), n.Load(), "callTool attempts")
	assert.NotContains(t, logs.String(), "retrying")
}

// The service may quote a parameter back in its message; the key must still
// not reach the error text.
func TestDoRedactsTheKeyFromServiceMessages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"Code":"InvalidParameter","Message":"bad Authorization: `+r.PostForm.Get("Authorization")+`","RequestId":"R"}`)
	}))
	defer srv.Close()
	c, _ := newWire(t, srv.URL, nil)
	_, err := c.Do(context.Background(), Call{Action: "SetLabel"})
	require.Error(t, err)
	assert.Equal(t, KindInvalidArgument, KindOf(err))
	assert.Contains(t, err.Error(), "bad Authorization: Bearer ***")
	requireNoKey(t, err)
}

// A refused connection never reached the service, so even a state-changing
// call is retried; the retries are logged, without the key.
func TestDoRetriesRefusedDialForAnyAction(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	c, logs := newWire(t, "http://"+addr, nil)
	_, err = c.Do(context.Background(), Call{Action: "CallMcpTool", Form: url.Values{"Name": {"shell"}}})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, KindTransport, e.Kind)
	assert.True(t, e.Retryable, "nothing was sent, so repeating is safe")
	requireNoKey(t, err)
	assert.Equal(t, 3, strings.Count(logs.String(), "agentbay retrying"), logs.String())
	assert.NotContains(t, logs.String(), testKey)
}

// A connection that dies after the request went out may have done the work:
// a state-changing call is neither repeated nor reported as safe to repeat.
func TestDoResetConnection(t *testing.T) {
	for _, tc := range []struct {
		action    string
		attempts  int32
		retryable bool
	}{
		{"CallMcpTool", 1, false},
		{"GetSession", 4, true},
	} {
		t.Run(tc.action, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				hijackClose(t, w)
			}))
			defer srv.Close()
			c, logs := newWire(t, srv.URL, func(o *Options) { o.Retries = 3 })
			_, err := c.Do(context.Background(), Call{Action: tc.action})
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, KindTransport, e.Kind, "%v", err)
			assert.Equal(t, tc.retryable, e.Retryable)
			assert.Equal(t, tc.attempts, n.Load())
			requireNoKey(t, err)
			assert.NotContains(t, logs.String(), testKey)
		})
	}
}

var linkIDPattern = regexp.MustCompile(`^link-\d{13}-\d{9}$`)
