package agentbay_test

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// With no key and no endpoint anywhere, the client runs on a real local
// backend inside the process, and Close removes everything it made.
func TestEmbeddedDefault(t *testing.T) {
	t.Setenv("AGENTBAY_API_KEY", "")
	t.Setenv("AGENTBAY_ENDPOINT", "")
	t.Setenv("TMPDIR", t.TempDir())
	ctx := context.Background()

	c, err := agentbay.New(ctx, agentbay.Config{})
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
	require.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err), "a closed client refuses calls")
}

// The explicit endpoint value "embedded" wins over a key in the environment.
func TestEmbeddedExplicit(t *testing.T) {
	t.Setenv("AGENTBAY_API_KEY", "akm-from-env-0123456789")
	c, err := agentbay.New(context.Background(), agentbay.Config{Endpoint: "embedded"})
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
	c, err := agentbay.New(context.Background(), agentbay.Config{Endpoint: "embedded", Logger: log})
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
	e, err := agentbay.New(ctx, agentbay.Config{Endpoint: "embedded"})
	require.NoError(t, err)
	defer e.Close()
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
