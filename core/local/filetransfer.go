package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// A session's file-transfer context (GetAndLoadInternalContext with
// ContextTypes file_transfer) is where the SDKs' upload_file and
// download_file stage host files: a file is PUT to the context at the
// session path it is for, then synced one file at a time with SyncContext
// (Path: that session path; Mode download brings it into the session,
// upload takes it out). The context is internal: it is not listed, and it
// goes with its session.

const fileTransferType = "file_transfer"

// fileTransferPath is the ContextPath reported: the context's file paths
// are session paths, from the root.
const fileTransferPath = "/"

func (s *Server) getAndLoadInternalContext(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	types, err := listParam(c, "ContextTypes")
	if err != nil {
		return nil, err
	}
	out := []any{}
	if len(types) == 0 || slices.Contains(types, fileTransferType) {
		m, err := s.contexts.internalFor(se.id)
		if err != nil {
			return nil, err
		}
		out = append(out, map[string]any{"ContextId": m.ID, "ContextName": m.Name,
			"ContextPath": fileTransferPath, "ContextType": fileTransferType})
	}
	return data(out), nil
}

// listParam reads a list parameter sent as Name.1, Name.2, ... (as the
// SDKs' API client flattens lists) or as one JSON array.
func listParam(c *call, name string) ([]string, error) {
	if v := c.param(name); v != "" {
		var l []string
		if err := json.Unmarshal([]byte(v), &l); err != nil {
			return nil, invalid(name, "want a JSON array of strings or "+name+".1, "+name+".2, ...")
		}
		return l, nil
	}
	var l []string
	for i := 1; ; i++ {
		v := c.param(name + "." + strconv.Itoa(i))
		if v == "" {
			return l, nil
		}
		l = append(l, v)
	}
}

// syncFile syncs one file of a session's file-transfer context: download
// copies the context's file p into the session at p, upload the other way.
// Both replace the target atomically.
func (s *Server) syncFile(se *session, contextID, p, mode string) error {
	if !path.IsAbs(p) {
		return invalid("Path", "want the absolute session path of a file")
	}
	rel, err := contextFile(p)
	if err != nil {
		return invalid("Path", "want the absolute session path of a file")
	}
	t := contextTask{ContextID: contextID, Path: path.Clean(p), TaskType: mode, StartTime: time.Now().Unix()}
	if mode == "download" {
		err = s.contexts.fileToSession(contextID, rel, se.box.Root())
	} else {
		err = s.contexts.fileFromSession(contextID, rel, se.box.Root())
	}
	t.FinishTime, t.Status = time.Now().Unix(), "Success"
	if err != nil {
		t.Status, t.ErrorMessage = "Failed", transferError(p, err)
		s.log.Warn("file transfer failed", "session", se.id, "path", p, "mode", mode, "err", t.ErrorMessage)
	}
	se.recordTask(t)
	return nil
}

func transferError(p string, err error) string {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.Message
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s: no such file", p)
	case errors.Is(err, fs.ErrInvalid), isEscape(err):
		return fmt.Sprintf("%s: the path leads outside the session", p)
	}
	return syncError(err)
}

func isEscape(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent"
}

// fileToSession copies file rel of a context to rel in the session whose
// root folder is root, through an os.Root so that no link leads outside.
func (cs *contextStore) fileToSession(id, rel, root string) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.byID[id]; !ok {
		return errContextNotFound
	}
	src, err := os.Open(filepath.Join(cs.files(id), filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	defer src.Close()
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	if dir := path.Dir(rel); dir != "." {
		if err := r.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	tmp := path.Join(path.Dir(rel), ".transfer-"+newToken()[:12])
	dst, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := dst.ReadFrom(src); err != nil {
		dst.Close()
		r.Remove(tmp)
		return err
	}
	if err := dst.Close(); err != nil {
		r.Remove(tmp)
		return err
	}
	if err := r.Rename(tmp, rel); err != nil {
		r.Remove(tmp)
		return err
	}
	return nil
}

// fileFromSession copies rel of the session into the context as file rel.
func (cs *contextStore) fileFromSession(id, rel, root string) error {
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	src, err := r.Open(rel)
	if err != nil {
		return err
	}
	defer src.Close()
	if info, err := src.Stat(); err != nil || !info.Mode().IsRegular() {
		if err == nil {
			err = invalid("Path", "not a regular file")
		}
		return err
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.byID[id]; !ok {
		return errContextNotFound
	}
	return writeAtomically(filepath.Join(cs.files(id), filepath.FromSlash(rel)), src)
}

// dropFileTransfer deletes a session's file-transfer context, if any.
func (s *Server) dropFileTransfer(se *session) {
	if id, ok := s.contexts.ownedBy(se.id); ok {
		if err := s.contexts.delete(id); err != nil {
			s.log.Error("deleting a session's file-transfer context", "session", se.id, "err", err)
		}
	}
}
