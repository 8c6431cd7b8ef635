package local_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/local"
)

func mounts(contextID, path, policy string) string {
	b, _ := json.Marshal([]map[string]string{{"ContextId": contextID, "Path": path, "Policy": policy}})
	return string(b)
}

// contextStatus decodes GetContextInfo's ContextStatus (a JSON string of
// [{type, data: JSON string of tasks}]) into its tasks.
func contextStatus(t *testing.T, d gjson.Result) []gjson.Result {
	t.Helper()
	outer := gjson.Parse(d.Get("Data.ContextStatus").String())
	var tasks []gjson.Result
	for _, item := range outer.Array() {
		if item.Get("type").String() != "data" {
			t.Fatalf("item %s", item.Raw)
		}
		tasks = append(tasks, gjson.Parse(item.Get("data").String()).Array()...)
	}
	return tasks
}

// The context service: get with create, list, rename, files through
// presigned URLs, listing files, deleting a file, clear, delete.
func TestContextService(t *testing.T) {
	c := start(t, local.Options{})
	c.fail("InvalidParameter.ContextNotFound", "GetContext", "Name", "docs")
	ctx := c.call("GetContext", "Name", "docs", "AllowCreate", "true").Get("Data")
	id := ctx.Get("Id").String()
	if !strings.HasPrefix(id, "ctx-") || ctx.Get("Name").String() != "docs" || ctx.Get("State").String() != "available" {
		t.Fatalf("context %s", ctx.Raw)
	}
	if again := c.call("GetContext", "Name", "docs", "AllowCreate", "true").Get("Data.Id").String(); again != id {
		t.Fatalf("a second get with create made %s, want %s", again, id)
	}
	if byID := c.call("GetContext", "ContextId", id).Get("Data.Name").String(); byID != "docs" {
		t.Fatalf("by id: %s", byID)
	}
	c.call("GetContext", "Name", "other", "AllowCreate", "true")
	listed := c.call("ListContexts", "MaxResults", "1")
	if listed.Get("Data.#").Int() != 1 || listed.Get("TotalCount").Int() != 2 || listed.Get("NextToken").String() == "" {
		t.Fatalf("list page 1: %s", listed.Raw)
	}
	next := c.call("ListContexts", "MaxResults", "1", "NextToken", listed.Get("NextToken").String())
	if next.Get("Data.0.Name").String() != "other" || next.Get("NextToken").String() != "" {
		t.Fatalf("list page 2: %s", next.Raw)
	}
	c.fail("InvalidParameter.ContextNameExists", "ModifyContext", "Id", id, "Name", "other")
	c.call("ModifyContext", "Id", id, "Name", "docs2")

	up := c.call("GetContextFileUploadUrl", "ContextId", id, "FilePath", "/notes/a.txt").Get("Data")
	if up.Get("ExpireTime").Int() == 0 {
		t.Fatalf("upload url %s", up.Raw)
	}
	c.putURL(up.Get("Url").String(), "hello context")
	down := c.call("GetContextFileDownloadUrl", "ContextId", id, "FilePath", "notes/a.txt").Get("Data.Url").String()
	if got := c.getURL(down, http.StatusOK); got != "hello context" {
		t.Fatalf("downloaded %q", got)
	}
	files := c.call("DescribeContextFiles", "ContextId", id, "ParentFolderPath", "/notes")
	if files.Get("Data.0.FileName").String() != "a.txt" || files.Get("Data.0.Size").Int() != 13 ||
		files.Get("Data.0.FileType").String() != "file" || files.Get("Count").Int() != 1 {
		t.Fatalf("files %s", files.Raw)
	}
	root := c.call("DescribeContextFiles", "ContextId", id, "ParentFolderPath", "/")
	if root.Get("Data.0.FileType").String() != "folder" {
		t.Fatalf("root %s", root.Raw)
	}
	c.fail("InvalidParameter", "GetContextFileUploadUrl", "ContextId", id, "FilePath", "/")
	c.call("DeleteContextFile", "ContextId", id, "FilePath", "/notes/a.txt")
	c.getURL(down, http.StatusNotFound)

	c.putURL(c.call("GetContextFileUploadUrl", "ContextId", id, "FilePath", "b.txt").Get("Data.Url").String(), "b")
	c.call("ClearContext", "Id", id)
	if n := c.call("DescribeContextFiles", "ContextId", id, "ParentFolderPath", "/").Get("Count").Int(); n != 0 {
		t.Fatalf("%d files after clear", n)
	}
	c.call("DeleteContext", "Id", id)
	c.fail("InvalidParameter.ContextNotFound", "GetContext", "ContextId", id)
	c.getURL(down, http.StatusNotFound)
}

// A session created with a context mounted gets its content at the path;
// GetContextInfo reports the download as Success (what the official SDK
// waits for); SyncContext and the session's end write it back.
func TestContextSync(t *testing.T) {
	c := start(t, local.Options{})
	id := c.call("GetContext", "Name", "work", "AllowCreate", "true").Get("Data.Id").String()
	c.putURL(c.call("GetContextFileUploadUrl", "ContextId", id, "FilePath", "/seed.txt").Get("Data.Url").String(), "seed")

	s := c.create("PersistenceDataList", mounts(id, "/home/wuying/work", `{"uploadPolicy":{"autoUpload":true}}`))
	if got := c.shell(s, "cat /home/wuying/work/seed.txt 2>/dev/null || cat $HOME/work/seed.txt"); got != "seed" {
		t.Fatalf("the mounted context has %q", got)
	}
	tasks := contextStatus(t, c.call("GetContextInfo", "SessionId", s))
	if len(tasks) != 1 || tasks[0].Get("contextId").String() != id || tasks[0].Get("status").String() != "Success" ||
		tasks[0].Get("taskType").String() != "download" || tasks[0].Get("path").String() != "/home/wuying/work" {
		t.Fatalf("tasks %v", tasks)
	}
	c.tool(s, "write_file", map[string]any{"path": "/home/wuying/work/new.txt", "content": "made in the session"})
	c.call("SyncContext", "SessionId", s, "ContextId", id, "Path", "/home/wuying/work", "Mode", "upload")
	up := contextStatus(t, c.call("GetContextInfo", "SessionId", s, "TaskType", "upload"))
	if len(up) != 1 || up[0].Get("status").String() != "Success" {
		t.Fatalf("upload tasks %v", up)
	}
	if n := c.call("DescribeContextFiles", "ContextId", id, "ParentFolderPath", "/").Get("Count").Int(); n != 2 {
		t.Fatalf("%d files after the sync, want 2", n)
	}

	// The session's end uploads (autoUpload), after a change made since.
	c.tool(s, "write_file", map[string]any{"path": "/home/wuying/work/last.txt", "content": "last"})
	c.call("ReleaseMcpSession", "SessionId", s)
	down := c.call("GetContextFileDownloadUrl", "ContextId", id, "FilePath", "/last.txt").Get("Data.Url").String()
	if got := c.getURL(down, http.StatusOK); got != "last" {
		t.Fatalf("after release: %q", got)
	}

	// Another session sees it all; without autoUpload its changes stay its own.
	s2 := c.create("PersistenceDataList", mounts(id, "/tmp/w", `{"uploadPolicy":{"autoUpload":false}}`))
	if got := c.shell(s2, "ls /tmp/w 2>/dev/null | tr '\\n' ' '"); got != "last.txt new.txt seed.txt " {
		t.Fatalf("second session sees %q", got)
	}
	c.tool(s2, "write_file", map[string]any{"path": "/tmp/w/scratch.txt", "content": "x"})
	c.call("ReleaseMcpSession", "SessionId", s2)
	if n := c.call("DescribeContextFiles", "ContextId", id, "ParentFolderPath", "/").Get("Count").Int(); n != 3 {
		t.Fatalf("%d files, want 3: autoUpload false uploaded", n)
	}

	// A context that does not exist: the session is made, its download failed.
	s3 := c.create("PersistenceDataList", mounts("ctx-nope", "/tmp/x", ""))
	failed := contextStatus(t, c.call("GetContextInfo", "SessionId", s3))
	if len(failed) != 1 || failed[0].Get("status").String() != "Failed" || failed[0].Get("errorMessage").String() == "" {
		t.Fatalf("missing context: %v", failed)
	}
	c.fail("InvalidParameter", "CreateMcpSession", "ImageId", "linux_latest", "PersistenceDataList", mounts("", "/tmp/x", ""))
	c.fail("InvalidParameter", "CreateMcpSession", "ImageId", "linux_latest", "PersistenceDataList", mounts(id, "/etc", ""))
	c.fail("InvalidParameter", "CreateMcpSession", "ImageId", "linux_latest", "PersistenceDataList", "{not json")
}

// Contexts outlive the server, and a sync cut short between its two renames
// leaves the context with its last complete content.
func TestContextsSurviveRestartAndCutSyncs(t *testing.T) {
	dir := t.TempDir()
	c := start(t, local.Options{DataDir: dir})
	id := c.call("GetContext", "Name", "keep", "AllowCreate", "true").Get("Data.Id").String()
	c.putURL(c.call("GetContextFileUploadUrl", "ContextId", id, "FilePath", "/a.txt").Get("Data.Url").String(), "complete")
	if err := c.srv.Close(); err != nil {
		t.Fatal(err)
	}
	// As if killed after files/ became files.old and before the new content
	// was renamed into place, with a half-built folder left.
	base := filepath.Join(dir, "contexts", id)
	if err := os.Rename(filepath.Join(base, "files"), filepath.Join(base, "files.old")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(base, ".build-123", "half"), 0o700); err != nil {
		t.Fatal(err)
	}
	c2 := start(t, local.Options{DataDir: dir})
	down := c2.call("GetContextFileDownloadUrl", "ContextId", id, "FilePath", "/a.txt").Get("Data.Url").String()
	if got := c2.getURL(down, http.StatusOK); got != "complete" {
		t.Fatalf("after the cut sync: %q", got)
	}
	if _, err := os.Stat(filepath.Join(base, ".build-123")); !os.IsNotExist(err) {
		t.Fatalf("the half-built folder is still there: %v", err)
	}
	if got := c2.call("GetContext", "Name", "keep").Get("Data.Id").String(); got != id {
		t.Fatalf("after restart: %s", got)
	}
}

func (c *client) httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: c.tls}}
}

func (c *client) putURL(u, body string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPut, u, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		c.t.Fatalf("PUT %s: %d %s", u, resp.StatusCode, b)
	}
}

func (c *client) getURL(u string, want int) string {
	c.t.Helper()
	resp, err := c.httpClient().Get(u)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("GET %s: %d %s, want %d", u, resp.StatusCode, b, want)
	}
	return string(b)
}

// A session's file-transfer context: internal, one per session, its files
// synced one at a time at their session paths, gone with the session.
func TestFileTransferContext(t *testing.T) {
	c := start(t, local.Options{})
	s := c.create()
	none := c.call("GetAndLoadInternalContext", "SessionId", s, "ContextTypes.1", "browser")
	if none.Get("Data.#").Int() != 0 {
		t.Fatalf("other types: %s", none.Raw)
	}
	got := c.call("GetAndLoadInternalContext", "SessionId", s, "ContextTypes.1", "file_transfer").Get("Data.0")
	id := got.Get("ContextId").String()
	if !strings.HasPrefix(id, "ctx-") || got.Get("ContextPath").String() != "/" {
		t.Fatalf("file transfer context %s", got.Raw)
	}
	if again := c.call("GetAndLoadInternalContext", "SessionId", s, "ContextTypes", `["file_transfer"]`).Get("Data.0.ContextId").String(); again != id {
		t.Fatalf("a second call gave %s, want %s", again, id)
	}
	if n := c.call("ListContexts").Get("TotalCount").Int(); n != 0 {
		t.Fatalf("the internal context is listed: %d contexts", n)
	}

	c.putURL(c.call("GetContextFileUploadUrl", "ContextId", id, "FilePath", "/tmp/in/a.txt").Get("Data.Url").String(), "from the host")
	c.call("SyncContext", "SessionId", s, "ContextId", id, "Path", "/tmp/in/a.txt", "Mode", "download")
	tasks := contextStatus(t, c.call("GetContextInfo", "SessionId", s, "ContextId", id, "Path", "/tmp/in/a.txt", "TaskType", "download"))
	if len(tasks) != 1 || tasks[0].Get("status").String() != "Success" {
		t.Fatalf("download tasks %v", tasks)
	}
	if got := c.tool(s, "read_file", map[string]any{"path": "/tmp/in/a.txt"}).Get("content.0.text").String(); got != "from the host" {
		t.Fatalf("in the session: %q", got)
	}

	c.tool(s, "write_file", map[string]any{"path": "/tmp/out.txt", "content": "to the host"})
	c.call("SyncContext", "SessionId", s, "ContextId", id, "Path", "/tmp/out.txt", "Mode", "upload")
	down := c.call("GetContextFileDownloadUrl", "ContextId", id, "FilePath", "/tmp/out.txt").Get("Data.Url").String()
	if got := c.getURL(down, http.StatusOK); got != "to the host" {
		t.Fatalf("downloaded %q", got)
	}

	// A file that is missing, or a link out of the session, fails the task.
	c.shell(s, "ln -sf /etc/hostname /tmp/escape")
	for _, p := range []string{"/tmp/missing", "/tmp/escape"} {
		c.call("SyncContext", "SessionId", s, "ContextId", id, "Path", p, "Mode", "upload")
		failed := contextStatus(t, c.call("GetContextInfo", "SessionId", s, "Path", p))
		if len(failed) != 1 || failed[0].Get("status").String() != "Failed" || failed[0].Get("errorMessage").String() == "" {
			t.Fatalf("%s: tasks %v", p, failed)
		}
	}
	c.fail("InvalidParameter", "SyncContext", "SessionId", s, "ContextId", id, "Path", "relative", "Mode", "upload")

	c.call("ReleaseMcpSession", "SessionId", s)
	if !until(func() bool { code, _ := c.try("GetContext", "ContextId", id); return code != http.StatusOK }) {
		t.Fatal("the file-transfer context outlived its session")
	}
}
