package agentbay

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Replies that are not what the service sends give a server error, not a
// silent empty or made-up answer.
func TestContextRepliesThatAreGarbage(t *testing.T) {
	api := newFakeAPI(t).
		on("DescribeSessionContexts", okReply(`{"ContextId": "c"}`)).
		on("GetAndLoadInternalContext", okReply(`[{"ContextPath": "/"}]`))
	s := newClient(t, api.URL()).Session("session-0001")
	_, err := s.ListBindings(testCtx(t))
	requireKind(t, err, KindServer)
	_, err = s.UploadFile(testCtx(t), "contexts_garbage_test.go", "/tmp/x", TransferOptions{})
	e := requireKind(t, err, KindServer)
	assert.Contains(t, e.Message, "no file_transfer context")
}
