package local_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/local"
)

// TestCapturedRequests replays the requests of spec/captures byte for
// byte, but for the session id.
func TestCapturedRequests(t *testing.T) {
	c := start(t, local.Options{})

	// The generated Go client's CreateMcpSession with every optional field.
	create := "Authorization=Bearer+akm-test-key&EnableRecord=false&ExtraConfigs=%7B%22mobile%22%3A%7B%22lock_resolution%22%3Atrue%2C%22hide_navigation_bar%22%3Afalse%7D%7D&ImageId=linux_latest&Labels=%7B%22env%22%3A%22test%22%2C%22team%22%3A%22a+b%26c%22%7D&McpPolicyId=policy-1&PersistenceDataList=%5B%7B%22ContextId%22%3A%22ctx-1%22%2C%22Path%22%3A%22%2Fhome%2Fwuying%2Fdata%22%2C%22Policy%22%3A%22%7B%5C%22uploadPolicy%5C%22%3A%7B%5C%22autoUpload%5C%22%3Atrue%7D%7D%22%7D%5D&SdkStats=%7B%22source%22%3A%22sdk%22%2C%22sdk_language%22%3A%22golang%22%2C%22sdk_version%22%3A%220.15.0%22%2C%22is_release%22%3Afalse%2C%22framework%22%3A%22%22%7D&VpcResource=false"
	status, body := c.raw(goRaw(c, "CreateMcpSession", "", create))
	id := gjson.Get(body, "Data.SessionId").String()
	if status != 200 || id == "" {
		t.Fatalf("create: %d %s", status, body)
	}
	labels := c.call("GetLabel", "SessionId", id).Get("Data.Labels").String()
	if gjson.Get(labels, "team").String() != "a b&c" || gjson.Get(labels, "env").String() != "test" {
		t.Fatalf("labels from the Go form: %s", labels)
	}
	if d := c.call("GetSessionDetail", "SessionId", id).Get("Data"); d.Get("PolicyId").String() != "policy-1" {
		t.Fatalf("detail: %s", d.Raw)
	}

	// GetSessionDetail with SessionId in the query, Authorization in the body.
	status, body = c.raw(goRaw(c, "GetSessionDetail", "&SessionId="+id, "Authorization=Bearer+akm-test-key"))
	if status != 200 || gjson.Get(body, "Data.Status").String() != "RUNNING" {
		t.Fatalf("detail: %d %s", status, body)
	}

	// CallMcpTool as the Go SDK sends it.
	status, body = c.raw(goRaw(c, "CallMcpTool", "",
		"Args=%7B%22command%22%3A%22echo+hi%22%2C%22timeout_ms%22%3A1000%7D&Authorization=Bearer+akm-test-key&AutoGenSession=false&ExternalUserId=&ImageId=&Name=shell&Server=wuying_shell&SessionId="+id))
	if text := gjson.Get(body, "Data.content.0.text").String(); status != 200 || gjson.Get(text, "stdout").String() != "hi\n" {
		t.Fatalf("go CallMcpTool: %d %s", status, body)
	}

	// The same through the TypeScript client: chunked, %20, own key order.
	status, body = c.raw(c.tsRequest("CallMcpTool", "Args", `{"command":"echo hi there","timeout_ms":1000}`,
		"Authorization", "Bearer akm-test-key", "AutoGenSession", "false", "Name", "shell", "Server", "wuying_shell", "SessionId", id))
	if text := gjson.Get(body, "Data.content.0.text").String(); status != 200 || gjson.Get(text, "stdout").String() != "hi there\n" {
		t.Fatalf("ts CallMcpTool: %d %s", status, body)
	}
	status, body = c.raw(c.tsRequest("ListSession", "Authorization", "Bearer akm-test-key", "Labels", "{}", "MaxResults", "10"))
	if status != 200 || gjson.Get(body, "TotalCount").Int() != 1 {
		t.Fatalf("ts ListSession: %d %s", status, body)
	}

	// GetLink with an Option, as the generated Go client sends it.
	status, body = c.raw(goRaw(c, "GetLink", "", "Authorization=Bearer+akm-test-key&Option=%7B%22k%22%3A%22v%22%7D&Port=30100&ProtocolType=https&SessionId="+id))
	if status != 200 || !strings.Contains(gjson.Get(body, "Data.Url").String(), "/link/"+id+"/30100/") {
		t.Fatalf("GetLink: %d %s", status, body)
	}

	// Pause with Authorization in the query (Go), resume with it in the
	// body (TypeScript).
	status, body = c.raw(goRaw(c, "PauseSessionAsync", "&Authorization=Bearer+akm-test-key", "SessionId="+id))
	if status != 200 {
		t.Fatalf("pause: %d %s", status, body)
	}
	c.waitStatus(id, "PAUSED")
	status, body = c.raw(c.tsRequest("ResumeSessionAsync", "Authorization", "Bearer akm-test-key", "SessionId", id))
	if status != 200 {
		t.Fatalf("resume: %d %s", status, body)
	}
	c.waitStatus(id, "RUNNING")

	// Unknown sessions, as in the captures.
	status, body = c.raw(c.tsRequest("DeleteSessionAsync", "Authorization", "Bearer akm-test-key", "SessionId", "nope"))
	checkError(t, status, gjson.Parse(body), "InvalidMcpSession.NotFound")
	status, body = c.raw(goRaw(c, "ReleaseMcpSession", "", "Authorization=Bearer+akm-test-key&SessionId=session-9999"))
	checkError(t, status, gjson.Parse(body), "InvalidMcpSession.NotFound")
	if msg := gjson.Get(body, "Message").String(); msg != "Resource [McpSession] is not found." {
		t.Fatalf("message %q", msg)
	}

	// The TypeScript client's create, chunked, with a context list.
	status, body = c.raw(c.tsRequest("CreateMcpSession", "Authorization", "Bearer akm-test-key", "EnableRecord", "false",
		"ImageId", "linux_latest", "Labels", `{"env":"test"}`,
		"PersistenceDataList", `[{"ContextId":"ctx-1","Path":"/home/wuying/data","Policy":"{}"}]`))
	if status != 200 || !strings.HasPrefix(gjson.Get(body, "Data.SessionId").String(), "session-") {
		t.Fatalf("ts create: %d %s", status, body)
	}
}

// goRaw is a request of the Go SDK with a body given verbatim.
func goRaw(c *client, action, extraQuery, body string) string {
	return fmt.Sprintf("POST /?Action=%s&Format=json&SignatureNonce=9c3dc151cb29d8377e63ec0b1294c38a&Timestamp=2026-11-25T21%%3A52%%3A21Z&Version=2025-05-06%s HTTP/1.1\r\n"+
		"Host: %s\r\nUser-Agent: AlibabaCloud (linux; amd64) Golang/1.26.8 Core/0.01 TeaDSL/2\r\nContent-Length: %d\r\n"+
		"content-type: application/x-www-form-urlencoded\r\nx-acs-action: %s\r\nx-acs-version: 2025-05-06\r\nAccept-Encoding: gzip\r\n\r\n%s",
		action, extraQuery, c.addr, len(body), action, body)
}

func TestRouteByHeader(t *testing.T) {
	c := start(t, local.Options{})
	body := "Authorization=Bearer+akm-test-key"
	req := fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nx-acs-action: ListSession\r\ncontent-type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		c.addr, len(body), body)
	status, resp := c.raw(req)
	if status != 200 || gjson.Get(resp, "Data").Type != gjson.JSON || !strings.HasPrefix(gjson.Get(resp, "Data").Raw, "[") {
		t.Fatalf("%d %s", status, resp)
	}
}

// TestEveryAction walks a session through every action and checks the
// typing rules of section 2.7: which fields are JSON strings, objects or
// arrays.
func TestEveryAction(t *testing.T) {
	c := start(t, local.Options{})
	created := c.call("CreateMcpSession", "ImageId", "code_latest", "Labels", `{"env":"test"}`).Get("Data")
	id := created.Get("SessionId").String()
	if len(id) != len("session-")+25 || strings.ToLower(id) != id {
		t.Fatalf("session id %q", id)
	}
	if created.Get("ToolList").Type != gjson.String || !gjson.Valid(created.Get("ToolList").String()) ||
		created.Get("Success").Type != gjson.True || created.Get("LinkUrl").String() != c.srv.Endpoint()+"/" ||
		created.Get("Token").String() == "" {
		t.Fatalf("create data: %s", created.Raw)
	}
	tools := gjson.Parse(created.Get("ToolList").String())
	if tools.Get("#(name==shell).server").String() != "wuying_shell" || tools.Get("#(name==shell).inputSchema.type").String() != "object" {
		t.Fatalf("tool list: %s", tools.Raw)
	}

	got := c.call("GetSession", "SessionId", id).Get("Data")
	if !got.IsObject() || got.Get("SessionId").String() != id || got.Get("Status").String() != "RUNNING" ||
		got.Get("ToolList").Type != gjson.String || got.Get("Token").String() != created.Get("Token").String() ||
		got.Get("Success").Type != gjson.True || !got.Get("contexts").IsArray() {
		t.Fatalf("GetSession: %s", got.Raw)
	}

	detail := c.call("GetSessionDetail", "SessionId", id).Get("Data")
	if detail.Get("Status").String() != "RUNNING" || detail.Get("ImageId").String() != "code_latest" ||
		detail.Get("RegionId").String() != "local" || detail.Get("AppInstanceId").String() == "" {
		t.Fatalf("GetSessionDetail: %s", detail.Raw)
	}

	c.call("SetLabel", "SessionId", id, "Labels", `{"env": "prod", "k": "v"}`) // Python's spacing
	labels := c.call("GetLabel", "SessionId", id).Get("Data.Labels")
	if labels.Type != gjson.String || labels.String() != `{"env":"prod","k":"v"}` {
		t.Fatalf("labels: %s", labels.Raw)
	}
	c.call("SetLabel", "SessionId", id, "Labels", `{"only":"this"}`)
	if l := c.call("GetLabel", "SessionId", id).Get("Data.Labels").String(); l != `{"only":"this"}` {
		t.Fatalf("SetLabel does not replace: %s", l)
	}

	res := c.call("GetMcpResource", "SessionId", id).Get("Data")
	if res.Get("SessionId").String() != id || res.Get("DesktopInfo.ResourceType").String() != "AIAgent" ||
		!res.Get("DesktopInfo").IsObject() || res.Get("DesktopInfo.ConnectionProperties").Type != gjson.String {
		t.Fatalf("GetMcpResource: %s", res.Raw)
	}

	link := c.call("GetLink", "SessionId", id, "Port", "30150").Get("Data")
	if !link.IsObject() || !strings.HasPrefix(link.Get("Url").String(), c.srv.Endpoint()+"/link/"+id+"/30150/") {
		t.Fatalf("GetLink: %s", link.Raw)
	}
	if u := c.call("GetLink", "SessionId", id, "Port", "30199", "ProtocolType", "wss").Get("Data.Url").String(); !strings.HasPrefix(u, "ws://") {
		t.Fatalf("wss link: %s", u)
	}

	for _, image := range []string{"linux_latest", "code_latest", "browser_latest", ""} {
		list := c.call("ListMcpTools", "ImageId", image).Get("Data")
		if list.Type != gjson.String || gjson.Get(list.String(), "#").Int() != 17 {
			t.Fatalf("ListMcpTools %q: %s", image, list.Raw)
		}
	}

	out := c.call("CallMcpTool", "SessionId", id, "Name", "shell", "Server", "wuying_shell",
		"Args", `{"command":"echo a \u0026\u0026 echo \"\u003cb\u003e\"","timeout_ms":5000}`).Get("Data")
	if !out.IsObject() || out.Get("isError").Type != gjson.False || out.Get("content.0.type").String() != "text" ||
		gjson.Get(out.Get("content.0.text").String(), "stdout").String() != "a\n<b>\n" {
		t.Fatalf("CallMcpTool: %s", out.Raw)
	}

	ctx := c.call("GetContextInfo", "SessionId", id).Get("Data.ContextStatus")
	if ctx.Type != gjson.String {
		t.Fatalf("ContextStatus: %s", ctx.Raw)
	}

	list := c.call("ListSession", "Labels", "{}", "MaxResults", "10")
	if !list.Get("Data").IsArray() || list.Get("Data.0.SessionId").String() != id || list.Get("Data.0.SessionStatus").String() != "RUNNING" ||
		list.Get("TotalCount").Int() != 1 || list.Get("MaxResults").Int() != 10 {
		t.Fatalf("ListSession: %s", list.Raw)
	}

	c.call("PauseSessionAsync", "SessionId", id)
	if s := c.status(id); s != "PAUSING" && s != "PAUSED" {
		t.Fatalf("after PauseSessionAsync: %s", s)
	}
	c.waitStatus(id, "PAUSED")
	c.call("ResumeSessionAsync", "SessionId", id)
	if s := c.status(id); s != "RESUMING" && s != "RUNNING" {
		t.Fatalf("after ResumeSessionAsync: %s", s)
	}
	c.waitStatus(id, "RUNNING")

	c.call("DeleteSessionAsync", "SessionId", id)
	for range 1000 {
		status, body := c.try("GetSessionDetail", "SessionId", id)
		if status == 400 && body.Get("Code").String() == "InvalidMcpSession.NotFound" {
			break
		}
		if body.Get("Data.Status").String() != "DELETING" {
			t.Fatalf("while deleting: %d %s", status, body.Raw)
		}
	}
	c.fail("InvalidMcpSession.NotFound", "GetSession", "SessionId", id)
	c.fail("InvalidMcpSession.NotFound", "CallMcpTool", "SessionId", id, "Name", "shell", "Args", `{"command":"true"}`)
	if list := c.call("ListSession"); list.Get("Data").Raw != "[]" || list.Get("TotalCount").Int() != 0 {
		t.Fatalf("ListSession after delete: %s", list.Raw)
	}

	id = c.create()
	c.call("ReleaseMcpSession", "SessionId", id)
	c.fail("InvalidMcpSession.NotFound", "GetSessionDetail", "SessionId", id)
}

func TestErrors(t *testing.T) {
	c := start(t, local.Options{MaxSessions: 2, MaxBodyBytes: 4096})
	id := c.create()

	// The key.
	for _, auth := range []string{"Bearer wrong", "", "akm-test-key", "Bearer akm-test-key-longer"} {
		status, body := c.raw(c.goRequest("ListSession", nil, url.Values{"Authorization": {auth}}))
		checkError(t, status, gjson.Parse(body), "NOT_LOGIN")
		if msg := gjson.Get(body, "Message").String(); msg != "You are not logged in or your login token has expired" {
			t.Fatalf("message %q", msg)
		}
	}
	status, body := c.raw(c.goRequest("NoSuchAction", nil, c.params()))
	checkError(t, status, gjson.Parse(body), "InvalidAction.NotFound")

	for _, action := range []string{"GetSession", "GetSessionDetail", "CallMcpTool", "SetLabel", "GetLabel", "GetLink",
		"PauseSessionAsync", "ResumeSessionAsync", "DeleteSessionAsync", "ReleaseMcpSession", "GetMcpResource", "GetContextInfo"} {
		if msg := c.fail("MissingParameter", action); !strings.Contains(msg, "SessionId") {
			t.Fatalf("%s: %q", action, msg)
		}
		c.fail("InvalidMcpSession.NotFound", action, "SessionId", "session-unknown")
	}
	if msg := c.fail("MissingParameter", "CallMcpTool", "SessionId", id); !strings.Contains(msg, "Name") {
		t.Fatalf("no Name: %q", msg)
	}
	if msg := c.fail("MissingParameter", "SetLabel", "SessionId", id); !strings.Contains(msg, "Labels") {
		t.Fatalf("no Labels: %q", msg)
	}
	if msg := c.fail("InvalidParameter", "SetLabel", "SessionId", id, "Labels", "[1]"); !strings.Contains(msg, "Labels") {
		t.Fatalf("bad Labels: %q", msg)
	}
	c.fail("InvalidParameter", "CreateMcpSession", "Labels", "not json")
	c.fail("InvalidParameter", "ListSession", "MaxResults", "ten")
	c.fail("InvalidParameter", "ListSession", "Status", "SLEEPING")
	c.fail("InvalidParameter", "ListSession", "NextToken", "!!")
	c.fail("InvalidParameter", "CallMcpTool", "SessionId", id, "Name", "no_such_tool", "Args", "{}")
	c.fail("InvalidParameter", "CallMcpTool", "SessionId", id, "Name", "shell", "Args", "not json")
	for _, port := range []string{"30099", "30200", "80", "x"} {
		if msg := c.fail("InvalidParameter", "GetLink", "SessionId", id, "Port", port); !strings.Contains(msg, "[30100, 30199]") {
			t.Fatalf("port %s: %q", port, msg)
		}
	}
	if msg := c.fail("InvalidParameter", "GetLink", "SessionId", id, "Port", "30100", "ProtocolType", "http"); !strings.Contains(msg, "http not supported") {
		t.Fatalf("http link: %q", msg)
	}
	c.fail("MissingParameter", "GetLink", "SessionId", id)

	// A tool error is a result, not an HTTP error.
	res := c.tool(id, "read_file", map[string]any{"path": "/nope"})
	if !res.Get("isError").Bool() || !strings.Contains(res.Get("content.0.text").String(), "No such file or directory") {
		t.Fatalf("tool error: %s", res.Raw)
	}

	// Limits.
	c.create()
	if msg := c.fail("QuotaExceeded", "CreateMcpSession"); !strings.Contains(msg, "2 sessions") {
		t.Fatalf("quota: %q", msg)
	}
	status, body = c.raw(c.goRequest("CallMcpTool", nil, c.params("SessionId", id, "Name", "write_file",
		"Args", `{"path":"big","content":"`+strings.Repeat("x", 5000)+`"}`)))
	checkError(t, status, gjson.Parse(body), "RequestEntityTooLarge")
	if status != 413 {
		t.Fatalf("status %d", status)
	}
	status, body = c.raw("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
	checkError(t, status, gjson.Parse(body), "NotFound")
}

// TestAdversarialRequests sends requests no SDK sends. Every answer is a
// JSON envelope (c.raw checks) with a status and code that say what is
// wrong; nothing is a redirect, a 500 or an answer that ignores input.
func TestAdversarialRequests(t *testing.T) {
	c := start(t, local.Options{})
	id := c.create("Labels", `{"k":"v"}`)
	other := c.create()
	auth := "Authorization=Bearer+akm-test-key"
	req := func(method, target, headers, body string) string {
		return fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n\r\n%s", method, target, c.addr, headers, len(body), body)
	}
	form := "Content-Type: application/x-www-form-urlencoded\r\n"
	for _, tc := range []struct {
		name    string
		request string
		status  int
		code    string
		msg     string // in Message (or message)
	}{
		// Bodies that are not forms: their parameters would be lost.
		{"JSON body", req("POST", "/?Action=ListSession", "Content-Type: application/json\r\n", `{"Authorization":"Bearer akm-test-key"}`),
			415, "UnsupportedMediaType", "application/x-www-form-urlencoded"},
		{"text body", req("POST", "/?Action=ListSession", "Content-Type: text/plain\r\n", auth), 415, "UnsupportedMediaType", "text/plain"},
		{"multipart body", req("POST", "/?Action=ListSession", "Content-Type: multipart/form-data; boundary=x\r\n",
			"--x\r\nContent-Disposition: form-data; name=\"Authorization\"\r\n\r\nBearer akm-test-key\r\n--x--\r\n"), 415, "UnsupportedMediaType", "multipart"},
		{"body without a type", req("POST", "/?Action=ListSession", "", auth), 415, "UnsupportedMediaType", "application/x-www-form-urlencoded"},
		{"form in the body", req("POST", "/?Action=ListSession", form, auth), 200, "ok", ""},
		// Paths the mux would redirect in HTML.
		{"double slash", req("POST", "//?Action=ListSession", form, auth), 404, "NotFound", "no such path"},
		{"dot segment", req("POST", "/./?Action=ListSession", form, auth), 404, "NotFound", "no such path"},
		{"dot-dot out of /link/", req("POST", "/link/../?Action=ListSession", form, auth), 404, "NotFound", "no such path"},
		{"GET /callTool", req("GET", "/callTool", "", ""), 405, "MethodNotAllowed", "POST"},
		{"no action", req("POST", "/", form, auth), 400, "MissingParameter", "Action"},
		{"unknown action", req("POST", "/?Action=RebootHost", form, auth), 400, "InvalidAction.NotFound", "RebootHost"},
		{"no key, no action", req("POST", "/", form, ""), 400, "NOT_LOGIN", "not logged in"},
		// Bytes that JSON would replace with U+FFFD.
		{"labels not UTF-8", req("POST", "/?Action=CreateMcpSession", form, auth+"&Labels=%7B%22k%22%3A%22%FF%22%7D"), 400, "InvalidParameter", "UTF-8"},
		{"args not UTF-8", req("POST", "/?Action=CallMcpTool", form, auth+"&SessionId="+id+"&Name=shell&Args=%7B%22command%22%3A%22echo+%FE%22%7D"),
			400, "InvalidParameter", "UTF-8"},
		// Wrong types.
		{"labels a JSON array", req("POST", "/?Action=CreateMcpSession", form, auth+"&Labels=%5B%22a%22%5D"), 400, "InvalidParameter", "Labels"},
		{"labels with a number", req("POST", "/?Action=SetLabel", form, auth+"&SessionId="+id+"&Labels=%7B%22k%22%3A1%7D"), 400, "InvalidParameter", "Labels"},
		{"args a JSON string", req("POST", "/?Action=CallMcpTool", form, auth+"&SessionId="+id+"&Name=shell&Args=%22%7B%7D%22"), 400, "InvalidParameter", "Args"},
		{"args a JSON array", req("POST", "/?Action=CallMcpTool", form, auth+"&SessionId="+id+"&Name=shell&Args=%5B%5D"), 400, "InvalidParameter", "Args"},
		{"MaxResults too big", req("POST", "/?Action=ListSession", form, auth+"&MaxResults=99999999999999999999"), 400, "InvalidParameter", "MaxResults"},
		{"MaxResults a float", req("POST", "/?Action=ListSession", form, auth+"&MaxResults=2.5"), 400, "InvalidParameter", "MaxResults"},
		{"NextToken of nothing", req("POST", "/?Action=ListSession", form, auth+"&NextToken=%00%01"), 400, "InvalidParameter", "NextToken"},
		{"Port not a number", req("POST", "/?Action=GetLink", form, auth+"&SessionId="+id+"&Port=30100abc"), 400, "InvalidParameter", "Port"},
		{"a long unknown session", req("POST", "/?Action=GetSession", form, auth+"&SessionId="+strings.Repeat("x", 1<<20)), 400, "InvalidMcpSession.NotFound", "not found"},
		{"a session id with NUL", req("POST", "/?Action=GetSession", form, auth+"&SessionId="+id+"%00"), 400, "InvalidMcpSession.NotFound", "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := *c
			c.t = t
			status, raw := c.raw(tc.request)
			body := gjson.Parse(raw)
			code := body.Get("Code").String() + body.Get("code").String()
			msg := body.Get("Message").String() + body.Get("message").String()
			if status != tc.status || code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Fatalf("got %d %s, want %d %s with %q", status, raw, tc.status, tc.code, tc.msg)
			}
		})
	}
	if l := c.call("GetLabel", "SessionId", id).Get("Data.Labels").String(); l != `{"k":"v"}` {
		t.Fatalf("labels after the refused calls: %s", l)
	}
	if n := c.call("ListSession").Get("TotalCount").Int(); n != 2 {
		t.Fatalf("%d sessions after the refused calls, want 2", n)
	}

	// A parameter in both the query and the body: the body's value wins,
	// whichever it is.
	q := url.Values{"SessionId": {other}}
	if got := c.raw2(c.goRequest("GetSession", q, c.params("SessionId", id))).Get("Data.SessionId").String(); got != id {
		t.Fatalf("SessionId in query and body: got %s, want the body's %s", got, id)
	}
	status, raw := c.raw(c.goRequest("GetSession", url.Values{"SessionId": {id}}, c.params("SessionId", "session-none")))
	checkError(t, status, gjson.Parse(raw), "InvalidMcpSession.NotFound")
	status, raw = c.raw(c.goRequest("ListSession", url.Values{"Authorization": {"Bearer wrong"}}, c.params()))
	if status != 200 {
		t.Fatalf("a wrong key in the query, the right one in the body: %d %s", status, raw)
	}
	status, raw = c.raw(c.goRequest("ListSession", url.Values{"Authorization": {"Bearer " + testKey}}, url.Values{"Authorization": {"Bearer wrong"}}))
	checkError(t, status, gjson.Parse(raw), "NOT_LOGIN")
	// The key in an Authorization header, or in the query of a GET, is
	// accepted too.
	status, raw = c.raw(req("POST", "/?Action=ListSession", "Authorization: Bearer akm-test-key\r\n", ""))
	if status != 200 {
		t.Fatalf("key in a header: %d %s", status, raw)
	}
	status, raw = c.raw(req("GET", "/?Action=ListSession&Authorization=Bearer+akm-test-key", "", ""))
	if status != 200 {
		t.Fatalf("GET: %d %s", status, raw)
	}
}

// TestLabelsAlwaysAnObject: GetLabel's Labels is the JSON text of an
// object also for a session that never had labels, or had them set to
// null: the Python and TypeScript SDKs parse it and use it as a map.
func TestLabelsAlwaysAnObject(t *testing.T) {
	c := start(t, local.Options{})
	for _, id := range []string{c.create(), c.create("Labels", "null"), c.create("Labels", "{}")} {
		if l := c.call("GetLabel", "SessionId", id).Get("Data.Labels"); l.Type != gjson.String || l.String() != "{}" {
			t.Fatalf("labels of %s: %s", id, l.Raw)
		}
		c.call("SetLabel", "SessionId", id, "Labels", "null")
		if l := c.call("GetLabel", "SessionId", id).Get("Data.Labels").String(); l != "{}" {
			t.Fatalf("labels of %s set to null: %s", id, l)
		}
	}
}

func TestListSession(t *testing.T) {
	c := start(t, local.Options{})
	var ids []string
	for i := range 7 {
		team := []string{"a", "b"}[i%2]
		ids = append(ids, c.create("Labels", fmt.Sprintf(`{"team":%q,"n":"%d"}`, team, i)))
	}
	c.call("PauseSessionAsync", "SessionId", ids[6])
	c.waitStatus(ids[6], "PAUSED")

	list := func(pairs ...string) (got []string, next string, total int64) {
		body := c.call("ListSession", pairs...)
		for _, s := range body.Get("Data.#.SessionId").Array() {
			got = append(got, s.String())
		}
		return got, body.Get("NextToken").String(), body.Get("TotalCount").Int()
	}
	join := func(ids ...string) string { return strings.Join(ids, ",") }

	got, next, total := list("Labels", "{}")
	if join(got...) != join(ids...) || next != "" || total != 7 {
		t.Fatalf("all: %v %q %d", got, next, total)
	}
	got, _, total = list("Labels", `{"team":"a"}`)
	if join(got...) != join(ids[0], ids[2], ids[4], ids[6]) || total != 4 {
		t.Fatalf("team a: %v %d", got, total)
	}
	got, _, _ = list("Labels", `{"team":"a","n":"2"}`)
	if join(got...) != ids[2] {
		t.Fatalf("team a, n 2: %v", got)
	}
	got, _, total = list("Labels", `{"team":"a"}`, "Status", "RUNNING")
	if join(got...) != join(ids[0], ids[2], ids[4]) || total != 3 {
		t.Fatalf("team a, RUNNING: %v %d", got, total)
	}
	got, _, _ = list("Status", "PAUSED")
	if join(got...) != ids[6] {
		t.Fatalf("PAUSED: %v", got)
	}

	// Pages of 3, with a deletion between pages.
	page1, next, total := list("MaxResults", "3")
	if join(page1...) != join(ids[:3]...) || next == "" || total != 7 {
		t.Fatalf("page 1: %v %q %d", page1, next, total)
	}
	c.call("ReleaseMcpSession", "SessionId", ids[1])
	page2, next, _ := list("MaxResults", "3", "NextToken", next)
	if join(page2...) != join(ids[3:6]...) || next == "" {
		t.Fatalf("page 2: %v %q", page2, next)
	}
	page3, next, _ := list("MaxResults", "3", "NextToken", next)
	if join(page3...) != ids[6] || next != "" {
		t.Fatalf("page 3: %v %q", page3, next)
	}
	if body := c.call("ListSession", "Labels", `{"team":"none"}`); body.Get("Data").Raw != "[]" || body.Get("TotalCount").Int() != 0 {
		t.Fatalf("no match: %s", body.Raw)
	}
	if body := c.call("ListSession"); body.Get("MaxResults").Int() != 10 {
		t.Fatalf("default MaxResults: %s", body.Raw)
	}
}

func TestCallToolRoute(t *testing.T) {
	c := start(t, local.Options{})
	data := c.call("CreateMcpSession").Get("Data")
	id, token, link := data.Get("SessionId").String(), data.Get("Token").String(), data.Get("LinkUrl").String()
	u, err := url.Parse(link)
	if err != nil || u.Host != c.addr {
		t.Fatalf("LinkUrl %q", link)
	}
	post := func(header, body string) (int, gjson.Result) {
		req := fmt.Sprintf("POST %scallTool HTTP/1.1\r\nHost: %s\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: %d\r\n"+
			"Content-Type: application/json\r\n%sAccept-Encoding: gzip\r\n\r\n%s", u.Path, c.addr, len(body), header, body)
		status, resp := c.raw(req)
		return status, gjson.Parse(resp)
	}
	body := `{"args":{"command":"echo link-route","timeout_ms":1000},"requestId":"link-1795643585530-384665194","server":"wuying_shell","token":"` + token + `","tool":"shell"}`
	status, resp := post("X-Access-Token: "+token+"\r\n", body)
	if status != 200 || resp.Get("code").String() != "ok" || resp.Get("success").Type != gjson.True ||
		resp.Get("requestId").String() != "link-1795643585530-384665194" || !resp.Get("data").IsObject() ||
		gjson.Get(resp.Get("data.result.content.0.text").String(), "stdout").String() != "link-route\n" {
		t.Fatalf("callTool: %d %s", status, resp.Raw)
	}
	// The token in the body alone; args as a JSON string.
	status, resp = post("", `{"args":"{\"path\":\"/tmp/none\"}","tool":"read_file","server":"wuying_filesystem","token":"`+token+`"}`)
	if status != 200 || !resp.Get("data.result.isError").Bool() || resp.Get("requestId").String() == "" {
		t.Fatalf("callTool with body token: %d %s", status, resp.Raw)
	}
	status, resp = post("X-Access-Token: wrong\r\n", strings.Replace(body, token, "wrong", 1))
	if status != 404 || resp.Get("success").Type != gjson.False || resp.Get("code").String() != "InvalidMcpSession.NotFound" {
		t.Fatalf("bad token: %d %s", status, resp.Raw)
	}
	status, resp = post("", strings.Replace(body, token, "", 1))
	if status != 401 || resp.Get("code").String() != "InvalidToken" {
		t.Fatalf("no token: %d %s", status, resp.Raw)
	}
	status, resp = post("X-Access-Token: "+token+"\r\n", `{"args":{},"tool":"nope","token":"`+token+`"}`)
	if status != 400 || resp.Get("code").String() != "InvalidParameter" {
		t.Fatalf("unknown tool: %d %s", status, resp.Raw)
	}

	c.call("PauseSessionAsync", "SessionId", id)
	c.waitStatus(id, "PAUSED")
	status, resp = post("X-Access-Token: "+token+"\r\n", body)
	if status != 409 || resp.Get("code").String() != "InvalidSessionStatus" {
		t.Fatalf("paused: %d %s", status, resp.Raw)
	}
	c.call("ResumeSessionAsync", "SessionId", id)
	c.waitStatus(id, "RUNNING")
	c.call("ReleaseMcpSession", "SessionId", id)
	if status, _ = post("X-Access-Token: "+token+"\r\n", body); status != 404 {
		t.Fatalf("deleted session: %d", status)
	}
}

func TestStatusRules(t *testing.T) {
	c := start(t, local.Options{})
	id := c.create()
	c.call("ResumeSessionAsync", "SessionId", id) // RUNNING: nothing to do
	c.call("PauseSessionAsync", "SessionId", id)
	c.call("PauseSessionAsync", "SessionId", id) // PAUSING or PAUSED: nothing to do
	c.waitStatus(id, "PAUSED")
	c.call("PauseSessionAsync", "SessionId", id)

	msg := c.fail("InvalidSessionStatus", "CallMcpTool", "SessionId", id, "Name", "shell", "Args", `{"command":"true"}`)
	if msg != "session "+id+" is PAUSED; resume it first" {
		t.Fatalf("tool on a paused session: %q", msg)
	}
	for _, action := range []string{"DeleteSessionAsync", "ReleaseMcpSession"} {
		if msg := c.fail("InvalidSessionStatus", action, "SessionId", id); !strings.Contains(msg, "a paused session cannot be deleted; resume it first") {
			t.Fatalf("%s of a paused session: %q", action, msg)
		}
	}
	// Reads still work while paused.
	c.call("GetLabel", "SessionId", id)
	c.call("GetSessionDetail", "SessionId", id)

	c.call("ResumeSessionAsync", "SessionId", id)
	c.waitStatus(id, "RUNNING")
	if out := c.shell(id, "echo back"); out != "back\n" {
		t.Fatalf("after resume: %q", out)
	}
	c.call("DeleteSessionAsync", "SessionId", id)
	// Again: fine while DELETING, not found once gone.
	if status, body := c.try("DeleteSessionAsync", "SessionId", id); status != 200 && body.Get("Code").String() != "InvalidMcpSession.NotFound" {
		t.Fatalf("second delete: %d %s", status, body.Raw)
	}
}

func TestPauseFreezesProcesses(t *testing.T) {
	dir := t.TempDir()
	c := start(t, local.Options{DataDir: dir})
	id := c.create()
	c.shell(id, `sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.05; done' > /dev/null 2>&1 &`)
	// Read the counter from the host: tools are refused while paused.
	file := filepath.Join(dir, "sessions", id, "root", "tmp", "counter")
	if sandboxView(c) == "no namespaces" {
		t.Skip("no mount namespaces: the counter would be the host's /tmp/counter")
	}
	counter := func() int {
		b, _ := os.ReadFile(file)
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	waitAbove := func(n int) {
		if !until(func() bool { return counter() > n }) {
			t.Fatalf("the counter stays at %d", n)
		}
	}
	waitAbove(0)

	c.call("PauseSessionAsync", "SessionId", id)
	c.waitStatus(id, "PAUSED")
	frozenAt := counter()
	time.Sleep(300 * time.Millisecond) // six periods of the loop
	if now := counter(); now != frozenAt {
		t.Fatalf("the counter moved from %d to %d while paused", frozenAt, now)
	}
	c.call("ResumeSessionAsync", "SessionId", id)
	c.waitStatus(id, "RUNNING")
	waitAbove(frozenAt)

	c.call("DeleteSessionAsync", "SessionId", id)
	until(func() bool {
		status, _ := c.try("GetSession", "SessionId", id)
		return status == 400
	})
	if _, err := os.Stat(filepath.Join(dir, "sessions", id)); !os.IsNotExist(err) {
		t.Fatalf("the session's folder is still there: %v", err)
	}
}

// sandboxView is the first words of the server's sandbox description.
func sandboxView(c *client) string {
	if strings.HasPrefix(c.srv.Sandbox(), "no namespaces") {
		return "no namespaces"
	}
	return "namespaces"
}
