package local

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/libagentbay/libagentbay/core/local/tools"
)

// actions are the RPC actions the server answers, by name.
var actions = map[string]func(*Server, *call) (reply, error){
	"CreateMcpSession":          (*Server).createMcpSession,
	"GetSession":                (*Server).getSession,
	"GetSessionDetail":          (*Server).getSessionDetail,
	"ListSession":               (*Server).listSession,
	"ReleaseMcpSession":         (*Server).releaseMcpSession,
	"DeleteSessionAsync":        (*Server).deleteSessionAsync,
	"SetLabel":                  (*Server).setLabel,
	"GetLabel":                  (*Server).getLabel,
	"GetMcpResource":            (*Server).getMcpResource,
	"GetLink":                   (*Server).getLink,
	"ListMcpTools":              (*Server).listMcpTools,
	"CallMcpTool":               (*Server).callMcpTool,
	"PauseSessionAsync":         (*Server).pauseSessionAsync,
	"ResumeSessionAsync":        (*Server).resumeSessionAsync,
	"GetContextInfo":            (*Server).getContextInfo,
	"SyncContext":               (*Server).syncContext,
	"GetAndLoadInternalContext": (*Server).getAndLoadInternalContext,
	"BindContexts":              (*Server).bindContexts,
	"DescribeSessionContexts":   (*Server).describeSessionContexts,

	"RefreshSessionIdleTime": (*Server).refreshSessionIdleTime,

	"GetContext":                (*Server).getContext,
	"ListContexts":              (*Server).listContexts,
	"ModifyContext":             (*Server).modifyContext,
	"DeleteContext":             (*Server).deleteContext,
	"ClearContext":              (*Server).clearContext,
	"GetContextFileUploadUrl":   (*Server).getContextFileUploadURL,
	"GetContextFileDownloadUrl": (*Server).getContextFileDownloadURL,
	"DescribeContextFiles":      (*Server).describeContextFiles,
	"DeleteContextFile":         (*Server).deleteContextFile,
}

// baseURL is the server's URL as the client reached it.
func (s *Server) baseURL(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = s.ln.Addr().String()
	}
	return s.scheme + "://" + host
}

// info is what CreateMcpSession and GetSession tell about a session.
func (s *Server) info(r *http.Request, se *session) map[string]any {
	suffix := strings.TrimPrefix(se.id, "session-")
	return map[string]any{
		"SessionId":          se.id,
		"ResourceUrl":        "",
		"AppInstanceId":      "ai-" + suffix,
		"ResourceId":         "p-" + suffix,
		"Success":            true,
		"ToolList":           tools.ListJSON(), // a JSON string, as the SDKs require
		"LinkUrl":            s.baseURL(r) + "/",
		"Token":              se.rec.Token,
		"HttpPort":           "",
		"NetworkInterfaceIp": "",
		"VpcResource":        false,
	}
}

func (s *Server) createMcpSession(c *call) (reply, error) {
	labels, err := c.labels("Labels")
	if err != nil {
		return nil, err
	}
	image := c.param("ImageId")
	if image == "" {
		image = "linux_latest"
	}
	mounts, err := s.parseMounts(c)
	if err != nil {
		return nil, err
	}
	idle, err := c.int("Timeout", 0)
	if err != nil || idle < 0 {
		return nil, invalid("Timeout", "want the idle release timeout, a whole number of seconds >= 0")
	}
	se, err := s.create(c.r.Context(), image, c.param("McpPolicyId"), labels, mounts, time.Duration(idle)*time.Second)
	if err != nil {
		return nil, err
	}
	return data(s.info(c.r, se)), nil
}

func (s *Server) getSession(c *call) (reply, error) {
	se, err := s.observe(c)
	if err != nil {
		return nil, err
	}
	d := s.info(c.r, se)
	d["Status"] = se.snapshot().Status
	d["contexts"] = []any{}
	return data(d), nil
}

func (s *Server) getSessionDetail(c *call) (reply, error) {
	se, err := s.observe(c)
	if err != nil {
		if d, ok := s.releasedDetail(c.param("SessionId")); ok {
			d["Id"], d["RegionId"] = 0, "local"
			return data(d), nil
		}
		return nil, err
	}
	rec := se.snapshot()
	suffix := strings.TrimPrefix(se.id, "session-")
	return data(map[string]any{
		"Aliuid":             "",
		"ApikeyId":           "",
		"AppInstanceGroupId": "",
		"AppInstanceId":      "ai-" + suffix,
		"AppUserId":          "",
		"BizType":            0,
		"EndReason":          "",
		"Id":                 rec.Seq,
		"ImageId":            rec.ImageID,
		"ImageType":          "",
		"IsDeleted":          0,
		"PolicyId":           rec.PolicyID,
		"RegionId":           "local",
		"ResourceConfigId":   "",
		"Status":             rec.Status,
	}), nil
}

// validStatuses are the ListSession filters the SDKs allow.
var validStatuses = map[string]bool{
	"RUNNING": true, "PAUSING": true, "PAUSED": true, "RESUMING": true,
	"DELETING": true, "DELETED": true, "UNKNOWN": true,
}

// listSession pages through the live sessions in creation order. The
// NextToken is the creation number of the last session of the page, so
// that deletions between pages neither skip nor repeat sessions.
func (s *Server) listSession(c *call) (reply, error) {
	filter, err := c.labels("Labels")
	if err != nil {
		return nil, err
	}
	status := c.param("Status")
	if status != "" && !validStatuses[status] {
		return nil, invalid("Status", "want one of RUNNING, PAUSING, PAUSED, RESUMING, DELETING, DELETED")
	}
	size, err := c.int("MaxResults", 10)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		size = 10
	}
	var after uint64
	if tok := c.param("NextToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err == nil {
			after, err = strconv.ParseUint(strings.TrimPrefix(string(b), "after:"), 10, 64)
		}
		if err != nil {
			return nil, invalid("NextToken", "not a token of this server")
		}
	}
	s.mu.Lock()
	live := append([]*session(nil), s.order...)
	s.mu.Unlock()

	page := []map[string]string{} // an array even when empty
	total, last, more := 0, uint64(0), false
	for _, se := range live {
		rec := se.snapshot()
		if (status != "" && rec.Status != status) || !hasLabels(rec.Labels, filter) {
			continue
		}
		total++
		switch {
		case rec.Seq <= after:
		case len(page) == size:
			more = true
		default:
			page = append(page, map[string]string{"SessionId": rec.ID, "SessionStatus": rec.Status})
			last = rec.Seq
		}
	}
	next := ""
	if more {
		next = base64.RawURLEncoding.EncodeToString([]byte("after:" + strconv.FormatUint(last, 10)))
	}
	return reply{"Data": page, "MaxResults": size, "NextToken": next, "TotalCount": total}, nil
}

// hasLabels reports whether labels hold every pair of want.
func hasLabels(labels, want map[string]string) bool {
	for k, v := range want {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func (s *Server) releaseMcpSession(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	return nil, s.delete(se, true)
}

func (s *Server) deleteSessionAsync(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	return nil, s.delete(se, false)
}

// setLabel replaces the session's labels.
func (s *Server) setLabel(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	if c.param("Labels") == "" {
		return nil, missing("Labels")
	}
	labels, err := c.labels("Labels")
	if err != nil {
		return nil, err
	}
	se.mu.Lock()
	defer se.mu.Unlock()
	old := se.rec.Labels
	se.rec.Labels = labels
	if err := s.db.Put(&se.rec); err != nil {
		se.rec.Labels = old
		return nil, internal(err)
	}
	return nil, nil
}

func (s *Server) getLabel(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	labels := se.snapshot().Labels
	if labels == nil {
		labels = map[string]string{} // "{}", not "null": the SDKs parse it as a map
	}
	b, err := json.Marshal(labels)
	if err != nil {
		return nil, internal(err)
	}
	// Labels is a JSON string, as the SDKs require.
	return data(map[string]any{"Labels": string(b)}), nil
}

func (s *Server) getMcpResource(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	return data(map[string]any{
		"SessionId":   se.id,
		"ResourceUrl": "",
		"DesktopInfo": map[string]any{
			"AppId":                "",
			"AuthCode":             "",
			"ConnectionProperties": "{}",
			"ResourceId":           "p-" + strings.TrimPrefix(se.id, "session-"),
			"ResourceType":         "AIAgent",
			"Ticket":               "",
		},
	}), nil
}

// Ports of a session that GetLink exposes, as in the cloud.
const (
	minLinkPort = 30100
	maxLinkPort = 30199
)

func (s *Server) getLink(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(c.r)
	switch c.param("ProtocolType") {
	case "", "https":
	case "wss":
		base = "ws" + strings.TrimPrefix(base, "http")
	case "http":
		return nil, invalid("ProtocolType", "http not supported; use https or wss")
	default:
		return nil, invalid("ProtocolType", "want https or wss")
	}
	if c.param("Port") == "" {
		return nil, &apiError{http.StatusBadRequest, "MissingParameter",
			"Port is required: local sessions have no browser (CDP) endpoint; give a port in [30100, 30199]"}
	}
	port, err := c.int("Port", 0)
	if err != nil || port < minLinkPort || port > maxLinkPort {
		return nil, invalid("Port", "Port must be an integer in the range [30100, 30199]")
	}
	url := base + "/link/" + se.id + "/" + strconv.Itoa(port) + "/" + se.rec.LinkToken + "/"
	return data(map[string]any{"Url": url}), nil
}

func (s *Server) listMcpTools(c *call) (reply, error) {
	// Every image has the same tools here; ImageId is accepted and ignored.
	return data(tools.ListJSON()), nil
}

func (s *Server) callMcpTool(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	name, err := c.required("Name")
	if err != nil {
		return nil, err
	}
	res, err := s.runTool(c.r, se, name, []byte(c.param("Args")))
	if err != nil {
		return nil, err
	}
	return data(res.MCP()), nil // an object, as the TypeScript SDK requires
}

// runTool runs a tool in a RUNNING session.
func (s *Server) runTool(r *http.Request, se *session, name string, args []byte) (tools.Result, error) {
	if err := se.checkUsable(); err != nil {
		return tools.Result{}, err
	}
	res, err := tools.Call(r.Context(), se.ws, name, args)
	switch {
	case errors.Is(err, tools.ErrUnknownTool):
		return res, invalid("Name", err.Error()+"; see ListMcpTools")
	case err != nil:
		return res, invalid("Args", err.Error())
	}
	return res, nil
}

// refreshSessionIdleTime is the official SDKs' keep_alive: the call itself
// restarts the session's idle clock (see idle.go).
func (s *Server) refreshSessionIdleTime(c *call) (reply, error) {
	_, err := s.session(c)
	return nil, err
}

func (s *Server) pauseSessionAsync(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	return nil, s.pause(se)
}

func (s *Server) resumeSessionAsync(c *call) (reply, error) {
	se, err := s.session(c)
	if err != nil {
		return nil, err
	}
	return nil, s.resume(se)
}

// getContextInfo reports no context: local sessions do not sync contexts.
// ContextStatus is a JSON string, as the SDKs require.
