package local

import (
	"encoding/json"
	"errors"
	"net/http"
)

// linkRequest is the JSON body of POST <LinkUrl>/callTool.
type linkRequest struct {
	Args      json.RawMessage `json:"args"` // an object (or a JSON string of one)
	Server    string          `json:"server"`
	RequestID string          `json:"requestId"`
	Tool      string          `json:"tool"`
	Token     string          `json:"token"`
}

// serveCallTool answers the LinkUrl route that the SDKs use when
// CreateMcpSession returned LinkUrl and Token. The token, in the
// X-Access-Token header or the body, names the session; the API key is
// not sent on this route.
func (s *Server) serveCallTool(w http.ResponseWriter, r *http.Request) {
	var req linkRequest
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		status, code := http.StatusBadRequest, "InvalidParameter"
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status, code = http.StatusRequestEntityTooLarge, "RequestEntityTooLarge"
		}
		writeLinkError(w, newRequestID(), &apiError{status, code, "the body is not a valid callTool request: " + err.Error()})
		return
	}
	if req.RequestID == "" {
		req.RequestID = newRequestID()
	}
	token := r.Header.Get("X-Access-Token")
	if token == "" {
		token = req.Token
	}
	if token == "" {
		writeLinkError(w, req.RequestID, &apiError{http.StatusUnauthorized, "InvalidToken", "no access token"})
		return
	}
	s.mu.Lock()
	se := s.tokens[token]
	s.mu.Unlock()
	if se == nil {
		// Most likely the session was deleted: say so, as CallMcpTool does.
		writeLinkError(w, req.RequestID, &apiError{http.StatusNotFound, errNotFound.Code,
			"no live session has this access token"})
		return
	}
	if req.Tool == "" {
		writeLinkError(w, req.RequestID, missing("tool"))
		return
	}
	// The SDKs send args as an object; accept a JSON string of one too.
	var inner string
	if json.Unmarshal(req.Args, &inner) == nil {
		req.Args = json.RawMessage(inner)
	}
	se.begin(s.opts.Now()) // a call on the session, as for the RPC actions
	res, err := s.runTool(r, se, req.Tool, req.Args)
	se.done(s.opts.Now())
	if err != nil {
		writeLinkError(w, req.RequestID, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"code":      "ok",
		"data":      map[string]any{"result": res.MCP()},
		"requestId": req.RequestID,
		"success":   true,
	})
}

// writeLinkError writes an error in the lower-case style of the /callTool
// route. The SDKs read only the HTTP status of a failure here, so a
// session in the wrong state answers 409 Conflict rather than 400.
func writeLinkError(w http.ResponseWriter, requestID string, err error) {
	ae := asAPIError(err)
	status := ae.Status
	if ae.Code == "InvalidSessionStatus" {
		status = http.StatusConflict
	}
	writeJSON(w, status, map[string]any{
		"code":      ae.Code,
		"message":   ae.Message,
		"requestId": requestID,
		"success":   false,
	})
}
