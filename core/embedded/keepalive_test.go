package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// KeepAlive and IdleReleaseTimeout against the real local backend: a
// session with a one-second idle timeout is released by the backend, which
// GetStatus reports (FINISH, EndReason IdleTimeout); the test waits for
// that event, its deadline only bounds a hang. The clock's reset by calls
// is tested with a moved clock in core/local.
func TestKeepAliveAndIdleRelease(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)

	created, err := c.Create(ctx, agentbay.CreateParams{IdleReleaseTimeout: 1500 * time.Millisecond}) // sent as 2 s
	require.NoError(t, err)
	s := created.Session
	r, err := s.KeepAlive(ctx)
	require.NoError(t, err)
	assert.True(t, r.Success)
	assert.NotEmpty(t, r.RequestID)

	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := s.GetStatus(ctx)
		require.NoError(t, err)
		if st.Status == agentbay.StatusFinish {
			assert.Equal(t, "IdleTimeout", st.EndReason)
			break
		}
		require.True(t, time.Now().Before(deadline), "not released; status %s", st.Status)
		time.Sleep(20 * time.Millisecond)
	}
	_, err = s.KeepAlive(ctx)
	assert.Equal(t, agentbay.KindNotFound, agentbay.KindOf(err))
	assert.ErrorContains(t, err, "released after 2s without activity")
	_, err = c.Get(ctx, s.ID())
	assert.Equal(t, agentbay.KindNotFound, agentbay.KindOf(err))

	_, err = c.Create(ctx, agentbay.CreateParams{IdleReleaseTimeout: -time.Second})
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
}
