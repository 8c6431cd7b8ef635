package wire

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallLinkRequest(t *testing.T) {
	type seen struct {
		method, path string
		header       http.Header
		body         []byte
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.Header.Clone(), body}
		_, _ = io.WriteString(w, `{"code":"ok","data":"{\"result\":{\"content\":[{\"text\":\"hi\\n\",\"type\":\"text\"}],\"isError\":false}}","success":true}`)
	}))
	defer srv.Close()
	c, _ := newWire(t, "https://unused.example", nil)

	result, reqID, err := c.CallLink(context.Background(), LinkCall{
		LinkURL: srv.URL + "//", Token: "tok-abc", Server: "wuying_shell", Tool: "shell",
		Args: []byte(`{"command":"echo hi","timeout_ms":1000}`),
	})
	require.NoError(t, err)
	assert.Regexp(t, linkIDPattern, reqID)
	assert.Equal(t, "hi\n", result.Get("content.0.text").String())

	r := <-got
	assert.Equal(t, http.MethodPost, r.method)
	assert.Equal(t, "/callTool", r.path)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Equal(t, "tok-abc", r.header.Get("X-Access-Token"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(r.body, &body))
	assert.Equal(t, map[string]any{
		"args":      map[string]any{"command": "echo hi", "timeout_ms": float64(1000)},
		"server":    "wuying_shell",
		"requestId": reqID,
		"tool":      "shell",
		"token":     "tok-abc",
	}, body)
	assert.NotContains(t, string(r.body), testKey)
	for _, v := range r.header {
		assert.NotContains(t, v[0], testKey)
	}
}

func TestParseLinkReply(t *testing.T) {
	good := []struct{ name, body, text string }{
		{"data as string", `{"data":"{\"result\":{\"content\":[{\"text\":\"a\"}]}}"}`, "a"},
		{"data as object", `{"data":{"result":{"content":[{"text":"b"}],"isError":true}}}`, "b"},
	}
	for _, tc := range good {
		r, err := parseLinkReply(200, []byte(tc.body))
		require.Nil(t, err, tc.name)
		assert.Equal(t, tc.text, r.Get("content.0.text").String(), tc.name)
	}

	bad := []struct {
		name   string
		status int
		body   string
		kind   Kind
		msg    string
	}{
		{"http 500", 500, `{"code":"Oops","message":"broken"}`, KindServer, "HTTP request failed with code: 500: broken"},
		{"http 401 non-JSON", 401, `nope`, KindUnauthorized, "HTTP request failed with code: 401"},
		{"not JSON", 200, `<html>`, KindServer, "not JSON"},
		{"no data", 200, `{"code":"ok"}`, KindServer, "no data field"},
		{"data not JSON", 200, `{"data":"{oops"}`, KindServer, "data is not JSON"},
		{"no result", 200, `{"data":{"content":[]}}`, KindServer, "no result field"},
		{"result not object", 200, `{"data":{"result":"x"}}`, KindServer, "no result field"},
	}
	for _, tc := range bad {
		_, err := parseLinkReply(tc.status, []byte(tc.body))
		require.NotNil(t, err, tc.name)
		assert.Equal(t, tc.kind, err.Kind, tc.name)
		assert.Equal(t, "callTool", err.Action, tc.name)
		assert.Contains(t, err.Message, tc.msg, tc.name)
	}
}

func TestCallLinkErrors(t *testing.T) {
	t.Run("http error keeps the link request id", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		}))
		defer srv.Close()
		c, _ := newWire(t, "https://unused.example", nil)
		_, reqID, err := c.CallLink(context.Background(), LinkCall{LinkURL: srv.URL, Token: "t", Server: "s", Tool: "x", Args: []byte(`{}`)})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, KindServer, e.Kind)
		assert.Equal(t, reqID, e.RequestID)
		assert.Regexp(t, linkIDPattern, reqID)
	})

	// A tool call is not idempotent: a connection lost after sending must not
	// run the tool again.
	t.Run("reset is not retried", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			hijackClose(t, w)
		}))
		defer srv.Close()
		c, _ := newWire(t, "https://unused.example", nil)
		_, _, err := c.CallLink(context.Background(), LinkCall{LinkURL: srv.URL, Token: "t", Server: "s", Tool: "x", Args: []byte(`{}`)})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, KindTransport, e.Kind)
		assert.False(t, e.Retryable)
		assert.Equal(t, int32(1), n.Load())
	})

	t.Run("timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(hang))
		defer srv.Close()
		c, _ := newWire(t, "https://unused.example", nil)
		// A timeout, not the error of the hang's own end after 10 s.
		_, _, err := c.CallLink(context.Background(), LinkCall{LinkURL: srv.URL, Token: "t", Server: "s", Tool: "x", Args: []byte(`{}`), Timeout: 150 * time.Millisecond})
		assert.Equal(t, KindTimeout, KindOf(err), "%v", err)
	})
}
