package wire

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/tidwall/gjson"
)

// LinkTimeout is how long the official SDKs wait on the LinkUrl route.
const LinkTimeout = 900 * time.Second

// LinkCall is one tool call on the LinkUrl route (spec section 4).
type LinkCall struct {
	LinkURL string
	Token   string
	Server  string
	Tool    string
	Args    []byte // a JSON object
	Timeout time.Duration
}

// CallLink posts a tool call to <LinkUrl>/callTool and returns the MCP result
// object together with the request id this side generated.
func (c *Client) CallLink(ctx context.Context, lc LinkCall) (gjson.Result, string, error) {
	timeout := lc.Timeout
	if timeout <= 0 {
		timeout = LinkTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	reqID := fmt.Sprintf("link-%d-%09d", time.Now().UnixMilli(), rand.IntN(1e9))
	body, err := gojson.Marshal(map[string]any{
		"args":      gojson.RawMessage(lc.Args),
		"server":    lc.Server,
		"requestId": reqID,
		"tool":      lc.Tool,
		"token":     lc.Token,
	})
	if err != nil {
		return gjson.Result{}, reqID, Errorf(KindInvalidArgument, "args are not a JSON object: %v", err)
	}
	resp, err := c.http.R().
		SetContext(ctx).
		SetHeader("Content-Type", "application/json").
		SetHeader("X-Access-Token", lc.Token).
		SetBody(body).
		AddRetryCondition(retryUnsent). // a tool call is not idempotent
		Post(strings.TrimRight(lc.LinkURL, "/") + "/callTool")
	if err != nil {
		e := transportError("callTool", err, c.redact)
		e.Retryable = e.Retryable && retryUnsent(nil, err)
		return gjson.Result{}, reqID, e
	}
	result, perr := parseLinkReply(resp.StatusCode(), resp.Body())
	if perr != nil {
		perr.RequestID = reqID
		return gjson.Result{}, reqID, perr
	}
	return result, reqID, nil
}

// parseLinkReply reads {"data": <string or object with "result">}.
func parseLinkReply(status int, body []byte) (gjson.Result, *Error) {
	if status < 200 || status > 299 {
		code, msg := "", fmt.Sprintf("HTTP request failed with code: %d", status)
		if v := gjson.ParseBytes(body); gjson.ValidBytes(body) && v.IsObject() {
			code = First(v, "code", "Code").String()
			if m := First(v, "message", "Message").String(); m != "" {
				msg += ": " + m
			}
		}
		// Classify by the service's code first, as for the RPC route.
		return gjson.Result{}, serviceError("callTool", status, code, msg, "")
	}
	if !gjson.ValidBytes(body) {
		return gjson.Result{}, badReply("callTool", status, "the body is not JSON")
	}
	data := gjson.GetBytes(body, "data")
	if !data.Exists() {
		return gjson.Result{}, badReply("callTool", status, "no data field in LinkUrl response")
	}
	if data.Type == gjson.String {
		if !gjson.Valid(data.Str) {
			return gjson.Result{}, badReply("callTool", status, "data is not JSON")
		}
		data = gjson.Parse(data.Str)
	}
	result := data.Get("result")
	if !result.IsObject() {
		return gjson.Result{}, badReply("callTool", status, "no result field in LinkUrl response data")
	}
	return result, nil
}
