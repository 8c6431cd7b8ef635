package local

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/libagentbay/libagentbay/core/local/store"
)

// The context service's actions, and context syncs of sessions.

// contextTask is one sync of a mounted context, as GetContextInfo reports
// it (the SDKs wait until every task is Success or Failed).
type contextTask struct {
	ContextID    string `json:"contextId"`
	Path         string `json:"path"`
	Status       string `json:"status"` // "Success" or "Failed": syncs run to the end before replying
	TaskType     string `json:"taskType"`
	ErrorMessage string `json:"errorMessage"`
	StartTime    int64  `json:"startTime"`
	FinishTime   int64  `json:"finishTime"`
}

func contextJSON(m contextMeta) map[string]any {
	return map[string]any{
		"Id": m.ID, "Name": m.Name, "State": contextStateAvailable, "OsType": "",
		"CreateTime":   m.Created.Format(time.RFC3339),
		"LastUsedTime": m.LastUsed.Format(time.RFC3339),
	}
}

func (s *Server) getContext(c *call) (reply, error) {
	id, name := c.param("ContextId"), c.param("Name")
	if id == "" && name == "" {
		return nil, missing("Name")
	}
	create := strings.EqualFold(c.param("AllowCreate"), "true")
	if create && id != "" {
		return nil, invalid("AllowCreate", "a context is created by name, not by id")
	}
	m, err := s.contexts.get(id, name, create)
	if err != nil {
		return nil, err
	}
	return data(contextJSON(m)), nil
}

func (s *Server) listContexts(c *call) (reply, error) {
	max, err := c.int("MaxResults", 10)
	if err != nil {
		return nil, err
	}
	if max <= 0 || max > 100 {
		return nil, invalid("MaxResults", "want 1 to 100")
	}
	start, err := c.int("NextToken", 0)
	if err != nil || start < 0 {
		return nil, invalid("NextToken", "want a token of an earlier reply")
	}
	all := s.contexts.list()
	if id := c.param("SessionId"); id != "" {
		se, err := s.get(id)
		if err != nil {
			return nil, err
		}
		mounted := se.snapshot().Contexts
		all = slices.DeleteFunc(all, func(m contextMeta) bool {
			return !slices.ContainsFunc(mounted, func(mt store.Mount) bool { return mt.ContextID == m.ID })
		})
	}
	page := all[min(start, len(all)):min(start+max, len(all))]
	list := make([]any, 0, len(page))
	for _, m := range page {
		list = append(list, contextJSON(m))
	}
	r := reply{"Data": list, "MaxResults": max, "TotalCount": len(all), "NextToken": ""}
	if start+max < len(all) {
		r["NextToken"] = strconv.Itoa(start + max)
	}
	return r, nil
}

func (s *Server) modifyContext(c *call) (reply, error) {
	id, err := c.required("Id")
	if err != nil {
		return nil, err
	}
	name, err := c.required("Name")
	if err != nil {
		return nil, err
	}
	return nil, s.contexts.rename(id, name)
}

func (s *Server) deleteContext(c *call) (reply, error) {
	id, err := c.required("Id")
	if err != nil {
		return nil, err
	}
	return nil, s.contexts.delete(id)
}

func (s *Server) clearContext(c *call) (reply, error) {
	id, err := c.required("Id")
	if err != nil {
		return nil, err
	}
	return nil, s.contexts.clear(id)
}

// contextFileArgs reads ContextId and FilePath of an existing context.
func (s *Server) contextFileArgs(c *call) (string, string, error) {
	id, err := c.required("ContextId")
	if err != nil {
		return "", "", err
	}
	p, err := c.required("FilePath")
	if err != nil {
		return "", "", err
	}
	file, err := contextFile(p)
	if err != nil {
		return "", "", err
	}
	if _, err := s.contexts.get(id, "", false); err != nil {
		return "", "", err
	}
	return id, file, nil
}

func (s *Server) fileURL(c *call, upload bool) (reply, error) {
	id, file, err := s.contextFileArgs(c)
	if err != nil {
		return nil, err
	}
	token, exp := s.contexts.newFileURL(id, file, upload)
	return data(map[string]any{"Url": s.baseURL(c.r) + "/context-files/" + token, "ExpireTime": exp.Unix()}), nil
}

func (s *Server) getContextFileUploadURL(c *call) (reply, error)   { return s.fileURL(c, true) }
func (s *Server) getContextFileDownloadURL(c *call) (reply, error) { return s.fileURL(c, false) }

func (s *Server) deleteContextFile(c *call) (reply, error) {
	id, file, err := s.contextFileArgs(c)
	if err != nil {
		return nil, err
	}
	cs := s.contexts
	cs.mu.Lock()
	defer cs.mu.Unlock()
	err = os.RemoveAll(filepath.Join(cs.files(id), filepath.FromSlash(file)))
	if err != nil {
		return nil, internal(err)
	}
	return nil, nil
}

// describeContextFiles lists one folder of a context, a page at a time.
func (s *Server) describeContextFiles(c *call) (reply, error) {
	id, err := c.required("ContextId")
	if err != nil {
		return nil, err
	}
	if _, err := s.contexts.get(id, "", false); err != nil {
		return nil, err
	}
	folder := path.Clean("/" + c.param("ParentFolderPath"))
	pageNo, err := c.int("PageNumber", 1)
	if err != nil || pageNo < 1 {
		return nil, invalid("PageNumber", "want an integer >= 1")
	}
	size, err := c.int("PageSize", 50)
	if err != nil || size < 1 {
		return nil, invalid("PageSize", "want an integer >= 1")
	}
	if max, _ := c.int("MaxResults", 0); max > 0 {
		size = max
		if start, err := c.int("NextToken", 0); err == nil && start > 0 {
			pageNo = start/size + 1
		}
	}
	cs := s.contexts
	cs.mu.Lock()
	entries, err := os.ReadDir(filepath.Join(cs.files(id), filepath.FromSlash(folder)))
	cs.mu.Unlock()
	if err != nil && !os.IsNotExist(err) {
		return nil, internal(err)
	}
	start := (pageNo - 1) * size
	page := entries[min(start, len(entries)):min(start+size, len(entries))]
	list := make([]any, 0, len(page))
	for _, e := range page {
		info, err := e.Info()
		if err != nil {
			continue
		}
		kind, sz := "file", info.Size()
		if e.IsDir() {
			kind, sz = "folder", 0
		}
		p := path.Join(folder, e.Name())
		list = append(list, map[string]any{
			"FileId": p, "FileName": e.Name(), "FilePath": p, "FileType": kind, "Size": sz,
			"Status": "available", "GmtCreate": info.ModTime().UTC().Format(time.RFC3339),
			"GmtModified": info.ModTime().UTC().Format(time.RFC3339),
		})
	}
	r := reply{"Data": list, "Count": len(entries), "NextToken": ""}
	if start+size < len(entries) {
		r["NextToken"] = strconv.Itoa(start + size)
	}
	return r, nil
}

// ---- Syncs -------------------------------------------------------------

// parseMounts reads CreateMcpSession's PersistenceDataList: a JSON array of
// {ContextId, Path, Policy}, each at a folder the session shows (under
// /home/wuying or /tmp). A context that does not exist is not refused here:
// its download is a failed task, which the SDKs report and go on.
func (s *Server) parseMounts(c *call) ([]store.Mount, error) {
	text := c.param("PersistenceDataList")
	if text == "" {
		return nil, nil
	}
	var items []struct {
		ContextID string `json:"ContextId"`
		Path      string `json:"Path"`
		Policy    string `json:"Policy"`
	}
	if err := json.Unmarshal([]byte(text), &items); err != nil {
		return nil, invalid("PersistenceDataList", "want a JSON array of {ContextId, Path, Policy}")
	}
	var mounts []store.Mount
	for _, it := range items {
		if it.ContextID == "" {
			return nil, invalid("PersistenceDataList", "every item needs a ContextId")
		}
		p := path.Clean(it.Path)
		if !path.IsAbs(it.Path) || !mountable(p) {
			return nil, invalid("PersistenceDataList", fmt.Sprintf(
				"path %q: a context is mounted at a folder under /home/wuying or /tmp", it.Path))
		}
		if slices.ContainsFunc(mounts, func(m store.Mount) bool { return m.Path == p }) {
			return nil, invalid("PersistenceDataList", fmt.Sprintf("path %q: two contexts at one path", it.Path))
		}
		mounts = append(mounts, store.Mount{ContextID: it.ContextID, Path: p, Policy: it.Policy, BindTime: time.Now().Unix()})
	}
	return mounts, nil
}

// bindContexts mounts more contexts in a running session (BindContexts),
// each downloaded at its path at once, as at create.
func (s *Server) bindContexts(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	mounts, err := s.parseMounts(c)
	if err != nil {
		return nil, err
	}
	if len(mounts) == 0 {
		return nil, missing("PersistenceDataList")
	}
	se.mu.Lock()
	for _, m := range mounts {
		if slices.ContainsFunc(se.rec.Contexts, func(o store.Mount) bool { return o.Path == m.Path }) {
			se.mu.Unlock()
			return nil, invalid("PersistenceDataList", fmt.Sprintf("path %q: a context is mounted there already", m.Path))
		}
	}
	old := se.rec.Contexts
	se.rec.Contexts = slices.Concat(old, mounts)
	if err := s.db.Put(&se.rec); err != nil {
		se.rec.Contexts = old
		se.mu.Unlock()
		return nil, internal(err)
	}
	se.mu.Unlock()
	for _, m := range mounts {
		s.sync(se, m, "download")
	}
	return nil, nil
}

// describeSessionContexts lists the contexts mounted in a session.
func (s *Server) describeSessionContexts(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, m := range se.snapshot().Contexts {
		name := ""
		if meta, err := s.contexts.get(m.ContextID, "", false); err == nil {
			name = meta.Name
		}
		bound := ""
		if m.BindTime > 0 {
			bound = time.Unix(m.BindTime, 0).UTC().Format(time.RFC3339)
		}
		out = append(out, map[string]any{"ContextId": m.ContextID, "ContextName": name, "Path": m.Path,
			"Policy": m.Policy, "BindTime": bound})
	}
	return data(out), nil
}

func mountable(p string) bool {
	return strings.HasPrefix(p, "/home/wuying/") || strings.HasPrefix(p, "/tmp/")
}

// hostPath is where a session path lives on this machine.
func (se *session) hostPath(p string) string {
	return filepath.Join(se.box.Root(), filepath.FromSlash(p))
}

// sync runs one sync task of a mounted context and records how it ended.
func (s *Server) sync(se *session, m store.Mount, mode string) contextTask {
	t := contextTask{ContextID: m.ContextID, Path: m.Path, TaskType: mode, StartTime: time.Now().Unix()}
	var err error
	if mode == "download" {
		err = s.contexts.copyOut(m.ContextID, se.hostPath(m.Path))
	} else {
		src := se.hostPath(m.Path)
		err = s.contexts.replace(m.ContextID, func(build string) error {
			if _, err := os.Stat(src); os.IsNotExist(err) {
				return nil // the folder is gone: so is the content
			}
			return copyTree(src, build)
		})
	}
	t.FinishTime, t.Status = time.Now().Unix(), "Success"
	if err != nil {
		t.Status, t.ErrorMessage = "Failed", syncError(err)
		s.log.Warn("context sync failed", "session", se.id, "context", m.ContextID, "mode", mode, "err", t.ErrorMessage)
	}
	se.recordTask(t)
	return t
}

// recordTask keeps t as the latest task of its context, path and type.
func (se *session) recordTask(t contextTask) {
	se.mu.Lock()
	defer se.mu.Unlock()
	se.tasks = append(slices.DeleteFunc(se.tasks, func(o contextTask) bool {
		return o.ContextID == t.ContextID && o.Path == t.Path && o.TaskType == t.TaskType
	}), t)
}

func syncError(err error) string {
	if ae, ok := err.(*apiError); ok {
		return ae.Message
	}
	if pe, ok := err.(*fs.PathError); ok { // not the host path of the session
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// autoUploads reports whether a mount's policy uploads when the session
// ends: the SDKs' default, unless uploadPolicy.autoUpload is false.
func autoUploads(policy string) bool {
	var p struct {
		UploadPolicy *struct {
			AutoUpload *bool `json:"autoUpload"`
		} `json:"uploadPolicy"`
	}
	if json.Unmarshal([]byte(policy), &p) != nil || p.UploadPolicy == nil || p.UploadPolicy.AutoUpload == nil {
		return true
	}
	return *p.UploadPolicy.AutoUpload
}

// mountsOf are the mounts of se that match contextID and p ("" matches all).
func mountsOf(se *session, contextID, p string) []store.Mount {
	var out []store.Mount
	for _, m := range se.snapshot().Contexts {
		if (contextID == "" || m.ContextID == contextID) && (p == "" || m.Path == path.Clean(p)) {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) syncContext(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	mode := strings.ToLower(c.param("Mode"))
	switch mode {
	case "":
		mode = "upload"
	case "upload", "download":
	default:
		return nil, invalid("Mode", `want "upload" or "download"`)
	}
	if id, ok := s.contexts.ownedBy(se.id); ok && id == c.param("ContextId") {
		return nil, s.syncFile(se, id, c.param("Path"), mode)
	}
	mounts := mountsOf(se, c.param("ContextId"), c.param("Path"))
	if len(mounts) == 0 && (c.param("ContextId") != "" || c.param("Path") != "") {
		return nil, invalid("ContextId", "no context is mounted in this session at that id and path")
	}
	for _, m := range mounts {
		s.sync(se, m, mode)
	}
	return nil, nil
}

func (s *Server) getContextInfo(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	id, p, kind := c.param("ContextId"), c.param("Path"), c.param("TaskType")
	se.mu.Lock()
	tasks := slices.DeleteFunc(slices.Clone(se.tasks), func(t contextTask) bool {
		return (id != "" && t.ContextID != id) || (p != "" && t.Path != path.Clean(p)) || (kind != "" && t.TaskType != kind)
	})
	se.mu.Unlock()
	status := "[]"
	if len(tasks) > 0 {
		inner, _ := json.Marshal(tasks)
		outer, _ := json.Marshal([]map[string]string{{"type": "data", "data": string(inner)}})
		status = string(outer)
	}
	return data(map[string]any{"ContextStatus": status}), nil
}
