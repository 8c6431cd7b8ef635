package ops

import (
	"context"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// fileSystemOps are the official SDKs' session.file_system.
var fileSystemOps = []*Op{
	fileOp("create_directory", "Creates a directory and its missing parents.", agentbay.BoolResult{},
		func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.CreateDirectory(ctx, x.Args.str("path"))
		}),
	fileOp("delete_file", "Deletes a file or an empty directory.", agentbay.BoolResult{},
		func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.DeleteFile(ctx, x.Args.str("path"))
		}),
	{Name: "edit_file", On: OnSession, Module: "file_system", Method: "edit_file",
		Doc: "Replaces the first occurrence of each oldText with its newText, in order; dry_run only shows the diff.",
		Params: []Param{
			{"path", ID, "the file"},
			{"edits", Edits, "[{oldText, newText}, ...]"},
			{"dry_run", Bool, "leave the file as it is"},
		},
		Result: agentbay.EditResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.EditFile(ctx, x.Args.str("path"), x.Args.edits("edits"), x.Args.bool("dry_run"))
		}},
	fileOp("get_file_change", "What changed under a directory since the previous call for it; the first starts the watch.",
		agentbay.FileChangeResult{},
		func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.GetFileChange(ctx, x.Args.str("path"))
		}),
	fileOp("get_file_info", "Describes a file or directory.", agentbay.FileInfoResult{},
		func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.GetFileInfo(ctx, x.Args.str("path"))
		}),
	fileOp("list_directory", "Lists a directory (not recursively).", agentbay.DirectoryListResult{},
		func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ListDirectory(ctx, x.Args.str("path"))
		}),
	{Name: "move_file", On: OnSession, Module: "file_system", Method: "move_file",
		Doc:    "Moves or renames a file or directory; an existing destination is refused.",
		Params: []Param{{"source", ID, "the path to move"}, {"destination", ID, "its new path"}},
		Result: agentbay.BoolResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.MoveFile(ctx, x.Args.str("source"), x.Args.str("destination"))
		}},
	fileOp("read_file", "Reads a UTF-8 text file whole (in chunks).", agentbay.FileContentResult{},
		func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ReadFile(ctx, x.Args.str("path"))
		}),
	{Name: "read_file_bytes", On: OnSession, Module: "file_system", Method: "read_file", // format "bytes"
		Doc:    "Reads a file's bytes whole (in chunks); content is base64.",
		Params: []Param{{"path", ID, "the file"}},
		Result: agentbay.BinaryFileContentResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ReadFileBytes(ctx, x.Args.str("path"))
		}},
	{Name: "read_multiple_files", On: OnSession, Module: "file_system", Method: "read_multiple_files",
		Doc:    "Reads several text files in one call; contents maps each path to its trimmed text.",
		Params: []Param{{"paths", Strings, "the files"}},
		Result: agentbay.MultipleFileContentResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ReadMultipleFiles(ctx, x.Args.list("paths"))
		}},
	{Name: "search_files", On: OnSession, Module: "file_system", Method: "search_files",
		Doc: "Finds the paths under path whose names match pattern, skipping exclude_patterns.",
		Params: []Param{
			{"path", ID, "the directory to search"},
			{"pattern", ID, "a wildcard pattern or a part of the name"},
			{"exclude_patterns", Strings, "wildcard patterns of names or relative paths to skip"},
		},
		Result: agentbay.FileSearchResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.SearchFiles(ctx, x.Args.str("path"), x.Args.str("pattern"), x.Args.list("exclude_patterns"))
		}},
	{Name: "write_file", On: OnSession, Module: "file_system", Method: "write_file",
		Doc: "Writes text to a file (in chunks), creating its parent directories.",
		Params: []Param{
			{"path", ID, "the file"},
			{"content", Text, "the text"},
			{"mode", String, `"overwrite" (default) or "append"`},
		},
		Result: agentbay.BoolResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.WriteFile(ctx, x.Args.str("path"), x.Args.str("content"), x.Args.str("mode"))
		}},
	{Name: "upload_file", On: OnSession, Module: "file_system", Method: "upload_file",
		Doc: "Copies a host file into the session through its file-transfer context, and waits until it is there.",
		Params: append([]Param{
			{"local_path", ID, "the host file"},
			{"remote_path", ID, "its absolute path in the session"},
			{"content_type", String, "the upload's Content-Type"},
		}, transferParams...),
		Result: agentbay.UploadResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.UploadFile(ctx, x.Args.str("local_path"), x.Args.str("remote_path"), transferOptions(x.Args))
		}},
	{Name: "download_file", On: OnSession, Module: "file_system", Method: "download_file",
		Doc: "Copies a session file to a host file (replaced atomically) through the file-transfer context.",
		Params: append([]Param{
			{"remote_path", ID, "the absolute path in the session"},
			{"local_path", ID, "the host file"},
			{"overwrite", Bool, "replace an existing host file; default true"},
		}, transferParams...),
		Result: agentbay.DownloadResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.DownloadFile(ctx, x.Args.str("remote_path"), x.Args.str("local_path"),
				x.Args.boolOr("overwrite", true), transferOptions(x.Args))
		}},
}

// transferParams are the official SDKs' wait options of a file transfer.
var transferParams = []Param{
	{"wait", unsupportedIf(false, ": transfers always wait for the sync"), "true (the default) only"},
	{"wait_timeout", Seconds, "bounds the wait for the sync; default 30"},
	{"poll_interval", Seconds, "the longest gap between its polls; default 1.5"},
	{"progress_cb", Unsupported(": progress is not reported"), "not supported"},
}

func transferOptions(a Args) agentbay.TransferOptions {
	return agentbay.TransferOptions{ContentType: a.str("content_type"), Timeout: a.dur("wait_timeout"), PollInterval: a.dur("poll_interval")}
}

// fileOp is a file system operation whose one parameter is a path.
func fileOp(name, doc string, result any, run func(context.Context, *Exec) (any, error)) *Op {
	return &Op{Name: name, On: OnSession, Module: "file_system", Method: name, Doc: doc,
		Params: []Param{{"path", ID, "the path in the session"}}, Result: result, run: run}
}
