package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// ExecuteCommand against the real local backend: the official result for
// success, a non-zero exit, cwd and envs, a timeout, and a session that is
// gone.
func TestExecuteCommand(t *testing.T) {
	ctx := context.Background()
	_, s := newSession(t)

	r, err := s.ExecuteCommand(ctx, "echo out; echo err >&2", agentbay.CommandOptions{})
	require.NoError(t, err)
	assert.True(t, r.Success)
	assert.Equal(t, 0, r.ExitCode)
	assert.Equal(t, "out\n", r.Stdout)
	assert.Equal(t, "err\n", r.Stderr)
	assert.Equal(t, "out\nerr\n", r.Output)
	assert.NotEmpty(t, r.RequestID)

	r, err = s.ExecuteCommand(ctx, "echo partial; echo why >&2; exit 5", agentbay.CommandOptions{})
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Equal(t, 5, r.ExitCode)
	assert.Equal(t, "partial\n", r.Stdout)
	assert.Equal(t, "why\n", r.ErrorMessage)

	r, err = s.ExecuteCommand(ctx, `echo "$A-$B"; pwd`, agentbay.CommandOptions{
		Cwd: "/tmp", Envs: map[string]string{"A": "one", "B": "two"}})
	require.NoError(t, err)
	require.True(t, r.Success, r.ErrorMessage)
	assert.Contains(t, r.Stdout, "one-two\n")
	assert.Contains(t, r.Stdout, "/tmp")

	r, err = s.ExecuteCommand(ctx, "echo started; sleep 30", agentbay.CommandOptions{Timeout: 300 * time.Millisecond})
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Equal(t, 124, r.ExitCode, "the local backend's timeout code")
	assert.Equal(t, "started\n", r.Stdout)

	_, err = s.ExecuteCommand(ctx, "", agentbay.CommandOptions{})
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))

	_, err = s.Delete(ctx, false)
	require.NoError(t, err)
	_, err = s.ExecuteCommand(ctx, "true", agentbay.CommandOptions{})
	assert.Equal(t, agentbay.KindNotFound, agentbay.KindOf(err), "%v", err)
}
