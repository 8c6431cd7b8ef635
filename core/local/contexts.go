package local

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Contexts are persistent folders that outlive sessions. Each is a folder
// of the data folder, contexts/<id>/, holding meta.json and files/, its
// content. A session created with a context mounted at a path gets a copy
// of files/ there; syncing (SyncContext in upload mode, or the session's
// end when its policy auto-uploads) copies the session's folder back.
// Writing back is atomic: the new content is built beside files/ and then
// renamed over it, so a backend killed during a sync leaves the context
// with its last complete content (open finishes or undoes a swap cut
// short).

const contextStateAvailable = "available"

type contextMeta struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"lastUsed"`
	// Seq orders contexts by creation: many are made within one second.
	Seq int64 `json:"seq"`
	// Owner, when set, is the session whose file-transfer context this is:
	// internal, not listed nor found by name, deleted with the session.
	Owner string `json:"owner,omitempty"`
}

// contextStore is the server's contexts. mu guards byID and every change
// of a context's meta.json or files/.
type contextStore struct {
	dir  string
	mu   sync.Mutex
	byID map[string]*contextMeta

	urlMu sync.Mutex
	urls  map[string]fileURL // presigned upload and download URLs, by token
}

// fileURL is what a presigned URL reaches: one file of one context.
type fileURL struct {
	contextID, file string
	upload          bool
	expires         time.Time
}

const fileURLLifetime = time.Hour

var errContextNotFound = &apiError{http.StatusBadRequest, "InvalidParameter.ContextNotFound", "The context does not exist."}

func openContexts(dir string) (*contextStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cs := &contextStore{dir: dir, byID: map[string]*contextMeta{}, urls: map[string]fileURL{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "meta.json"))
		var m contextMeta
		if err != nil || json.Unmarshal(b, &m) != nil || m.ID != e.Name() {
			continue // not a context, or one whose creation was cut short
		}
		if err := cs.recover(m.ID); err != nil {
			return nil, err
		}
		cs.byID[m.ID] = &m
	}
	return cs, nil
}

func (cs *contextStore) files(id string) string { return filepath.Join(cs.dir, id, "files") }

// recover finishes a swap cut short: files.old without files means the
// new content was not yet in place, so the old one comes back; leftover
// build folders go.
func (cs *contextStore) recover(id string) error {
	base := filepath.Join(cs.dir, id)
	files, old := filepath.Join(base, "files"), filepath.Join(base, "files.old")
	if _, err := os.Stat(files); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(old); err == nil {
			if err := os.Rename(old, files); err != nil {
				return err
			}
		} else if err := os.MkdirAll(files, 0o700); err != nil {
			return err
		}
	}
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if e.Name() == "files.old" || strings.HasPrefix(e.Name(), ".build-") {
			os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
	return nil
}

func (cs *contextStore) saveLocked(m *contextMeta) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	base := filepath.Join(cs.dir, m.ID)
	tmp := filepath.Join(base, ".meta.json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(base, "meta.json"))
}

func newContextID() string { return "ctx-" + strings.ToLower(rand.Text())[:17] }

// get finds a context by id, or by name (creating it if create).
func (cs *contextStore) get(id, name string, create bool) (contextMeta, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if id != "" {
		if m, ok := cs.byID[id]; ok {
			return *m, nil
		}
		return contextMeta{}, errContextNotFound
	}
	for _, m := range cs.byID {
		if m.Name == name && m.Owner == "" {
			return *m, nil
		}
	}
	if !create {
		return contextMeta{}, errContextNotFound
	}
	return cs.createLocked(name, "")
}

// internalFor finds or makes the file-transfer context of a session.
func (cs *contextStore) internalFor(owner string) (contextMeta, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, m := range cs.byID {
		if m.Owner == owner {
			return *m, nil
		}
	}
	return cs.createLocked("file-transfer-"+owner, owner)
}

// ownedBy is the id of a session's file-transfer context, if it has one.
func (cs *contextStore) ownedBy(owner string) (string, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, m := range cs.byID {
		if m.Owner == owner {
			return m.ID, true
		}
	}
	return "", false
}

func (cs *contextStore) createLocked(name, owner string) (contextMeta, error) {
	now := time.Now().UTC().Truncate(time.Second)
	m := &contextMeta{ID: newContextID(), Name: name, Created: now, LastUsed: now, Seq: cs.nextSeqLocked(), Owner: owner}
	if err := os.MkdirAll(cs.files(m.ID), 0o700); err != nil {
		return contextMeta{}, internal(err)
	}
	if err := cs.saveLocked(m); err != nil {
		os.RemoveAll(filepath.Join(cs.dir, m.ID))
		return contextMeta{}, internal(err)
	}
	cs.byID[m.ID] = m
	return *m, nil
}

func (cs *contextStore) nextSeqLocked() int64 {
	var top int64
	for _, m := range cs.byID {
		top = max(top, m.Seq)
	}
	return top + 1
}

// list returns the contexts in creation order.
func (cs *contextStore) list() []contextMeta {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := make([]contextMeta, 0, len(cs.byID))
	for _, m := range cs.byID {
		if m.Owner == "" {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(a, b contextMeta) int {
		if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func (cs *contextStore) rename(id, name string) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	m, ok := cs.byID[id]
	if !ok {
		return errContextNotFound
	}
	for _, o := range cs.byID {
		if o.Name == name && o.ID != id {
			return &apiError{http.StatusBadRequest, "InvalidParameter.ContextNameExists",
				fmt.Sprintf("A context named %q already exists.", name)}
		}
	}
	renamed := *m
	renamed.Name = name
	if err := cs.saveLocked(&renamed); err != nil {
		return internal(err)
	}
	*m = renamed
	return nil
}

func (cs *contextStore) delete(id string) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.byID[id]; !ok {
		return errContextNotFound
	}
	// meta.json first: a context without it is gone, whatever is left.
	if err := os.Remove(filepath.Join(cs.dir, id, "meta.json")); err != nil {
		return internal(err)
	}
	delete(cs.byID, id)
	os.RemoveAll(filepath.Join(cs.dir, id))
	return nil
}

// clear empties a context's content (at once: its state stays available).
func (cs *contextStore) clear(id string) error {
	return cs.replace(id, func(build string) error { return nil })
}

// replace gives the context the content fill writes into an empty folder,
// atomically.
func (cs *contextStore) replace(id string, fill func(build string) error) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	m, ok := cs.byID[id]
	if !ok {
		return errContextNotFound
	}
	base := filepath.Join(cs.dir, id)
	build, err := os.MkdirTemp(base, ".build-")
	if err != nil {
		return internal(err)
	}
	defer os.RemoveAll(build)
	if err := fill(build); err != nil {
		return err
	}
	files, old := filepath.Join(base, "files"), filepath.Join(base, "files.old")
	if err := os.Rename(files, old); err != nil {
		return internal(err)
	}
	if err := os.Rename(build, files); err != nil {
		os.Rename(old, files)
		return internal(err)
	}
	os.RemoveAll(old)
	m.LastUsed = time.Now().UTC().Truncate(time.Second)
	cs.saveLocked(m)
	return nil
}

// copyOut copies the context's content into dst (made if needed).
func (cs *contextStore) copyOut(id, dst string) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	m, ok := cs.byID[id]
	if !ok {
		return errContextNotFound
	}
	if err := copyTree(cs.files(id), dst); err != nil {
		return err
	}
	m.LastUsed = time.Now().UTC().Truncate(time.Second)
	cs.saveLocked(m)
	return nil
}

// copyTree copies the regular files, folders and symbolic links of src into
// dst, keeping modes and times; dst may exist.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			os.Remove(target)
			return os.Symlink(link, target)
		case info.Mode().IsRegular():
			if err := copyFile(p, target, info.Mode().Perm()); err != nil {
				return err
			}
			return os.Chtimes(target, info.ModTime(), info.ModTime())
		}
		return nil // sockets, devices, fifos: not content
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// contextFile cleans a file path inside a context ("/a/b.txt" or "a/b.txt")
// to a relative one, refusing paths that leave it.
func contextFile(p string) (string, error) {
	clean := path.Clean("/" + p)
	if clean == "/" || strings.ContainsRune(p, 0) {
		return "", invalid("FilePath", "want the path of a file inside the context")
	}
	return clean[1:], nil
}

// newFileURL registers a presigned URL for one file of a context.
func (cs *contextStore) newFileURL(contextID, file string, upload bool) (string, time.Time) {
	token := newToken()
	exp := time.Now().Add(fileURLLifetime)
	cs.urlMu.Lock()
	defer cs.urlMu.Unlock()
	now := time.Now()
	for t, u := range cs.urls {
		if now.After(u.expires) {
			delete(cs.urls, t)
		}
	}
	cs.urls[token] = fileURL{contextID: contextID, file: file, upload: upload, expires: exp}
	return token, exp
}

func (cs *contextStore) fileURLOf(token string) (fileURL, bool) {
	cs.urlMu.Lock()
	defer cs.urlMu.Unlock()
	u, ok := cs.urls[token]
	if !ok || time.Now().After(u.expires) {
		return fileURL{}, false
	}
	return u, true
}

// serveContextFile answers a presigned URL: PUT stores the body as the
// file (atomically), GET returns it.
func (s *Server) serveContextFile(w http.ResponseWriter, r *http.Request) {
	u, ok := s.contexts.fileURLOf(r.PathValue("token"))
	if !ok {
		http.Error(w, "this URL is unknown or has expired", http.StatusForbidden)
		return
	}
	cs := s.contexts
	target := filepath.Join(cs.files(u.contextID), filepath.FromSlash(u.file))
	switch {
	case u.upload && r.Method == http.MethodPut:
		cs.mu.Lock()
		defer cs.mu.Unlock()
		if _, ok := cs.byID[u.contextID]; !ok {
			http.Error(w, "the context no longer exists", http.StatusNotFound)
			return
		}
		if err := writeAtomically(target, http.MaxBytesReader(w, r.Body, s.opts.MaxUploadBytes)); err != nil {
			http.Error(w, "cannot store the file: "+err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	case !u.upload && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		cs.mu.Lock()
		f, err := os.Open(target)
		cs.mu.Unlock()
		if err != nil {
			http.Error(w, "no such file in the context", http.StatusNotFound)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || info.IsDir() {
			http.Error(w, "no such file in the context", http.StatusNotFound)
			return
		}
		http.ServeContent(w, r, path.Base(u.file), info.ModTime(), f)
	default:
		http.Error(w, "this URL is for "+map[bool]string{true: "PUT", false: "GET"}[u.upload], http.StatusMethodNotAllowed)
	}
}

func writeAtomically(target string, body io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".upload-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}
