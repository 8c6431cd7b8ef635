package agentbay

import "encoding/json"

// Session statuses (spec section 6).
const (
	StatusRunning  = "RUNNING"
	StatusPausing  = "PAUSING"
	StatusPaused   = "PAUSED"
	StatusResuming = "RESUMING"
	StatusDeleting = "DELETING"
	StatusDeleted  = "DELETED"
	StatusFinish   = "FINISH"
	StatusUnknown  = "UNKNOWN"
)

// Result is the part every result shares, named as in the reference's result
// classes. A call that returns an error returns no result; Success is false
// only where the call went through but the work failed (a tool's isError).
type Result struct {
	RequestID    string `json:"request_id"`
	Success      bool   `json:"success"`
	ErrorMessage string `json:"error_message"`
}

func ok(requestID string) Result { return Result{RequestID: requestID, Success: true} }

// SessionResult is the result of Create and Get.
type SessionResult struct {
	Result
	Session *Session `json:"-"`
}

// SessionSummary is one entry of a session list.
type SessionSummary struct {
	SessionID string `json:"session_id"`
	Status    string `json:"status"`
}

// SessionListResult is one page of sessions.
type SessionListResult struct {
	Result
	Sessions   []SessionSummary `json:"session_ids"`
	NextToken  string           `json:"next_token"`
	MaxResults int              `json:"max_results"`
	TotalCount int              `json:"total_count"`
}

// DeleteResult is the result of deleting a session.
type DeleteResult struct {
	Result
}

// OperationResult is the result of a call that returns nothing but success.
type OperationResult struct {
	Result
}

// LabelsResult carries a session's labels (the reference's OperationResult.data).
type LabelsResult struct {
	Result
	Labels map[string]string `json:"data"`
}

// SessionInfo is what GetMcpResource says about a session.
type SessionInfo struct {
	SessionID            string `json:"session_id"`
	ResourceURL          string `json:"resource_url"`
	AppID                string `json:"app_id"`
	AuthCode             string `json:"auth_code"`
	ConnectionProperties string `json:"connection_properties"`
	ResourceID           string `json:"resource_id"`
	ResourceType         string `json:"resource_type"`
	Ticket               string `json:"ticket"`
}

// InfoResult carries a SessionInfo.
type InfoResult struct {
	Result
	Info SessionInfo `json:"data"`
}

// LinkResult carries a URL from GetLink.
type LinkResult struct {
	Result
	URL string `json:"data"`
}

// McpTool describes one tool of a session (spec section 5.1).
type McpTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
	Server      string          `json:"server"`
	Tool        string          `json:"tool"`
}

// McpToolsResult lists tools.
type McpToolsResult struct {
	Result
	Tools []McpTool `json:"tools"`
}

// McpToolResult is the result of one tool call. Data is the text of the
// tool's first content item; when the tool reported isError, Success is
// false and ErrorMessage holds that text too.
type McpToolResult struct {
	Result
	Data string `json:"data"`
}

// StatusResult carries a session status (GetStatus, PauseAsync, ResumeAsync).
type StatusResult struct {
	Result
	Status    string `json:"status"`
	EndReason string `json:"end_reason"` // GetStatus: why the service ended the session
}

// PauseResult is the result of Pause and PauseAsync.
type PauseResult = StatusResult

// ResumeResult is the result of Resume and ResumeAsync.
type ResumeResult = StatusResult
