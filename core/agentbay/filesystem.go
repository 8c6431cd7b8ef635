package agentbay

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/libagentbay/libagentbay/core/wire"
)

// The file system module (the official SDKs' session.file_system) is the
// session's file tools of spec 7.1, read into structured results. Large
// files go in chunks: a CallMcpTool request through the API travels over a
// message channel with a 63 KiB limit, so chunks there are the official
// SDKs' sizes; the LinkUrl route has no such limit, and its chunks are only
// bounded so that one reply stays well under what a server returns at once.
const (
	apiReadChunk   = 50 << 10
	apiWriteChunk  = 51 << 10
	linkReadChunk  = 512 << 10
	linkWriteChunk = 512 << 10
)

// BoolResult is a file operation's outcome; Data is true when it was done.
type BoolResult struct {
	Result
	Data bool `json:"data"`
}

// EditResult is EditFile's outcome, with the diff of the edits (also on a
// dry run, where the file is left as it was).
type EditResult struct {
	Result
	Data bool   `json:"data"`
	Diff string `json:"diff"`
}

// FileInfoResult describes a file: the service's fields by name, with
// true/false and numbers converted, as the official SDKs read them (the
// local backend gives name, path, size, isDirectory, isFile, isSymlink,
// modified and permissions).
type FileInfoResult struct {
	Result
	FileInfo map[string]any `json:"file_info"`
}

// DirectoryEntry is one name in a directory.
type DirectoryEntry struct {
	Name        string `json:"name"`
	IsDirectory bool   `json:"is_directory"`
}

// DirectoryListResult is a directory's entries, in the service's order.
type DirectoryListResult struct {
	Result
	Entries []DirectoryEntry `json:"entries"`
}

// FileContentResult is a text file's content.
type FileContentResult struct {
	Result
	Content string `json:"content"`
}

// BinaryFileContentResult is a file's bytes (base64 in JSON).
type BinaryFileContentResult struct {
	Result
	Content []byte `json:"content"`
	Size    int    `json:"size"`
}

// MultipleFileContentResult maps each path read to its content, trimmed
// of surrounding white space as the official SDKs trim it; a file that
// could not be read maps to "Error - " and the reason.
type MultipleFileContentResult struct {
	Result
	Contents map[string]string `json:"contents"`
}

// FileSearchResult is the paths whose names match a search.
type FileSearchResult struct {
	Result
	Matches []string `json:"matches"`
}

// Edit replaces the first occurrence of OldText with NewText.
type Edit struct {
	OldText string `json:"oldText"`
	NewText string `json:"newText"`
}

// viaLink says whether tool calls take the LinkUrl route.
func (s *Session) viaLink() bool { return s.linkURL != "" && s.token != "" }

// fileTool calls a file tool; what names the operation in the message of a
// failure the service gives no words for.
func (s *Session) fileTool(ctx context.Context, tool, what string, args map[string]any) (*McpToolResult, error) {
	res, err := s.CallMcpTool(ctx, tool, args, CallOptions{})
	if err == nil && !res.Success && res.ErrorMessage == "" {
		res.ErrorMessage = "Failed to " + what
	}
	return res, err
}

func needPath(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return wire.Errorf(wire.KindInvalidArgument, "%s is required", name)
	}
	return nil
}

// boolCall runs a file tool whose result is only whether it worked.
func (s *Session) boolCall(ctx context.Context, tool, what string, args map[string]any) (*BoolResult, error) {
	res, err := s.fileTool(ctx, tool, what, args)
	if err != nil {
		return nil, err
	}
	return &BoolResult{Result: res.Result, Data: res.Success}, nil
}

// CreateDirectory makes a directory and its missing parents.
func (s *Session) CreateDirectory(ctx context.Context, path string) (*BoolResult, error) {
	if err := needPath("path", path); err != nil {
		return nil, err
	}
	return s.boolCall(ctx, "create_directory", "create directory", map[string]any{"path": path})
}

// DeleteFile deletes a file or an empty directory.
func (s *Session) DeleteFile(ctx context.Context, path string) (*BoolResult, error) {
	if err := needPath("path", path); err != nil {
		return nil, err
	}
	return s.boolCall(ctx, "delete_file", "delete file", map[string]any{"path": path})
}

// MoveFile moves or renames a file or directory; an existing destination
// is refused.
func (s *Session) MoveFile(ctx context.Context, source, destination string) (*BoolResult, error) {
	if err := needPath("source", source); err != nil {
		return nil, err
	}
	if err := needPath("destination", destination); err != nil {
		return nil, err
	}
	return s.boolCall(ctx, "move_file", "move file", map[string]any{"source": source, "destination": destination})
}

// EditFile applies edits in order, each to the first occurrence of its
// OldText; with dryRun the file is left as it was. The diff says what
// changed (or would).
func (s *Session) EditFile(ctx context.Context, path string, edits []Edit, dryRun bool) (*EditResult, error) {
	if err := needPath("path", path); err != nil {
		return nil, err
	}
	if len(edits) == 0 {
		return nil, wire.Errorf(wire.KindInvalidArgument, "edits must not be empty")
	}
	for i, e := range edits {
		if e.OldText == "" {
			return nil, wire.Errorf(wire.KindInvalidArgument, "edit %d: oldText is empty", i+1)
		}
	}
	res, err := s.fileTool(ctx, "edit_file", "edit file", map[string]any{"path": path, "edits": edits, "dryRun": dryRun})
	if err != nil {
		return nil, err
	}
	out := &EditResult{Result: res.Result, Data: res.Success}
	if res.Success {
		out.Diff = res.Data
	}
	return out, nil
}

// GetFileInfo describes a file or directory.
func (s *Session) GetFileInfo(ctx context.Context, path string) (*FileInfoResult, error) {
	if err := needPath("path", path); err != nil {
		return nil, err
	}
	res, err := s.fileTool(ctx, "get_file_info", "get file info", map[string]any{"path": path})
	if err != nil {
		return nil, err
	}
	out := &FileInfoResult{Result: res.Result, FileInfo: map[string]any{}}
	if res.Success {
		out.FileInfo = fileInfoFields(res.Data)
	}
	return out, nil
}

// fileInfoFields reads "key: value" lines.
func fileInfoFields(text string) map[string]any {
	info := map[string]any{}
	for line := range strings.SplitSeq(text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		info[strings.TrimSpace(k)] = infoValue(strings.TrimSpace(v))
	}
	return info
}

func infoValue(v string) any {
	switch strings.ToLower(v) {
	case "true":
		return true
	case "false":
		return false
	}
	if strings.Contains(v, ".") {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	} else if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	return v
}

// ListDirectory lists a directory (not recursively).
func (s *Session) ListDirectory(ctx context.Context, path string) (*DirectoryListResult, error) {
	if err := needPath("path", path); err != nil {
		return nil, err
	}
	res, err := s.fileTool(ctx, "list_directory", "list directory", map[string]any{"path": path})
	if err != nil {
		return nil, err
	}
	out := &DirectoryListResult{Result: res.Result, Entries: []DirectoryEntry{}}
	if !res.Success {
		return out, nil
	}
	for line := range strings.SplitSeq(res.Data, "\n") {
		line = strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(line, "[DIR]"); ok {
			out.Entries = append(out.Entries, DirectoryEntry{Name: strings.TrimSpace(name), IsDirectory: true})
		} else if name, ok := strings.CutPrefix(line, "[FILE]"); ok {
			out.Entries = append(out.Entries, DirectoryEntry{Name: strings.TrimSpace(name)})
		}
	}
	return out, nil
}

// ReadFile reads a text file whole, in chunks (see the constants above).
// A file that is not UTF-8 is a failed result: read it with ReadFileBytes.
func (s *Session) ReadFile(ctx context.Context, path string) (*FileContentResult, error) {
	data, r, err := s.readAll(ctx, path)
	if err != nil {
		return nil, err
	}
	out := &FileContentResult{Result: r}
	switch {
	case !r.Success:
	case !utf8.Valid(data):
		out.Success = false
		out.ErrorMessage = fmt.Sprintf("%s is not UTF-8 text: read it as bytes", path)
	default:
		out.Content = string(data)
	}
	return out, nil
}

// ReadFileBytes reads a file's bytes whole, in chunks.
func (s *Session) ReadFileBytes(ctx context.Context, path string) (*BinaryFileContentResult, error) {
	data, r, err := s.readAll(ctx, path)
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{}
	}
	return &BinaryFileContentResult{Result: r, Content: data, Size: len(data)}, nil
}

// readAll asks for the file's size, then reads it a chunk at a time, in
// base64 so that a chunk boundary inside a UTF-8 character loses nothing.
// A file that shrinks meanwhile ends at its new end.
func (s *Session) readAll(ctx context.Context, path string) ([]byte, Result, error) {
	info, err := s.GetFileInfo(ctx, path)
	if err != nil {
		return nil, Result{}, err
	}
	r := info.Result
	if !r.Success {
		return nil, r, nil
	}
	size, _ := info.FileInfo["size"].(int64)
	if isDir, _ := info.FileInfo["isDirectory"].(bool); isDir || size < 0 {
		r.Success, r.ErrorMessage = false, "Path does not exist or is a directory: "+path
		return nil, r, nil
	}
	chunk := int64(apiReadChunk)
	if s.viaLink() {
		chunk = linkReadChunk
	}
	data := make([]byte, 0, size)
	for off := int64(0); off < size; {
		n := min(chunk, size-off)
		res, err := s.fileTool(ctx, "read_file", "read file",
			map[string]any{"path": path, "offset": off, "length": n, "format": "binary"})
		if err != nil {
			return nil, Result{}, err
		}
		if !res.Success {
			return nil, res.Result, nil
		}
		part, err := base64.StdEncoding.DecodeString(res.Data)
		if err != nil {
			res.Success, res.ErrorMessage = false, "Failed to decode base64: "+err.Error()
			return nil, res.Result, nil
		}
		data = append(data, part...)
		if int64(len(part)) < n {
			break
		}
		off += int64(len(part))
	}
	return data, r, nil
}

// WriteFile writes text to a file, creating it and its parent directories;
// mode is "overwrite" (or "") or "append". Large content goes in chunks,
// the first in mode and the rest appended, so a reader may see a
// partly written file meanwhile.
func (s *Session) WriteFile(ctx context.Context, path, content, mode string) (*BoolResult, error) {
	if err := needPath("path", path); err != nil {
		return nil, err
	}
	switch mode {
	case "":
		mode = "overwrite"
	case "overwrite", "append":
	default:
		return nil, wire.Errorf(wire.KindInvalidArgument, "Invalid write mode: %s. Must be 'overwrite' or 'append'.", mode)
	}
	if !utf8.ValidString(content) {
		return nil, wire.Errorf(wire.KindInvalidArgument, "content must be UTF-8 text")
	}
	chunk := apiWriteChunk
	if s.viaLink() {
		chunk = linkWriteChunk
	}
	for {
		part := utf8Prefix(content, chunk)
		res, err := s.boolCall(ctx, "write_file", "write file", map[string]any{"path": path, "content": part, "mode": mode})
		if err != nil || !res.Success || len(part) == len(content) {
			return res, err
		}
		content, mode = content[len(part):], "append"
	}
}

// utf8Prefix is the longest prefix of s of at most n bytes that does not
// cut a character (n is larger than any character).
func utf8Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ReadMultipleFiles reads several text files in one call.
func (s *Session) ReadMultipleFiles(ctx context.Context, paths []string) (*MultipleFileContentResult, error) {
	if len(paths) == 0 {
		return nil, wire.Errorf(wire.KindInvalidArgument, "paths must not be empty")
	}
	for _, p := range paths {
		if err := needPath("each of paths", p); err != nil {
			return nil, err
		}
	}
	res, err := s.fileTool(ctx, "read_multiple_files", "read multiple files", map[string]any{"paths": paths})
	if err != nil {
		return nil, err
	}
	out := &MultipleFileContentResult{Result: res.Result, Contents: map[string]string{}}
	if res.Success {
		out.Contents = fileSections(res.Data)
	}
	return out, nil
}

// fileSections reads "path: content" sections separated by "---" lines.
func fileSections(text string) map[string]string {
	out := map[string]string{}
	var path string
	var body []string
	open := false
	flush := func() {
		if open {
			out[path] = strings.TrimSpace(strings.Join(body, "\n"))
		}
		open, body = false, nil
	}
	for line := range strings.SplitSeq(text, "\n") {
		switch {
		case strings.TrimSpace(line) == "---":
			flush()
		case open:
			body = append(body, line)
		default:
			p, rest, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			path, open = strings.TrimSpace(p), true
			body = []string{rest}
		}
	}
	flush()
	return out
}

// SearchFiles finds the files and directories under path whose names
// match pattern (a wildcard pattern or a part of the name), skipping those
// that match any of excludes.
func (s *Session) SearchFiles(ctx context.Context, path, pattern string, excludes []string) (*FileSearchResult, error) {
	if err := needPath("path", path); err != nil {
		return nil, err
	}
	if err := needPath("pattern", pattern); err != nil {
		return nil, err
	}
	for _, e := range excludes {
		if strings.Contains(e, ",") {
			return nil, wire.Errorf(wire.KindInvalidArgument,
				"exclude pattern %q has a comma: the service takes the patterns as one comma-separated list", e)
		}
	}
	args := map[string]any{"path": path, "pattern": pattern}
	if len(excludes) > 0 {
		// The official SDKs send them as one comma-separated string.
		args["excludePatterns"] = strings.Join(excludes, ",")
	}
	res, err := s.fileTool(ctx, "search_files", "search files", args)
	if err != nil {
		return nil, err
	}
	out := &FileSearchResult{Result: res.Result, Matches: []string{}}
	if !res.Success {
		return out, nil
	}
	for line := range strings.SplitSeq(strings.TrimSpace(res.Data), "\n") {
		if line != "" && line != "No matches found" {
			out.Matches = append(out.Matches, line)
		}
	}
	return out, nil
}

// FileChangeEvent is one change under a watched directory.
type FileChangeEvent struct {
	EventType string `json:"event_type"` // "create", "modify" or "delete"
	Path      string `json:"path"`
	PathType  string `json:"path_type"` // "file" or "directory"
}

// FileChangeResult is what changed under a directory since the previous
// GetFileChange of it (nothing on the first, which starts the watch).
type FileChangeResult struct {
	Result
	Events  []FileChangeEvent `json:"events"`
	RawData string            `json:"raw_data"`
}

// GetFileChange polls a directory for changes (the get_file_change tool):
// the first call for a path only takes its baseline. WatchDirectory in the
// bindings calls it on a timer.
func (s *Session) GetFileChange(ctx context.Context, path string) (*FileChangeResult, error) {
	if err := needPath("path", path); err != nil {
		return nil, err
	}
	res, err := s.fileTool(ctx, "get_file_change", "get file change", map[string]any{"path": path})
	if err != nil {
		return nil, err
	}
	out := &FileChangeResult{Result: res.Result, Events: []FileChangeEvent{}, RawData: res.Data}
	if !res.Success {
		return out, nil
	}
	var raw []struct {
		EventType string `json:"eventType"`
		Path      string `json:"path"`
		PathType  string `json:"pathType"`
	}
	if err := json.Unmarshal([]byte(res.Data), &raw); err != nil {
		out.Success, out.ErrorMessage = false, "the service's file changes are not a JSON array: "+err.Error()
		return out, nil
	}
	for _, e := range raw {
		out.Events = append(out.Events, FileChangeEvent(e))
	}
	return out, nil
}
