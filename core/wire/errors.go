package wire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/go-resty/resty/v2"
)

// Kind is the stable class of an error. Bindings map it to their own error
// types, so the values never change once released.
type Kind string

const (
	KindInvalidArgument Kind = "invalid_argument" // the caller passed something wrong
	KindNotFound        Kind = "not_found"        // the session (or resource) does not exist
	KindUnauthorized    Kind = "unauthorized"     // bad or expired API key
	KindThrottled       Kind = "throttled"        // the service asked us to slow down
	KindTimeout         Kind = "timeout"          // a deadline passed
	KindCancelled       Kind = "cancelled"        // the caller cancelled
	KindConflict        Kind = "conflict"         // the session is in the wrong state (e.g. paused)
	KindServer          Kind = "server"           // the service failed or answered garbage
	KindTransport       Kind = "transport"        // the network failed
	KindUnsupported     Kind = "unsupported"      // not supported by this library or endpoint
	KindInvalidHandle   Kind = "invalid_handle"   // a closed client; in C, an unknown, freed or wrong-kind handle
	KindInternal        Kind = "internal"         // a bug in this library
)

// Error is the one error type of the engine. Every field is safe to show:
// the API key never appears in Message.
type Error struct {
	Kind       Kind
	Action     string // the API action, e.g. "GetSession"; empty for local checks
	Code       string // the service's code, e.g. "InvalidMcpSession.NotFound"
	Message    string
	Param      string // the parameter that was refused, for a bad argument
	RequestID  string
	HTTPStatus int
	Retryable  bool  // whether repeating the same call is safe and may succeed
	Err        error // the cause, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("agentbay: ")
	if e.Action != "" {
		b.WriteString(e.Action)
		b.WriteString(": ")
	}
	if e.Code != "" {
		fmt.Fprintf(&b, "[%s] ", e.Code)
	}
	b.WriteString(e.Message)
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, &Error{Kind: k}) match on kind alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == "" && t.Message == ""
}

// Errorf builds an Error of the given kind with no server context.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, KindInternal for foreign errors and "" for nil.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	switch {
	case errors.Is(err, context.Canceled):
		return KindCancelled
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	}
	return KindInternal
}

// IsNotFound reports whether err means the session is gone.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// serviceError classifies an error reply from the service.
func serviceError(action string, status int, code, msg, reqID string) *Error {
	e := &Error{Action: action, Code: code, Message: msg, RequestID: reqID, HTTPStatus: status}
	if e.Message == "" {
		e.Message = fmt.Sprintf("HTTP %d", status)
	}
	switch {
	case code == "InvalidAction.NotFound":
		e.Kind = KindUnsupported
	case strings.Contains(code, "NotFound") || status == 404:
		e.Kind = KindNotFound
	case code == "NOT_LOGIN" || status == 401 || status == 403:
		e.Kind = KindUnauthorized
	case strings.HasPrefix(code, "Throttling") || status == 429:
		e.Kind, e.Retryable = KindThrottled, true
	case strings.HasPrefix(code, "InvalidSessionStatus") || status == 409:
		e.Kind = KindConflict
	case status >= 500:
		e.Kind, e.Retryable = KindServer, true
	case status >= 400:
		e.Kind = KindInvalidArgument
	default:
		// HTTP 2xx with Success:false: a business failure the service reported.
		e.Kind = KindServer
	}
	return e
}

// transportError classifies a failure to get any reply at all.
func transportError(action string, err error, redact func(string) string) *Error {
	e := &Error{Action: action, Kind: KindTransport, Retryable: true, Err: errRedacted{err, redact}}
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind, e.Retryable, e.Message = KindCancelled, false, "cancelled"
		return e
	case errors.Is(err, context.DeadlineExceeded):
		e.Kind, e.Message = KindTimeout, "timed out waiting for the service"
		return e
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		// The service answered, with more than a reply can be: garbage,
		// and the call may have taken effect.
		e.Kind, e.Retryable = KindServer, false
		e.Message = fmt.Sprintf("invalid reply: the body is larger than %d bytes", maxReplyBytes)
		return e
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		e.Kind = KindTimeout
	}
	e.Message = redact(err.Error())
	return e
}

// errRedacted keeps a cause in the chain (for errors.Is) while making sure its
// text, if anyone prints it, has the key removed.
type errRedacted struct {
	err    error
	redact func(string) string
}

func (r errRedacted) Error() string { return r.redact(r.err.Error()) }
func (r errRedacted) Unwrap() error { return r.err }
