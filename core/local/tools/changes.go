package tools

import (
	"context"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// get_file_change reports what changed in a directory tree since the
// previous call for the same directory. The first call only takes a
// snapshot and reports nothing. Snapshots live in memory, per session.

var fileChangeTool = &Tool{
	Name: "get_file_change",
	Description: "Report the files and directories created, modified or deleted under a directory since the previous call " +
		"for it, as a JSON array of {eventType, path, pathType}. The first call starts watching and returns [].",
	InputSchema: schema([]string{"path"}, map[string]any{
		"path": prop("string", "Directory to watch"),
	}),
	Server: serverFiles,
	run:    fileChange,
}

// maxWatched bounds the entries of one snapshot; a larger tree is watched
// only in part.
const maxWatched = 10000

type entry struct {
	dir   bool
	size  int64
	mtime int64
}

// snapshot maps paths relative to the watched directory to their state.
type snapshot map[string]entry

type change struct {
	EventType string `json:"eventType"`
	Path      string `json:"path"`
	PathType  string `json:"pathType"`
}

func fileChange(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	now := snapshot{}
	err := fs.WalkDir(root.FS(), rn, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == rn {
				return err
			}
			return nil
		}
		if name == rn {
			return nil
		}
		if len(now) >= maxWatched {
			return fs.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return nil // gone meanwhile
		}
		rel := strings.TrimPrefix(name, rn+"/")
		if rn == "." {
			rel = name
		}
		now[rel] = entry{dir: d.IsDir(), size: info.Size(), mtime: info.ModTime().UnixNano()}
		return nil
	})
	if err != nil {
		return fsError(sp, err)
	}
	w.mu.Lock()
	before, watched := w.watches[sp]
	w.watches[sp] = now
	w.mu.Unlock()
	changes := []change{}
	if watched {
		changes = diff(sp, before, now)
	}
	return Result{Text: jsonText(changes)}
}

func diff(dir string, before, now snapshot) []change {
	changes := []change{}
	add := func(event, rel string, e entry) {
		kind := "file"
		if e.dir {
			kind = "directory"
		}
		changes = append(changes, change{event, path.Join(dir, rel), kind})
	}
	for rel, e := range now {
		old, ok := before[rel]
		switch {
		case !ok:
			add("create", rel, e)
		case !e.dir && (old.size != e.size || old.mtime != e.mtime):
			add("modify", rel, e)
		}
	}
	for rel, e := range before {
		if _, ok := now[rel]; !ok {
			add("delete", rel, e)
		}
	}
	slices.SortFunc(changes, func(a, b change) int { return strings.Compare(a.Path, b.Path) })
	return changes
}
