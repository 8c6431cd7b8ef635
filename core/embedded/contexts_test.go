package embedded_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// Contexts through the engine on the real local backend: the service, a
// session created with a context mounted, and delete(syncContext) writing
// the session's changes back with autoUpload off.
func TestContexts(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)

	_, err := c.GetContext(ctx, "", false, "")
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
	_, err = c.GetContext(ctx, "missing", false, "")
	assert.Error(t, err)
	got, err := c.GetContext(ctx, "project", true, "")
	require.NoError(t, err)
	id := got.ContextID
	assert.Equal(t, "project", got.Context.Name)

	up, err := c.ContextFileURL(ctx, id, "/src/main.py", true)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPut, up.URL, strings.NewReader("print('hi')\n"))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	policy := json.RawMessage(`{"uploadPolicy":{"autoUpload":false}}`)
	created, err := c.Create(ctx, agentbay.CreateParams{ContextSyncs: []agentbay.ContextSync{
		{ContextID: id, Path: "/home/wuying/project", Policy: policy}}})
	require.NoError(t, err)
	s := created.Session
	info, err := s.ContextInfo(ctx, "", "", "")
	require.NoError(t, err)
	require.Len(t, info.ContextStatusData, 1)
	assert.Equal(t, "Success", info.ContextStatusData[0].Status)
	assert.Equal(t, "download", info.ContextStatusData[0].TaskType)

	r, err := s.ExecuteCommand(ctx, "cat ~/project/src/main.py && echo more > ~/project/new.txt", agentbay.CommandOptions{})
	require.NoError(t, err)
	require.True(t, r.Success, r.ErrorMessage)
	assert.Equal(t, "print('hi')\n", r.Stdout)

	listed, err := c.ListContexts(ctx, 0, "", s.ID())
	require.NoError(t, err)
	require.Len(t, listed.Contexts, 1)
	assert.Equal(t, id, listed.Contexts[0].ID)

	_, err = s.Delete(ctx, true) // uploads, though the policy does not
	require.NoError(t, err)
	files, err := c.ListContextFiles(ctx, id, "/", 1, 0)
	require.NoError(t, err)
	var names []string
	for _, f := range files.Entries {
		names = append(names, f.FileName)
	}
	assert.ElementsMatch(t, []string{"src", "new.txt"}, names)

	down, err := c.ContextFileURL(ctx, id, "new.txt", false)
	require.NoError(t, err)
	resp, err = http.Get(down.URL)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "more\n", string(body))

	_, err = c.UpdateContext(ctx, id, "renamed")
	require.NoError(t, err)
	_, err = c.ClearContext(ctx, id)
	require.NoError(t, err)
	files, err = c.ListContextFiles(ctx, id, "/", 1, 0)
	require.NoError(t, err)
	assert.Empty(t, files.Entries)
	_, err = c.DeleteContext(ctx, id)
	require.NoError(t, err)
	_, err = c.GetContext(ctx, "", false, id)
	assert.Error(t, err)
}

// BindContexts mounts a context in a running session and waits for its
// download; ListBindings shows it; a second bind at the same path fails.
func TestBindContexts(t *testing.T) {
	ctx := context.Background()
	c, s := newSession(t)
	got, err := c.GetContext(ctx, "bind-go", true, "")
	require.NoError(t, err)
	up, err := c.ContextFileURL(ctx, got.ContextID, "/b.txt", true)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPut, up.URL, strings.NewReader("bound"))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	none, err := s.ListBindings(ctx)
	require.NoError(t, err)
	assert.Empty(t, none.Bindings)
	_, err = s.BindContexts(ctx, nil, true)
	assert.ErrorContains(t, err, "No contexts provided")

	r, err := s.BindContexts(ctx, []agentbay.ContextSync{{ContextID: got.ContextID, Path: "/tmp/bound"}}, true)
	require.NoError(t, err)
	require.True(t, r.Success, r.ErrorMessage)
	read, err := s.ReadFile(ctx, "/tmp/bound/b.txt")
	require.NoError(t, err)
	assert.Equal(t, "bound", read.Content, "bind returns once the download is done")
	listed, err := s.ListBindings(ctx)
	require.NoError(t, err)
	require.Len(t, listed.Bindings, 1)
	b := listed.Bindings[0]
	assert.Equal(t, []string{got.ContextID, "bind-go", "/tmp/bound"}, []string{b.ContextID, b.ContextName, b.Path})
	assert.Contains(t, b.Policy, "uploadPolicy", "the default policy, as sent")
	assert.NotEmpty(t, b.BindTime)

	_, err = s.BindContexts(ctx, []agentbay.ContextSync{{ContextID: got.ContextID, Path: "/tmp/bound"}}, false)
	assert.ErrorContains(t, err, "mounted there already")
}
