package embedded_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// Streamed output arrives in order, exactly once, and concatenates to the
// whole output; a chunk arrives while the command still runs: the command
// waits for a file that the test writes only once it has seen the first
// chunk.
func TestExecuteCommandStream(t *testing.T) {
	ctx := context.Background()
	c, s := newSession(t)
	for _, sess := range []*agentbay.Session{s, c.Session(s.ID())} { // LinkUrl /callTool, then CallMcpTool
		var out, errOut strings.Builder
		released := false
		r, err := sess.ExecuteCommandStream(ctx,
			`echo first; echo e1 >&2; while [ ! -e /tmp/go-ahead ]; do sleep 0.01; done; echo second; echo e2 >&2; exit 3`,
			agentbay.CommandOptions{}, func(stream string, data []byte) {
				if stream == "stdout" {
					out.Write(data)
				} else {
					errOut.Write(data)
				}
				if !released && strings.Contains(out.String(), "first\n") {
					released = true
					w, err := s.WriteFile(ctx, "/tmp/go-ahead", "", "overwrite")
					require.NoError(t, err)
					require.True(t, w.Success, w.ErrorMessage)
				}
			})
		require.NoError(t, err)
		assert.True(t, released, "a chunk came before the command ended")
		assert.Equal(t, "first\nsecond\n", out.String())
		assert.Equal(t, "e1\ne2\n", errOut.String())
		assert.Equal(t, 3, r.ExitCode)
		assert.False(t, r.Success)
		assert.Equal(t, "first\nsecond\n", r.Stdout)
		assert.Equal(t, "e1\ne2\n", r.Stderr)
		_, err = s.DeleteFile(ctx, "/tmp/go-ahead")
		require.NoError(t, err)
	}

	// A large output, cut anywhere by the chunks, with multi-byte text.
	var out strings.Builder
	chunks := 0
	r, err := s.ExecuteCommandStream(ctx, `seq 1 100000; for i in $(seq 1 2000); do printf 'é€😀'; done`,
		agentbay.CommandOptions{}, func(stream string, data []byte) {
			chunks++
			out.Write(data)
		})
	require.NoError(t, err)
	var want strings.Builder
	for i := 1; i <= 100000; i++ {
		fmt.Fprintf(&want, "%d\n", i)
	}
	want.WriteString(strings.Repeat("é€😀", 2000))
	assert.Equal(t, want.String(), out.String(), "%d chunks", chunks)
	assert.Equal(t, want.String(), r.Stdout)
	assert.True(t, r.Success)
}

// StartCommand, Wait and Kill; bad ids.
func TestStartCommand(t *testing.T) {
	ctx := context.Background()
	c, s := newSession(t)
	p, err := s.StartCommand(ctx, "echo hi; exit 7", agentbay.CommandOptions{})
	require.NoError(t, err)
	assert.NotEmpty(t, p.ID())
	r, err := p.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, 7, r.ExitCode)
	assert.Equal(t, "hi\n", r.Stdout)
	r2, err := p.Wait(ctx)
	require.NoError(t, err)
	assert.Same(t, r, r2, "the result is kept")
	// Another handle of the same session finds it by id.
	assert.Same(t, p, s.Process(p.ID()))

	p, err = s.StartCommand(ctx, "echo running; sleep 600", agentbay.CommandOptions{})
	require.NoError(t, err)
	require.NoError(t, p.Kill(ctx))
	r, err = p.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, 137, r.ExitCode)
	assert.False(t, r.Success)
	assert.Equal(t, "the command was killed", r.ErrorMessage)
	require.NoError(t, p.Kill(ctx), "killing an ended command does nothing")

	p, err = s.StartCommand(ctx, "sleep 30", agentbay.CommandOptions{Timeout: 200e6})
	require.NoError(t, err)
	r, err = p.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, 124, r.ExitCode)

	_, err = s.Process("cmd-999").Wait(ctx)
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
	assert.Contains(t, err.Error(), `no background command has id "cmd-999"`)
	err = c.Session(s.ID()).Process("nope").Kill(ctx)
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
	_, err = s.StartCommand(ctx, "", agentbay.CommandOptions{})
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
	_, err = s.StartCommand(ctx, "true", agentbay.CommandOptions{Cwd: "/nonexistent"})
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
}

// More output than a stream holds unread (1 MiB) flows through as it is
// read; the result keeps the first MiB. A background process that holds
// the pipes does not keep the command from ending.
func TestStreamLarge(t *testing.T) {
	ctx := context.Background()
	_, s := newSession(t)
	n := 0
	r, err := s.ExecuteCommandStream(ctx, `head -c 3000000 /dev/zero | tr '\0' a; (sleep 600 &)`, agentbay.CommandOptions{},
		func(stream string, data []byte) { n += len(data) })
	require.NoError(t, err)
	assert.Equal(t, 3000000, n)
	assert.True(t, r.Success)
	assert.Equal(t, strings.Repeat("a", 1<<20)+"\n[output truncated: 1951424 bytes omitted]", r.Stdout)
}
