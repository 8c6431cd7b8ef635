package agentbay

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/wire"
)

// Session is one sandbox. Its methods are the AsyncSession API of the
// reference. It is safe for concurrent use.
type Session struct {
	client      *Client
	id          string
	imageID     string
	resourceURL string
	linkURL     string // LinkUrl route, only for sessions made by Create
	token       string

	mu         sync.RWMutex
	servers    map[string]string   // tool name -> MCP server, from ToolList
	transferID string              // the file-transfer context, once known
	procs      map[string]*Process // background commands, by id (Process)
}

// ID returns the session id.
func (s *Session) ID() string { return s.id }

// ResourceURL returns the browser-viewable URL the service gave at create.
func (s *Session) ResourceURL() string { return s.resourceURL }

// ImageID returns the image the session was created with, if known.
func (s *Session) ImageID() string { return s.imageID }

func (s *Session) form(kv ...string) url.Values {
	f := url.Values{"SessionId": {s.id}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// SetLabels replaces the session's labels. They are checked as the official
// SDK checks them, before anything is sent.
func (s *Session) SetLabels(ctx context.Context, labels map[string]string) (*OperationResult, error) {
	if err := CheckLabels(labels); err != nil {
		return nil, err
	}
	resp, err := s.client.do(ctx, wire.Call{Action: "SetLabel", Form: s.form("Labels", mustJSON(labels))})
	if err != nil {
		return nil, err
	}
	return &OperationResult{Result: ok(resp.RequestID)}, nil
}

// CheckLabels applies the official SDKs' rules and messages to labels to
// set: at least one, no blank key or value.
func CheckLabels(labels map[string]string) error {
	if len(labels) == 0 {
		return wire.Errorf(wire.KindInvalidArgument, "Labels cannot be empty. Please provide at least one label.")
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) { // the same message for the same labels
		v := labels[k]
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			// JSON would send U+FFFD in place of the bad bytes.
			return wire.Errorf(wire.KindInvalidArgument, "Label keys and values must be valid UTF-8.")
		}
		if strings.TrimSpace(k) == "" {
			return wire.Errorf(wire.KindInvalidArgument, "Label keys cannot be empty. Please provide valid keys.")
		}
		if strings.TrimSpace(v) == "" {
			return wire.Errorf(wire.KindInvalidArgument, "Label values cannot be empty. Please provide valid values.")
		}
	}
	return nil
}

// GetLabels returns the session's labels.
func (s *Session) GetLabels(ctx context.Context) (*LabelsResult, error) {
	resp, err := s.client.do(ctx, wire.Call{Action: "GetLabel", Form: s.form()})
	if err != nil {
		return nil, err
	}
	if err := object(resp, true); err != nil {
		return nil, err
	}
	labels := map[string]string{}
	raw := wire.JSONValue(resp.Data.Get("Labels"))
	if raw != "" && raw != "null" {
		if err := decodeJSON(raw, &labels); err != nil {
			return nil, badData(resp, "invalid Labels: "+err.Error())
		}
	}
	return &LabelsResult{Result: ok(resp.RequestID), Labels: labels}, nil
}

// Info returns what the service knows about the session's resource.
func (s *Session) Info(ctx context.Context) (*InfoResult, error) {
	resp, err := s.client.do(ctx, wire.Call{Action: "GetMcpResource", Form: s.form()})
	if err != nil {
		return nil, err
	}
	d := resp.Data
	if !d.IsObject() {
		return nil, badData(resp, "empty response data")
	}
	di := d.Get("DesktopInfo")
	if di.Exists() && di.Type != gjson.Null && !di.IsObject() {
		return nil, badData(resp, "invalid response from GetMcpResource: DesktopInfo is not an object")
	}
	var info SessionInfo
	for _, f := range []struct {
		from  gjson.Result
		name  string
		field *string
	}{
		{d, "SessionId", &info.SessionID}, {d, "ResourceUrl", &info.ResourceURL},
		{di, "AppId", &info.AppID}, {di, "AuthCode", &info.AuthCode},
		{di, "ConnectionProperties", &info.ConnectionProperties}, {di, "ResourceId", &info.ResourceID},
		{di, "ResourceType", &info.ResourceType}, {di, "Ticket", &info.Ticket},
	} {
		if *f.field, err = text(resp, f.from, f.name); err != nil {
			return nil, err
		}
	}
	if info.SessionID == "" {
		info.SessionID = s.id
	}
	return &InfoResult{Result: ok(resp.RequestID), Info: info}, nil
}

// GetLink returns a URL that reaches a port of the session. protocolType is
// "https" or "wss" (empty lets the service choose); port 0 means none,
// otherwise it must be in [30100, 30199]; options is passed through as JSON.
func (s *Session) GetLink(ctx context.Context, protocolType string, port int, options string) (*LinkResult, error) {
	if port != 0 {
		if err := CheckPort(port); err != nil {
			return nil, err
		}
	}
	if options != "" && !jsonValid(options) {
		return nil, wire.Errorf(wire.KindInvalidArgument, "options must be a JSON text")
	}
	f := s.form()
	if protocolType != "" {
		f.Set("ProtocolType", protocolType)
	}
	if port != 0 {
		f.Set("Port", strconv.Itoa(port))
	}
	if options != "" {
		f.Set("Option", options)
	}
	resp, err := s.client.do(ctx, wire.Call{Action: "GetLink", Form: f})
	if err != nil {
		return nil, err
	}
	link := resp.Data.Get("Url")
	if !resp.Data.IsObject() || link.Type != gjson.String || link.Str == "" {
		return nil, badData(resp, "invalid response from GetLink: no Url")
	}
	return &LinkResult{Result: ok(resp.RequestID), URL: link.Str}, nil
}

// The ports GetLink reaches.
const (
	MinLinkPort = 30100
	MaxLinkPort = 30199
)

// CheckPort applies the official SDKs' rule to a GetLink port.
func CheckPort(port int) error {
	if port >= MinLinkPort && port <= MaxLinkPort {
		return nil
	}
	return PortError(strconv.Itoa(port))
}

// PortError is the official SDKs' message for a port that is not one of
// GetLink's, given as the text of what was passed.
func PortError(value string) error {
	return wire.Errorf(wire.KindInvalidArgument,
		"Invalid port value: %s. Port must be an integer in the range [%d, %d].", value, MinLinkPort, MaxLinkPort)
}

// KeepAlive restarts the session's idle clock (RefreshSessionIdleTime), so
// that an idle release timeout counts from now.
func (s *Session) KeepAlive(ctx context.Context) (*OperationResult, error) {
	resp, err := s.client.do(ctx, wire.Call{Action: "RefreshSessionIdleTime", Form: s.form()})
	if err != nil {
		return nil, err
	}
	return &OperationResult{Result: ok(resp.RequestID)}, nil
}

// GetStatus returns the session's status (GetSessionDetail), and why it
// ended when the service released it (EndReason, e.g. "IdleTimeout").
func (s *Session) GetStatus(ctx context.Context) (*StatusResult, error) {
	resp, err := s.client.do(ctx, wire.Call{
		Action: "GetSessionDetail",
		Query:  url.Values{"SessionId": {s.id}},
	})
	if err != nil {
		return nil, err
	}
	st, err := statusOf(resp)
	if err != nil {
		return nil, err
	}
	reason, err := text(resp, resp.Data, "EndReason")
	if err != nil {
		return nil, err
	}
	return &StatusResult{Result: ok(resp.RequestID), Status: st, EndReason: reason}, nil
}

// statusOf reads Data.Status of a GetSession or GetSessionDetail reply;
// an empty one is UNKNOWN, as in the SDKs.
func statusOf(resp *wire.Response) (string, error) {
	if err := object(resp, false); err != nil {
		return "", err
	}
	st, err := text(resp, resp.Data, "Status")
	if st == "" {
		st = StatusUnknown
	}
	return st, err
}

// status reads the status through GetSession, as the SDKs' pause and resume
// polling does.
func (s *Session) status(ctx context.Context) (string, error) {
	resp, err := s.client.do(ctx, wire.Call{Action: "GetSession", Form: s.form()})
	if err != nil {
		return "", err
	}
	return statusOf(resp)
}
