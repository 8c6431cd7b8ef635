package tools

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"

	"github.com/libagentbay/libagentbay/core/local/sandbox"
)

// Every file tool works through an os.Root on the session's root folder:
// it walks paths one component at a time and refuses any component, ".."
// or symbolic link, that leads outside the root, with no window between
// check and use.

// sessionPath cleans a path as the session sees it: absolute paths are
// under the session's root ("/.." stays at "/"), relative ones start at
// its home.
func sessionPath(p string) string {
	if !path.IsAbs(p) {
		p = path.Join(sandbox.Home, p)
	}
	return path.Clean(p)
}

// rootName turns a session path into a name for os.Root.
func rootName(p string) string {
	if p == "/" {
		return "."
	}
	return p[1:]
}

// resolve opens the session's root and cleans the session path p; rn is
// its name in the root. The caller closes the root.
func (w *Workspace) resolve(p string) (root *os.Root, sp, rn string, err error) {
	root, err = os.OpenRoot(w.box.Root())
	if err != nil {
		return nil, "", "", err
	}
	sp = sessionPath(p)
	return root, sp, rootName(sp), nil
}

// fileArg reads the path argument called name and resolves it.
func (w *Workspace) fileArg(a args, name string) (root *os.Root, sp, rn string, res *Result) {
	p, err := a.str(name, true)
	if err == nil && p == "" {
		err = fmt.Errorf("argument %q is empty", name)
	}
	if err == nil {
		root, sp, rn, err = w.resolve(p)
	}
	if err != nil {
		r := failf("%v", err)
		return nil, "", "", &r
	}
	return root, sp, rn, nil
}

// fsError describes err, which happened on the session path p, without
// the host's paths.
func fsError(p string, err error) Result {
	var msg string
	switch {
	case strings.HasSuffix(err.Error(), "path escapes from parent"): // os.Root's refusal
		msg = "access denied: the path leads outside the session's file system (through .. or a symbolic link)"
	case errors.Is(err, syscall.ENOTEMPTY):
		msg = "Directory not empty"
	case errors.Is(err, fs.ErrNotExist):
		msg = "No such file or directory"
	case errors.Is(err, fs.ErrExist):
		msg = "File exists"
	case errors.Is(err, syscall.ENOTDIR):
		msg = "Not a directory"
	case errors.Is(err, syscall.EISDIR):
		msg = "Is a directory"
	case errors.Is(err, fs.ErrPermission):
		msg = "Permission denied"
	default:
		// Keep the cause, not the operation and name, which are the
		// host's.
		for {
			var pe *fs.PathError
			var le *os.LinkError
			if errors.As(err, &pe) {
				err = pe.Err
			} else if errors.As(err, &le) {
				err = le.Err
			} else {
				break
			}
		}
		msg = err.Error()
	}
	return failf("%s: %s", p, msg)
}

var (
	createDirTool = &Tool{
		Name:        "create_directory",
		Description: "Create a directory, and any missing parents. Succeeds if it already exists.",
		InputSchema: schema([]string{"path"}, map[string]any{
			"path": prop("string", "Directory to create"),
		}),
		Server: serverFiles,
		run:    createDir,
	}
	deleteFileTool = &Tool{
		Name:        "delete_file",
		Description: "Delete a file, a symbolic link or an empty directory.",
		InputSchema: schema([]string{"path"}, map[string]any{
			"path": prop("string", "Path to delete"),
		}),
		Server: serverFiles,
		run:    deleteFile,
	}
	editFileTool = &Tool{
		Name: "edit_file",
		Description: "Replace text in a file. Each edit replaces the first occurrence of oldText with newText, " +
			"in order; the call fails if an oldText is not found. Returns a diff. With dry_run (or dryRun) the file is not changed.",
		InputSchema: schema([]string{"path", "edits"}, map[string]any{
			"path": prop("string", "File to edit"),
			"edits": map[string]any{"type": "array", "description": "Edits to apply in order", "items": schema(
				[]string{"oldText", "newText"}, map[string]any{
					"oldText": prop("string", "Text to find (exact match)"),
					"newText": prop("string", "Replacement text"),
				})},
			"dry_run": prop("boolean", "Show the diff without changing the file"),
			"dryRun":  prop("boolean", "Same as dry_run"),
		}),
		Server: serverFiles,
		run:    editFile,
	}
	fileInfoTool = &Tool{
		Name:        "get_file_info",
		Description: "Describe a file or directory, one 'key: value' per line: name, path, size (bytes), isDirectory, isFile, isSymlink, modified, permissions.",
		InputSchema: schema([]string{"path"}, map[string]any{
			"path": prop("string", "Path to describe"),
		}),
		Server: serverFiles,
		run:    fileInfo,
	}
	listDirTool = &Tool{
		Name:        "list_directory",
		Description: "List a directory, one entry per line: '[DIR] name' or '[FILE] name'.",
		InputSchema: schema([]string{"path"}, map[string]any{
			"path": prop("string", "Directory to list"),
		}),
		Server: serverFiles,
		run:    listDir,
	}
	moveFileTool = &Tool{
		Name:        "move_file",
		Description: "Move or rename a file or directory. Fails if the destination exists.",
		InputSchema: schema([]string{"source", "destination"}, map[string]any{
			"source":      prop("string", "Path to move"),
			"destination": prop("string", "New path"),
		}),
		Server: serverFiles,
		run:    moveFile,
	}
	readFileTool = &Tool{
		Name: "read_file",
		Description: "Read a file, or length bytes of it from byte offset (length 0: to the end). " +
			"With format 'binary' the bytes come back in base64.",
		InputSchema: schema([]string{"path"}, map[string]any{
			"path":   prop("string", "File to read"),
			"offset": prop("integer", "Byte offset to start at (default 0)"),
			"length": prop("integer", "Number of bytes to read (default 0: to the end)"),
			"format": map[string]any{"type": "string", "enum": []string{"text", "binary"},
				"description": "'text' (default) or 'binary' for base64"},
		}),
		Server: serverFiles,
		run:    readFile,
	}
	readMultipleTool = &Tool{
		Name:        "read_multiple_files",
		Description: "Read several files. Each section is the path and a colon on one line, then the content; sections are separated by a line '---'.",
		InputSchema: schema([]string{"paths"}, map[string]any{
			"paths": map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "description": "Files to read"},
		}),
		Server: serverFiles,
		run:    readMultiple,
	}
	searchFilesTool = &Tool{
		Name: "search_files",
		Description: "Search a directory tree for files and directories whose name contains pattern (case-insensitive) " +
			"or matches it as a glob. Prints one path per line, or 'No matches found'.",
		InputSchema: schema([]string{"path", "pattern"}, map[string]any{
			"path":    prop("string", "Directory to search"),
			"pattern": prop("string", "Text or glob to look for in names"),
			"exclude_patterns": map[string]any{"type": "array", "items": map[string]any{"type": "string"},
				"description": "Globs of names or relative paths to skip"},
			"excludePatterns": map[string]any{"type": []string{"array", "string"}, "items": map[string]any{"type": "string"},
				"description": "Same as exclude_patterns, as a list or a comma-separated string"},
		}),
		Server: serverFiles,
		run:    searchFiles,
	}
	writeFileTool = &Tool{
		Name:        "write_file",
		Description: "Write text to a file, creating it and its parent directories if needed. mode: 'overwrite' (default) or 'append'.",
		InputSchema: schema([]string{"path", "content"}, map[string]any{
			"path":    prop("string", "File to write"),
			"content": prop("string", "Text to write"),
			"mode": map[string]any{"type": "string", "enum": []string{"overwrite", "append"},
				"description": "'overwrite' (default) or 'append'"},
		}),
		Server: serverFiles,
		run:    writeFile,
	}
)

func createDir(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	if err := root.MkdirAll(rn, 0o755); err != nil {
		return fsError(sp, err)
	}
	return Result{Text: "Successfully created directory " + sp}
}

func deleteFile(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	if rn == "." {
		return failf("%s: the root of the session cannot be deleted", sp)
	}
	if err := root.Remove(rn); err != nil {
		return fsError(sp, err)
	}
	return Result{Text: "Successfully deleted " + sp}
}

// maxEditBytes bounds the files edit_file reads into memory.
const maxEditBytes = 32 << 20

type edit struct {
	OldText string `json:"oldText"`
	NewText string `json:"newText"`
}

func editFile(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	var edits []edit
	if err := a.object("edits", &edits, "a list of {oldText, newText}"); err != nil {
		return failf("%v", err)
	}
	if len(edits) == 0 {
		return failf("missing argument %q", "edits")
	}
	dry, err := a.bool("dry_run", "dryRun")
	if err != nil {
		return failf("%v", err)
	}
	info, err := root.Stat(rn)
	if err != nil {
		return fsError(sp, err)
	}
	if info.Size() > maxEditBytes {
		return failf("%s: the file is %d bytes, more than the %d bytes edit_file handles", sp, info.Size(), maxEditBytes)
	}
	old, err := root.ReadFile(rn)
	if err != nil {
		return fsError(sp, err)
	}
	text := string(old)
	diff := fmt.Sprintf("--- %s\n+++ %s\n", sp, sp)
	for i, e := range edits {
		if e.OldText == "" {
			return failf("edit %d: oldText is empty", i+1)
		}
		at := strings.Index(text, e.OldText)
		if at < 0 {
			return failf("edit %d: oldText not found in %s: %q", i+1, sp, e.OldText)
		}
		text = text[:at] + e.NewText + text[at+len(e.OldText):]
		line := strings.Count(text[:at], "\n") + 1
		diff += fmt.Sprintf("@@ line %d @@\n%s%s", line, prefixLines("-", e.OldText), prefixLines("+", e.NewText))
	}
	if !dry {
		if err := root.WriteFile(rn, []byte(text), info.Mode().Perm()); err != nil {
			return fsError(sp, err)
		}
	}
	return Result{Text: diff}
}

func prefixLines(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+prefix) + "\n"
}

func fileInfo(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	linfo, err := root.Lstat(rn)
	if err != nil {
		return fsError(sp, err)
	}
	info, err := root.Stat(rn) // through a symbolic link, if it stays inside
	if err != nil {
		return fsError(sp, err)
	}
	return Result{Text: fmt.Sprintf("name: %s\npath: %s\nsize: %d\nisDirectory: %t\nisFile: %t\nisSymlink: %t\nmodified: %s\npermissions: %s",
		path.Base(sp), sp, info.Size(), info.IsDir(), info.Mode().IsRegular(),
		linfo.Mode()&fs.ModeSymlink != 0, info.ModTime().UTC().Format("2006-01-02 15:04:05"),
		info.Mode()&(fs.ModeDir|fs.ModePerm))}
}

func listDir(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	ents, err := fs.ReadDir(root.FS(), rn)
	if err != nil {
		return fsError(sp, err)
	}
	var out limitedText
	out.limit = w.limits.MaxOutputBytes
	for _, e := range ents {
		kind := "[FILE]"
		if e.IsDir() {
			kind = "[DIR]"
		}
		out.line(kind + " " + e.Name())
	}
	return Result{Text: out.String()}
}

func moveFile(_ context.Context, w *Workspace, a args) Result {
	root, src, srcName, res := w.fileArg(a, "source")
	if res != nil {
		return *res
	}
	defer root.Close()
	dst, err := a.str("destination", true)
	if err == nil && dst == "" {
		err = fmt.Errorf("argument %q is empty", "destination")
	}
	if err != nil {
		return failf("%v", err)
	}
	dst = sessionPath(dst)
	if _, err := root.Lstat(rootName(dst)); err == nil {
		return failf("%s: File exists", dst)
	}
	if err := root.Rename(srcName, rootName(dst)); err != nil {
		return fsError(src+" -> "+dst, err)
	}
	return Result{Text: fmt.Sprintf("Successfully moved %s to %s", src, dst)}
}

func readFile(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	offset, err := a.int("offset", 0)
	if err != nil {
		return failf("%v", err)
	}
	length, err := a.int("length", 0)
	if err != nil {
		return failf("%v", err)
	}
	format, err := a.str("format", false)
	if err != nil {
		return failf("%v", err)
	}
	if offset < 0 || length < 0 {
		return failf("offset and length must not be negative")
	}
	if format != "" && format != "text" && format != "binary" {
		return failf("invalid argument %q: want 'text' or 'binary'", "format")
	}
	data, r := w.readPart(root, sp, rn, offset, length, int64(w.limits.MaxOutputBytes))
	if r != nil {
		return *r
	}
	if format == "binary" {
		return Result{Text: base64.StdEncoding.EncodeToString(data)}
	}
	return Result{Text: string(data)}
}

// readPart reads length bytes (0: to the end) from offset, refusing to
// read more than limit bytes.
func (w *Workspace) readPart(root *os.Root, sp, rn string, offset, length, limit int64) ([]byte, *Result) {
	f, err := root.Open(rn)
	if err != nil {
		r := fsError(sp, err)
		return nil, &r
	}
	defer f.Close()
	info, err := f.Stat()
	if err == nil && info.IsDir() {
		err = syscall.EISDIR
	}
	if err != nil {
		r := fsError(sp, err)
		return nil, &r
	}
	want := length
	if want == 0 {
		want = max(info.Size()-offset, 0)
	}
	if want > limit {
		r := failf("%s: reading %d bytes is more than the %d bytes one call may return; read it in parts with offset and length",
			sp, want, limit)
		return nil, &r
	}
	data, err := io.ReadAll(io.NewSectionReader(f, offset, want))
	if err != nil {
		r := fsError(sp, err)
		return nil, &r
	}
	return data, nil
}

func readMultiple(_ context.Context, w *Workspace, a args) Result {
	paths, err := a.list("paths")
	if err != nil {
		return failf("%v", err)
	}
	if len(paths) == 0 {
		return failf("missing argument %q", "paths")
	}
	root, err := os.OpenRoot(w.box.Root())
	if err != nil {
		return failf("%v", err)
	}
	defer root.Close()
	budget := int64(w.limits.MaxOutputBytes)
	sections := make([]string, 0, len(paths))
	for _, p := range paths {
		sp := sessionPath(p)
		data, r := w.readPart(root, sp, rootName(sp), 0, 0, budget)
		if r != nil {
			sections = append(sections, fmt.Sprintf("%s: Error - %s", p, strings.TrimPrefix(r.Text, sp+": ")))
			continue
		}
		budget -= int64(len(data))
		sections = append(sections, fmt.Sprintf("%s:\n%s", p, data))
	}
	return Result{Text: strings.Join(sections, "\n---\n")}
}

func searchFiles(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	pattern, err := a.str("pattern", true)
	if err == nil && pattern == "" {
		err = fmt.Errorf("argument %q is empty", "pattern")
	}
	if err != nil {
		return failf("%v", err)
	}
	excludes, err := a.list("exclude_patterns", "excludePatterns")
	if err != nil {
		return failf("%v", err)
	}
	if info, err := root.Stat(rn); err != nil || !info.IsDir() {
		if err == nil {
			err = syscall.ENOTDIR
		}
		return fsError(sp, err)
	}
	var out limitedText
	out.limit = w.limits.MaxOutputBytes
	lower := strings.ToLower(pattern)
	err = fs.WalkDir(root.FS(), rn, func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == rn {
			return nil // skip what cannot be read
		}
		rel := strings.TrimPrefix(name, rn+"/")
		if rn == "." {
			rel = name
		}
		if slices.ContainsFunc(excludes, func(p string) bool { return globMatch(p, d.Name()) || globMatch(p, rel) }) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if strings.Contains(strings.ToLower(d.Name()), lower) || globMatch(pattern, d.Name()) || globMatch(pattern, rel) {
			if !out.line(path.Join(sp, rel)) {
				return fs.SkipAll
			}
		}
		return nil
	})
	if err != nil {
		return fsError(sp, err)
	}
	if out.Len() == 0 {
		return Result{Text: "No matches found"}
	}
	return Result{Text: out.String()}
}

// globMatch matches name against a shell glob; a leading "**/" matches any
// folders.
func globMatch(pattern, name string) bool {
	pattern = strings.TrimPrefix(pattern, "**/")
	ok, _ := path.Match(pattern, name)
	return ok
}

func writeFile(_ context.Context, w *Workspace, a args) Result {
	root, sp, rn, res := w.fileArg(a, "path")
	if res != nil {
		return *res
	}
	defer root.Close()
	content, err := a.str("content", true)
	if err != nil {
		return failf("%v", err)
	}
	mode, err := a.str("mode", false)
	if err != nil {
		return failf("%v", err)
	}
	flags := os.O_WRONLY | os.O_CREATE
	switch mode {
	case "", "overwrite":
		flags |= os.O_TRUNC
	case "append":
		flags |= os.O_APPEND
	default:
		return failf("invalid argument %q: want 'overwrite' or 'append'", "mode")
	}
	if dir := path.Dir(rn); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return fsError(path.Dir(sp), err)
		}
	}
	f, err := root.OpenFile(rn, flags, 0o644)
	if err != nil {
		return fsError(sp, err)
	}
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fsError(sp, err)
	}
	return Result{Text: fmt.Sprintf("Successfully wrote %d bytes to %s", len(content), sp)}
}

// limitedText collects lines up to a limit, then notes how many it left
// out.
type limitedText struct {
	strings.Builder
	limit   int
	omitted int
}

// line adds s; it reports false once the limit is reached.
func (t *limitedText) line(s string) bool {
	if t.omitted > 0 || t.Len()+len(s)+1 > t.limit {
		t.omitted++
		return false
	}
	if t.Len() > 0 {
		t.WriteByte('\n')
	}
	t.WriteString(s)
	return true
}

func (t *limitedText) String() string {
	if t.omitted > 0 {
		return fmt.Sprintf("%s\n[output truncated: more than %d bytes]", t.Builder.String(), t.limit)
	}
	return t.Builder.String()
}
