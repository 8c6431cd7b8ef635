package embedded_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// RunCode against the real local backend: output, an exception, a
// timeout, refused languages and a session that is gone.
func TestRunCode(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	ctx := context.Background()
	_, s := newSession(t)

	r, err := s.RunCode(ctx, "print(6 * 7)", "Python3", agentbay.CodeOptions{})
	require.NoError(t, err)
	require.True(t, r.Success, r.ErrorMessage)
	assert.Equal(t, []string{"42\n"}, r.Logs.Stdout)
	assert.Equal(t, "42\n", r.Text)
	assert.Nil(t, r.Error)
	assert.NotNil(t, r.ExecutionCount)
	assert.NotEmpty(t, r.RequestID)

	r, err = s.RunCode(ctx, "print('before')\n1/0", "python", agentbay.CodeOptions{})
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Equal(t, "ZeroDivisionError: division by zero", r.ErrorMessage)
	require.NotNil(t, r.Error)
	assert.Equal(t, "ZeroDivisionError: division by zero", r.Error.Value)
	assert.Equal(t, []string{"before\n"}, r.Logs.Stdout)

	r, err = s.RunCode(ctx, "import time\nprint('started', flush=True)\ntime.sleep(30)", "py", agentbay.CodeOptions{Timeout: time.Second})
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Contains(t, r.ErrorMessage, "timed out")

	if _, err := exec.LookPath("node"); err == nil {
		r, err = s.RunCode(ctx, "console.log([1, 2].map(x => x * 2).join(','))", "js", agentbay.CodeOptions{})
		require.NoError(t, err)
		require.True(t, r.Success, r.ErrorMessage)
		assert.Equal(t, "2,4\n", r.Text)
	}

	// r and java are the official SDKs' languages; the local backend says it has neither.
	r, err = s.RunCode(ctx, "print(1)", "r", agentbay.CodeOptions{})
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Contains(t, r.ErrorMessage, "not supported by local sessions")

	_, err = s.RunCode(ctx, "puts 1", "ruby", agentbay.CodeOptions{})
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
	_, err = s.RunCode(ctx, " ", "python", agentbay.CodeOptions{})
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))

	_, err = s.Delete(ctx, false)
	require.NoError(t, err)
	_, err = s.RunCode(ctx, "print(1)", "python", agentbay.CodeOptions{})
	assert.Equal(t, agentbay.KindNotFound, agentbay.KindOf(err), "%v", err)
}
