package ops

import (
	"context"
	"slices"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// table is the one list of operations: the session API of the reference,
// then the official SDKs' session modules, each in a file of its own.
// Parameters are named as the reference names the arguments, in the
// reference's units (seconds for pause and resume, milliseconds for tool
// calls); results carry the reference's field names.
var table = slices.Concat(sessionAPI, commandOps, codeOps, contextOps, fileSystemOps)

// sessionAPI are the client calls and the AsyncSession API of the reference.
var sessionAPI = []*Op{
	// ---- Client ----------------------------------------------------------
	{Name: "create", On: OnClient, CName: "ab_client_create",
		Doc: "Creates a session; the result's session_handle is the caller's to free.",
		Params: []Param{
			{"labels", Labels, "initial labels"},
			{"image_id", String, "e.g. linux_latest; default: the service's"},
			{"policy_id", String, "the MCP policy to apply"},
			{"context_syncs", ContextSyncs, "contexts to mount; create returns once they are there"},
			{"browser_context", Unsupported(""), "the official SDKs' browser context"},
			{"extra_configs", Unsupported(""), "the official SDKs' extra configurations"},
			{"is_vpc", unsupportedIf(true, ""), "VPC sessions"},
			{"enable_browser_replay", unsupportedIf(false, ": browser sessions always record"), "browser replay"},
			{"framework", String, "the official SDKs' usage tag; accepted and not sent"},
			{"idle_release_timeout", WholeSeconds, "release the session after this long without activity"},
		},
		Result: SessionResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			r, err := x.Client.Create(ctx, agentbay.CreateParams{
				Labels: x.Args.strings("labels"), ImageID: x.Args.str("image_id"), PolicyID: x.Args.str("policy_id"),
				ContextSyncs: x.Args.syncs("context_syncs"), IdleReleaseTimeout: x.Args.dur("idle_release_timeout")})
			return x.withHandle(r, err)
		}},
	{Name: "get", On: OnClient, CName: "ab_client_get",
		Doc:    "Finds an existing session by id; the result as for create.",
		Params: []Param{{"session_id", ID, "the session's id"}},
		Result: SessionResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.withHandle(x.Client.Get(ctx, x.Args.str("session_id")))
		}},
	{Name: "list", On: OnClient, CName: "ab_client_list",
		Doc: "Lists one page of the sessions whose labels include all of labels.",
		Params: []Param{
			{"labels", Labels, "every pair must match"},
			{"page", Page, "1-based page number; default 1"},
			{"limit", Count, "page size; 0 or absent: 10"},
			{"status", Status, "only sessions in this status"},
			{"next_token", String, "the cursor of a previous page"},
		},
		Result: agentbay.SessionListResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.List(ctx, agentbay.ListParams{
				Labels: x.Args.strings("labels"), Page: x.Args.int("page"), MaxResults: x.Args.int("limit"),
				Status: x.Args.str("status"), NextToken: x.Args.str("next_token")})
		}},
	{Name: "delete", On: OnClient, CName: "ab_client_delete",
		Doc: "Deletes a session by id and waits until it is gone.",
		Params: []Param{
			{"session_id", ID, "the session's id"},
			{"sync_context", Bool, "wait for context uploads first"},
		},
		Result: agentbay.DeleteResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Client.Delete(ctx, x.Args.str("session_id"), x.Args.bool("sync_context"))
		}},

	// ---- Session ---------------------------------------------------------
	{Name: "delete", On: OnSession, CName: "ab_session_delete",
		Doc:      "Deletes the session and waits until it is gone.",
		Params:   []Param{{"sync_context", Bool, "wait for context uploads first"}},
		Result:   agentbay.DeleteResult{},
		Observed: true,
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.DeleteWith(ctx, x.Args.bool("sync_context"), agentbay.WaitOptions{OnStatus: x.OnStatus})
		}},
	{Name: "set_labels", On: OnSession, CName: "ab_session_set_labels",
		Doc:    "Replaces the session's labels.",
		Params: []Param{{"labels", NewLabels, "at least one; no blank key or value"}},
		Result: agentbay.OperationResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.SetLabels(ctx, x.Args.strings("labels"))
		}},
	{Name: "get_labels", On: OnSession, CName: "ab_session_get_labels",
		Doc:    "Reads the session's labels into data.",
		Result: agentbay.LabelsResult{},
		run:    func(ctx context.Context, x *Exec) (any, error) { return x.Session.GetLabels(ctx) }},
	{Name: "info", On: OnSession, CName: "ab_session_info",
		Doc:    "Describes the session's resource in data.",
		Result: agentbay.InfoResult{},
		run:    func(ctx context.Context, x *Exec) (any, error) { return x.Session.Info(ctx) }},
	{Name: "get_link", On: OnSession, CName: "ab_session_get_link",
		Doc: "Gets a URL reaching a port of the session into data.",
		Params: []Param{
			{"protocol_type", String, `"https" or "wss"; default: the service's`},
			{"port", Port, "a port of the session"},
			{"options", JSONText, "extra options, a JSON text"},
		},
		Result: agentbay.LinkResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.GetLink(ctx, x.Args.str("protocol_type"), x.Args.int("port"), x.Args.str("options"))
		}},
	{Name: "list_mcp_tools", On: OnSession, CName: "ab_session_list_mcp_tools",
		Doc:    "Lists the MCP tools of an image.",
		Params: []Param{{"image_id", String, "default: the session's image, else linux_latest"}},
		Result: agentbay.McpToolsResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.ListMcpTools(ctx, x.Args.str("image_id"))
		}},
	{Name: "call_mcp_tool", On: OnSession, CName: "ab_session_call_mcp_tool",
		Doc: "Calls an MCP tool; a tool that reports an error gives success false, not a failure.",
		Params: []Param{
			{"tool_name", ID, `e.g. "shell"`},
			{"args", RequiredObject, "the tool's arguments"},
			{"read_timeout", Millis, "bounds the whole call; 0: the client's timeout"},
			{"connect_timeout", Millis, "bounds connecting; 0: the default"},
			{"auto_gen_session", Bool, "the service's legacy flag, passed on"},
		},
		Result: agentbay.McpToolResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.CallMcpTool(ctx, x.Args.str("tool_name"), x.Args.raw("args"), agentbay.CallOptions{
				ReadTimeout: x.Args.dur("read_timeout"), ConnectTimeout: x.Args.dur("connect_timeout"),
				AutoGenSession: x.Args.bool("auto_gen_session")})
		}},
	{Name: "pause", On: OnSession, CName: "ab_session_pause",
		Doc:    "Pauses the session and waits until it is PAUSED.",
		Params: waitParams, Observed: true,
		Result: agentbay.StatusResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.Pause(ctx, x.waitOptions())
		}},
	{Name: "pause_async", On: OnSession, CName: "ab_session_pause_async",
		Doc:    "Starts pausing the session without waiting.",
		Result: agentbay.StatusResult{},
		run:    func(ctx context.Context, x *Exec) (any, error) { return x.Session.PauseAsync(ctx) }},
	{Name: "resume", On: OnSession, CName: "ab_session_resume",
		Doc:    "Resumes the session and waits until it is RUNNING.",
		Params: waitParams, Observed: true,
		Result: agentbay.StatusResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.Resume(ctx, x.waitOptions())
		}},
	{Name: "resume_async", On: OnSession, CName: "ab_session_resume_async",
		Doc:    "Starts resuming the session without waiting.",
		Result: agentbay.StatusResult{},
		run:    func(ctx context.Context, x *Exec) (any, error) { return x.Session.ResumeAsync(ctx) }},
	{Name: "get_status", On: OnSession, CName: "ab_session_get_status",
		Doc:    "Reads the session's status.",
		Result: agentbay.StatusResult{},
		run:    func(ctx context.Context, x *Exec) (any, error) { return x.Session.GetStatus(ctx) }},
	{Name: "keep_alive", On: OnSession,
		Doc:    "Restarts the session's idle clock (its idle_release_timeout counts from now).",
		Result: agentbay.OperationResult{},
		run:    func(ctx context.Context, x *Exec) (any, error) { return x.Session.KeepAlive(ctx) }},
}

// waitParams are the parameters of pause and resume, in seconds as in the
// reference.
var waitParams = []Param{
	{"timeout", Seconds, "how long to wait; default 600"},
	{"poll_interval", Seconds, "the longest gap between status checks; default 2"},
}

func (x *Exec) waitOptions() agentbay.WaitOptions {
	return agentbay.WaitOptions{Timeout: x.Args.dur("timeout"), PollInterval: x.Args.dur("poll_interval"),
		OnStatus: x.OnStatus}
}

// SessionResult is the result of create and get: the reference's
// SessionResult, with the handle the host gave the session.
type SessionResult struct {
	agentbay.Result
	SessionID     string `json:"session_id"`
	SessionHandle uint64 `json:"session_handle"`
	ResourceURL   string `json:"resource_url"`

	Session *agentbay.Session `json:"-"`
}

func (x *Exec) withHandle(r *agentbay.SessionResult, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out := &SessionResult{Result: r.Result, SessionID: r.Session.ID(), ResourceURL: r.Session.ResourceURL(),
		Session: r.Session}
	if x.Host != nil {
		if out.SessionHandle, err = x.Host.AddSession(r.Session); err != nil {
			return nil, err
		}
	}
	return out, nil
}
