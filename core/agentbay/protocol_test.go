package agentbay

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const bearer = "Bearer " + testKey

// TestProtocolActions checks the exact request of each action of spec
// section 3 against the Go captures (spec/captures/go-*.txt), with one
// deliberate difference: Authorization always travels in the body, also for
// PauseSessionAsync and ResumeSessionAsync, so the key never lands in a URL.
func TestProtocolActions(t *testing.T) {
	const sid = "session-0001"
	cases := []struct {
		name   string
		action string
		routes map[string]handler // every action the call sends
		call   func(t *testing.T, c *Client)
		query  map[string]string // per-action query parameters
		form   map[string]string // the whole form
	}{
		{
			name: "CreateMcpSession with image, labels and policy", action: "CreateMcpSession",
			routes: map[string]handler{"CreateMcpSession": okWithID("REQ-C", sessionData("", "", ""))},
			call: func(t *testing.T, c *Client) {
				r, err := c.Create(bg, CreateParams{ImageID: "linux_latest", Labels: map[string]string{"env": "test", "team": "a b&c"}, PolicyID: "policy-1"})
				require.NoError(t, err)
				assert.True(t, r.Success)
				assert.Equal(t, "REQ-C", r.RequestID)
				assert.Equal(t, sid, r.Session.ID())
				assert.Equal(t, "https://example.invalid/resource?x=1", r.Session.ResourceURL())
				assert.Equal(t, "linux_latest", r.Session.ImageID())
				assert.Equal(t, "wuying_shell", r.Session.server("shell"), "ToolList read from a JSON string")
			},
			form: map[string]string{
				"Authorization": bearer, "ImageId": "linux_latest", "Labels": `{"env":"test","team":"a b&c"}`,
				"McpPolicyId": "policy-1", "SdkStats": "*",
			},
		},
		{
			name: "CreateMcpSession bare", action: "CreateMcpSession",
			routes: map[string]handler{"CreateMcpSession": okReply(sessionData("", "", ""))},
			call: func(t *testing.T, c *Client) {
				_, err := c.Create(bg, CreateParams{})
				require.NoError(t, err)
			},
			form: map[string]string{"Authorization": bearer, "SdkStats": "*"},
		},
		{
			name: "GetSession", action: "GetSession",
			routes: map[string]handler{"GetSession": okWithID("REQ-G", sessionData("RUNNING", "", ""))},
			call: func(t *testing.T, c *Client) {
				r, err := c.Get(bg, sid)
				require.NoError(t, err)
				assert.Equal(t, "REQ-G", r.RequestID)
				assert.Equal(t, sid, r.Session.ID())
				assert.Equal(t, "https://example.invalid/resource?x=1", r.Session.ResourceURL())
				assert.Equal(t, "wuying_filesystem", r.Session.server("read_file"))
			},
			form: map[string]string{"Authorization": bearer, "SessionId": sid},
		},
		{
			name: "GetSessionDetail", action: "GetSessionDetail",
			routes: map[string]handler{"GetSessionDetail": okWithID("REQ-D", `{"AppInstanceId":"ai-123","ImageId":"linux_latest","RegionId":"cn-shanghai","Status":"PAUSED"}`)},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).GetStatus(bg)
				require.NoError(t, err)
				assert.Equal(t, StatusPaused, r.Status)
				assert.Equal(t, "REQ-D", r.RequestID)
			},
			query: map[string]string{"SessionId": sid},
			form:  map[string]string{"Authorization": bearer},
		},
		{
			name: "ListSession without filters", action: "ListSession",
			routes: map[string]handler{"ListSession": func(w http.ResponseWriter, _ *rpcRequest) {
				reply(w, 200, `{"Code":"ok","Data":[{"SessionId":"s-1","SessionStatus":"RUNNING"},{"SessionId":"s-2"}],"MaxResults":10,"NextToken":"tok-2","RequestId":"REQ-L","Success":true,"TotalCount":12}`)
			}},
			call: func(t *testing.T, c *Client) {
				r, err := c.List(bg, ListParams{})
				require.NoError(t, err)
				assert.Equal(t, "REQ-L", r.RequestID)
				assert.Equal(t, []SessionSummary{{"s-1", StatusRunning}, {"s-2", StatusUnknown}}, r.Sessions)
				assert.Equal(t, "tok-2", r.NextToken)
				assert.Equal(t, 10, r.MaxResults)
				assert.Equal(t, 12, r.TotalCount)
			},
			form: map[string]string{"Authorization": bearer, "Labels": `{}`, "MaxResults": "10"},
		},
		{
			name: "ListSession with every parameter", action: "ListSession",
			routes: map[string]handler{"ListSession": okReply(`[]`)},
			call: func(t *testing.T, c *Client) {
				r, err := c.List(bg, ListParams{Labels: map[string]string{"env": "test"}, MaxResults: 5, NextToken: "tok-2", Status: StatusRunning})
				require.NoError(t, err)
				assert.Empty(t, r.Sessions)
				assert.NotNil(t, r.Sessions)
			},
			form: map[string]string{"Authorization": bearer, "Labels": `{"env":"test"}`, "MaxResults": "5", "NextToken": "tok-2", "Status": "RUNNING"},
		},
		{
			name: "DeleteSessionAsync", action: "DeleteSessionAsync",
			routes: map[string]handler{"DeleteSessionAsync": okWithID("REQ-X", ""), "GetSessionDetail": notFound},
			call: func(t *testing.T, c *Client) {
				r, err := c.Delete(testCtx(t), sid, false)
				require.NoError(t, err)
				assert.Equal(t, "REQ-X", r.RequestID)
			},
			form: map[string]string{"Authorization": bearer, "SessionId": sid},
		},
		{
			name: "SetLabel", action: "SetLabel",
			routes: map[string]handler{"SetLabel": okReply("")},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).SetLabels(bg, map[string]string{"env": "prod", "k": "v"})
				require.NoError(t, err)
				assert.True(t, r.Success)
			},
			form: map[string]string{"Authorization": bearer, "Labels": `{"env":"prod","k":"v"}`, "SessionId": sid},
		},
		{
			name: "GetLabel", action: "GetLabel",
			routes: map[string]handler{"GetLabel": okReply(`{"Labels":` + jsonString(`{"env":"prod","k":"v"}`) + `}`)},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).GetLabels(bg)
				require.NoError(t, err)
				assert.Equal(t, map[string]string{"env": "prod", "k": "v"}, r.Labels)
			},
			form: map[string]string{"Authorization": bearer, "SessionId": sid},
		},
		{
			name: "GetMcpResource", action: "GetMcpResource",
			routes: map[string]handler{"GetMcpResource": okReply(`{"DesktopInfo":{"AppId":"app-1","AuthCode":"auth","ConnectionProperties":"{}","ResourceId":"p-123","ResourceType":"AIAgent","Ticket":"tkt"},"ResourceUrl":"https://example.invalid/resource","SessionId":"session-0001"}`)},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).Info(bg)
				require.NoError(t, err)
				assert.Equal(t, SessionInfo{
					SessionID: sid, ResourceURL: "https://example.invalid/resource", AppID: "app-1", AuthCode: "auth",
					ConnectionProperties: "{}", ResourceID: "p-123", ResourceType: "AIAgent", Ticket: "tkt",
				}, r.Info)
			},
			form: map[string]string{"Authorization": bearer, "SessionId": sid},
		},
		{
			name: "GetLink with protocol, port and option", action: "GetLink",
			routes: map[string]handler{"GetLink": okReply(`{"Url":"https://example.invalid/link/30100"}`)},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).GetLink(bg, "https", 30100, `{"k":"v"}`)
				require.NoError(t, err)
				assert.Equal(t, "https://example.invalid/link/30100", r.URL)
			},
			form: map[string]string{"Authorization": bearer, "Option": `{"k":"v"}`, "Port": "30100", "ProtocolType": "https", "SessionId": sid},
		},
		{
			name: "GetLink with a port only", action: "GetLink",
			routes: map[string]handler{"GetLink": okReply(`{"Url":"https://example.invalid/link/30150"}`)},
			call: func(t *testing.T, c *Client) {
				_, err := c.Session(sid).GetLink(bg, "", 30150, "")
				require.NoError(t, err)
			},
			form: map[string]string{"Authorization": bearer, "Port": "30150", "SessionId": sid},
		},
		{
			name: "ListMcpTools defaults to linux_latest", action: "ListMcpTools",
			routes: map[string]handler{"ListMcpTools": okReply(jsonString(toolList))},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).ListMcpTools(bg, "")
				require.NoError(t, err)
				require.Len(t, r.Tools, 2)
				assert.Equal(t, "shell", r.Tools[0].Name)
				assert.Equal(t, "Executes a shell command", r.Tools[0].Description)
				assert.Equal(t, "wuying_shell", r.Tools[0].Server)
				assert.Equal(t, "shell", r.Tools[0].Tool)
				assert.JSONEq(t, `{"type":"object","required":["command","timeout_ms"],"properties":{"command":{"type":"string"},"timeout_ms":{"type":"integer"}}}`, string(r.Tools[0].InputSchema))
			},
			form: map[string]string{"Authorization": bearer, "ImageId": "linux_latest"},
		},
		{
			name: "ListMcpTools uses the image of the session", action: "ListMcpTools",
			routes: map[string]handler{"CreateMcpSession": okReply(sessionData("", "", "")), "ListMcpTools": okReply(`"[]"`)},
			call: func(t *testing.T, c *Client) {
				r, err := c.Create(bg, CreateParams{ImageID: "code_latest"})
				require.NoError(t, err)
				tools, err := r.Session.ListMcpTools(bg, "")
				require.NoError(t, err)
				assert.NotNil(t, tools.Tools)
				assert.Empty(t, tools.Tools)
			},
			form: map[string]string{"Authorization": bearer, "ImageId": "code_latest"},
		},
		{
			name: "CallMcpTool with a known server", action: "CallMcpTool",
			routes: map[string]handler{"GetSession": okReply(sessionData("RUNNING", "", "")), "CallMcpTool": okWithID("REQ-T", shellResult)},
			call: func(t *testing.T, c *Client) {
				s, err := c.Get(bg, sid)
				require.NoError(t, err)
				r, err := s.Session.CallMcpTool(bg, "shell", map[string]any{"command": "echo hi", "timeout_ms": 1000}, CallOptions{})
				require.NoError(t, err)
				assert.True(t, r.Success)
				assert.Equal(t, "REQ-T", r.RequestID)
				assert.Equal(t, `{"stdout":"hi\n","stderr":"","exit_code":0}`, r.Data)
			},
			form: map[string]string{
				"Args": `{"command":"echo hi","timeout_ms":1000}`, "Authorization": bearer, "AutoGenSession": "false",
				"ExternalUserId": "", "ImageId": "", "Name": "shell", "Server": "wuying_shell", "SessionId": sid,
			},
		},
		{
			name: "CallMcpTool with an unknown server", action: "CallMcpTool",
			routes: map[string]handler{"CallMcpTool": okReply(jsonString(shellResult))},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).CallMcpTool(bg, "read_file", json.RawMessage(` {"path":"/tmp/x.txt","offset":0,"length":5} `), CallOptions{})
				require.NoError(t, err)
				assert.Equal(t, `{"stdout":"hi\n","stderr":"","exit_code":0}`, r.Data, "Data as a JSON string works too")
			},
			form: map[string]string{
				"Args": `{"length":5,"offset":0,"path":"/tmp/x.txt"}`, "Authorization": bearer, "AutoGenSession": "false",
				"ExternalUserId": "", "ImageId": "", "Name": "read_file", "SessionId": sid,
			},
		},
		{
			name: "PauseSessionAsync", action: "PauseSessionAsync",
			routes: map[string]handler{"PauseSessionAsync": okWithID("REQ-P", "")},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).PauseAsync(bg)
				require.NoError(t, err)
				assert.Equal(t, "REQ-P", r.RequestID)
				assert.Equal(t, StatusPausing, r.Status)
			},
			form: map[string]string{"Authorization": bearer, "SessionId": sid},
		},
		{
			name: "ResumeSessionAsync", action: "ResumeSessionAsync",
			routes: map[string]handler{"ResumeSessionAsync": okWithID("REQ-U", "")},
			call: func(t *testing.T, c *Client) {
				r, err := c.Session(sid).ResumeAsync(bg)
				require.NoError(t, err)
				assert.Equal(t, "REQ-U", r.RequestID)
				assert.Equal(t, StatusResuming, r.Status)
			},
			form: map[string]string{"Authorization": bearer, "SessionId": sid},
		},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.action] = true
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t)
			for a, h := range tc.routes {
				api.on(a, h)
			}
			tc.call(t, newClient(t, api.URL()))
			assertRPC(t, only(t, api, tc.action), tc.action, tc.query, tc.form)
		})
	}
	// Spec section 3 has 14 actions; ReleaseMcpSession, the Java SDK's
	// synchronous delete, is one the engine does not send.
	assert.Len(t, covered, 13, "every action of spec section 3 the engine sends")
}

func TestCreateSendsSdkStats(t *testing.T) {
	api := newFakeAPI(t).on("CreateMcpSession", okReply(sessionData("", "", "")))
	_, err := newClient(t, api.URL()).Create(bg, CreateParams{})
	require.NoError(t, err)
	var stats map[string]any
	require.NoError(t, json.Unmarshal([]byte(only(t, api, "CreateMcpSession").Form.Get("SdkStats")), &stats))
	assert.Equal(t, "sdk", stats["source"])
	assert.Equal(t, "golang", stats["sdk_language"])
	assert.Equal(t, Version, stats["sdk_version"])
	assert.IsType(t, true, stats["is_release"])
	assert.Contains(t, stats, "framework")
}

// TestNoncesDiffer checks that SignatureNonce is fresh on every request.
func TestNoncesDiffer(t *testing.T) {
	api := newFakeAPI(t).on("GetSessionDetail", okReply(`{"Status":"RUNNING"}`))
	s := newClient(t, api.URL()).Session("s")
	seen := map[string]bool{}
	for range 5 {
		_, err := s.GetStatus(bg)
		require.NoError(t, err)
	}
	for _, r := range api.requests("") {
		seen[r.Query.Get("SignatureNonce")] = true
	}
	assert.Len(t, seen, 5)
}

// TestResponseTyping covers the string-vs-object typing of spec 2.7: the
// fields the service sends as JSON text are also read when sent inline, and
// CallMcpTool Data works as an object and as a string.
func TestResponseTyping(t *testing.T) {
	t.Run("ToolList inline", func(t *testing.T) {
		d := `{"SessionId":"s","ToolList":` + toolList + `}`
		api := newFakeAPI(t).on("GetSession", okReply(d))
		r, err := newClient(t, api.URL()).Get(bg, "s")
		require.NoError(t, err)
		assert.Equal(t, "wuying_shell", r.Session.server("shell"))
	})
	t.Run("ToolList aliases", func(t *testing.T) {
		list := `[{"Name":"a","serverName":"srv-a"},{"name":"b","Server":"srv-b"},{"description":"nameless","server":"x"}]`
		api := newFakeAPI(t).on("GetSession", okReply(`{"SessionId":"s","ToolList":`+jsonString(list)+`}`))
		r, err := newClient(t, api.URL()).Get(bg, "s")
		require.NoError(t, err)
		assert.Equal(t, "srv-a", r.Session.server("a"))
		assert.Equal(t, "srv-b", r.Session.server("b"))
	})
	t.Run("ToolList broken", func(t *testing.T) {
		api := newFakeAPI(t).on("GetSession", okReply(`{"SessionId":"s","ToolList":"[{oops"}`))
		_, err := newClient(t, api.URL()).Get(bg, "s")
		requireKind(t, err, KindServer)
	})
	t.Run("ListMcpTools Data inline", func(t *testing.T) {
		api := newFakeAPI(t).on("ListMcpTools", okReply(toolList))
		r, err := newClient(t, api.URL()).Session("s").ListMcpTools(bg, "x")
		require.NoError(t, err)
		assert.Len(t, r.Tools, 2)
	})
	t.Run("ListMcpTools does not change routing", func(t *testing.T) {
		api := newFakeAPI(t).on("ListMcpTools", okReply(jsonString(toolList))).on("CallMcpTool", okReply(shellResult))
		s := newClient(t, api.URL()).Session("s")
		_, err := s.ListMcpTools(bg, "")
		require.NoError(t, err)
		_, err = s.CallMcpTool(bg, "shell", nil, CallOptions{})
		require.NoError(t, err)
		r := only(t, api, "CallMcpTool")
		_, sent := r.Form["Server"]
		assert.False(t, sent, "as in the SDKs, only the ToolList routes calls")
		assert.Equal(t, "{}", r.Form.Get("Args"), "nil args are {}")
	})
	t.Run("Labels inline and absent", func(t *testing.T) {
		api := newFakeAPI(t).on("GetLabel", seq(okReply(`{"Labels":{"a":"b"}}`), okReply(`{"Labels":""}`), okReply(`{}`)))
		s := newClient(t, api.URL()).Session("s")
		for _, want := range []map[string]string{{"a": "b"}, {}, {}} {
			r, err := s.GetLabels(bg)
			require.NoError(t, err)
			assert.Equal(t, want, r.Labels)
		}
	})
	t.Run("CallMcpTool Data", func(t *testing.T) {
		cases := []struct{ name, data, text string }{
			{"object", shellResult, `{"stdout":"hi\n","stderr":"","exit_code":0}`},
			{"string", jsonString(shellResult), `{"stdout":"hi\n","stderr":"","exit_code":0}`},
			{"non-JSON string", `"plain output"`, "plain output"},
			{"content item as a string", `{"content":["bare"]}`, "bare"},
			{"blob", `{"content":[{"type":"image","blob":"aGk="}]}`, "aGk="},
			{"nested result", `{"result":{"content":[{"text":"inner"}]}}`, "inner"},
			{"no content", `{"other":1}`, `{"other":1}`},
		}
		for _, tc := range cases {
			api := newFakeAPI(t).on("CallMcpTool", okReply(tc.data))
			r, err := newClient(t, api.URL()).Session("s").CallMcpTool(bg, "shell", nil, CallOptions{})
			require.NoError(t, err, tc.name)
			assert.True(t, r.Success, tc.name)
			assert.Empty(t, r.ErrorMessage, tc.name)
			assert.Equal(t, tc.text, r.Data, tc.name)
		}
	})
}

// TestWrongDataTypes feeds every action a successful envelope whose Data,
// or a field of it, has a type the spec does not allow (spec 2.7): each
// must be a server error naming the problem, never a result built from the
// raw JSON of an object or from nothing.
func TestWrongDataTypes(t *testing.T) {
	get := func(c *Client) error { _, err := c.Get(bg, "s"); return err }
	create := func(c *Client) error { _, err := c.Create(bg, CreateParams{}); return err }
	list := func(c *Client) error { _, err := c.List(bg, ListParams{}); return err }
	s := func(c *Client) *Session { return c.Session("s") }
	labels := func(c *Client) error { _, err := s(c).GetLabels(bg); return err }
	link := func(c *Client) error { _, err := s(c).GetLink(bg, "https", 30100, ""); return err }
	status := func(c *Client) error { _, err := s(c).GetStatus(bg); return err }
	info := func(c *Client) error { _, err := s(c).Info(bg); return err }
	tools := func(c *Client) error { _, err := s(c).ListMcpTools(bg, ""); return err }
	tool := func(c *Client) error { _, err := s(c).CallMcpTool(bg, "shell", nil, CallOptions{}); return err }
	pause := func(c *Client) error {
		_, err := s(c).WaitForStatus(bg, StatusPaused, WaitOptions{Timeout: 5 * time.Second, PollInterval: time.Millisecond})
		return err
	}
	cases := []struct {
		name, action, data string
		call               func(*Client) error
		msg                string
	}{
		{"GetSession SessionId an object", "GetSession", `{"SessionId":{"a":1}}`, get, "SessionId is not a string"},
		{"GetSession ResourceUrl an array", "GetSession", `{"SessionId":"s","ResourceUrl":["u"]}`, get, "ResourceUrl is not a string"},
		{"Create SessionId an array", "CreateMcpSession", `{"SessionId":["a"]}`, create, "SessionId is not a string"},
		{"Create LinkUrl an object", "CreateMcpSession", `{"SessionId":"s","LinkUrl":{"u":1},"Token":"t"}`, create, "LinkUrl is not a string"},
		{"Create Token an array", "CreateMcpSession", `{"SessionId":"s","LinkUrl":"http://x/","Token":[1]}`, create, "Token is not a string"},
		{"ListSession items not objects", "ListSession", `[1,"a"]`, list, "not an object"},
		{"ListSession item without SessionId", "ListSession", `[{"SessionStatus":"RUNNING"}]`, list, "no SessionId"},
		{"ListSession SessionId an object", "ListSession", `[{"SessionId":{"x":1}}]`, list, "SessionId is not a string"},
		{"ListSession SessionStatus an array", "ListSession", `[{"SessionId":"s","SessionStatus":[]}]`, list, "SessionStatus is not a string"},
		{"GetLabel Data a string", "GetLabel", `"x"`, labels, "Data is not an object"},
		{"GetLabel Data an array", "GetLabel", `[1]`, labels, "Data is not an object"},
		{"GetLabel Data a number", "GetLabel", `5`, labels, "Data is not an object"},
		{"GetLink Url an object", "GetLink", `{"Url":{"a":1}}`, link, "no Url"},
		{"GetLink Url a number", "GetLink", `{"Url":5}`, link, "no Url"},
		{"GetLink Url an array", "GetLink", `{"Url":["http://x"]}`, link, "no Url"},
		{"GetSessionDetail Data a string", "GetSessionDetail", `"RUNNING"`, status, "Data is not an object"},
		{"GetSessionDetail Data an array", "GetSessionDetail", `[1]`, status, "Data is not an object"},
		{"GetSessionDetail without Data", "GetSessionDetail", ``, status, "Data is not an object"},
		{"GetSessionDetail Status an object", "GetSessionDetail", `{"Status":{"a":1}}`, status, "Status is not a string"},
		{"GetSession Status an object while waiting", "GetSession", `{"SessionId":"s","Status":{"a":1}}`, pause, "Status is not a string"},
		{"GetMcpResource SessionId an object", "GetMcpResource", `{"SessionId":{"a":1}}`, info, "SessionId is not a string"},
		{"GetMcpResource DesktopInfo a number", "GetMcpResource", `{"SessionId":"s","DesktopInfo":5}`, info, "DesktopInfo is not an object"},
		{"GetMcpResource Ticket an object", "GetMcpResource", `{"SessionId":"s","DesktopInfo":{"Ticket":{}}}`, info, "Ticket is not a string"},
		{"ListMcpTools items not objects", "ListMcpTools", `[1,2]`, tools, "not an object"},
		{"ToolList items not objects", "GetSession", `{"SessionId":"s","ToolList":"[1]"}`, get, "not an object"},
		{"CallMcpTool Data a number", "CallMcpTool", `5`, tool, "neither an object nor a string"},
		{"CallMcpTool Data an array", "CallMcpTool", `[{"content":[]}]`, tool, "neither an object nor a string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t).on(tc.action, okWithID("REQ-W", tc.data))
			err := tc.call(newClient(t, api.URL(), noRetries))
			e := requireKind(t, err, KindServer)
			assert.Contains(t, e.Message, tc.msg)
			assert.Equal(t, "REQ-W", e.RequestID)
			requireNoKey(t, err)
		})
	}

	// What the SDKs' decoders accept still works: scalars in string
	// fields, and GetLabel without Data.
	api := newFakeAPI(t).on("GetSession", okReply(`{"SessionId":12345,"Status":"RUNNING"}`)).on("GetLabel", okReply(""))
	c := newClient(t, api.URL())
	r, err := c.Get(bg, "s")
	require.NoError(t, err)
	assert.Equal(t, "12345", r.Session.ID())
	l, err := c.Session("s").GetLabels(bg)
	require.NoError(t, err)
	assert.Empty(t, l.Labels)
}

// linkServer is a recording LinkUrl endpoint.
type linkServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []linkRequest
}

type linkRequest struct {
	path   string
	header http.Header
	body   map[string]any
	raw    string
}

func newLinkServer(t *testing.T, answer func(w http.ResponseWriter)) *linkServer {
	ls := &linkServer{}
	ls.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("link body is not JSON: %q", raw)
		}
		ls.mu.Lock()
		ls.reqs = append(ls.reqs, linkRequest{r.URL.Path, r.Header.Clone(), body, string(raw)})
		ls.mu.Unlock()
		answer(w)
	}))
	t.Cleanup(ls.Close)
	return ls
}

func (ls *linkServer) requests() []linkRequest {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return append([]linkRequest(nil), ls.reqs...)
}

func linkAnswer(data string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		reply(w, 200, `{"code":"ok","data":`+data+`,"requestId":"srv-id","success":true}`)
	}
}

// TestLinkRoute covers spec section 4: a session from Create with LinkUrl and
// Token sends tools whose server is known to <LinkUrl>/callTool.
func TestLinkRoute(t *testing.T) {
	result := `{"result":{"content":[{"text":"link-route\n","type":"text"}],"isError":false}}`
	for _, data := range []struct{ name, json string }{{"data as string", jsonString(result)}, {"data as object", result}} {
		t.Run(data.name, func(t *testing.T) {
			link := newLinkServer(t, linkAnswer(data.json))
			api := newFakeAPI(t).
				on("CreateMcpSession", okReply(sessionData("", link.URL+"/", "tok-abc"))).
				on("CallMcpTool", okReply(`{"content":[{"text":"api-route"}]}`))
			created, err := newClient(t, api.URL()).Create(bg, CreateParams{ImageID: "linux_latest"})
			require.NoError(t, err)

			r, err := created.Session.CallMcpTool(bg, "shell", map[string]any{"command": "echo hi", "timeout_ms": 1000}, CallOptions{})
			require.NoError(t, err)
			assert.True(t, r.Success)
			assert.Equal(t, "link-route\n", r.Data)
			assert.Regexp(t, `^link-\d{13}-\d{9}$`, r.RequestID)
			assert.Zero(t, api.count("CallMcpTool"))

			reqs := link.requests()
			require.Len(t, reqs, 1)
			lr := reqs[0]
			assert.Equal(t, "/callTool", lr.path)
			assert.Equal(t, "application/json", lr.header.Get("Content-Type"))
			assert.Equal(t, "tok-abc", lr.header.Get("X-Access-Token"))
			assert.Equal(t, map[string]any{
				"args":      map[string]any{"command": "echo hi", "timeout_ms": float64(1000)},
				"server":    "wuying_shell",
				"requestId": r.RequestID,
				"tool":      "shell",
				"token":     "tok-abc",
			}, lr.body)
			assert.NotContains(t, lr.raw, testKey)
			for _, v := range lr.header {
				assert.NotContains(t, v[0], testKey)
			}

			// A tool whose server the ToolList does not name goes through the API.
			r, err = created.Session.CallMcpTool(bg, "mystery", nil, CallOptions{})
			require.NoError(t, err)
			assert.Equal(t, "api-route", r.Data)
			call := only(t, api, "CallMcpTool")
			assert.Equal(t, "mystery", call.Form.Get("Name"))
			assert.NotContains(t, call.Form, "Server")
			assert.Len(t, link.requests(), 1)
		})
	}

	t.Run("isError", func(t *testing.T) {
		link := newLinkServer(t, linkAnswer(`{"result":{"content":[{"text":"exit 127"}],"isError":true}}`))
		api := newFakeAPI(t).on("CreateMcpSession", okReply(sessionData("", link.URL, "tok")))
		created, err := newClient(t, api.URL()).Create(bg, CreateParams{})
		require.NoError(t, err)
		r, err := created.Session.CallMcpTool(bg, "shell", nil, CallOptions{})
		require.NoError(t, err)
		assert.False(t, r.Success)
		assert.Equal(t, "exit 127", r.ErrorMessage)
	})

	t.Run("HTTP error", func(t *testing.T) {
		link := newLinkServer(t, func(w http.ResponseWriter) { reply(w, 503, `{"code":"Busy","message":"later"}`) })
		api := newFakeAPI(t).on("CreateMcpSession", okReply(sessionData("", link.URL, "tok")))
		created, err := newClient(t, api.URL()).Create(bg, CreateParams{})
		require.NoError(t, err)
		_, err = created.Session.CallMcpTool(bg, "shell", nil, CallOptions{})
		e := requireKind(t, err, KindServer)
		assert.Equal(t, "Busy", e.Code)
		assert.Regexp(t, `^link-`, e.RequestID)
		assert.Len(t, link.requests(), 1, "a tool call is not retried")
	})

	t.Run("Get never uses the link", func(t *testing.T) {
		link := newLinkServer(t, linkAnswer(jsonString(result)))
		api := newFakeAPI(t).
			on("GetSession", okReply(sessionData("RUNNING", link.URL, "tok-abc"))).
			on("CallMcpTool", okReply(shellResult))
		got, err := newClient(t, api.URL()).Get(bg, "session-0001")
		require.NoError(t, err)
		_, err = got.Session.CallMcpTool(bg, "shell", nil, CallOptions{})
		require.NoError(t, err)
		assert.Empty(t, link.requests())
		assert.Equal(t, "wuying_shell", only(t, api, "CallMcpTool").Form.Get("Server"))
	})

	t.Run("no token, no link", func(t *testing.T) {
		link := newLinkServer(t, linkAnswer(jsonString(result)))
		api := newFakeAPI(t).
			on("CreateMcpSession", okReply(sessionData("", link.URL, ""))).
			on("CallMcpTool", okReply(shellResult))
		created, err := newClient(t, api.URL()).Create(bg, CreateParams{})
		require.NoError(t, err)
		_, err = created.Session.CallMcpTool(bg, "shell", nil, CallOptions{})
		require.NoError(t, err)
		assert.Empty(t, link.requests())
		assert.Equal(t, 1, api.count("CallMcpTool"))
	})
}
