package embedded_test

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/embedded"
)

// With no key and no endpoint anywhere, the client runs on a real local
// backend inside the process, and Close removes everything it made.
func TestEmbeddedDefault(t *testing.T) {
	t.Setenv("AGENTBAY_API_KEY", "")
	t.Setenv("AGENTBAY_ENDPOINT", "")
	t.Setenv("TMPDIR", t.TempDir())
	ctx := context.Background()

	c, err := agentbay.New(ctx, agentbay.Config{Embedded: embedded.Start})
	require.NoError(t, err)
	require.True(t, c.Embedded())
	require.True(t, strings.HasPrefix(c.Endpoint(), "http://127.0.0.1:"), c.Endpoint())

	r, err := c.Create(ctx, agentbay.CreateParams{Labels: map[string]string{"team": "a"}})
	require.NoError(t, err)
	out, err := r.Session.CallMcpTool(ctx, "shell", map[string]any{"command": "echo embedded", "timeout_ms": 5000}, agentbay.CallOptions{})
	require.NoError(t, err)
	require.True(t, out.Success)
	require.Contains(t, out.Data, `"stdout":"embedded\n"`)

	entries, err := os.ReadDir(os.Getenv("TMPDIR"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "one data folder while open")

	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")
	entries, err = os.ReadDir(os.Getenv("TMPDIR"))
	require.NoError(t, err)
	require.Empty(t, entries, "Close removes the data folder")

	_, err = c.Create(ctx, agentbay.CreateParams{})
	require.Equal(t, agentbay.KindInvalidHandle, agentbay.KindOf(err), "a closed client refuses calls")
}

// The explicit endpoint value "embedded" wins over a key in the environment.
func TestEmbeddedExplicit(t *testing.T) {
	t.Setenv("AGENTBAY_API_KEY", "akm-from-env-0123456789")
	c, err := agentbay.New(context.Background(), agentbay.Config{Endpoint: "embedded", Embedded: embedded.Start})
	require.NoError(t, err)
	defer c.Close()
	require.True(t, c.Embedded())
	_, err = c.List(context.Background(), agentbay.ListParams{})
	require.NoError(t, err)
}

// Starting the embedded backend says so in one line at Info; the server's
// own lines come at Debug.
func TestEmbeddedLogsOneLine(t *testing.T) {
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := agentbay.New(context.Background(), agentbay.Config{Endpoint: "embedded", Logger: log, Embedded: embedded.Start})
	require.NoError(t, err)
	_, err = c.Create(context.Background(), agentbay.CreateParams{})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 1, buf.String())
	require.Contains(t, lines[0], "embedded local backend")
}

// A process that exits without closing its client leaves its embedded data
// folder and its sessions' processes behind; the next embedded client
// sweeps both away.
func TestEmbeddedSweepsWhatCrashedProcessesLeft(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	bin := filepath.Join(t.TempDir(), "agentbay-local")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/agentbay-local")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	// A server on an embedded-style folder, with a background process in a
	// session, killed hard as a crashing host would be.
	dir := filepath.Join(tmp, "agentbay-embedded-crashed")
	srv := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data", dir, "--api-key", "akm-sweep-test-key")
	stdout, err := srv.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	endpoint := ""
	scan := bufio.NewScanner(stdout)
	for endpoint == "" && scan.Scan() {
		endpoint, _ = strings.CutPrefix(scan.Text(), "agentbay-local serving ")
	}
	require.NotEmpty(t, endpoint)
	ctx := context.Background()
	c, err := agentbay.New(ctx, agentbay.Config{Endpoint: endpoint, APIKey: "akm-sweep-test-key"})
	require.NoError(t, err)
	r, err := c.Create(ctx, agentbay.CreateParams{})
	require.NoError(t, err)
	const marker = "sleep 301.789"
	_, err = r.Session.CallMcpTool(ctx, "shell", map[string]any{"command": marker + " > /dev/null 2>&1 &", "timeout_ms": 5000}, agentbay.CallOptions{})
	require.NoError(t, err)
	c.Close()
	require.True(t, running(marker), "the background process runs")
	require.NoError(t, srv.Process.Kill())
	_ = srv.Wait()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(srv.Process.Pid)), 0o600))

	// The next embedded client cleans up.
	e, err := agentbay.New(ctx, agentbay.Config{Endpoint: "embedded", Embedded: embedded.Start})
	require.NoError(t, err)
	defer e.Close()
	e.Endpoint() // waits until the backend has started, which sweeps first
	_, err = os.Stat(dir)
	require.True(t, os.IsNotExist(err), "the crashed folder is gone: %v", err)
	require.False(t, running(marker), "the background process was killed")
}

// running reports whether a process whose command line contains s runs.
func running(s string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(strings.ReplaceAll(string(b), "\x00", " "), s) {
			return true
		}
	}
	return false
}

var bg = context.Background()

// TestEmbeddedKeyNeverLogged runs calls that succeed and calls that fail on
// the embedded backend with every log line on: its key is in no line and
// no error.
func TestEmbeddedKeyNeverLogged(t *testing.T) {
	logs := &syncBuffer{}
	var key string
	start := func(log *slog.Logger) (agentbay.Backend, error) {
		b, err := embedded.Start(log)
		if err == nil {
			key = b.APIKey()
		}
		return b, err
	}
	c, err := agentbay.New(bg, agentbay.Config{Endpoint: agentbay.EmbeddedEndpoint, Embedded: start,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	require.NoError(t, err)
	c.Endpoint() // started: key is set
	r, err := c.Create(bg, agentbay.CreateParams{Labels: map[string]string{"k": "v"}})
	require.NoError(t, err)
	s := r.Session
	var errs []error
	keep := func(_ any, err error) { errs = append(errs, err) }
	keep(s.CallMcpTool(bg, "shell", map[string]any{"command": "exit 3", "timeout_ms": 5000}, agentbay.CallOptions{}))
	keep(s.CallMcpTool(bg, "no_such_tool", nil, agentbay.CallOptions{}))
	keep(c.Session("session-none").GetLabels(bg))
	keep(s.GetLink(bg, "http", 30100, ""))
	keep(s.Pause(bg, agentbay.WaitOptions{}))
	keep(s.Delete(bg, false)) // paused: refused
	keep(s.Resume(bg, agentbay.WaitOptions{}))
	keep(s.Delete(bg, false))
	keep(s.Info(bg))
	require.NoError(t, c.Close())
	keep(c.List(bg, agentbay.ListParams{}))
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			assert.NotContains(t, err.Error(), key)
		}
	}
	assert.GreaterOrEqual(t, failed, 5, "%v", errs)
	assert.Contains(t, logs.String(), "agentbay call")
	assert.NotContains(t, logs.String(), key)
}

// syncBuffer is a strings.Builder safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// New never waits for the backend: calls made meanwhile wait for it, and
// then succeed.
func TestNewDoesNotWaitForTheBackend(t *testing.T) {
	release := make(chan struct{})
	slow := func(log *slog.Logger) (agentbay.Backend, error) {
		<-release
		return embedded.Start(log)
	}
	c, err := agentbay.New(bg, agentbay.Config{Endpoint: agentbay.EmbeddedEndpoint, Embedded: slow})
	require.NoError(t, err, "New returned while the backend was still held")
	defer c.Close()
	done := make(chan error, 1)
	go func() {
		_, err := c.List(bg, agentbay.ListParams{})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("List finished before the backend started: %v", err)
	default:
	}
	close(release)
	require.NoError(t, <-done)
	assert.True(t, strings.HasPrefix(c.Endpoint(), "http://127.0.0.1:"), c.Endpoint())
}

// A backend that cannot start fails every call with the reason, and the
// client still closes.
func TestBackendThatCannotStart(t *testing.T) {
	broken := func(*slog.Logger) (agentbay.Backend, error) { return nil, errors.New("no room") }
	c, err := agentbay.New(bg, agentbay.Config{Endpoint: agentbay.EmbeddedEndpoint, Embedded: broken})
	require.NoError(t, err)
	for range 2 {
		_, err = c.List(bg, agentbay.ListParams{})
		require.Equal(t, agentbay.KindInternal, agentbay.KindOf(err))
		assert.Contains(t, err.Error(), "no room")
	}
	assert.Equal(t, agentbay.EmbeddedEndpoint, c.Endpoint())
	require.NoError(t, c.Close())
}

// Without a Starter, the embedded endpoint is an error that says what to do.
func TestNoStarter(t *testing.T) {
	t.Setenv("AGENTBAY_API_KEY", "")
	t.Setenv("AGENTBAY_ENDPOINT", "")
	_, err := agentbay.New(bg, agentbay.Config{})
	require.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
	assert.Contains(t, err.Error(), "core/embedded")
}
