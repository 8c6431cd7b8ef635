package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/local"
)

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"serve", "--help"}} {
		var out bytes.Buffer
		if code := run(args, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "agentbay-local serve [flags]") {
			t.Fatalf("%v: exit %d, %q", args, code, out.String())
		}
	}
	var errOut bytes.Buffer
	if code := run([]string{"serve", "--bogus"}, io.Discard, &errOut); code != 2 || !strings.Contains(errOut.String(), "bogus") {
		t.Fatalf("bad flag: exit %d, %q", code, errOut.String())
	}
	if code := run([]string{"frobnicate"}, io.Discard, &errOut); code != 2 {
		t.Fatalf("bad command: exit %d", code)
	}
}

func TestParse(t *testing.T) {
	for _, name := range []string{"AGENTBAY_LOCAL_LISTEN", "AGENTBAY_LOCAL_DATA", "AGENTBAY_LOCAL_TLS", "AGENTBAY_LOCAL_API_KEY", "AGENTBAY_API_KEY"} {
		t.Setenv(name, "")
	}
	cfg, err := parse(nil)
	if err != nil || cfg.keySource != "generated" || !strings.HasPrefix(cfg.opts.APIKey, "akl-") ||
		cfg.opts.Listen != "127.0.0.1:18080" || cfg.opts.TLS {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}

	t.Setenv("AGENTBAY_API_KEY", "fallback")
	if cfg, _ := parse(nil); cfg.opts.APIKey != "fallback" || cfg.keySource != "AGENTBAY_API_KEY" {
		t.Fatalf("AGENTBAY_API_KEY: %+v", cfg)
	}
	t.Setenv("AGENTBAY_LOCAL_API_KEY", "local")
	t.Setenv("AGENTBAY_LOCAL_LISTEN", "127.0.0.1:1234")
	t.Setenv("AGENTBAY_LOCAL_DATA", "/some/dir")
	t.Setenv("AGENTBAY_LOCAL_TLS", "true")
	cfg, err = parse(nil)
	if err != nil || cfg.opts.APIKey != "local" || cfg.keySource != "AGENTBAY_LOCAL_API_KEY" ||
		cfg.opts.Listen != "127.0.0.1:1234" || cfg.opts.DataDir != "/some/dir" || !cfg.opts.TLS {
		t.Fatalf("environment: %+v %v", cfg, err)
	}
	cfg, err = parse([]string{"--api-key", "flag", "--listen", "[::1]:0", "--data", "d", "--tls=false"})
	if err != nil || cfg.opts.APIKey != "flag" || cfg.keySource != "--api-key" || cfg.opts.Listen != "[::1]:0" ||
		cfg.opts.DataDir != "d" || cfg.opts.TLS {
		t.Fatalf("flags: %+v %v", cfg, err)
	}

	t.Setenv("AGENTBAY_LOCAL_API_KEY", "")
	t.Setenv("AGENTBAY_API_KEY", "")
	if _, err := parse([]string{"--listen", "0.0.0.0:8080", "--tls"}); err == nil || !strings.Contains(err.Error(), "explicit --api-key") {
		t.Fatalf("a remote listener with a generated key: %v", err)
	}
	t.Setenv("AGENTBAY_LOCAL_TLS", "maybe")
	if _, err := parse(nil); err == nil {
		t.Fatal("AGENTBAY_LOCAL_TLS=maybe accepted")
	}
}

func TestRefusesRemoteWithoutTLS(t *testing.T) {
	var errOut bytes.Buffer
	code := run([]string{"serve", "--listen", "0.0.0.0:0", "--api-key", "k", "--data", t.TempDir()}, io.Discard, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "needs TLS") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
}

// server is the agentbay-local binary running in a test.
type server struct {
	t        *testing.T
	cmd      *exec.Cmd
	endpoint string
	key      string
	stdout   *bytes.Buffer // what it printed before the endpoint line and after
	stderr   bytes.Buffer
}

func build(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the server")
	}
	bin := filepath.Join(t.TempDir(), "agentbay-local")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func launch(t *testing.T, bin, data string, args ...string) *server {
	t.Helper()
	s := &server{t: t, stdout: new(bytes.Buffer)}
	s.cmd = exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--data", data}, args...)...)
	s.cmd.Env = append(os.Environ(), "AGENTBAY_LOCAL_API_KEY=", "AGENTBAY_API_KEY=")
	s.cmd.Stderr = &s.stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		s.stdout.WriteString(line + "\n")
		if e, ok := strings.CutPrefix(line, "agentbay-local serving "); ok {
			s.endpoint = e
		}
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "API key:     "); ok && strings.Contains(k, "generated") {
			s.key = strings.Fields(k)[0]
		}
		if strings.Contains(line, "sandbox:") {
			break
		}
	}
	if s.endpoint == "" {
		t.Fatalf("no endpoint: %s %s", s.stdout, s.stderr.String())
	}
	go io.Copy(io.Discard, out)
	return s
}

func (s *server) call(action string, pairs ...string) gjson.Result {
	s.t.Helper()
	form := url.Values{"Authorization": {"Bearer " + s.key}}
	for i := 0; i+1 < len(pairs); i += 2 {
		form.Set(pairs[i], pairs[i+1])
	}
	resp, err := http.PostForm(s.endpoint+"/?Action="+action, form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := gjson.ParseBytes(b)
	if resp.StatusCode != 200 || !body.Get("Success").Bool() {
		s.t.Fatalf("%s %v: %d %s", action, pairs, resp.StatusCode, b)
	}
	return body
}

func (s *server) shell(id, command string) string {
	s.t.Helper()
	text := s.call("CallMcpTool", "SessionId", id, "Name", "shell",
		"Args", `{"command":`+quote(command)+`,"timeout_ms":10000}`).Get("Data.content.0.text").String()
	return gjson.Get(text, "stdout").String()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (s *server) waitStatus(id, want string) {
	s.t.Helper()
	for range 1000 {
		if s.call("GetSession", "SessionId", id).Get("Data.Status").String() == want {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.t.Fatalf("session %s never became %s", id, want)
}

// TestKill9 kills the server with SIGKILL and starts it again on the same
// data folder: sessions, labels, statuses and files are back, the
// processes of the killed server are gone.
func TestKill9(t *testing.T) {
	bin := build(t)
	data := t.TempDir()
	s := launch(t, bin, data, "--api-key", "secret-key-123")
	s.key = "secret-key-123"
	if strings.Contains(s.stdout.String(), "secret-key-123") || !strings.Contains(s.stdout.String(), "from --api-key") {
		t.Fatalf("the start-up message: %s", s.stdout)
	}

	a := s.call("CreateMcpSession", "Labels", `{"name":"a"}`).Get("Data.SessionId").String()
	b := s.call("CreateMcpSession", "Labels", `{"name":"b"}`).Get("Data.SessionId").String()
	s.call("CallMcpTool", "SessionId", a, "Name", "write_file", "Args", `{"path":"/home/wuying/notes.txt","content":"survives"}`)
	pid := strings.TrimSpace(s.shell(a, "sleep 1000 > /dev/null 2>&1 & echo $!"))
	frozenPid := strings.TrimSpace(s.shell(b, "sleep 1000 > /dev/null 2>&1 & echo $!"))
	s.call("PauseSessionAsync", "SessionId", b)
	s.waitStatus(b, "PAUSED")

	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
	if strings.Contains(s.stderr.String(), "secret-key-123") {
		t.Fatal("the key is in the log")
	}

	s = launch(t, bin, data, "--api-key", "secret-key-123")
	s.key = "secret-key-123"
	list := s.call("ListSession", "Labels", "{}")
	if got := list.Get("Data.#.SessionId").String(); got != `["`+a+`","`+b+`"]` {
		t.Fatalf("sessions after kill -9: %s", list.Raw)
	}
	if st := list.Get("Data.#.SessionStatus").String(); st != `["RUNNING","PAUSED"]` {
		t.Fatalf("statuses after kill -9: %s", st)
	}
	if l := s.call("GetLabel", "SessionId", b).Get("Data.Labels").String(); l != `{"name":"b"}` {
		t.Fatalf("labels: %s", l)
	}
	text := s.call("CallMcpTool", "SessionId", a, "Name", "read_file", "Args", `{"path":"notes.txt"}`).Get("Data.content.0.text").String()
	if text != "survives" {
		t.Fatalf("file: %q", text)
	}
	for _, p := range []string{pid, frozenPid} {
		waitGone(t, p)
	}
	s.call("ResumeSessionAsync", "SessionId", b)
	s.waitStatus(b, "RUNNING")
	if out := s.shell(b, "echo alive"); out != "alive\n" {
		t.Fatalf("resumed session: %q", out)
	}

	// SIGTERM stops the server cleanly.
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, s.stderr.String())
	}
}

func TestGeneratedKeyAndTLS(t *testing.T) {
	bin := build(t)
	data := t.TempDir()
	s := launch(t, bin, data, "--tls")
	if s.key == "" || !strings.HasPrefix(s.endpoint, "https://") ||
		!strings.Contains(s.stdout.String(), filepath.Join(data, "cert.pem")) {
		t.Fatalf("start-up message: %s", s.stdout)
	}
}

// waitGone waits until process pid has ended (a zombie has ended).
func waitGone(t *testing.T, pid string) {
	t.Helper()
	for range 500 {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return
		}
		if f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %s of the killed server is still alive", pid)
}

func TestParseEmulation(t *testing.T) {
	t.Setenv("AGENTBAY_LOCAL_TLS", "")
	cfg, err := parse([]string{"--emulate-pause", "1.5s", "--emulate-delete", "1s-2s", "--emulate-seed", "3",
		"--fault", "GetSession=5xx:0.2", "--fault", "PauseSessionAsync=reset:1:after"})
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.opts.Emulate
	if e.Pause.Min != 1500*time.Millisecond || e.Delete.Min != time.Second || e.Delete.Max != 2*time.Second ||
		e.Create.Min != 0 || e.Seed != 3 || len(e.Faults) != 2 || e.Faults[1].String() != "PauseSessionAsync=reset:1:after" {
		t.Fatalf("%+v", e)
	}
	if got := describeEmulation(e); got != "pause 1.5s, delete 1s-2s, fault GetSession=5xx:0.2, fault PauseSessionAsync=reset:1:after" {
		t.Fatalf("describe: %q", got)
	}
	if describeEmulation(local.Emulation{}) != "" {
		t.Fatal("nothing emulated, nothing said")
	}
	for _, bad := range [][]string{{"--emulate-resume", "soon"}, {"--fault", "GetSession=5xx"}, {"--emulate-create", "2s-1s"}} {
		if _, err := parse(bad); err == nil {
			t.Fatalf("%v accepted", bad)
		}
	}
}
