package agentbay

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A session whose tool list lacks the background tools (the cloud's) says
// so at once; a server's "no such tool" texts are recognised.
func TestStartCommandUnsupported(t *testing.T) {
	s := &Session{id: "s-1", servers: map[string]string{"shell": "wuying_shell"}}
	_, err := s.StartCommand(context.Background(), "true", CommandOptions{})
	assert.Equal(t, KindUnsupported, KindOf(err), "%v", err)
	assert.Contains(t, err.Error(), "not supported by this server")
	for _, msg := range []string{`unknown tool "shell_start"; see ListMcpTools`, "Tool shell_output not found",
		"tool does not exist", "Invalid tool name"} {
		assert.True(t, unknownTool.MatchString(msg), msg)
	}
	assert.False(t, unknownTool.MatchString("no background command has id \"x\" in this session"))
}
