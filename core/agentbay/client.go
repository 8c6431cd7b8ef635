// Package agentbay is the session engine: a client for the AgentBay cloud (or
// the embedded local backend) and the AsyncSession API of the reference, in Go.
// Every call takes a context; cancelling it cancels the HTTP request.
package agentbay

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/wire"
)

// Error is the engine's error type; see wire.Error for the fields.
type Error = wire.Error

// Kind is the stable class of an Error.
type Kind = wire.Kind

// The kinds of Error.
const (
	KindInvalidArgument = wire.KindInvalidArgument
	KindNotFound        = wire.KindNotFound
	KindUnauthorized    = wire.KindUnauthorized
	KindThrottled       = wire.KindThrottled
	KindTimeout         = wire.KindTimeout
	KindCancelled       = wire.KindCancelled
	KindConflict        = wire.KindConflict
	KindServer          = wire.KindServer
	KindTransport       = wire.KindTransport
	KindUnsupported     = wire.KindUnsupported
	KindInvalidHandle   = wire.KindInvalidHandle
	KindInternal        = wire.KindInternal
)

// KindOf returns the Kind of err ("" for nil).
func KindOf(err error) Kind { return wire.KindOf(err) }

// Errorf makes an Error of kind with no service context.
func Errorf(kind Kind, format string, args ...any) *Error { return wire.Errorf(kind, format, args...) }

// Version is the library version.
const Version = wire.LibraryVersion

// Client creates, finds and lists sessions. It is safe for concurrent use.
type Client struct {
	embedded bool
	ready    chan struct{} // closed once the fields below are set
	wire     *wire.Client  // nil if the embedded backend failed to start
	endpoint string
	backend  Backend // the embedded backend, if any
	startErr error

	ctx       context.Context // cancelled by Close, to stop calls in flight
	cancel    context.CancelFunc
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// errClosed is the error of every call on a closed client: the same kind
// as a freed handle in the C ABI, since that is what a closed client is.
var errClosed = wire.Errorf(wire.KindInvalidHandle, "the client is closed")

// New makes a client from cfg (see Config for the defaults). It never waits
// for the network; for the embedded endpoint it starts the local backend on
// a goroutine, which the client's first calls wait for.
func New(ctx context.Context, cfg Config) (*Client, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	c := &Client{ready: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if cfg.Endpoint != EmbeddedEndpoint {
		defer close(c.ready)
		if err := c.connect(cfg); err != nil {
			c.cancel()
			return nil, err
		}
		return c, nil
	}
	c.embedded = true
	c.endpoint = EmbeddedEndpoint
	go c.startEmbedded(cfg)
	return c, nil
}

// connect makes the transport to cfg's endpoint.
func (c *Client) connect(cfg Config) error {
	base, err := wire.ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return err
	}
	c.wire, err = wire.New(wire.Options{
		APIKey: cfg.APIKey, BaseURL: base, Timeout: cfg.Timeout,
		Retries: cfg.Retries, RootCAs: cfg.RootCAs, Logger: cfg.Logger,
		StdTransport: cfg.stdTransport,
	})
	if err == nil {
		c.endpoint = base
	}
	return err
}

func (c *Client) startEmbedded(cfg Config) {
	defer close(c.ready)
	defer func() {
		if p := recover(); p != nil {
			c.startErr = wire.Errorf(wire.KindInternal, "embedded backend: %v", p)
		}
	}()
	b, err := cfg.Embedded(cfg.Logger)
	if err != nil {
		c.startErr = wire.Errorf(wire.KindInternal, "the embedded backend did not start: %v", err)
		return
	}
	cfg.APIKey, cfg.Endpoint = b.APIKey(), b.Endpoint()
	if err := c.connect(cfg); err != nil {
		b.Close()
		c.startErr = err
		return
	}
	c.backend = b
}

// Endpoint returns the base URL the client talks to (never the key). For the
// embedded backend it waits until the backend has started, and stays
// "embedded" if it could not start.
func (c *Client) Endpoint() string {
	<-c.ready
	return c.endpoint
}

// Embedded reports whether the client runs on the embedded local backend.
func (c *Client) Embedded() bool { return c.embedded }

// Close cancels calls in flight, drops connections and, for the embedded
// backend, stops it and removes its data. It is idempotent.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		c.cancel()
		<-c.ready
		if c.wire != nil {
			c.wire.Close()
		}
		if c.backend != nil {
			c.closeErr = c.backend.Close()
		}
	})
	return c.closeErr
}

// begin ties a call's context to the client's life, so that Close cancels
// it, once the client is ready to send.
func (c *Client) begin(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if ctx == nil {
		return nil, nil, wire.Errorf(wire.KindInvalidArgument, "nil context")
	}
	if c.closed.Load() {
		return nil, nil, errClosed
	}
	select {
	case <-c.ready:
	case <-ctx.Done():
		return nil, nil, wire.Errorf(wire.KindOf(ctx.Err()), "the embedded backend was still starting: %v", ctx.Err())
	case <-c.ctx.Done():
		return nil, nil, wire.Errorf(wire.KindCancelled, "the client was closed")
	}
	if c.startErr != nil {
		return nil, nil, c.startErr
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(c.ctx, cancel)
	return ctx, func() { stop(); cancel() }, nil
}

// do sends one action within the client's life.
func (c *Client) do(ctx context.Context, call wire.Call) (*wire.Response, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return c.wire.Do(ctx, call)
}

// transfer runs a presigned-URL request within the client's life.
func (c *Client) transfer(ctx context.Context, send func(context.Context) error) error {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	return send(ctx)
}

// CreateParams are the options of Create.
type CreateParams struct {
	ImageID      string            // e.g. "linux_latest"; empty lets the service choose
	Labels       map[string]string // initial labels
	PolicyID     string            // McpPolicyId
	ContextSyncs []ContextSync     // contexts to mount; Create waits until they are there
	// IdleReleaseTimeout releases the session after that long without
	// activity (sent as Timeout, in whole seconds rounded up); 0: the
	// service's default.
	IdleReleaseTimeout time.Duration
}

// Create makes a new session. The session is usable when Create returns.
func (c *Client) Create(ctx context.Context, p CreateParams) (*SessionResult, error) {
	form := url.Values{"SdkStats": {sdkStats}}
	if p.ImageID != "" {
		form.Set("ImageId", p.ImageID)
	}
	if len(p.Labels) > 0 {
		if err := CheckLabels(p.Labels); err != nil {
			return nil, err
		}
		form.Set("Labels", mustJSON(p.Labels))
	}
	if p.PolicyID != "" {
		form.Set("McpPolicyId", p.PolicyID)
	}
	if len(p.ContextSyncs) > 0 {
		list, err := persistenceList(p.ContextSyncs)
		if err != nil {
			return nil, err
		}
		form.Set("PersistenceDataList", list)
	}
	if p.IdleReleaseTimeout < 0 {
		return nil, wire.Errorf(wire.KindInvalidArgument, "idle_release_timeout must be > 0 (seconds)")
	}
	if p.IdleReleaseTimeout > 0 {
		form.Set("Timeout", strconv.FormatInt(int64((p.IdleReleaseTimeout+time.Second-1)/time.Second), 10))
	}
	resp, err := c.do(ctx, wire.Call{Action: "CreateMcpSession", Form: form})
	if err != nil {
		return nil, err
	}
	d := resp.Data
	if !d.IsObject() {
		return nil, badData(resp, "invalid response from CreateMcpSession: Data is not an object")
	}
	if s := d.Get("Success"); s.Exists() && !s.Bool() {
		e := badData(resp, "session creation failed: "+d.Get("ErrMsg").String())
		return nil, e
	}
	s, err := c.sessionFromData(resp, d)
	if err != nil {
		return nil, err
	}
	s.imageID = p.ImageID
	if s.linkURL, err = text(resp, d, "LinkUrl"); err != nil {
		return nil, err
	}
	if s.token, err = text(resp, d, "Token"); err != nil {
		return nil, err
	}
	if len(p.ContextSyncs) > 0 {
		// As the official SDKs: the session is ready once its contexts
		// are downloaded (a failed download is logged by the service).
		if _, err := s.waitContexts(ctx, "", "", "download"); err != nil {
			return nil, err
		}
	}
	return &SessionResult{Result: ok(resp.RequestID), Session: s}, nil
}

// Get finds an existing session by id. As in the official SDKs, a session
// obtained this way sends tool calls through CallMcpTool, never the LinkUrl.
func (c *Client) Get(ctx context.Context, id string) (*SessionResult, error) {
	if id == "" {
		return nil, wire.Errorf(wire.KindInvalidArgument, "session_id is required")
	}
	resp, err := c.do(ctx, wire.Call{Action: "GetSession", Form: url.Values{"SessionId": {id}}})
	if err != nil {
		return nil, err
	}
	if !resp.Data.IsObject() {
		return nil, badData(resp, "invalid response from GetSession: Data is not an object")
	}
	s, err := c.sessionFromData(resp, resp.Data)
	if err != nil {
		return nil, err
	}
	return &SessionResult{Result: ok(resp.RequestID), Session: s}, nil
}

func (c *Client) sessionFromData(resp *wire.Response, d gjson.Result) (*Session, error) {
	id, err := text(resp, d, "SessionId")
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, badData(resp, "invalid response from "+resp.Action+": no SessionId")
	}
	s := c.Session(id)
	if s.resourceURL, err = text(resp, d, "ResourceUrl"); err != nil {
		return nil, err
	}
	tools, err := parseTools(wire.JSONValue(d.Get("ToolList")))
	if err != nil {
		return nil, badData(resp, "invalid ToolList: "+err.Error())
	}
	s.setTools(tools)
	return s, nil
}

// Session returns a handle on an existing session id without asking the
// service (the reference's AsyncSession(agent_bay, session_id)).
func (c *Client) Session(id string) *Session {
	return &Session{client: c, id: id, servers: map[string]string{}}
}

// ListParams are the filters and paging of List.
type ListParams struct {
	Labels     map[string]string // every pair must match
	Status     string            // one of the session statuses, or empty
	MaxResults int               // page size; default 10
	NextToken  string            // cursor from a previous page
	Page       int               // 1-based page number, reached by following NextToken; 0 means 1
}

// ListStatuses are the statuses List can filter by, in the official SDKs'
// order. UNKNOWN is not one: it only stands for a status the service left
// out.
var ListStatuses = []string{StatusRunning, StatusPausing, StatusPaused, StatusResuming, StatusDeleting, StatusDeleted}

// CheckListStatus applies the official SDKs' rule and message to a List
// status filter ("" means none).
func CheckListStatus(status string) error {
	if status == "" || slices.Contains(ListStatuses, status) {
		return nil
	}
	return wire.Errorf(wire.KindInvalidArgument, "Invalid status '%s'. Must be one of: %s",
		status, strings.Join(ListStatuses, ", "))
}

// List returns one page of sessions.
func (c *Client) List(ctx context.Context, p ListParams) (*SessionListResult, error) {
	if err := CheckListStatus(p.Status); err != nil {
		return nil, err
	}
	if p.MaxResults < 0 {
		return nil, wire.Errorf(wire.KindInvalidArgument, "max_results must not be negative")
	}
	if p.Page != 0 {
		if err := CheckPage(p.Page); err != nil {
			return nil, err
		}
	}
	if p.MaxResults == 0 {
		p.MaxResults = 10
	}
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	token := p.NextToken
	for page := 1; page < p.Page; page++ {
		r, err := c.listPage(ctx, p, token)
		if err != nil {
			return nil, err
		}
		if r.NextToken == "" {
			return nil, wire.Errorf(wire.KindNotFound, "Cannot reach page %d: No more pages available", p.Page)
		}
		token = r.NextToken
	}
	return c.listPage(ctx, p, token)
}

func (c *Client) listPage(ctx context.Context, p ListParams, token string) (*SessionListResult, error) {
	form := url.Values{
		"Labels":     {mustJSON(p.Labels)},
		"MaxResults": {strconv.Itoa(p.MaxResults)},
	}
	if token != "" {
		form.Set("NextToken", token)
	}
	if p.Status != "" {
		form.Set("Status", p.Status)
	}
	resp, err := c.do(ctx, wire.Call{Action: "ListSession", Form: form})
	if err != nil {
		return nil, err
	}
	if resp.Data.Exists() && resp.Data.Type != gjson.Null && !resp.Data.IsArray() {
		return nil, badData(resp, "invalid response from ListSession: Data is not an array")
	}
	out := &SessionListResult{
		Result:     ok(resp.RequestID),
		Sessions:   []SessionSummary{},
		NextToken:  resp.Body.Get("NextToken").String(),
		MaxResults: int(resp.Body.Get("MaxResults").Int()),
		TotalCount: int(resp.Body.Get("TotalCount").Int()),
	}
	for _, item := range resp.Data.Array() {
		if !item.IsObject() {
			return nil, badData(resp, "invalid response from ListSession: an item of Data is not an object")
		}
		id, err := text(resp, item, "SessionId")
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, badData(resp, "invalid response from ListSession: an item of Data has no SessionId")
		}
		st, err := text(resp, item, "SessionStatus")
		if err != nil {
			return nil, err
		}
		if st == "" {
			st = StatusUnknown
		}
		out.Sessions = append(out.Sessions, SessionSummary{SessionID: id, Status: st})
	}
	return out, nil
}

// Delete deletes the session with this id and waits until it is gone.
func (c *Client) Delete(ctx context.Context, id string, syncContext bool) (*DeleteResult, error) {
	if id == "" {
		return nil, wire.Errorf(wire.KindInvalidArgument, "session_id is required")
	}
	return c.Session(id).Delete(ctx, syncContext)
}

// CheckPage applies the official SDKs' rule and message to a List page
// number.
func CheckPage(page int) error {
	if page >= 1 {
		return nil
	}
	return wire.Errorf(wire.KindInvalidArgument, "Cannot reach page %d: Page number must be >= 1", page)
}

// sdkStats is the telemetry field every SDK sends on create.
var sdkStats = mustJSON(map[string]any{
	"source": "sdk", "sdk_language": "golang", "sdk_version": Version,
	"is_release": true, "framework": "libagentbay",
})

func mustJSON(v any) string {
	b, err := gojson.Marshal(v)
	if err != nil {
		panic(err) // only called on maps of strings and scalars
	}
	return string(b)
}

// text reads the string field name of the object v of a reply. As the
// SDKs' decoders do (spec 2.7), a number or a boolean is taken as its text
// and an absent field or null as ""; an object or an array is a reply this
// library cannot use, and an error rather than a wrong value.
func text(resp *wire.Response, v gjson.Result, name string) (string, error) {
	f := v.Get(name)
	switch f.Type {
	case gjson.String:
		return f.Str, nil
	case gjson.Null:
		return "", nil
	case gjson.Number, gjson.True, gjson.False:
		return f.Raw, nil
	}
	return "", badData(resp, "invalid response from "+resp.Action+": "+name+" is not a string")
}

// object checks that the Data of a reply is a JSON object, where the
// action's Data must be one (spec 2.7). With optional, an absent or null
// Data passes too.
func object(resp *wire.Response, optional bool) error {
	d := resp.Data
	if d.IsObject() || (optional && d.Type == gjson.Null) {
		return nil
	}
	return badData(resp, "invalid response from "+resp.Action+": Data is not an object")
}

// badData reports a reply whose envelope was fine but whose Data was not.
func badData(resp *wire.Response, msg string) *wire.Error {
	return &wire.Error{Kind: wire.KindServer, Action: resp.Action, Message: msg,
		RequestID: resp.RequestID, HTTPStatus: resp.HTTPStatus}
}
