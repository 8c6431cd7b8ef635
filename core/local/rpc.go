package local

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// apiError is an error answer: an HTTP status and the Code and Message of
// the JSON body.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

var (
	errNotFound = &apiError{http.StatusBadRequest, "InvalidMcpSession.NotFound", "Resource [McpSession] is not found."}
	errNotLogin = &apiError{http.StatusBadRequest, "NOT_LOGIN", "You are not logged in or your login token has expired"}
)

func missing(name string) error {
	return &apiError{http.StatusBadRequest, "MissingParameter",
		fmt.Sprintf("The input parameter %q that is mandatory for processing this request is not supplied.", name)}
}

func invalid(name, why string) error {
	return &apiError{http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("The parameter %q is invalid: %s", name, why)}
}

func internal(err error) error {
	return &apiError{http.StatusInternalServerError, "InternalError", err.Error()}
}

// asAPIError turns any error into an apiError.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return internal(err).(*apiError)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"Code":"InternalError","Success":false}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// writeError writes the error body that the SDKs parse: Code, Message,
// RequestId, HttpStatusCode and Success:false.
func writeError(w http.ResponseWriter, requestID string, err error) {
	ae := asAPIError(err)
	body := map[string]any{
		"Code":           ae.Code,
		"Message":        ae.Message,
		"RequestId":      requestID,
		"HttpStatusCode": ae.Status,
		"Success":        false,
	}
	if ae == errNotLogin {
		body["HostId"] = "agentbay-local"
	}
	writeJSON(w, ae.Status, body)
}

// newRequestID returns an upper-case UUID-like id, as the cloud's.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newSessionID returns "session-" and 25 lower-case letters and digits.
func newSessionID() string { return "session-" + strings.ToLower(rand.Text())[:25] }

// newToken returns 26 random lower-case letters and digits (130 bits).
func newToken() string { return strings.ToLower(rand.Text()) }

// call is one RPC request: its parameters, query and form merged.
type call struct {
	r         *http.Request
	requestID string
	active    *session // the session the call is on, counted as active until it ends
}

// param returns the parameter name. A parameter given more than once, in
// the query, the body or both, has the first value of the body, else the
// first of the query (the order of http.Request.Form).
func (c *call) param(name string) string { return c.r.Form.Get(name) }

func (c *call) required(name string) (string, error) {
	v := c.param(name)
	if v == "" {
		return "", missing(name)
	}
	return v, nil
}

// int returns an integer parameter, or def if it is absent.
func (c *call) int(name string, def int) (int, error) {
	v := c.param(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalid(name, "want an integer")
	}
	return n, nil
}

// labels decodes a JSON object of strings; absent is nil.
func (c *call) labels(name string) (map[string]string, error) {
	v := c.param(name)
	if v == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, invalid(name, "want a JSON object of strings")
	}
	return m, nil
}

// session returns the session named by the SessionId parameter, and
// counts the call as activity on it (see idle.go).
func (s *Server) session(c *call) (*session, error) {
	se, err := s.observe(c)
	if err == nil && c.active == nil {
		se.begin(s.opts.Now())
		c.active = se
	}
	return se, err
}

// observe returns the session named by the SessionId parameter for a call
// that only reads its status, which is not activity: polling a session's
// status does not keep it alive.
func (s *Server) observe(c *call) (*session, error) {
	id, err := c.required("SessionId")
	if err != nil {
		return nil, err
	}
	return s.get(id)
}

// authorized checks the API key, which the SDKs send as the parameter
// Authorization=Bearer <key>. Hashing both sides first makes the
// comparison constant-time whatever the lengths.
func (s *Server) authorized(r *http.Request) bool {
	v := r.Form.Get("Authorization")
	if v == "" {
		v = r.Header.Get("Authorization")
	}
	key, ok := strings.CutPrefix(v, "Bearer ")
	if !ok {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(key)))
	return subtle.ConstantTimeCompare(got[:], s.keyHash[:]) == 1
}

// serveAPI answers the RPC actions: POST / with Action in the query (or
// the x-acs-action header) and parameters in the query and form body.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	c := &call{r: r, requestID: newRequestID()}
	if err := formBody(r); err != nil {
		writeError(w, c.requestID, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = &apiError{http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
				fmt.Sprintf("the request body is larger than %d bytes", s.opts.MaxBodyBytes)}
		} else {
			err = &apiError{http.StatusBadRequest, "InvalidParameter", "the request is not a valid form: " + err.Error()}
		}
		writeError(w, c.requestID, err)
		return
	}
	if !s.authorized(r) {
		writeError(w, c.requestID, errNotLogin)
		return
	}
	for name, values := range r.Form {
		for _, v := range values {
			if !utf8.ValidString(v) {
				// JSON would turn the bad bytes into U+FFFD: a label,
				// a command, a path that is not the one sent.
				writeError(w, c.requestID, invalid(name, "not valid UTF-8"))
				return
			}
		}
	}
	action := c.param("Action")
	if action == "" {
		action = r.Header.Get("x-acs-action")
	}
	if action == "" {
		writeError(w, c.requestID, missing("Action"))
		return
	}
	handle, ok := actions[action]
	if !ok {
		writeError(w, c.requestID, &apiError{http.StatusBadRequest, "InvalidAction.NotFound",
			fmt.Sprintf("The specified action %q is not supported by this server.", action)})
		return
	}
	fault := s.emu.fault(action)
	if s.emu.OnRequest != nil {
		var kind FaultKind
		if fault != nil {
			kind = fault.Kind
		}
		s.emu.OnRequest(action, kind)
	}
	if fault != nil && !fault.After && s.inject(w, r, c.requestID, fault) {
		return
	}
	body, err := handle(s, c)
	if c.active != nil {
		c.active.done(s.opts.Now())
	}
	if fault != nil && fault.After && s.inject(w, r, c.requestID, fault) {
		return
	}
	s.log.Debug("request", "action", action, "session", c.param("SessionId"), "requestId", c.requestID, "err", err)
	if err != nil {
		writeError(w, c.requestID, err)
		return
	}
	if body == nil {
		body = reply{}
	}
	body["Code"] = "ok"
	body["Message"] = ""
	body["RequestId"] = c.requestID
	body["HttpStatusCode"] = http.StatusOK
	body["Success"] = true
	writeJSON(w, http.StatusOK, body)
}

// formBody refuses a request whose body is there but is not a form, which
// ParseForm would skip: its parameters, the key among them, would be
// missing without a word.
func formBody(r *http.Request) error {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil // ParseForm reads no body
	}
	if r.ContentLength == 0 {
		return nil
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && ct == "application/x-www-form-urlencoded" {
		return nil
	}
	return &apiError{http.StatusUnsupportedMediaType, "UnsupportedMediaType",
		fmt.Sprintf("the body is %q; send the parameters as application/x-www-form-urlencoded", r.Header.Get("Content-Type"))}
}

// reply holds the fields of a successful answer besides the envelope,
// usually just Data.
type reply map[string]any

func data(v any) reply { return reply{"Data": v} }
