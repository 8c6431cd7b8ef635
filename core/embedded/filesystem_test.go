package embedded_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// Large files go in chunks through both routes: the LinkUrl of a created
// session and the API of one found by Get. The content is bigger than the
// backend returns in one call, and its multi-byte characters straddle
// chunk boundaries.
func TestFileRoundTripInChunks(t *testing.T) {
	ctx := context.Background()
	c, linked := newSession(t)
	found, err := c.Get(ctx, linked.ID())
	require.NoError(t, err)
	text := strings.Repeat("añb€c😀", 100000) // 1.4 MB, characters of 1 to 4 bytes
	for name, s := range map[string]*agentbay.Session{"link": linked, "api": found.Session} {
		path := "/tmp/big-" + name + ".txt"
		w, err := s.WriteFile(ctx, path, text, "")
		require.NoError(t, err, name)
		require.True(t, w.Success, "%s: %s", name, w.ErrorMessage)
		assert.True(t, w.Data)

		r, err := s.ReadFile(ctx, path)
		require.NoError(t, err, name)
		require.True(t, r.Success, "%s: %s", name, r.ErrorMessage)
		assert.Equal(t, len(text), len(r.Content), name)
		assert.True(t, r.Content == text, name)

		b, err := s.ReadFileBytes(ctx, path)
		require.NoError(t, err, name)
		assert.Equal(t, len(text), b.Size, name)
		assert.True(t, bytes.Equal([]byte(text), b.Content), name)
	}
}

func TestFileOperations(t *testing.T) {
	ctx := context.Background()
	_, s := newSession(t)
	ok := func(r *agentbay.BoolResult, err error) {
		t.Helper()
		require.NoError(t, err)
		require.True(t, r.Success, r.ErrorMessage)
		assert.True(t, r.Data)
	}
	ok(s.CreateDirectory(ctx, "/tmp/w/sub/deeper"))
	ok(s.WriteFile(ctx, "/tmp/w/a.txt", "one\n", "overwrite"))
	ok(s.WriteFile(ctx, "/tmp/w/a.txt", "two\n", "append"))
	ok(s.WriteFile(ctx, "/tmp/w/sub/b.py", "print(1)\n", ""))
	ok(s.WriteFile(ctx, "/tmp/w/empty.txt", "", ""))

	r, err := s.ReadFile(ctx, "/tmp/w/a.txt")
	require.NoError(t, err)
	assert.Equal(t, "one\ntwo\n", r.Content)
	r, err = s.ReadFile(ctx, "/tmp/w/empty.txt")
	require.NoError(t, err)
	assert.True(t, r.Success)
	assert.Equal(t, "", r.Content)

	info, err := s.GetFileInfo(ctx, "/tmp/w/a.txt")
	require.NoError(t, err)
	require.True(t, info.Success)
	assert.Equal(t, int64(8), info.FileInfo["size"])
	assert.Equal(t, false, info.FileInfo["isDirectory"])
	assert.Equal(t, "a.txt", info.FileInfo["name"])

	list, err := s.ListDirectory(ctx, "/tmp/w")
	require.NoError(t, err)
	require.True(t, list.Success)
	assert.ElementsMatch(t, []agentbay.DirectoryEntry{
		{Name: "a.txt"}, {Name: "empty.txt"}, {Name: "sub", IsDirectory: true}}, list.Entries)

	edit, err := s.EditFile(ctx, "/tmp/w/a.txt", []agentbay.Edit{{OldText: "two", NewText: "2"}}, true)
	require.NoError(t, err)
	require.True(t, edit.Success, edit.ErrorMessage)
	assert.Contains(t, edit.Diff, "-two")
	assert.Contains(t, edit.Diff, "+2")
	r, _ = s.ReadFile(ctx, "/tmp/w/a.txt")
	assert.Equal(t, "one\ntwo\n", r.Content, "a dry run leaves the file")
	edit, err = s.EditFile(ctx, "/tmp/w/a.txt", []agentbay.Edit{{OldText: "two", NewText: "2"}}, false)
	require.NoError(t, err)
	require.True(t, edit.Success)
	r, _ = s.ReadFile(ctx, "/tmp/w/a.txt")
	assert.Equal(t, "one\n2\n", r.Content)
	edit, err = s.EditFile(ctx, "/tmp/w/a.txt", []agentbay.Edit{{OldText: "absent", NewText: "x"}}, false)
	require.NoError(t, err)
	assert.False(t, edit.Success)
	assert.Contains(t, edit.ErrorMessage, "not found")

	multi, err := s.ReadMultipleFiles(ctx, []string{"/tmp/w/a.txt", "/tmp/w/sub/b.py", "/tmp/w/none"})
	require.NoError(t, err)
	require.True(t, multi.Success)
	assert.Equal(t, "one\n2", multi.Contents["/tmp/w/a.txt"])
	assert.Equal(t, "print(1)", multi.Contents["/tmp/w/sub/b.py"])
	assert.Contains(t, multi.Contents["/tmp/w/none"], "Error - No such file or directory")

	found, err := s.SearchFiles(ctx, "/tmp/w", "*.py", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"/tmp/w/sub/b.py"}, found.Matches)
	found, err = s.SearchFiles(ctx, "/tmp/w", "*", []string{"sub", "empty*"})
	require.NoError(t, err)
	assert.Equal(t, []string{"/tmp/w/a.txt"}, found.Matches)
	found, err = s.SearchFiles(ctx, "/tmp/w", "*.zip", nil)
	require.NoError(t, err)
	assert.True(t, found.Success)
	assert.Empty(t, found.Matches)

	ok(s.MoveFile(ctx, "/tmp/w/a.txt", "/tmp/w/sub/c.txt"))
	mv, err := s.MoveFile(ctx, "/tmp/w/empty.txt", "/tmp/w/sub/c.txt")
	require.NoError(t, err)
	assert.False(t, mv.Success, "an existing destination is refused")
	ok(s.DeleteFile(ctx, "/tmp/w/sub/c.txt"))
	r, err = s.ReadFile(ctx, "/tmp/w/sub/c.txt")
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Contains(t, r.ErrorMessage, "No such file or directory")
	r, err = s.ReadFile(ctx, "/tmp/w/sub")
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Equal(t, "Path does not exist or is a directory: /tmp/w/sub", r.ErrorMessage)
}

// Paths outside the session, bad arguments and bytes that are not text.
func TestFileRefusals(t *testing.T) {
	ctx := context.Background()
	_, s := newSession(t)
	r, err := s.ReadFile(ctx, "/../../../etc/hostname")
	require.NoError(t, err)
	assert.False(t, r.Success) // "/.." stays at the session's root: no such file there

	w, err := s.WriteFile(ctx, "/tmp/x", "y", "truncate")
	assert.Nil(t, w)
	assert.Equal(t, agentbay.KindInvalidArgument, agentbay.KindOf(err))
	assert.Contains(t, err.Error(), "Invalid write mode: truncate. Must be 'overwrite' or 'append'.")
	_, err = s.WriteFile(ctx, "", "y", "")
	assert.Contains(t, err.Error(), "path is required")
	_, err = s.SearchFiles(ctx, "/tmp", "x", []string{"a,b"})
	assert.Contains(t, err.Error(), "has a comma")
	_, err = s.EditFile(ctx, "/tmp/x", nil, false)
	assert.Contains(t, err.Error(), "edits must not be empty")

	cmd, err := s.ExecuteCommand(ctx, `printf '\xff\xfe' > /tmp/bin`, agentbay.CommandOptions{})
	require.NoError(t, err)
	require.True(t, cmd.Success)
	r, err = s.ReadFile(ctx, "/tmp/bin")
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Contains(t, r.ErrorMessage, "not UTF-8 text")
	b, err := s.ReadFileBytes(ctx, "/tmp/bin")
	require.NoError(t, err)
	assert.Equal(t, []byte{0xff, 0xfe}, b.Content)
}

// Host files go in and out through the session's file-transfer context, as
// the official SDKs move them; that context is not listed.
func TestUploadDownload(t *testing.T) {
	ctx := context.Background()
	c, s := newSession(t)
	dir := t.TempDir()
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(i*7 + i/1000)
	}
	local := filepath.Join(dir, "in.bin")
	require.NoError(t, os.WriteFile(local, data, 0o600))

	up, err := s.UploadFile(ctx, local, "/tmp/up/in.bin", agentbay.TransferOptions{})
	require.NoError(t, err)
	require.True(t, up.Success, up.ErrorMessage)
	assert.Equal(t, int64(len(data)), up.BytesSent)
	assert.Equal(t, 200, up.HTTPStatus)
	got, err := s.ReadFileBytes(ctx, "/tmp/up/in.bin")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got.Content))

	ok, err := s.EditFile(ctx, "/tmp/up/in.bin", []agentbay.Edit{{OldText: string(data[:10]), NewText: "edited"}}, false)
	require.NoError(t, err)
	require.True(t, ok.Success, ok.ErrorMessage)
	out := filepath.Join(dir, "out.bin")
	down, err := s.DownloadFile(ctx, "/tmp/up/in.bin", out, false, agentbay.TransferOptions{})
	require.NoError(t, err)
	require.True(t, down.Success, down.ErrorMessage)
	back, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, append([]byte("edited"), data[10:]...), back)
	assert.Equal(t, int64(len(back)), down.BytesReceived)

	_, err = s.DownloadFile(ctx, "/tmp/up/in.bin", out, false, agentbay.TransferOptions{})
	assert.ErrorContains(t, err, "exists and overwrite is false")
	missing, err := s.DownloadFile(ctx, "/tmp/none", filepath.Join(dir, "none"), true, agentbay.TransferOptions{})
	require.NoError(t, err)
	assert.False(t, missing.Success)
	assert.Contains(t, missing.ErrorMessage, "no such file")
	_, err = s.UploadFile(ctx, filepath.Join(dir, "absent"), "/tmp/x", agentbay.TransferOptions{})
	assert.ErrorContains(t, err, "Local file not found")
	_, err = s.UploadFile(ctx, local, "relative/x", agentbay.TransferOptions{})
	assert.ErrorContains(t, err, "remote_path must be the absolute path")

	listed, err := c.ListContexts(ctx, 100, "", "")
	require.NoError(t, err)
	for _, x := range listed.Contexts {
		assert.NotContains(t, x.Name, "file-transfer", "the file-transfer context is internal")
	}
}

// GetFileChange: the first call takes the baseline, the next reports what
// changed since, in the official event shape.
func TestGetFileChange(t *testing.T) {
	ctx := context.Background()
	_, s := newSession(t)
	_, err := s.CreateDirectory(ctx, "/tmp/w")
	require.NoError(t, err)
	first, err := s.GetFileChange(ctx, "/tmp/w")
	require.NoError(t, err)
	require.True(t, first.Success, first.ErrorMessage)
	assert.Empty(t, first.Events)
	_, err = s.WriteFile(ctx, "/tmp/w/a.txt", "1", "")
	require.NoError(t, err)
	next, err := s.GetFileChange(ctx, "/tmp/w")
	require.NoError(t, err)
	assert.Equal(t, []agentbay.FileChangeEvent{{EventType: "create", Path: "/tmp/w/a.txt", PathType: "file"}}, next.Events)
	_, err = s.DeleteFile(ctx, "/tmp/w/a.txt")
	require.NoError(t, err)
	gone, err := s.GetFileChange(ctx, "/tmp/w")
	require.NoError(t, err)
	assert.Equal(t, []agentbay.FileChangeEvent{{EventType: "delete", Path: "/tmp/w/a.txt", PathType: "file"}}, gone.Events)
	missing, err := s.GetFileChange(ctx, "/tmp/none")
	require.NoError(t, err)
	assert.False(t, missing.Success)
}
