package agentbay

import (
	"cmp"
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/wire"
)

// Contexts are persistent storage that outlives sessions: the official
// SDKs' context service (agent_bay.context) on the client, and context
// syncs (CreateParams.ContextSyncs, session.context) on sessions.

// Context is one context of the service.
type Context struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at"`
	State      string `json:"state"`
}

// ContextResult is the result of getting or creating a context.
type ContextResult struct {
	Result
	ContextID string   `json:"context_id"`
	Context   *Context `json:"context"`
}

// ContextListResult is one page of contexts.
type ContextListResult struct {
	Result
	Contexts   []Context `json:"contexts"`
	NextToken  string    `json:"next_token"`
	MaxResults int       `json:"max_results"`
	TotalCount int       `json:"total_count"`
}

// ContextFileURLResult is a presigned URL for one file of a context: PUT
// the content to an upload URL, GET it from a download URL.
type ContextFileURLResult struct {
	Result
	URL        string `json:"url"`
	ExpireTime int64  `json:"expire_time"` // Unix seconds
}

// ContextFile is one entry of a context folder.
type ContextFile struct {
	FileID      string `json:"file_id"`
	FileName    string `json:"file_name"`
	FilePath    string `json:"file_path"`
	FileType    string `json:"file_type"` // "file" or "folder"
	Size        int64  `json:"size"`
	Status      string `json:"status"`
	GmtCreate   string `json:"gmt_create"`
	GmtModified string `json:"gmt_modified"`
}

// ContextFilesResult is one page of a context folder.
type ContextFilesResult struct {
	Result
	Entries []ContextFile `json:"entries"`
	Count   int           `json:"count"`
}

// ContextSync mounts a context in a new session at Path. Policy is the
// official SyncPolicy as JSON (nil: the service's default, which uploads
// when the session ends).
type ContextSync struct {
	ContextID string          `json:"context_id"`
	Path      string          `json:"path"`
	Policy    json.RawMessage `json:"policy,omitempty"`
}

// ContextStatus is one sync task of a session's context.
type ContextStatus struct {
	ContextID    string `json:"context_id"`
	Path         string `json:"path"`
	Status       string `json:"status"` // e.g. "Success", "Failed"
	TaskType     string `json:"task_type"`
	ErrorMessage string `json:"error_message"`
	StartTime    int64  `json:"start_time"`
	FinishTime   int64  `json:"finish_time"`
}

// ContextInfoResult is the sync status of a session's contexts.
type ContextInfoResult struct {
	Result
	ContextStatusData []ContextStatus `json:"context_status_data"`
}

func contextOf(d gjson.Result) *Context {
	return &Context{ID: d.Get("Id").String(), Name: d.Get("Name").String(),
		CreatedAt: d.Get("CreateTime").String(), LastUsedAt: d.Get("LastUsedTime").String(),
		State: d.Get("State").String()}
}

func form(kv ...string) url.Values {
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			f.Set(kv[i], kv[i+1])
		}
	}
	return f
}

// GetContext finds a context by name, creating it if create, or by id.
func (c *Client) GetContext(ctx context.Context, name string, create bool, contextID string) (*ContextResult, error) {
	switch {
	case name == "" && contextID == "":
		return nil, Errorf(KindInvalidArgument, "either name or context_id must be provided")
	case name != "" && contextID != "":
		return nil, Errorf(KindInvalidArgument, "give name or context_id, not both")
	case create && contextID != "":
		return nil, Errorf(KindInvalidArgument, "create works with name only, not with context_id")
	}
	f := form("Name", name, "ContextId", contextID)
	f.Set("AllowCreate", strconv.FormatBool(create))
	resp, err := c.do(ctx, wire.Call{Action: "GetContext", Form: f})
	if err != nil {
		return nil, err
	}
	if !resp.Data.IsObject() || resp.Data.Get("Id").String() == "" {
		return nil, badData(resp, "invalid response from GetContext: Data has no Id")
	}
	cx := contextOf(resp.Data)
	return &ContextResult{Result: ok(resp.RequestID), ContextID: cx.ID, Context: cx}, nil
}

// ListContexts lists contexts, maxResults (0: 10) at a time.
func (c *Client) ListContexts(ctx context.Context, maxResults int, nextToken, sessionID string) (*ContextListResult, error) {
	if maxResults <= 0 {
		maxResults = 10
	}
	f := form("NextToken", nextToken, "SessionId", sessionID, "MaxResults", strconv.Itoa(maxResults))
	resp, err := c.do(ctx, wire.Call{Action: "ListContexts", Form: f})
	if err != nil {
		return nil, err
	}
	r := &ContextListResult{Result: ok(resp.RequestID), Contexts: []Context{},
		NextToken: resp.Body.Get("NextToken").String(), MaxResults: int(resp.Body.Get("MaxResults").Int()),
		TotalCount: int(resp.Body.Get("TotalCount").Int())}
	for _, d := range resp.Data.Array() {
		r.Contexts = append(r.Contexts, *contextOf(d))
	}
	return r, nil
}

// contextCall runs a context action that answers nothing but success.
func (c *Client) contextCall(ctx context.Context, action string, kv ...string) (*OperationResult, error) {
	resp, err := c.do(ctx, wire.Call{Action: action, Form: form(kv...)})
	if err != nil {
		return nil, err
	}
	return &OperationResult{Result: ok(resp.RequestID)}, nil
}

func required(name, v string) error {
	if v == "" {
		return Errorf(KindInvalidArgument, "%s is required", name)
	}
	return nil
}

// UpdateContext renames a context.
func (c *Client) UpdateContext(ctx context.Context, contextID, name string) (*OperationResult, error) {
	if err := firstErr(required("context_id", contextID), required("name", name)); err != nil {
		return nil, err
	}
	return c.contextCall(ctx, "ModifyContext", "Id", contextID, "Name", name)
}

// DeleteContext deletes a context and its content.
func (c *Client) DeleteContext(ctx context.Context, contextID string) (*OperationResult, error) {
	if err := required("context_id", contextID); err != nil {
		return nil, err
	}
	return c.contextCall(ctx, "DeleteContext", "Id", contextID)
}

// ClearContext removes a context's content and keeps the context.
func (c *Client) ClearContext(ctx context.Context, contextID string) (*OperationResult, error) {
	if err := required("context_id", contextID); err != nil {
		return nil, err
	}
	return c.contextCall(ctx, "ClearContext", "Id", contextID)
}

// DeleteContextFile deletes one file (or folder) of a context.
func (c *Client) DeleteContextFile(ctx context.Context, contextID, filePath string) (*OperationResult, error) {
	if err := firstErr(required("context_id", contextID), required("file_path", filePath)); err != nil {
		return nil, err
	}
	return c.contextCall(ctx, "DeleteContextFile", "ContextId", contextID, "FilePath", filePath)
}

// ContextFileURL gets a presigned URL to upload (PUT) or download (GET)
// one file of a context.
func (c *Client) ContextFileURL(ctx context.Context, contextID, filePath string, upload bool) (*ContextFileURLResult, error) {
	if err := firstErr(required("context_id", contextID), required("file_path", filePath)); err != nil {
		return nil, err
	}
	action := "GetContextFileDownloadUrl"
	if upload {
		action = "GetContextFileUploadUrl"
	}
	resp, err := c.do(ctx, wire.Call{Action: action, Form: form("ContextId", contextID, "FilePath", filePath)})
	if err != nil {
		return nil, err
	}
	u := resp.Data.Get("Url").String()
	if u == "" {
		return nil, badData(resp, "invalid response from "+action+": Data has no Url")
	}
	return &ContextFileURLResult{Result: ok(resp.RequestID), URL: u, ExpireTime: resp.Data.Get("ExpireTime").Int()}, nil
}

// ListContextFiles lists one folder of a context, a page (1-based) of
// pageSize (0: 50) entries at a time.
func (c *Client) ListContextFiles(ctx context.Context, contextID, parent string, page, pageSize int) (*ContextFilesResult, error) {
	if err := required("context_id", contextID); err != nil {
		return nil, err
	}
	page, pageSize = max(page, 1), cmp.Or(pageSize, 50)
	resp, err := c.do(ctx, wire.Call{Action: "DescribeContextFiles", Form: form("ContextId", contextID,
		"ParentFolderPath", cmp.Or(parent, "/"), "PageNumber", strconv.Itoa(page), "PageSize", strconv.Itoa(pageSize))})
	if err != nil {
		return nil, err
	}
	r := &ContextFilesResult{Result: ok(resp.RequestID), Entries: []ContextFile{}, Count: int(resp.Body.Get("Count").Int())}
	for _, d := range resp.Data.Array() {
		r.Entries = append(r.Entries, ContextFile{FileID: d.Get("FileId").String(), FileName: d.Get("FileName").String(),
			FilePath: d.Get("FilePath").String(), FileType: d.Get("FileType").String(), Size: d.Get("Size").Int(),
			Status: d.Get("Status").String(), GmtCreate: d.Get("GmtCreate").String(), GmtModified: d.Get("GmtModified").String()})
	}
	return r, nil
}

// ---- Sessions ---------------------------------------------------------------

// persistenceList is CreateMcpSession's PersistenceDataList for syncs.
func persistenceList(syncs []ContextSync) (string, error) {
	type item struct {
		ContextID string `json:"ContextId"`
		Path      string `json:"Path"`
		Policy    string `json:"Policy"`
	}
	items := make([]item, 0, len(syncs))
	for i, s := range syncs {
		if s.ContextID == "" || s.Path == "" {
			return "", Errorf(KindInvalidArgument, "context_syncs[%d]: context_id and path are required", i)
		}
		policy := `{"uploadPolicy":{"autoUpload":true}}` // the official SyncPolicy's default
		if len(s.Policy) > 0 && string(s.Policy) != "null" {
			if !json.Valid(s.Policy) {
				return "", Errorf(KindInvalidArgument, "context_syncs[%d]: policy is not JSON", i)
			}
			policy = string(s.Policy)
		}
		items = append(items, item{ContextID: s.ContextID, Path: s.Path, Policy: policy})
	}
	return mustJSON(items), nil
}

// ContextInfo reads the sync status of the session's contexts, filtered by
// context id, path and task type ("upload", "download") when given.
func (s *Session) ContextInfo(ctx context.Context, contextID, path, taskType string) (*ContextInfoResult, error) {
	f := s.form()
	for k, v := range map[string]string{"ContextId": contextID, "Path": path, "TaskType": taskType} {
		if v != "" {
			f.Set(k, v)
		}
	}
	resp, err := s.client.do(ctx, wire.Call{Action: "GetContextInfo", Form: f})
	if err != nil {
		return nil, err
	}
	r := &ContextInfoResult{Result: ok(resp.RequestID), ContextStatusData: []ContextStatus{}}
	raw := wire.JSONValue(resp.Data.Get("ContextStatus"))
	if raw == "" || !gjson.Valid(raw) {
		return r, nil
	}
	for _, group := range gjson.Parse(raw).Array() {
		if group.Get("type").String() != "data" {
			continue
		}
		for _, it := range gjson.Parse(wire.JSONValue(group.Get("data"))).Array() {
			r.ContextStatusData = append(r.ContextStatusData, ContextStatus{
				ContextID: it.Get("contextId").String(), Path: it.Get("path").String(),
				Status: it.Get("status").String(), TaskType: it.Get("taskType").String(),
				ErrorMessage: it.Get("errorMessage").String(), StartTime: it.Get("startTime").Int(),
				FinishTime: it.Get("finishTime").Int()})
		}
	}
	return r, nil
}

// ContextSync syncs the session's mounted contexts (those of contextID and
// path, when given) in mode "upload" (default) or "download", and waits
// until the service reports every task finished. Success is false if one
// failed; its message is the error message.
func (s *Session) ContextSync(ctx context.Context, contextID, path, mode string) (*OperationResult, error) {
	switch mode {
	case "":
		mode = "upload"
	case "upload", "download":
	default:
		return nil, Errorf(KindInvalidArgument, `mode must be "upload" or "download", got %q`, mode)
	}
	f := s.form("Mode", mode)
	if contextID != "" {
		f.Set("ContextId", contextID)
	}
	if path != "" {
		f.Set("Path", path)
	}
	resp, err := s.client.do(ctx, wire.Call{Action: "SyncContext", Form: f})
	if err != nil {
		return nil, err
	}
	info, err := s.waitContexts(ctx, contextID, path, mode)
	if err != nil {
		return nil, err
	}
	r := &OperationResult{Result: ok(resp.RequestID)}
	for _, t := range info.ContextStatusData {
		if t.Status == "Failed" {
			r.Success, r.ErrorMessage = false, t.ErrorMessage
		}
	}
	return r, nil
}

// waitContexts polls ContextInfo until no task of taskType is still
// running, as the official SDKs do after a sync (bounded by 5 minutes).
func (s *Session) waitContexts(ctx context.Context, contextID, path, taskType string) (*ContextInfoResult, error) {
	var last *ContextInfoResult
	o := WaitOptions{Timeout: 5 * time.Minute, PollInterval: 2 * time.Second}
	_, err := poll(ctx, "Context sync", o, func(ctx context.Context) (string, bool, error) {
		info, err := s.ContextInfo(ctx, contextID, path, taskType)
		if err != nil {
			return "", false, err
		}
		last = info
		for _, t := range info.ContextStatusData {
			if t.Status != "Success" && t.Status != "Failed" {
				return "", false, nil
			}
		}
		return "", true, nil
	})
	return last, err
}

// firstErr is the first of errs that is not nil.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// ContextBinding is a context mounted in a session.
type ContextBinding struct {
	ContextID   string `json:"context_id"`
	ContextName string `json:"context_name"`
	Path        string `json:"path"`
	Policy      string `json:"policy"`
	BindTime    string `json:"bind_time"`
}

// ContextBindingsResult lists a session's mounted contexts.
type ContextBindingsResult struct {
	Result
	Bindings []ContextBinding `json:"bindings"`
}

// BindContexts mounts more contexts in the running session (BindContexts);
// with wait it returns once their downloads are done, and a download that
// failed is a failed result.
func (s *Session) BindContexts(ctx context.Context, syncs []ContextSync, wait bool) (*OperationResult, error) {
	if len(syncs) == 0 {
		return nil, Errorf(KindInvalidArgument, "No contexts provided")
	}
	list, err := persistenceList(syncs)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.do(ctx, wire.Call{Action: "BindContexts", Form: s.form("PersistenceDataList", list)})
	if err != nil {
		return nil, err
	}
	r := &OperationResult{Result: ok(resp.RequestID)}
	if !wait {
		return r, nil
	}
	for _, c := range syncs {
		info, err := s.waitContexts(ctx, c.ContextID, c.Path, "download")
		if err != nil {
			return nil, err
		}
		for _, t := range info.ContextStatusData {
			if t.Status == "Failed" {
				r.Success, r.ErrorMessage = false, t.ErrorMessage
			}
		}
	}
	return r, nil
}

// ListBindings lists the contexts mounted in the session
// (DescribeSessionContexts).
func (s *Session) ListBindings(ctx context.Context) (*ContextBindingsResult, error) {
	resp, err := s.client.do(ctx, wire.Call{Action: "DescribeSessionContexts", Form: s.form()})
	if err != nil {
		return nil, err
	}
	if resp.Data.Exists() && !resp.Data.IsArray() {
		return nil, badData(resp, "invalid response from DescribeSessionContexts: Data is not a list")
	}
	out := &ContextBindingsResult{Result: ok(resp.RequestID), Bindings: []ContextBinding{}}
	for _, b := range resp.Data.Array() {
		out.Bindings = append(out.Bindings, ContextBinding{
			ContextID: b.Get("ContextId").String(), ContextName: b.Get("ContextName").String(),
			Path: b.Get("Path").String(), Policy: b.Get("Policy").String(), BindTime: b.Get("BindTime").String(),
		})
	}
	return out, nil
}
