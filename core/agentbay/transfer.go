package agentbay

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/libagentbay/libagentbay/core/wire"
)

// Host files travel as the official SDKs move them: through the session's
// file-transfer context (GetAndLoadInternalContext), a presigned URL of
// that context, and a one-file SyncContext into or out of the session,
// waited for through GetContextInfo.

// TransferOptions are UploadFile's and DownloadFile's optional arguments.
type TransferOptions struct {
	ContentType  string        // the upload's Content-Type, if the URL was signed with one
	Timeout      time.Duration // bounds the wait for the sync; default 30 s, as the official SDKs
	PollInterval time.Duration // the longest gap between its polls; default 1.5 s
}

func (o TransferOptions) wait() WaitOptions {
	return WaitOptions{Timeout: o.Timeout, PollInterval: o.PollInterval}.withDefaults(30*time.Second, 1500*time.Millisecond)
}

// UploadResult is UploadFile's outcome, as the official SDKs shape it.
type UploadResult struct {
	Result
	RequestIDUploadURL string `json:"request_id_upload_url"`
	RequestIDSync      string `json:"request_id_sync"`
	HTTPStatus         int    `json:"http_status"`
	ETag               string `json:"etag"`
	BytesSent          int64  `json:"bytes_sent"`
	Path               string `json:"path"`
}

// DownloadResult is DownloadFile's outcome, as the official SDKs shape it.
type DownloadResult struct {
	Result
	RequestIDDownloadURL string `json:"request_id_download_url"`
	RequestIDSync        string `json:"request_id_sync"`
	HTTPStatus           int    `json:"http_status"`
	BytesReceived        int64  `json:"bytes_received"`
	Path                 string `json:"path"`
	LocalPath            string `json:"local_path"`
}

// transferContext is the id of the session's file-transfer context.
func (s *Session) transferContext(ctx context.Context) (string, error) {
	s.mu.RLock()
	id := s.transferID
	s.mu.RUnlock()
	if id != "" {
		return id, nil
	}
	resp, err := s.client.do(ctx, wire.Call{Action: "GetAndLoadInternalContext",
		Form: s.form("ContextTypes.1", "file_transfer")})
	if err != nil {
		return "", err
	}
	for _, item := range resp.Data.Array() { // an object alone counts as a list of one
		if id = item.Get("ContextId").String(); id != "" {
			break
		}
	}
	if id == "" {
		return "", badData(resp, "invalid response from GetAndLoadInternalContext: no file_transfer context")
	}
	s.mu.Lock()
	s.transferID = id
	s.mu.Unlock()
	return id, nil
}

func remoteFile(remotePath string) error {
	if !path.IsAbs(remotePath) || path.Clean(remotePath) == "/" {
		return wire.Errorf(wire.KindInvalidArgument, "remote_path must be the absolute path of a file in the session, got %q", remotePath)
	}
	return nil
}

// UploadFile copies the host file localPath to remotePath in the session
// and waits until it is there.
func (s *Session) UploadFile(ctx context.Context, localPath, remotePath string, o TransferOptions) (*UploadResult, error) {
	if err := firstErr(needPath("local_path", localPath), remoteFile(remotePath)); err != nil {
		return nil, err
	}
	f, err := os.Open(localPath)
	if err == nil {
		defer f.Close()
	}
	info, err := statFile(f, err, localPath)
	if err != nil {
		return nil, err
	}
	id, err := s.transferContext(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.client.ContextFileURL(ctx, id, remotePath, true)
	if err != nil {
		return nil, err
	}
	out := &UploadResult{RequestIDUploadURL: u.RequestID, Path: remotePath}
	if err := s.client.transfer(ctx, func(ctx context.Context) (err error) {
		out.HTTPStatus, out.ETag, err = s.client.wire.Put(ctx, u.URL, f, info.Size(), o.ContentType)
		return err
	}); err != nil {
		return nil, err
	}
	out.BytesSent = info.Size()
	synced, err := s.syncFile(ctx, id, remotePath, "download", o.wait())
	if err != nil {
		return nil, err
	}
	out.Result, out.RequestIDSync = synced.Result, synced.RequestID
	return out, nil
}

// DownloadFile copies remotePath of the session to the host file
// localPath (replaced atomically; refused if it exists and not overwrite).
func (s *Session) DownloadFile(ctx context.Context, remotePath, localPath string, overwrite bool, o TransferOptions) (*DownloadResult, error) {
	if err := firstErr(remoteFile(remotePath), needPath("local_path", localPath)); err != nil {
		return nil, err
	}
	if _, err := os.Stat(localPath); err == nil && !overwrite {
		return nil, wire.Errorf(wire.KindInvalidArgument, "local file %s exists and overwrite is false", localPath)
	}
	id, err := s.transferContext(ctx)
	if err != nil {
		return nil, err
	}
	out := &DownloadResult{Path: remotePath, LocalPath: localPath}
	synced, err := s.syncFile(ctx, id, remotePath, "upload", o.wait())
	if err != nil {
		return nil, err
	}
	out.RequestIDSync = synced.RequestID
	if !synced.Success {
		out.Result = synced.Result
		return out, nil
	}
	u, err := s.client.ContextFileURL(ctx, id, remotePath, false)
	if err != nil {
		return nil, err
	}
	out.RequestIDDownloadURL = u.RequestID
	tmp, err := os.CreateTemp(filepath.Dir(localPath), ".download-")
	if err != nil {
		return nil, wire.Errorf(wire.KindInvalidArgument, "cannot write beside %s: %v", localPath, err)
	}
	defer os.Remove(tmp.Name())
	err = s.client.transfer(ctx, func(ctx context.Context) (err error) {
		out.HTTPStatus, out.BytesReceived, err = s.client.wire.Get(ctx, u.URL, tmp)
		return err
	})
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = wire.Errorf(wire.KindInternal, "writing %s: %v", localPath, cerr)
	}
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), localPath); err != nil {
		return nil, wire.Errorf(wire.KindInternal, "writing %s: %v", localPath, err)
	}
	out.Result = ok(synced.RequestID)
	return out, nil
}

func statFile(f *os.File, openErr error, name string) (fs.FileInfo, error) {
	if openErr != nil {
		if errors.Is(openErr, fs.ErrNotExist) {
			return nil, wire.Errorf(wire.KindInvalidArgument, "Local file not found: %s", name)
		}
		return nil, wire.Errorf(wire.KindInvalidArgument, "cannot read %s: %v", name, openErr)
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil, wire.Errorf(wire.KindInvalidArgument, "Local file not found: %s (not a regular file)", name)
	}
	return info, nil
}

// syncFile syncs one file of the file-transfer context and waits until the
// session reports the task done; a task that failed is a failed result.
func (s *Session) syncFile(ctx context.Context, contextID, remotePath, mode string, o WaitOptions) (*OperationResult, error) {
	resp, err := s.client.do(ctx, wire.Call{Action: "SyncContext",
		Form: s.form("ContextId", contextID, "Path", remotePath, "Mode", mode)})
	if err != nil {
		return nil, err
	}
	r := &OperationResult{Result: ok(resp.RequestID)}
	_, err = poll(ctx, "File transfer", o, func(ctx context.Context) (string, bool, error) {
		info, err := s.ContextInfo(ctx, contextID, remotePath, mode)
		if err != nil {
			return "", false, err
		}
		for _, t := range info.ContextStatusData {
			switch t.Status {
			case "Success":
				return t.Status, true, nil
			case "Failed":
				r.Success, r.ErrorMessage = false, t.ErrorMessage
				return t.Status, true, nil
			}
		}
		return "", false, nil // not reported yet, or still running
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
