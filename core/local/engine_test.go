package local_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/local"
)

// TestEngineLifecycle drives the server through the project's own client
// engine, over http and https, for a whole session lifecycle.
func TestEngineLifecycle(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		name := map[bool]string{false: "http", true: "https"}[useTLS]
		t.Run(name, func(t *testing.T) { engineLifecycle(t, useTLS) })
	}
}

func engineLifecycle(t *testing.T, useTLS bool) {
	c := start(t, local.Options{TLS: useTLS})
	cfg := agentbay.Config{APIKey: testKey, Endpoint: c.srv.Endpoint(), Timeout: 30 * time.Second}
	if useTLS {
		pem, err := os.ReadFile(c.srv.CertFile())
		if err != nil {
			t.Fatal(err)
		}
		cfg.RootCAs = x509.NewCertPool()
		cfg.RootCAs.AppendCertsFromPEM(pem)
	}
	ctx := context.Background()
	client, err := agentbay.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	created, err := client.Create(ctx, agentbay.CreateParams{ImageID: "linux_latest", Labels: map[string]string{"env": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	s := created.Session

	// Tools, through the LinkUrl route (the session came from Create).
	res, err := s.CallMcpTool(ctx, "shell", map[string]any{"command": "echo hi", "timeout_ms": 5000}, agentbay.CallOptions{})
	if err != nil || !res.Success {
		t.Fatalf("shell: %+v %v", res, err)
	}
	var out struct {
		Stdout   string `json:"stdout"`
		ExitCode int    `json:"exit_code"`
	}
	if json.Unmarshal([]byte(res.Data), &out); out.Stdout != "hi\n" {
		t.Fatalf("shell output %q", res.Data)
	}
	res, err = s.CallMcpTool(ctx, "shell", map[string]any{"command": "exit 3", "timeout_ms": 5000}, agentbay.CallOptions{})
	if err != nil || res.Success || !strings.Contains(res.ErrorMessage, `"errorCode":3`) {
		t.Fatalf("failing shell: %+v %v", res, err)
	}
	if _, err := s.CallMcpTool(ctx, "write_file", map[string]any{"path": "/tmp/e.txt", "content": "engine"}, agentbay.CallOptions{}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.CallMcpTool(ctx, "read_file", map[string]any{"path": "/tmp/e.txt"}, agentbay.CallOptions{}); err != nil || res.Data != "engine" {
		t.Fatalf("read_file: %+v %v", res, err)
	}

	if _, err := s.SetLabels(ctx, map[string]string{"env": "prod", "k": "v"}); err != nil {
		t.Fatal(err)
	}
	labels, err := s.GetLabels(ctx)
	if err != nil || labels.Labels["env"] != "prod" || labels.Labels["k"] != "v" {
		t.Fatalf("labels: %+v %v", labels, err)
	}
	info, err := s.Info(ctx)
	if err != nil || info.Info.SessionID != s.ID() || info.Info.ResourceType != "AIAgent" {
		t.Fatalf("info: %+v %v", info, err)
	}
	link, err := s.GetLink(ctx, "https", 30150, "")
	if err != nil || !strings.Contains(link.URL, "/link/"+s.ID()+"/30150/") {
		t.Fatalf("link: %+v %v", link, err)
	}
	tools, err := s.ListMcpTools(ctx, "")
	if err != nil || len(tools.Tools) != 17 {
		t.Fatalf("tools: %+v %v", tools, err)
	}
	list, err := client.List(ctx, agentbay.ListParams{Labels: map[string]string{"env": "prod"}, Status: agentbay.StatusRunning})
	if err != nil || len(list.Sessions) != 1 || list.Sessions[0].SessionID != s.ID() || list.TotalCount != 1 {
		t.Fatalf("list: %+v %v", list, err)
	}

	// Pause, and what a paused session refuses.
	wait := agentbay.WaitOptions{Timeout: 30 * time.Second, PollInterval: 100 * time.Millisecond}
	if r, err := s.Pause(ctx, wait); err != nil || r.Status != agentbay.StatusPaused {
		t.Fatalf("pause: %+v %v", r, err)
	}
	_, err = s.CallMcpTool(ctx, "shell", map[string]any{"command": "true"}, agentbay.CallOptions{})
	if agentbay.KindOf(err) != agentbay.KindConflict {
		t.Fatalf("tool on a paused session: %v (kind %q)", err, agentbay.KindOf(err))
	}
	if _, err := s.Delete(ctx, false); agentbay.KindOf(err) != agentbay.KindConflict {
		t.Fatalf("delete of a paused session: %v", err)
	}
	if r, err := s.Resume(ctx, wait); err != nil || r.Status != agentbay.StatusRunning {
		t.Fatalf("resume: %+v %v", r, err)
	}

	// A session found by id uses the CallMcpTool action.
	got, err := client.Get(ctx, s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if res, err := got.Session.CallMcpTool(ctx, "read_file", map[string]any{"path": "/tmp/e.txt"}, agentbay.CallOptions{}); err != nil || res.Data != "engine" {
		t.Fatalf("read_file through Get: %+v %v", res, err)
	}

	if _, err := s.Delete(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetStatus(ctx); agentbay.KindOf(err) != agentbay.KindNotFound {
		t.Fatalf("status after delete: %v", err)
	}
	if _, err := client.Get(ctx, s.ID()); agentbay.KindOf(err) != agentbay.KindNotFound {
		t.Fatalf("get after delete: %v", err)
	}

	bad, err := agentbay.New(ctx, agentbay.Config{APIKey: "wrong", Endpoint: c.srv.Endpoint(), RootCAs: cfg.RootCAs})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.List(ctx, agentbay.ListParams{}); agentbay.KindOf(err) != agentbay.KindUnauthorized {
		t.Fatalf("wrong key: %v", err)
	}
}
