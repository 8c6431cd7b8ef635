package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
)

func TestParseEnvelopeSuccess(t *testing.T) {
	body := `{"Code":"ok","Data":{"SessionId":"session-0001"},"HttpStatusCode":200,"Message":"","RequestId":"REQ-1","Success":true}`
	r, err := ParseEnvelope("CreateMcpSession", 200, []byte(body))
	require.NoError(t, err)
	assert.Equal(t, "CreateMcpSession", r.Action)
	assert.Equal(t, 200, r.HTTPStatus)
	assert.Equal(t, "REQ-1", r.RequestID)
	assert.Equal(t, "ok", r.Code)
	assert.Equal(t, "session-0001", r.Data.Get("SessionId").String())
	assert.Equal(t, int64(200), r.Body.Get("HttpStatusCode").Int())

	// Lower-case envelope keys are read too (the runtime accepts both).
	r, err = ParseEnvelope("GetLabel", 200, []byte(`{"requestId":"r-2","success":true,"data":[1]}`))
	require.NoError(t, err)
	assert.Equal(t, "r-2", r.RequestID)
	assert.True(t, r.Data.IsArray())

	// Data absent is fine for actions that return only the envelope.
	r, err = ParseEnvelope("SetLabel", 200, []byte(`{"RequestId":"r-3","Success":true}`))
	require.NoError(t, err)
	assert.False(t, r.Data.Exists())
}

func TestParseEnvelopeErrors(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		body      string
		kind      Kind
		code      string
		msg       string // substring of Message
		reqID     string
		retryable bool
	}{
		{"not found", 400, `{"Code":"InvalidMcpSession.NotFound","HttpStatusCode":400,"Message":"Resource [McpSession] is not found.","RequestId":"REQ-9","Success":false}`,
			KindNotFound, "InvalidMcpSession.NotFound", "Resource [McpSession] is not found.", "REQ-9", false},
		{"not login", 400, `{"Code":"NOT_LOGIN","Message":"You are not logged in or your login token has expired","RequestId":"R","HostId":"h"}`,
			KindUnauthorized, "NOT_LOGIN", "not logged in", "R", false},
		{"forbidden", 403, `{"Code":"Forbidden.RAM","Message":"no","RequestId":"R"}`, KindUnauthorized, "Forbidden.RAM", "no", "R", false},
		{"throttling", 429, `{"Code":"Throttling.User","Message":"slow down","RequestId":"R"}`, KindThrottled, "Throttling.User", "slow down", "R", true},
		{"throttling code on 400", 400, `{"Code":"Throttling","Message":"slow","RequestId":"R"}`, KindThrottled, "Throttling", "slow", "R", true},
		{"unsupported action", 404, `{"Code":"InvalidAction.NotFound","Message":"Specified api is not found"}`, KindUnsupported, "InvalidAction.NotFound", "not found", "", false},
		{"conflict by code", 400, `{"Code":"InvalidSessionStatus.Paused","Message":"paused"}`, KindConflict, "InvalidSessionStatus.Paused", "paused", "", false},
		{"conflict by status", 409, `{"Code":"X","Message":"busy"}`, KindConflict, "X", "busy", "", false},
		{"server 503", 503, `{"Code":"ServiceUnavailable","Message":"try later","RequestId":"R"}`, KindServer, "ServiceUnavailable", "try later", "R", true},
		{"other 400", 400, `{"Code":"InvalidParameter","Message":"bad"}`, KindInvalidArgument, "InvalidParameter", "bad", "", false},
		{"400 without message", 400, `{"Code":"InvalidParameter"}`, KindInvalidArgument, "InvalidParameter", "HTTP 400", "", false},
		{"lower-case keys", 400, `{"code":"InvalidMcpSession.NotFound","message":"gone","requestId":"r"}`, KindNotFound, "InvalidMcpSession.NotFound", "gone", "r", false},
		{"business failure on 200", 200, `{"Code":"SomeFailure","Message":"nope","RequestId":"R","Success":false}`, KindServer, "SomeFailure", "nope", "R", false},
		{"missing Success", 200, `{"Code":"ok","RequestId":"R","Data":{}}`, KindServer, "", "no Success field", "R", false},
		{"malformed JSON", 200, `{"Success":true,"Data":`, KindServer, "", "not a JSON object", "", false},
		{"non-JSON 2xx", 200, `<html>hello</html>`, KindServer, "", "not a JSON object", "", false},
		{"empty 2xx", 200, ``, KindServer, "", "not a JSON object", "", false},
		{"array body", 200, `[{"Success":true}]`, KindServer, "", "not a JSON object", "", false},
		{"string body", 200, `"Success"`, KindServer, "", "not a JSON object", "", false},
		{"non-JSON 502", 502, `<html>Bad Gateway</html>`, KindServer, "", "HTTP 502", "", true},
		{"non-JSON 404", 404, `Not Found`, KindNotFound, "", "HTTP 404", "", false},
		{"non-JSON 401", 401, ``, KindUnauthorized, "", "HTTP 401", "", false},
		{"redirect with a success body", 307, `{"Code":"ok","RequestId":"R","Success":true,"Data":{"SessionId":"s"}}`, KindServer, "", "redirect", "R", false},
		{"other 3xx with a success body", 304, `{"Success":true}`, KindServer, "", "redirect", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseEnvelope("GetSession", tc.status, []byte(tc.body))
			require.Nil(t, r)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.kind, e.Kind)
			assert.Equal(t, "GetSession", e.Action)
			assert.Equal(t, tc.code, e.Code)
			assert.Contains(t, e.Message, tc.msg)
			assert.Equal(t, tc.reqID, e.RequestID)
			assert.Equal(t, tc.status, e.HTTPStatus)
			assert.Equal(t, tc.retryable, e.Retryable)
		})
	}
}

func TestJSONValue(t *testing.T) {
	cases := []struct{ doc, want string }{
		{`{"v":"[{\"name\":\"shell\"}]"}`, `[{"name":"shell"}]`}, // JSON string (spec 2.7)
		{`{"v":[{"name":"shell"}]}`, `[{"name":"shell"}]`},       // inline
		{`{"v":{"k":"v"}}`, `{"k":"v"}`},
		{`{"v":""}`, ``},
		{`{"v":null}`, ``},
		{`{}`, ``},
		{`{"v":12}`, `12`},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, JSONValue(gjson.Get(tc.doc, "v")), tc.doc)
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Kind: KindNotFound, Action: "GetSession", Code: "InvalidMcpSession.NotFound", Message: "gone", RequestID: "REQ-1"}
	assert.Equal(t, "agentbay: GetSession: [InvalidMcpSession.NotFound] gone (request id REQ-1)", e.Error())
	assert.Equal(t, "agentbay: bad", Errorf(KindInvalidArgument, "bad").Error())

	// errors.Is matches on the kind alone; a fuller target matches nothing.
	wrapped := fmt.Errorf("context: %w", e)
	assert.ErrorIs(t, wrapped, &Error{Kind: KindNotFound})
	assert.NotErrorIs(t, wrapped, &Error{Kind: KindServer})
	assert.NotErrorIs(t, wrapped, &Error{Kind: KindNotFound, Code: "Other"})
	assert.True(t, IsNotFound(wrapped))

	cause := errors.New("cause")
	assert.ErrorIs(t, &Error{Kind: KindTransport, Err: cause}, cause)
}

func TestKindOf(t *testing.T) {
	assert.Equal(t, Kind(""), KindOf(nil))
	assert.Equal(t, KindThrottled, KindOf(fmt.Errorf("x: %w", &Error{Kind: KindThrottled})))
	assert.Equal(t, KindCancelled, KindOf(context.Canceled))
	assert.Equal(t, KindTimeout, KindOf(fmt.Errorf("x: %w", context.DeadlineExceeded)))
	assert.Equal(t, KindInternal, KindOf(io.EOF))
}

func TestRedactor(t *testing.T) {
	const key = "akm-secret-1234567890"
	r := Redactor(key)
	for _, s := range []string{
		"Bearer " + key,
		"Authorization=Bearer+" + key,
		"Authorization=Bearer%20" + key,
		"bare " + key + " in text",
	} {
		out := r(s)
		assert.NotContains(t, out, key, s)
		assert.NotContains(t, out, "secret-1234567890", s)
	}
	assert.Equal(t, "Bearer ***", r("Bearer "+key))

	// A key with characters that need escaping is removed in its escaped forms too.
	odd := "k+y/with=sym&bols"
	ro := Redactor(odd)
	for _, s := range []string{"Bearer " + odd, "Authorization=Bearer+k%2By%2Fwith%3Dsym%26bols", odd} {
		assert.NotContains(t, ro(s), "sym&bols", s)
		assert.NotContains(t, ro(s), "sym%26bols", s)
	}

	// Short keys are only removed with their Bearer prefix, so that a tiny key
	// does not shred unrelated text; an empty key changes nothing.
	assert.Equal(t, "abc Bearer ***", Redactor("abc")("abc Bearer abc"))
	assert.Equal(t, "text", Redactor("")("text"))
}

func TestParseEndpoint(t *testing.T) {
	good := []struct{ in, want string }{
		{"wuyingai.cn-shanghai.aliyuncs.com", "https://wuyingai.cn-shanghai.aliyuncs.com"},
		{"127.0.0.1:18443", "https://127.0.0.1:18443"},
		{"  host:1  ", "https://host:1"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"https://example.com", "https://example.com"},
		{"[::1]:9000", "https://[::1]:9000"},
	}
	for _, tc := range good {
		got, err := ParseEndpoint(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	bad := []string{"", "   ", "ftp://host", "https://", "https://user:pw@host", "https://host/api", "https://host/?a=b", "https://host/#x", "http://[::1"}
	for _, in := range bad {
		_, err := ParseEndpoint(in)
		assert.Equal(t, KindInvalidArgument, KindOf(err), "%q", in)
	}
}

func TestRetryAfter(t *testing.T) {
	resp := func(h string) *http.Response {
		r := &http.Response{Header: http.Header{}}
		if h != "" {
			r.Header.Set("Retry-After", h)
		}
		return r
	}
	cases := []struct {
		header   string
		min, max time.Duration
	}{
		{"", 0, 0},
		{"1", time.Second, time.Second},
		{"0", 0, 0},
		{"-3", 0, 0},
		{"soon", 0, 0},
		{time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat), 3 * time.Second, 6 * time.Second},
	}
	for _, tc := range cases {
		d, err := retryAfter(nil, restyResponse(resp(tc.header)))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, d, tc.min, tc.header)
		assert.LessOrEqual(t, d, tc.max, tc.header)
	}
}

func restyResponse(r *http.Response) *resty.Response { return &resty.Response{RawResponse: r} }
