package agentbay_test

import (
	"context"
	"log/slog"
	"os"
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
