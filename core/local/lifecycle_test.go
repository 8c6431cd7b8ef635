package local_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/local"
	"github.com/libagentbay/libagentbay/core/local/sandbox"
	"github.com/libagentbay/libagentbay/core/local/store"
)

func TestParallelSessions(t *testing.T) {
	c := start(t, local.Options{})
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			// t.Fatal must not be called off the test goroutine, so the
			// helpers here report errors instead.
			id, err := tryCreate(c)
			if err != nil {
				errs <- err
				return
			}
			want := fmt.Sprintf("session %d", i)
			out := toolText(c, id, "shell", fmt.Sprintf(`{"command":"echo session %d","timeout_ms":10000}`, i))
			if gjson.Get(out, "stdout").String() != want+"\n" {
				errs <- fmt.Errorf("shell in session %d: %s", i, out)
				return
			}
			toolText(c, id, "write_file", fmt.Sprintf(`{"path":"/tmp/f.txt","content":%q}`, want))
			if got := toolText(c, id, "read_file", `{"path":"/tmp/f.txt"}`); got != want {
				errs <- fmt.Errorf("read in session %d: %q", i, got)
				return
			}
			if status, body := rawTry(c, "DeleteSessionAsync", "SessionId", id); status != 200 {
				errs <- fmt.Errorf("delete %s: %s", id, body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if !until(func() bool { return c.call("ListSession").Get("TotalCount").Int() == 0 }) {
		t.Fatal("sessions are left after deleting all")
	}
}

// rawTry is c.try for other goroutines: it reports errors instead of
// failing the test.
func rawTry(c *client, action string, pairs ...string) (int, string) {
	resp, err := http.PostForm(c.srv.Endpoint()+"/?Action="+action, c.params(pairs...))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func tryCreate(c *client) (string, error) {
	status, body := rawTry(c, "CreateMcpSession")
	if status != 200 {
		return "", fmt.Errorf("create: %d %s", status, body)
	}
	return gjson.Get(body, "Data.SessionId").String(), nil
}

// toolText runs a tool and returns its text ("" and the body on failure).
func toolText(c *client, id, name, args string) string {
	status, body := rawTry(c, "CallMcpTool", "SessionId", id, "Name", name, "Args", args)
	if status != 200 {
		return body
	}
	return gjson.Get(body, "Data.content.0.text").String()
}

func TestShellSeesWrittenFiles(t *testing.T) {
	c := start(t, local.Options{})
	if sandboxView(c) == "no namespaces" {
		t.Skip("no mount namespaces here: commands see the host's /tmp, not the session's")
	}
	id := c.create()
	c.tool(id, "write_file", map[string]any{"path": "/tmp/x.txt", "content": "written by a tool"})
	if out := c.shell(id, "cat /tmp/x.txt"); out != "written by a tool" {
		t.Fatalf("cat /tmp/x.txt = %q", out)
	}
	c.shell(id, "mkdir -p /home/wuying/proj && echo made > /home/wuying/proj/a.txt")
	if got := c.tool(id, "read_file", map[string]any{"path": "proj/a.txt"}).Get("content.0.text").String(); got != "made\n" {
		t.Fatalf("read_file proj/a.txt = %q", got)
	}
	// Another session has its own /tmp.
	other := c.create()
	if res := c.tool(other, "shell", map[string]any{"command": "cat /tmp/x.txt", "timeout_ms": 5000}); !res.Get("isError").Bool() {
		t.Fatalf("another session sees /tmp/x.txt: %s", res.Raw)
	}
}

// TestRestart closes a server and starts another on the same data folder.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	srv, err := local.Start(local.Options{DataDir: dir, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv)
	running := c.create("Labels", `{"role":"running"}`)
	paused := c.create("Labels", `{"role":"paused"}`)
	c.tool(running, "write_file", map[string]any{"path": "keep.txt", "content": "kept"})
	pid := c.shell(running, "sleep 1000 > /dev/null 2>&1 & echo $!")
	c.call("PauseSessionAsync", "SessionId", paused)
	c.waitStatus(paused, "PAUSED")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	waitGone(t, pid)
	if iso := sandbox.Probe(); iso.Freezer != sandbox.SignalFreezer {
		for _, id := range []string{running, paused} {
			if _, err := os.Stat(filepath.Join(iso.CgroupDir, id)); !os.IsNotExist(err) {
				t.Fatalf("the cgroup of %s is left after Close: %v", id, err)
			}
		}
	}

	c = start(t, local.Options{DataDir: dir})
	list := c.call("ListSession")
	if got := list.Get("Data.#.SessionId").String(); got != fmt.Sprintf("[%q,%q]", running, paused) {
		t.Fatalf("sessions after restart: %s", list.Raw)
	}
	if s := c.status(running); s != "RUNNING" {
		t.Fatalf("running session is %s", s)
	}
	if s := c.status(paused); s != "PAUSED" {
		t.Fatalf("paused session is %s", s)
	}
	if l := c.call("GetLabel", "SessionId", paused).Get("Data.Labels").String(); l != `{"role":"paused"}` {
		t.Fatalf("labels: %s", l)
	}
	if got := c.tool(running, "read_file", map[string]any{"path": "keep.txt"}).Get("content.0.text").String(); got != "kept" {
		t.Fatalf("file after restart: %q", got)
	}
	c.call("ResumeSessionAsync", "SessionId", paused)
	c.waitStatus(paused, "RUNNING")
	if out := c.shell(paused, "echo resumed"); out != "resumed\n" {
		t.Fatalf("after resume: %q", out)
	}
}

// TestRestartSettlesTransitions starts a server on records left in
// transitional states, as a crash would leave them.
func TestRestartSettlesTransitions(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []store.Record{
		{ID: "session-pausing", Status: "PAUSING", Token: "t1", LinkToken: "l1"},
		{ID: "session-resuming", Status: "RESUMING", Token: "t2", LinkToken: "l2"},
		{ID: "session-deleting", Status: "DELETING", Token: "t3", LinkToken: "l3"},
	} {
		if err := db.Put(&r); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	os.MkdirAll(filepath.Join(dir, "sessions", "session-deleting", "root"), 0o755)

	c := start(t, local.Options{DataDir: dir})
	if s := c.status("session-pausing"); s != "PAUSED" {
		t.Fatalf("PAUSING became %s", s)
	}
	if s := c.status("session-resuming"); s != "RUNNING" {
		t.Fatalf("RESUMING became %s", s)
	}
	c.fail("InvalidMcpSession.NotFound", "GetSession", "SessionId", "session-deleting")
	if _, err := os.Stat(filepath.Join(dir, "sessions", "session-deleting")); !os.IsNotExist(err) {
		t.Fatalf("the deleted session's folder: %v", err)
	}
}

// TestStartOnBadDataFolder: a data folder that cannot be used, or a
// damaged database in it, stops Start with an error that says which and
// why; it never panics.
func TestStartOnBadDataFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, []byte("x"), 0o600)

	garbage := t.TempDir()
	os.WriteFile(filepath.Join(garbage, "state.db"), []byte(strings.Repeat("not a database ", 1000)), 0o600)

	// A sound database whose pages after the two meta pages are
	// overwritten: bbolt reads the free list while opening, and panics.
	damaged := t.TempDir()
	db, err := store.Open(filepath.Join(damaged, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"session-a", "session-b"} {
		if err := db.Put(&store.Record{ID: id, Status: "RUNNING", Token: id, LinkToken: id}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	b, _ := os.ReadFile(filepath.Join(damaged, "state.db"))
	for i := 2 * os.Getpagesize(); i < len(b); i++ {
		b[i] = 0xff
	}
	os.WriteFile(filepath.Join(damaged, "state.db"), b, 0o600)

	for _, c := range []struct{ dir, want string }{
		{file, "the data folder " + file + " cannot be used"},
		{garbage, filepath.Join(garbage, "state.db") + ": invalid database"},
		{damaged, filepath.Join(damaged, "state.db") + ": the database is damaged"},
	} {
		srv, err := local.Start(local.Options{DataDir: c.dir, APIKey: testKey})
		if err == nil {
			srv.Close()
			t.Fatalf("%s: started", c.dir)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: %v, want %q", c.dir, err, c.want)
		}
	}
}

// waitGone waits until process pid has ended. A zombie has ended: its
// parent may reap it late.
func waitGone(t *testing.T, pid string) {
	t.Helper()
	pid = strings.TrimSpace(pid)
	if _, err := strconv.Atoi(pid); err != nil {
		t.Fatalf("pid %q", pid)
	}
	gone := until(func() bool {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return true
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		return len(f) > 0 && f[0] == "Z"
	})
	if !gone {
		t.Fatalf("process %s is still alive", pid)
	}
}

func TestTLS(t *testing.T) {
	c := start(t, local.Options{TLS: true})
	if !strings.HasPrefix(c.srv.Endpoint(), "https://127.0.0.1:") {
		t.Fatalf("endpoint %s", c.srv.Endpoint())
	}
	pemBytes, err := os.ReadFile(c.srv.CertFile())
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		if err := cert.VerifyHostname(host); err != nil {
			t.Errorf("certificate: %v", err)
		}
	}
	if cert.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("key algorithm %v", cert.PublicKeyAlgorithm)
	}

	// A client that trusts the certificate file.
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.PostForm(c.srv.Endpoint()+"/?Action=ListSession", c.params())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !gjson.Get(string(body), "Success").Bool() {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// The raw client over TLS, and URLs that say https.
	data := c.call("CreateMcpSession").Get("Data")
	if !strings.HasPrefix(data.Get("LinkUrl").String(), "https://") {
		t.Fatalf("LinkUrl %s", data.Get("LinkUrl").String())
	}
	link := c.call("GetLink", "SessionId", data.Get("SessionId").String(), "Port", "30100", "ProtocolType", "wss")
	if !strings.HasPrefix(link.Get("Data.Url").String(), "wss://") {
		t.Fatalf("wss link: %s", link.Raw)
	}

	// The certificate is kept: a second server on the folder uses it.
	dir := filepath.Dir(c.srv.CertFile())
	c.srv.Close()
	again := start(t, local.Options{TLS: true, DataDir: dir})
	pem2, _ := os.ReadFile(again.srv.CertFile())
	if string(pem2) != string(pemBytes) {
		t.Fatal("the certificate was made anew")
	}
}

func TestNonLoopbackNeedsTLS(t *testing.T) {
	_, err := local.Start(local.Options{Listen: "0.0.0.0:0", DataDir: t.TempDir(), APIKey: testKey})
	if err == nil || !strings.Contains(err.Error(), "needs TLS") {
		t.Fatalf("err = %v", err)
	}
	if _, err := local.Start(local.Options{DataDir: t.TempDir()}); err == nil {
		t.Fatal("started without a key")
	}
}

// freePort returns a free port in the range GetLink accepts.
func freePort(t *testing.T) int {
	t.Helper()
	first := os.Getpid() % 100
	for i := range 100 {
		port := 30100 + (first+i)%100
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			ln.Close()
			return port
		}
	}
	t.Skip("no free port in [30100, 30199]")
	return 0
}

func TestLinkProxy(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is missing")
	}
	c := start(t, local.Options{})
	id := c.create()
	port := freePort(t)
	c.tool(id, "write_file", map[string]any{"path": "page.txt", "content": "served from the session"})
	c.shell(id, fmt.Sprintf("python3 -m http.server %d --bind 127.0.0.1 > /dev/null 2>&1 &", port))
	link := c.call("GetLink", "SessionId", id, "Port", strconv.Itoa(port), "ProtocolType", "https").Get("Data.Url").String()

	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var status int
	var body string
	until(func() bool { // the server listens
		status, body = get(link + "page.txt")
		return status != http.StatusBadGateway
	})
	if status != 200 || body != "served from the session" {
		t.Fatalf("through the link: %d %q", status, body)
	}
	if status, _ := get(strings.Replace(link, "/"+strconv.Itoa(port)+"/", "/"+strconv.Itoa(port)+"x/", 1)); status != 404 {
		t.Fatalf("a bad link: %d", status)
	}
	last := "x" // a token ends in any of a-z2-7: change its last letter
	if link[len(link)-2] == 'x' {
		last = "y"
	}
	bad := link[:len(link)-2] + last + "/"
	if status, _ := get(bad + "page.txt"); status != 404 {
		t.Fatalf("a wrong token: %d", status)
	}
	// The token of another session's link opens nothing of this one.
	other := c.create()
	otherLink := c.call("GetLink", "SessionId", other, "Port", strconv.Itoa(port)).Get("Data.Url").String()
	otherToken := otherLink[strings.LastIndex(strings.TrimSuffix(otherLink, "/"), "/")+1:]
	mixed := link[:strings.LastIndex(strings.TrimSuffix(link, "/"), "/")+1] + otherToken
	if status, _ := get(mixed + "page.txt"); status != 404 || otherToken == "" || mixed == link {
		t.Fatalf("another session's token %q: %d (%s)", otherToken, status, mixed)
	}

	c.call("PauseSessionAsync", "SessionId", id)
	c.waitStatus(id, "PAUSED")
	if status, body := get(link + "page.txt"); status != 400 || !strings.Contains(body, "InvalidSessionStatus") {
		t.Fatalf("link of a paused session: %d %s", status, body)
	}
	c.call("ResumeSessionAsync", "SessionId", id)
	c.waitStatus(id, "RUNNING")
	if status, body := get(link + "page.txt"); status != 200 || body != "served from the session" {
		t.Fatalf("after resume: %d %q", status, body)
	}
}

// TestLinkWebSocket upgrades a connection through a link to a tiny
// WebSocket-like server, then echoes bytes both ways.
func TestLinkWebSocket(t *testing.T) {
	c := start(t, local.Options{})
	id := c.create()
	port := freePort(t)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	echo := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" || r.URL.Path != "/ws" {
			http.Error(w, "want an upgrade of /ws", http.StatusBadRequest)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		io.Copy(conn, rw) // echo
	})}
	go echo.Serve(ln)
	defer echo.Close()

	link := c.call("GetLink", "SessionId", id, "Port", strconv.Itoa(port), "ProtocolType", "wss").Get("Data.Url").String()
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "ws" {
		t.Fatalf("link %q", link)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %sws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", u.Path, u.Host)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %s", resp.Status)
	}
	io.WriteString(conn, "ping through the proxy")
	got := make([]byte, len("ping through the proxy"))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "ping through the proxy" {
		t.Fatalf("echo: %q %v", got, err)
	}
}

// TestManySessions keeps 500 sessions alive at once: idle sessions cost no
// goroutine, and the quota counts live sessions.
func TestManySessions(t *testing.T) {
	c := start(t, local.Options{MaxSessions: 500})
	base := runtime.NumGoroutine()
	var wg sync.WaitGroup
	ids := make(chan string, 500)
	for range 4 {
		wg.Go(func() {
			for range 125 {
				id, err := tryCreate(c)
				if err != nil {
					t.Error(err)
					return
				}
				ids <- id
			}
		})
	}
	wg.Wait()
	close(ids)
	if t.Failed() {
		return
	}
	if n := c.call("ListSession").Get("TotalCount").Int(); n != 500 {
		t.Fatalf("%d sessions listed", n)
	}
	c.fail("QuotaExceeded", "CreateMcpSession")
	var last string
	for id := range ids {
		last = id
	}
	if out := c.shell(last, "echo still fine"); out != "still fine\n" {
		t.Fatalf("shell: %q", out)
	}
	// Idle keep-alive connections hold a few goroutines; sessions hold none.
	if n := runtime.NumGoroutine(); n > base+20 {
		t.Fatalf("%d goroutines for 500 idle sessions (%d before)", n, base)
	}
	c.call("ReleaseMcpSession", "SessionId", last)
	c.create()
}
