package embedded_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/embedded"
)

// newClient makes a client on its own embedded backend, closed when the
// test ends.
func newClient(tb testing.TB) *agentbay.Client {
	tb.Helper()
	c, err := agentbay.New(context.Background(), agentbay.Config{Endpoint: agentbay.EmbeddedEndpoint, Embedded: embedded.Start})
	require.NoError(tb, err)
	tb.Cleanup(func() { c.Close() })
	return c
}

// newSession makes a client as newClient does and one session on it.
func newSession(tb testing.TB) (*agentbay.Client, *agentbay.Session) {
	tb.Helper()
	c := newClient(tb)
	created, err := c.Create(context.Background(), agentbay.CreateParams{})
	require.NoError(tb, err)
	return c, created.Session
}
