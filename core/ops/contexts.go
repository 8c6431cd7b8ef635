package ops

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// contextOps are the official SDKs' context service (agent_bay.context) and
// a session's context syncs (session.context).
var contextOps = []*Op{
	{Name: "context_get", On: OnClient, Module: "context", Method: "get",
		Doc: "Finds a context by name (creating it if create) or by id.",
		Params: []Param{
			{"name", String, "the context's name"},
			{"create", Bool, "create it if there is none of that name"},
			{"context_id", String, "the context's id, instead of a name"},
		},
		Result: agentbay.ContextResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.GetContext(ctx, x.Args.str("name"), x.Args.bool("create"), x.Args.str("context_id"))
		}},
	{Name: "context_create", On: OnClient, Module: "context", Method: "create",
		Doc:    "Creates a context (or finds the one of that name).",
		Params: []Param{{"name", ID, "the context's name"}},
		Result: agentbay.ContextResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.GetContext(ctx, x.Args.str("name"), true, "")
		}},
	{Name: "context_list", On: OnClient, Module: "context", Method: "list",
		Doc: "Lists contexts, a page at a time.",
		Params: []Param{
			{"max_results", Count, "page size; 0 or absent: 10"},
			{"next_token", String, "the cursor of a previous page"},
			{"session_id", String, "only the contexts this session mounts"},
		},
		Result: agentbay.ContextListResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.ListContexts(ctx, x.Args.int("max_results"), x.Args.str("next_token"), x.Args.str("session_id"))
		}},
	{Name: "context_update", On: OnClient, Module: "context", Method: "update",
		Doc:    "Renames a context.",
		Params: []Param{{"context_id", ID, "the context's id"}, {"name", ID, "its new name"}},
		Result: agentbay.OperationResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.UpdateContext(ctx, x.Args.str("context_id"), x.Args.str("name"))
		}},
	{Name: "context_delete", On: OnClient, Module: "context", Method: "delete",
		Doc:    "Deletes a context and its content.",
		Params: []Param{{"context_id", ID, "the context's id"}},
		Result: agentbay.OperationResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.DeleteContext(ctx, x.Args.str("context_id"))
		}},
	{Name: "context_clear", On: OnClient, Module: "context", Method: "clear",
		Doc:    "Removes a context's content, keeping the context.",
		Params: []Param{{"context_id", ID, "the context's id"}},
		Result: agentbay.OperationResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.ClearContext(ctx, x.Args.str("context_id"))
		}},
	{Name: "context_get_file_upload_url", On: OnClient, Module: "context", Method: "get_file_upload_url",
		Doc:    "A presigned URL to PUT one file of a context.",
		Params: []Param{{"context_id", ID, "the context's id"}, {"file_path", ID, "the file's path in the context"}},
		Result: agentbay.ContextFileURLResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.ContextFileURL(ctx, x.Args.str("context_id"), x.Args.str("file_path"), true)
		}},
	{Name: "context_get_file_download_url", On: OnClient, Module: "context", Method: "get_file_download_url",
		Doc:    "A presigned URL to GET one file of a context.",
		Params: []Param{{"context_id", ID, "the context's id"}, {"file_path", ID, "the file's path in the context"}},
		Result: agentbay.ContextFileURLResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.ContextFileURL(ctx, x.Args.str("context_id"), x.Args.str("file_path"), false)
		}},
	{Name: "context_delete_file", On: OnClient, Module: "context", Method: "delete_file",
		Doc:    "Deletes one file or folder of a context.",
		Params: []Param{{"context_id", ID, "the context's id"}, {"file_path", ID, "the file's path in the context"}},
		Result: agentbay.OperationResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.DeleteContextFile(ctx, x.Args.str("context_id"), x.Args.str("file_path"))
		}},
	{Name: "context_list_files", On: OnClient, Module: "context", Method: "list_files",
		Doc: "Lists one folder of a context, a page at a time.",
		Params: []Param{
			{"context_id", ID, "the context's id"},
			{"parent_folder_path", String, `default "/"`},
			{"page_number", Page, "1-based; default 1"},
			{"page_size", Count, "0 or absent: 50"},
		},
		Result: agentbay.ContextFilesResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.ListContextFiles(ctx, x.Args.str("context_id"), x.Args.str("parent_folder_path"),
				x.Args.int("page_number"), x.Args.int("page_size"))
		}},

	// ---- Session -----------------------------------------------------------
	{Name: "context_sync", On: OnSession, Module: "context", Method: "sync",
		Doc: "Syncs the session's mounted contexts and waits until done; a failed task gives success false.",
		Params: []Param{
			{"context_id", String, "only this context"},
			{"path", String, "only the context mounted here"},
			{"mode", String, `"upload" (default) or "download"`},
		},
		Result: agentbay.OperationResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ContextSync(ctx, x.Args.str("context_id"), x.Args.str("path"), x.Args.str("mode"))
		}},
	{Name: "context_info", On: OnSession, Module: "context", Method: "info",
		Doc: "Reads the sync status of the session's contexts.",
		Params: []Param{
			{"context_id", String, "only this context"},
			{"path", String, "only the context mounted here"},
			{"task_type", String, `"upload" or "download"`},
		},
		Result: agentbay.ContextInfoResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ContextInfo(ctx, x.Args.str("context_id"), x.Args.str("path"), x.Args.str("task_type"))
		}},
	{Name: "context_bind", On: OnSession, Module: "context", Method: "bind",
		Doc: "Mounts more contexts in the running session; waits for their downloads unless wait_for_completion is false.",
		Params: []Param{
			{"contexts", ContextSyncs, "[{context_id, path, policy}, ...]"},
			{"wait_for_completion", Bool, "default true"},
		},
		Result: agentbay.OperationResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.BindContexts(ctx, x.Args.syncs("contexts"), x.Args.boolOr("wait_for_completion", true))
		}},
	{Name: "context_list_bindings", On: OnSession, Module: "context", Method: "list_bindings",
		Doc:    "Lists the contexts mounted in the session.",
		Result: agentbay.ContextBindingsResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ListBindings(ctx)
		}},
}

// ContextSyncs are create's context_syncs: a list of {context_id, path,
// policy}, where policy is the official SyncPolicy as a JSON object.
var ContextSyncs = &Type{Name: "list of {context_id, path, policy}", decode: func(name string, raw json.RawMessage) (any, error) {
	var items []map[string]json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, invalid("%s must be a list of {context_id, path, policy}, got %s", name, shown(raw))
	}
	syncs := make([]agentbay.ContextSync, 0, len(items))
	for i, it := range items {
		item := fmt.Sprintf("%s[%d]", name, i)
		args, err := decodeFields(item, it, []Param{
			{"context_id", ID, ""}, {"path", ID, ""}, {"policy", Object, ""},
		})
		if err != nil {
			return nil, err
		}
		syncs = append(syncs, agentbay.ContextSync{ContextID: args.str("context_id"), Path: args.str("path"),
			Policy: args.raw("policy")})
	}
	return syncs, nil
}}
