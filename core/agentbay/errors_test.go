package agentbay

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Calls used by the error tests, one per kind of action.

func callGet(ctx context.Context, c *Client) error {
	_, err := c.Get(ctx, "session-0001")
	return err
}

func callPause(ctx context.Context, c *Client) error {
	_, err := c.Session("session-0001").PauseAsync(ctx)
	return err
}

func callResume(ctx context.Context, c *Client) error {
	_, err := c.Session("session-0001").ResumeAsync(ctx)
	return err
}

func callCreate(ctx context.Context, c *Client) error {
	_, err := c.Create(ctx, CreateParams{})
	return err
}

func callTool(ctx context.Context, c *Client) error {
	_, err := c.Session("session-0001").CallMcpTool(ctx, "shell", nil, CallOptions{})
	return err
}

func callLabels(ctx context.Context, c *Client) error {
	_, err := c.Session("session-0001").GetLabels(ctx)
	return err
}

func callSet(ctx context.Context, c *Client) error {
	_, err := c.Session("s").SetLabels(ctx, map[string]string{"a": "b"})
	return err
}

func callDelete(ctx context.Context, c *Client) error {
	_, err := c.Delete(ctx, "s", false)
	return err
}

// TestServiceErrors checks how replies become errors. Every case also checks
// that the key is in neither the error nor the debug log.
func TestServiceErrors(t *testing.T) {
	cases := []struct {
		name     string
		action   string
		call     func(context.Context, *Client) error
		reply    handler
		kind     Kind
		code     string
		msg      string // substring of the message
		reqID    string
		status   int
		attempts int
	}{
		{"not found", "GetSession", callGet, notFound, KindNotFound, "InvalidMcpSession.NotFound", "Resource [McpSession] is not found.", "REQ-ERR", 400, 1},
		{"not logged in", "GetSession", callGet, failReply(400, "NOT_LOGIN", "You are not logged in or your login token has expired"), KindUnauthorized, "NOT_LOGIN", "not logged in", "REQ-ERR", 400, 1},
		{"throttled", "PauseSessionAsync", callPause, failReply(429, "Throttling.User", "Request was denied due to user flow control."), KindThrottled, "Throttling.User", "flow control", "REQ-ERR", 429, 1},
		{"5xx on create", "CreateMcpSession", callCreate, failReply(503, "ServiceUnavailable", "busy"), KindServer, "ServiceUnavailable", "busy", "REQ-ERR", 503, 1},
		{"5xx on pause", "PauseSessionAsync", callPause, failReply(503, "ServiceUnavailable", "busy"), KindServer, "ServiceUnavailable", "busy", "REQ-ERR", 503, 1},
		{"5xx on resume", "ResumeSessionAsync", callResume, failReply(500, "InternalError", "oops"), KindServer, "InternalError", "oops", "REQ-ERR", 500, 1},
		{"5xx on a tool call", "CallMcpTool", callTool, failReply(503, "ServiceUnavailable", "busy"), KindServer, "ServiceUnavailable", "busy", "REQ-ERR", 503, 1},
		{"5xx on set label", "SetLabel", callSet, failReply(502, "BadGateway", "gw"), KindServer, "BadGateway", "gw", "REQ-ERR", 502, 1},
		{"5xx on delete", "DeleteSessionAsync", callDelete, failReply(503, "ServiceUnavailable", "busy"), KindServer, "ServiceUnavailable", "busy", "REQ-ERR", 503, 1},
		{"non-JSON 5xx on a tool call", "CallMcpTool", callTool, rawReply(502, "<html>Bad Gateway</html>"), KindServer, "", "HTTP 502", "", 502, 1},
		{"non-JSON 2xx", "GetLabel", callLabels, rawReply(200, "<html>ok</html>"), KindServer, "", "not a JSON object", "", 200, 1},
		{"malformed JSON", "GetLabel", callLabels, rawReply(200, `{"Success":true,"Data":{`), KindServer, "", "not a JSON object", "", 200, 1},
		{"array body", "GetLabel", callLabels, rawReply(200, `[{"Success":true}]`), KindServer, "", "not a JSON object", "", 200, 1},
		{"missing Success", "GetLabel", callLabels, rawReply(200, `{"Code":"ok","RequestId":"REQ-M","Data":{"Labels":"{}"}}`), KindServer, "", "no Success field", "REQ-M", 200, 1},
		{"Success false", "GetLabel", callLabels, rawReply(200, `{"Code":"Denied","Message":"no","RequestId":"REQ-F","Success":false}`), KindServer, "Denied", "no", "REQ-F", 200, 1},
		{"create Data.Success false", "CreateMcpSession", callCreate, okWithID("REQ-OK", `{"Success":false,"ErrMsg":"quota exceeded"}`), KindServer, "", "quota exceeded", "REQ-OK", 200, 1},
		{"create without SessionId", "CreateMcpSession", callCreate, okWithID("REQ-OK", `{"ResourceUrl":"x"}`), KindServer, "", "no SessionId", "REQ-OK", 200, 1},
		{"create without Data", "CreateMcpSession", callCreate, okWithID("REQ-OK", ""), KindServer, "", "Data is not an object", "REQ-OK", 200, 1},
		{"tool call without Data", "CallMcpTool", callTool, okWithID("REQ-OK", ""), KindServer, "", "Empty response from CallMcpTool", "REQ-OK", 200, 1},
		{"key echoed by the service", "GetSession", callGet, echoKey, KindInvalidArgument, "InvalidParameter", "Bearer ***", "REQ-ERR", 400, 1},
	}
	logs := &syncBuffer{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t).on(tc.action, tc.reply)
			c := newClient(t, api.URL(), withLogger(logs))
			err := tc.call(bg, c)
			e := requireKind(t, err, tc.kind)
			assert.Equal(t, tc.code, e.Code)
			assert.Contains(t, e.Message, tc.msg)
			assert.Equal(t, tc.reqID, e.RequestID)
			assert.Equal(t, tc.status, e.HTTPStatus)
			assert.Equal(t, tc.action, e.Action)
			assert.Equal(t, tc.attempts, api.count(tc.action), "attempts")
			requireNoKey(t, err)
		})
	}
	assert.Contains(t, logs.String(), "agentbay call")
	assert.NotContains(t, logs.String(), testKey)
}

func rawReply(status int, body string) handler {
	return func(w http.ResponseWriter, _ *rpcRequest) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// echoKey quotes the Authorization parameter back, as a careless gateway might.
func echoKey(w http.ResponseWriter, r *rpcRequest) {
	reply(w, 400, `{"Code":"InvalidParameter","Message":"invalid Authorization `+r.Form.Get("Authorization")+`","RequestId":"REQ-ERR","Success":false}`)
}

func TestReadsAreRetried(t *testing.T) {
	t.Run("success on the third attempt", func(t *testing.T) {
		unavailable := failReply(503, "ServiceUnavailable", "busy")
		api := newFakeAPI(t).on("GetSession", seq(unavailable, unavailable, okReply(sessionData("RUNNING", "", ""))))
		r, err := newClient(t, api.URL()).Get(bg, "session-0001")
		require.NoError(t, err)
		assert.Equal(t, "session-0001", r.Session.ID())
		reqs := api.requests("GetSession")
		require.Len(t, reqs, 3)
		nonces := map[string]bool{}
		for _, r := range reqs {
			assertRPC(t, r, "GetSession", nil, map[string]string{"Authorization": bearer, "SessionId": "session-0001"})
			nonces[r.Query.Get("SignatureNonce")] = true
		}
		assert.Len(t, nonces, 3, "every attempt is a new request: a fresh nonce, never a replay")
	})

	t.Run("gives up after the retries", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSessionDetail", failReply(503, "ServiceUnavailable", "busy"))
		_, err := newClient(t, api.URL()).Session("s").GetStatus(bg)
		e := requireKind(t, err, KindServer)
		assert.True(t, e.Retryable)
		assert.Equal(t, 4, api.count("GetSessionDetail"), "1 attempt + 3 retries")
	})

	t.Run("throttling and non-JSON 5xx", func(t *testing.T) {
		api := newFakeAPI(t).on("GetLabel", seq(failReply(429, "Throttling", "slow"), rawReply(502, "bad gateway"), okReply(`{"Labels":"{}"}`)))
		_, err := newClient(t, api.URL()).Session("s").GetLabels(bg)
		require.NoError(t, err)
		assert.Equal(t, 3, api.count("GetLabel"))
	})

	t.Run("Retries -1 means one attempt", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", failReply(503, "ServiceUnavailable", "busy"))
		err := callGet(bg, newClient(t, api.URL(), noRetries))
		requireKind(t, err, KindServer)
		assert.Equal(t, 1, api.count("GetSession"))
	})

	t.Run("Retry-After is honoured", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", seq(
			func(w http.ResponseWriter, r *rpcRequest) {
				w.Header().Set("Retry-After", "1")
				failReply(503, "ServiceUnavailable", "busy")(w, r)
			},
			okReply(sessionData("RUNNING", "", "")),
		))
		start := time.Now()
		require.NoError(t, callGet(bg, newClient(t, api.URL())))
		reqs := api.requests("GetSession")
		require.Len(t, reqs, 2)
		// The default first wait is 100 ms; Retry-After: 1 makes it a second.
		assert.GreaterOrEqual(t, reqs[1].At.Sub(reqs[0].At), 900*time.Millisecond)
		assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)
	})

	t.Run("reset connection", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", seq(hijackClose, okReply(sessionData("RUNNING", "", ""))))
		require.NoError(t, callGet(bg, newClient(t, api.URL())))
		assert.Equal(t, 2, api.count("GetSession"))
	})
}

func TestTransportErrors(t *testing.T) {
	logs := &syncBuffer{}

	t.Run("slow reply beyond the timeout", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", hang)
		c := newClient(t, api.URL(), withLogger(logs), func(c *Config) { c.Timeout = 300 * time.Millisecond })
		// A timeout, not the error of the hang's own end (an empty reply):
		// the client's deadline ended the call.
		err := callGet(bg, c)
		requireKind(t, err, KindTimeout)
		requireNoKey(t, err)
		assert.Equal(t, 1, api.count("GetSession"), "the deadline covers the retries")
	})

	t.Run("tool call ReadTimeout", func(t *testing.T) {
		api := newFakeAPI(t).on("CallMcpTool", hang)
		c := newClient(t, api.URL(), withLogger(logs))
		_, err := c.Session("s").CallMcpTool(bg, "shell", nil, CallOptions{ReadTimeout: 200 * time.Millisecond})
		e := requireKind(t, err, KindTimeout)
		assert.False(t, e.Retryable, "the tool may have run")
		requireNoKey(t, err)
		assert.Equal(t, 1, api.count("CallMcpTool"))
	})

	t.Run("reset connection on a tool call", func(t *testing.T) {
		api := newFakeAPI(t).on("CallMcpTool", hijackClose)
		err := callTool(bg, newClient(t, api.URL(), withLogger(logs)))
		e := requireKind(t, err, KindTransport)
		assert.False(t, e.Retryable, "the tool may have run")
		requireNoKey(t, err)
		assert.Equal(t, 1, api.count("CallMcpTool"))
	})

	t.Run("reset connection on every read", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", hijackClose)
		err := callGet(bg, newClient(t, api.URL(), withLogger(logs)))
		e := requireKind(t, err, KindTransport)
		assert.True(t, e.Retryable)
		requireNoKey(t, err)
		assert.Equal(t, 4, api.count("GetSession"))
	})

	t.Run("nothing listening", func(t *testing.T) {
		api := newFakeAPI(t)
		endpoint := api.URL()
		api.srv.Close()
		err := callCreate(bg, newClient(t, endpoint, withLogger(logs)))
		e := requireKind(t, err, KindTransport)
		assert.True(t, e.Retryable, "nothing was sent")
		requireNoKey(t, err)
	})

	t.Run("cancelled mid-call", func(t *testing.T) {
		// The cancel comes once the request has reached the service, and
		// the call ends with it, not with the hang's own end.
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		api := newFakeAPI(t).on("CallMcpTool", func(w http.ResponseWriter, r *rpcRequest) { cancel(); hang(w, r) })
		c := newClient(t, api.URL(), withLogger(logs))
		err := callTool(ctx, c)
		requireKind(t, err, KindCancelled)
		requireNoKey(t, err)
		assert.Equal(t, 1, api.count("CallMcpTool"))
	})

	t.Run("already cancelled", func(t *testing.T) {
		api := newFakeAPI(t)
		ctx, cancel := context.WithCancel(bg)
		cancel()
		err := callGet(ctx, newClient(t, api.URL(), withLogger(logs)))
		requireKind(t, err, KindCancelled)
		assert.Zero(t, api.count(""))
	})

	t.Run("closed client", func(t *testing.T) {
		api := newFakeAPI(t)
		c := newClient(t, api.URL(), withLogger(logs))
		require.NoError(t, c.Close())
		require.NoError(t, c.Close(), "Close is idempotent")
		for _, call := range []func(context.Context, *Client) error{callGet, callTool, callPause, callCreate, callDelete} {
			err := call(bg, c)
			e := requireKind(t, err, KindInvalidHandle)
			assert.Contains(t, e.Message, "closed")
		}
		_, err := c.List(bg, ListParams{})
		requireKind(t, err, KindInvalidHandle)
		assert.Zero(t, api.count(""))
	})

	t.Run("Close cancels calls in flight", func(t *testing.T) {
		// The close comes once the request has reached the service.
		var c *Client
		api := newFakeAPI(t).on("GetSession", func(w http.ResponseWriter, r *rpcRequest) { go c.Close(); hang(w, r) })
		c = newClient(t, api.URL(), withLogger(logs))
		err := callGet(bg, c)
		requireKind(t, err, KindCancelled)
		assert.Equal(t, 1, api.count("GetSession"), "no retry after the close")
	})

	t.Run("nil context", func(t *testing.T) {
		c := newClient(t, newFakeAPI(t).URL())
		var ctx context.Context // nil: a caller bug the engine reports instead of panicking
		err := callGet(ctx, c)
		requireKind(t, err, KindInvalidArgument)
	})

	assert.Contains(t, logs.String(), "agentbay call failed")
	assert.Contains(t, logs.String(), "agentbay retrying")
	assert.NotContains(t, logs.String(), testKey)
}

func TestToolResults(t *testing.T) {
	t.Run("isError is a failed result, not an error", func(t *testing.T) {
		api := newFakeAPI(t).on("CallMcpTool", okWithID("REQ-E", `{"content":[{"type":"text","text":"{\"errorCode\":127,\"stderr\":\"sh: nope: not found\"}"}],"isError":true}`))
		r, err := newClient(t, api.URL()).Session("s").CallMcpTool(bg, "shell", map[string]string{"command": "nope"}, CallOptions{})
		require.NoError(t, err)
		assert.False(t, r.Success)
		assert.Equal(t, "REQ-E", r.RequestID)
		assert.Equal(t, `{"errorCode":127,"stderr":"sh: nope: not found"}`, r.ErrorMessage)
		assert.Equal(t, r.ErrorMessage, r.Data)
	})

	t.Run("isError inside a string Data", func(t *testing.T) {
		api := newFakeAPI(t).on("CallMcpTool", okReply(jsonString(`{"content":[{"text":"boom"}],"isError":true}`)))
		r, err := newClient(t, api.URL()).Session("s").CallMcpTool(bg, "shell", nil, CallOptions{})
		require.NoError(t, err)
		assert.False(t, r.Success)
		assert.Equal(t, "boom", r.ErrorMessage)
	})

	t.Run("Data a non-JSON string", func(t *testing.T) {
		api := newFakeAPI(t).on("CallMcpTool", okReply(`"Execution failed. Error code:127"`))
		r, err := newClient(t, api.URL()).Session("s").CallMcpTool(bg, "shell", nil, CallOptions{})
		require.NoError(t, err)
		assert.True(t, r.Success)
		assert.Equal(t, "Execution failed. Error code:127", r.Data)
	})
}

// A 500 on a state-changing call may have done the work, so it is not safe
// to repeat; a 503 or 429 says the service did nothing, so it is.
func TestWriteErrorsRetryable(t *testing.T) {
	for _, tc := range []struct {
		reply     handler
		retryable bool
	}{
		{failReply(500, "InternalError", "oops"), false},
		{failReply(502, "BadGateway", "gw"), false},
		{failReply(503, "ServiceUnavailable", "busy"), true},
		{failReply(429, "Throttling", "slow"), true},
	} {
		api := newFakeAPI(t).on("PauseSessionAsync", tc.reply)
		err := callPause(bg, newClient(t, api.URL()))
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, tc.retryable, e.Retryable, "HTTP %d", e.HTTPStatus)
	}
}
