package wire

import (
	"errors"
	"testing"

	"github.com/tidwall/gjson"
)

// FuzzParseEnvelope checks that no reply, however broken, panics the parser,
// and that every reply ends either as a Response the service marked
// successful or as an *Error with a kind. Seeds: testdata/fuzz/FuzzParseEnvelope.
func FuzzParseEnvelope(f *testing.F) {
	f.Add(200, []byte(createReply))
	f.Add(400, []byte(`{"Code":"InvalidMcpSession.NotFound","Message":"Resource [McpSession] is not found.","RequestId":"R","Success":false}`))
	f.Add(503, []byte(`Service Unavailable`))
	f.Add(200, []byte(`{"Success":true,"Data":"[{\"name\":\"shell\"}]"}`))
	f.Add(-1, []byte(`{"success":1}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r, err := ParseEnvelope("GetSession", status, body)
		if err != nil {
			if r != nil {
				t.Fatalf("both a response and an error: %v", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if e.Kind == "" || e.Action != "GetSession" || e.HTTPStatus != status {
				t.Fatalf("incomplete error %+v", e)
			}
			_ = e.Error()
			return
		}
		if r == nil {
			t.Fatal("neither a response nor an error")
		}
		if status < 200 || status > 299 {
			t.Fatalf("HTTP %d accepted as success", status)
		}
		if !gjson.ValidBytes(body) || !r.Body.IsObject() {
			t.Fatalf("a body that is not a JSON object was accepted: %q", body)
		}
		if !First(r.Body, "Success", "success").Bool() {
			t.Fatalf("accepted without Success: %q", body)
		}
		_ = JSONValue(r.Data)
	})
}

// FuzzParseLinkReply does the same for the LinkUrl route's replies.
func FuzzParseLinkReply(f *testing.F) {
	f.Add(200, []byte(`{"code":"ok","data":"{\"result\":{\"content\":[{\"text\":\"hi\",\"type\":\"text\"}],\"isError\":false}}"}`))
	f.Add(200, []byte(`{"data":{"result":{"content":[]}}}`))
	f.Add(500, []byte(`{"code":"x","message":"y"}`))
	f.Add(200, []byte(`{"data":"not json"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r, err := parseLinkReply(status, body)
		if err != nil {
			if err.Kind == "" {
				t.Fatalf("error without kind: %+v", err)
			}
			return
		}
		if status < 200 || status > 299 || !r.IsObject() {
			t.Fatalf("accepted HTTP %d / %q", status, body)
		}
	})
}
