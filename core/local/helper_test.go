package local_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/local"
)

// The tests talk to the server with raw HTTP requests shaped like those of
// the official SDKs (spec/captures), not through a client library.

const testKey = "akm-test-key"

type client struct {
	t    testing.TB
	srv  *local.Server
	addr string // host:port
	tls  *tls.Config
	key  string
}

func start(t testing.TB, opts local.Options) *client {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	srv, err := local.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return newClient(t, srv)
}

func newClient(t testing.TB, srv *local.Server) *client {
	u, err := url.Parse(srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, srv: srv, addr: u.Host, key: testKey}
	if srv.CertFile() != "" {
		pem, err := os.ReadFile(srv.CertFile())
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		c.tls = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	}
	return c
}

// raw sends one raw HTTP request on a new connection and returns the
// status and body.
func (c *client) raw(req string) (int, string) {
	c.t.Helper()
	var conn net.Conn
	var err error
	if c.tls != nil {
		conn, err = tls.Dial("tcp", c.addr, c.tls)
	} else {
		conn, err = net.Dial("tcp", c.addr)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, req); err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.t.Fatalf("Content-Type %q, body %s", ct, body)
	}
	if !json.Valid(body) {
		c.t.Fatalf("the body is not JSON: %s", body)
	}
	return resp.StatusCode, string(body)
}

// raw2 is raw for a request that must succeed; it returns the body.
func (c *client) raw2(req string) gjson.Result {
	c.t.Helper()
	status, body := c.raw(req)
	if status != 200 {
		c.t.Fatalf("%d %s", status, body)
	}
	return gjson.Parse(body)
}

// goRequest builds a request as the Go SDK sends it: the common query
// parameters, sorted keys, a form body with '+' for spaces and a
// Content-Length.
func (c *client) goRequest(action string, query, form url.Values) string {
	q := url.Values{"Action": {action}, "Format": {"json"}, "Version": {"2025-05-06"},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}, "SignatureNonce": {"9c3dc151cb29d8377e63ec0b1294c38a"}}
	for k, v := range query {
		q[k] = v
	}
	body := form.Encode()
	return fmt.Sprintf("POST /?%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: AlibabaCloud (linux; amd64) Golang/1.26.8 Core/0.01 TeaDSL/2\r\n"+
		"Content-Length: %d\r\ncontent-type: application/x-www-form-urlencoded\r\nx-acs-action: %s\r\nx-acs-version: 2025-05-06\r\n"+
		"Accept-Encoding: gzip\r\n\r\n%s", q.Encode(), c.addr, len(body), action, body)
}

// tsRequest builds a request as the TypeScript SDK sends it: keys in the
// given order, '%20' for spaces, a chunked body.
func (c *client) tsRequest(action string, pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, tsEscape(pairs[i])+"="+tsEscape(pairs[i+1]))
	}
	body := strings.Join(parts, "&")
	return fmt.Sprintf("POST /?Action=%s&Format=json&Version=2025-05-06&Timestamp=2026-11-25T21%%3A56%%3A08Z&SignatureNonce=b8a2625d HTTP/1.1\r\n"+
		"host: %s\r\nx-acs-version: 2025-05-06\r\nx-acs-action: %s\r\nuser-agent: AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2\r\n"+
		"content-type: application/x-www-form-urlencoded\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n",
		action, c.addr, action, len(body), body)
}

func tsEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// params turns name, value pairs into a form with the API key.
func (c *client) params(pairs ...string) url.Values {
	v := url.Values{"Authorization": {"Bearer " + c.key}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

// try calls an action Go-style and returns the status and body.
func (c *client) try(action string, pairs ...string) (int, gjson.Result) {
	c.t.Helper()
	status, body := c.raw(c.goRequest(action, nil, c.params(pairs...)))
	return status, gjson.Parse(body)
}

// call calls an action that must succeed and returns the body.
func (c *client) call(action string, pairs ...string) gjson.Result {
	c.t.Helper()
	status, body := c.try(action, pairs...)
	if status != 200 || body.Get("Success").Type != gjson.True || body.Get("Code").String() != "ok" ||
		body.Get("HttpStatusCode").Int() != 200 || body.Get("RequestId").String() == "" {
		c.t.Fatalf("%s %v: %d %s", action, pairs, status, body.Raw)
	}
	return body
}

// fail calls an action that must fail with code and returns the message.
func (c *client) fail(code string, action string, pairs ...string) string {
	c.t.Helper()
	status, body := c.try(action, pairs...)
	checkError(c.t, status, body, code)
	return body.Get("Message").String()
}

func checkError(t testing.TB, status int, body gjson.Result, code string) {
	t.Helper()
	if body.Get("Code").String() != code || body.Get("Success").Type != gjson.False ||
		body.Get("HttpStatusCode").Int() != int64(status) || body.Get("RequestId").String() == "" ||
		body.Get("Message").String() == "" || status < 400 {
		t.Fatalf("want error %s, got %d %s", code, status, body.Raw)
	}
}

func (c *client) create(pairs ...string) string {
	c.t.Helper()
	id := c.call("CreateMcpSession", append([]string{"ImageId", "linux_latest"}, pairs...)...).Get("Data.SessionId").String()
	if !strings.HasPrefix(id, "session-") {
		c.t.Fatalf("session id %q", id)
	}
	return id
}

// tool calls a tool through CallMcpTool and returns the MCP result.
func (c *client) tool(id, name string, args any) gjson.Result {
	c.t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.call("CallMcpTool", "SessionId", id, "Name", name, "Args", string(b), "Server", "",
		"AutoGenSession", "false").Get("Data")
}

// shell runs a command that must succeed and returns its stdout.
func (c *client) shell(id, command string) string {
	c.t.Helper()
	res := c.tool(id, "shell", map[string]any{"command": command, "timeout_ms": 10000})
	text := res.Get("content.0.text").String()
	if res.Get("isError").Bool() {
		c.t.Fatalf("%q: %s", command, text)
	}
	return gjson.Get(text, "stdout").String()
}

func (c *client) status(id string) string {
	c.t.Helper()
	return c.call("GetSession", "SessionId", id).Get("Data.Status").String()
}

// waitStatus polls GetSession until the session has status want.
func (c *client) waitStatus(id, want string) {
	c.t.Helper()
	if !until(func() bool { return c.status(id) == want }) {
		c.t.Fatalf("session %s never became %s (it is %s)", id, want, c.status(id))
	}
}

// until polls cond every 5 ms and reports whether it came true. Its
// deadline only bounds a hang: on a loaded machine a wait may take long,
// and a test waits for the event, never for a time.
func until(cond func() bool) bool {
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
