// Package wire speaks the AgentBay RPC protocol: anonymous Alibaba Cloud RPC
// style POSTs with form bodies and JSON replies (spec sections 2 and 8.1).
package wire

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// APIVersion is the Version of every action this package sends.
const APIVersion = "2025-05-06"

// LibraryVersion is the version of libagentbay, sent in the user agent.
const LibraryVersion = "0.2.0"

// maxReplyBytes caps a reply body, so that a broken endpoint cannot make the
// client buffer without bound. A variable only so that tests can lower it.
var maxReplyBytes = 64 << 20

// DefaultTimeout bounds one call when Options.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// idempotent lists the reads that may be repeated safely (design.md).
var idempotent = map[string]bool{
	"GetSession": true, "GetSessionDetail": true, "GetLabel": true, "GetMcpResource": true,
	"ListSession": true, "ListMcpTools": true, "GetContextInfo": true,
}

// Options configures a Client.
type Options struct {
	APIKey  string
	BaseURL string        // from ParseEndpoint, e.g. "https://wuyingai.cn-shanghai.aliyuncs.com"
	Timeout time.Duration // per call, retries included; 0 means DefaultTimeout
	Retries int           // extra attempts for idempotent reads; 0 means 3, negative means none
	RootCAs *x509.CertPool
	Logger  *slog.Logger // nil discards

	// StdTransport sends every request through net/http's Transport
	// rather than the direct one (transport.go).
	StdTransport bool
}

// Client sends actions to one endpoint. It is safe for concurrent use and
// reuses connections.
type Client struct {
	http    *resty.Client
	base    string
	auth    string
	timeout time.Duration
	retries int
	log     *slog.Logger
	redact  func(string) string
}

// Call is one action to send.
type Call struct {
	Action         string
	Query          url.Values    // per-action query parameters (spec 2.4)
	Form           url.Values    // body parameters; Authorization is added
	Timeout        time.Duration // overrides Options.Timeout when positive
	ConnectTimeout time.Duration // bounds dialing a new connection when positive
}

// New makes a client. It does no I/O.
func New(o Options) (*Client, error) {
	if o.APIKey == "" {
		return nil, Errorf(KindInvalidArgument, "API key is empty")
	}
	if _, err := ParseEndpoint(o.BaseURL); err != nil {
		return nil, err
	}
	c := &Client{
		base:    strings.TrimSuffix(o.BaseURL, "/"),
		auth:    "Bearer " + o.APIKey,
		timeout: o.Timeout,
		log:     o.Logger,
		redact:  Redactor(o.APIKey),
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	retries := o.Retries
	if retries == 0 {
		retries = 3
	}
	if retries < 0 {
		retries = 0
	}
	c.retries = retries
	c.http = resty.NewWithClient(&http.Client{
		Transport: newTransport(o.RootCAs, o.StdTransport),
		// Never follow a redirect: a 307/308 would re-send the form, key
		// included, to wherever the Location points.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}).
		SetLogger(quietLogger{}).
		SetResponseBodyLimit(maxReplyBytes).
		SetHeader("User-Agent", userAgent()).
		SetHeader("Accept-Encoding", "gzip"). // resty inflates a gzip reply
		SetRetryCount(retries).
		SetRetryWaitTime(100 * time.Millisecond).
		SetRetryMaxWaitTime(30 * time.Second).
		SetRetryAfter(retryAfter).
		AddRetryHook(c.logRetry).
		OnBeforeRequest(freshNonce)
	return c, nil
}

// Close drops idle connections.
func (c *Client) Close() { c.http.GetClient().CloseIdleConnections() }

// Do sends one action and reads its envelope. Idempotent reads are retried on
// transport errors, 429 and 5xx; other actions only when the request never
// left this process (the dial failed).
func (c *Client) Do(ctx context.Context, call Call) (*Response, error) {
	timeout := c.timeout
	if call.Timeout > 0 {
		timeout = call.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if call.ConnectTimeout > 0 {
		ctx = context.WithValue(ctx, connectTimeoutKey{}, call.ConnectTimeout)
	}

	query := url.Values{
		"Action":         {call.Action},
		"Format":         {"json"},
		"Version":        {APIVersion},
		"Timestamp":      {timestamp()},
		"SignatureNonce": {nonce()},
	}
	for k, v := range call.Query {
		query[k] = v
	}
	form := url.Values{"Authorization": {c.auth}}
	for k, v := range call.Form {
		form[k] = v
	}

	req := c.http.R().
		SetContext(ctx).
		SetQueryParamsFromValues(query).
		SetFormDataFromValues(form).
		SetHeader("x-acs-action", call.Action).
		SetHeader("x-acs-version", APIVersion)
	if idempotent[call.Action] {
		req.AddRetryCondition(retryRead)
	} else {
		req.AddRetryCondition(retryUnsent)
	}

	start := time.Now()
	resp, err := req.Post(c.base + "/")
	if err != nil {
		c.log.Debug("agentbay call failed", "action", call.Action, "elapsed", time.Since(start), "error", c.redact(err.Error()))
		e := transportError(call.Action, err, c.redact)
		if !idempotent[call.Action] && !retryUnsent(nil, err) {
			e.Retryable = false // the request may have reached the service
		}
		return nil, e
	}
	out, perr := ParseEnvelope(call.Action, resp.StatusCode(), resp.Body())
	c.log.Debug("agentbay call", "action", call.Action, "status", resp.StatusCode(),
		"attempts", resp.Request.Attempt, "elapsed", time.Since(start))
	if perr != nil {
		// The service may quote parameters back; the key must not come along.
		var e *Error
		if errors.As(perr, &e) {
			e.Code, e.Message = c.redact(e.Code), c.redact(e.Message)
			// A 500 on a state-changing call may have done the work; only
			// "not now" replies are safe to repeat.
			if !idempotent[call.Action] && e.HTTPStatus != 503 && e.HTTPStatus != 429 {
				e.Retryable = false
			}
		}
		return nil, perr
	}
	return out, nil
}

// retryRead retries idempotent reads on anything transient. A reply that
// is too large is not: the service answered, and would answer the same.
func retryRead(r *resty.Response, err error) bool {
	if err != nil {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) &&
			!errors.Is(err, resty.ErrResponseBodyTooLarge)
	}
	s := r.StatusCode()
	return s == http.StatusTooManyRequests || s >= 500
}

// retryUnsent retries a state-changing call only when it cannot have reached
// the server: the connection was never established.
func retryUnsent(_ *resty.Response, err error) bool {
	var op *net.OpError
	return err != nil && errors.As(err, &op) && op.Op == "dial" && !op.Timeout()
}

// retryAfter honours a Retry-After header in seconds or as an HTTP date.
func retryAfter(_ *resty.Client, r *resty.Response) (time.Duration, error) {
	h := r.Header().Get("Retry-After")
	if h == "" {
		return 0, nil
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, nil
	}
	if t, err := http.ParseTime(h); err == nil {
		return time.Until(t), nil
	}
	return 0, nil
}

func (c *Client) logRetry(r *resty.Response, err error) {
	action := ""
	status := 0
	if r != nil && r.Request != nil {
		if r.Request.Attempt > c.retries {
			return // resty runs the hooks after the last attempt too: no retry follows
		}
		action = r.Request.QueryParam.Get("Action")
		status = r.StatusCode()
	}
	if err != nil {
		c.log.Warn("agentbay retrying", "action", action, "error", c.redact(err.Error()))
		return
	}
	c.log.Warn("agentbay retrying", "action", action, "status", status)
}

type connectTimeoutKey struct{}

func userAgent() string {
	return "AlibabaCloud (" + runtime.GOOS + "; " + runtime.GOARCH + ") Golang/" +
		strings.TrimPrefix(runtime.Version(), "go") + " Core/0.01 TeaDSL/2 libagentbay/" + LibraryVersion
}

// freshNonce runs before every attempt: a retry is a new request to the
// gateway, which may refuse a nonce it has already seen (anti-replay).
func freshNonce(_ *resty.Client, r *resty.Request) error {
	if r.Attempt > 1 && r.QueryParam.Has("SignatureNonce") {
		r.QueryParam.Set("SignatureNonce", nonce())
		r.QueryParam.Set("Timestamp", timestamp())
	}
	return nil
}

func timestamp() string { return time.Now().UTC().Format("2006-01-02T15:04:05Z") }

func nonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Redactor returns a function that removes key, in the forms it takes on the
// wire, from a text. Errors and logs pass through it.
func Redactor(key string) func(string) string {
	if key == "" {
		return func(s string) string { return s }
	}
	pairs := []string{
		"Bearer " + key, "Bearer ***",
		url.QueryEscape("Bearer " + key), "Bearer+***",
		url.PathEscape("Bearer " + key), "Bearer%20***",
	}
	if len(key) >= 8 {
		pairs = append(pairs, key, "***", url.QueryEscape(key), "***")
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}

// quietLogger keeps resty from printing anything itself: its messages may
// carry URLs, and all our logging goes through slog with redaction.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
