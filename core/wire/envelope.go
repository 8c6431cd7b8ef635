package wire

import (
	"fmt"

	"github.com/tidwall/gjson"
)

// Response is a successful reply: the envelope of spec section 2.5, with Data
// left as a gjson value for the caller to read.
type Response struct {
	Action     string
	HTTPStatus int
	RequestID  string
	Code       string
	Message    string
	Data       gjson.Result
	Body       gjson.Result // the whole envelope, for the paging fields
}

// ParseEnvelope reads one reply of action. HTTP 400 and above, any other
// status outside 2xx (a redirect), a body that is not a JSON object, a
// missing Success and Success:false are all errors; only a 2xx reply the
// service marked successful comes back as a Response.
func ParseEnvelope(action string, status int, body []byte) (*Response, error) {
	env := gjson.ParseBytes(body)
	if !gjson.ValidBytes(body) || !env.IsObject() {
		if status >= 400 {
			return nil, serviceError(action, status, "", fmt.Sprintf("HTTP %d with a body that is not a JSON object", status), "")
		}
		return nil, badReply(action, status, "the body is not a JSON object")
	}
	code := First(env, "Code", "code").String()
	msg := First(env, "Message", "message").String()
	reqID := First(env, "RequestId", "requestId").String()
	if status >= 400 {
		return nil, serviceError(action, status, code, msg, reqID)
	}
	if status < 200 || status > 299 {
		// A redirect is never followed (it would carry the form, key
		// included, elsewhere), so whatever its body says, the action
		// was not answered.
		e := badReply(action, status, "the service answered with a redirect or another status that is not a reply")
		e.RequestID = reqID
		return nil, e
	}
	ok := First(env, "Success", "success")
	if !ok.Exists() {
		e := badReply(action, status, "the reply has no Success field")
		e.RequestID = reqID
		return nil, e
	}
	if !ok.Bool() {
		return nil, serviceError(action, status, code, msg, reqID)
	}
	return &Response{
		Action:     action,
		HTTPStatus: status,
		RequestID:  reqID,
		Code:       code,
		Message:    msg,
		Data:       First(env, "Data", "data"),
		Body:       env,
	}, nil
}

// badReply is a 2xx reply we cannot read: the call may have taken effect, so
// it is not marked retryable.
func badReply(action string, status int, why string) *Error {
	return &Error{
		Kind:       KindServer,
		Action:     action,
		HTTPStatus: status,
		Message:    fmt.Sprintf("invalid reply (HTTP %d): %s", status, why),
	}
}

// First returns the first of v's members keys that exists: the SDKs and
// services spell some names in more than one way.
func First(v gjson.Result, keys ...string) gjson.Result {
	for _, k := range keys {
		if r := v.Get(k); r.Exists() {
			return r
		}
	}
	return gjson.Result{}
}

// JSONValue returns the JSON text a field holds, whether the service sent it
// as a JSON string (spec 2.7: ToolList, Labels, ListMcpTools Data) or inline.
// An empty string gives "".
func JSONValue(v gjson.Result) string {
	if v.Type == gjson.String {
		return v.Str
	}
	if !v.Exists() || v.Type == gjson.Null {
		return ""
	}
	return v.Raw
}
