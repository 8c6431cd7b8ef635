package local

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
)

// serveLink proxies /link/<session>/<port>/<token>/<path> to <path> on
// 127.0.0.1:<port>, for the URLs that GetLink returns. The token in the
// URL guards it, as the cloud's link URLs carry their own credentials.
// httputil.ReverseProxy also carries WebSocket upgrades.
//
// Sessions share the host's network, so the port is the machine's: the
// proxy reaches whatever listens there.
func (s *Server) serveLink(w http.ResponseWriter, r *http.Request) {
	id, portText, token := r.PathValue("id"), r.PathValue("port"), r.PathValue("token")
	notFound := &apiError{http.StatusNotFound, "InvalidLink.NotFound", "no such link; ask GetLink for a new one"}
	se, err := s.get(id)
	if err != nil {
		writeError(w, newRequestID(), notFound)
		return
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < minLinkPort || port > maxLinkPort ||
		subtle.ConstantTimeCompare([]byte(token), []byte(se.rec.LinkToken)) != 1 {
		writeError(w, newRequestID(), notFound)
		return
	}
	if err := se.checkUsable(); err != nil {
		writeError(w, newRequestID(), err)
		return
	}
	prefix := "/link/" + id + "/" + portText + "/" + token
	target := net.JoinHostPort("127.0.0.1", portText)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = target
			pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, prefix)
			pr.Out.URL.RawPath = strings.TrimPrefix(pr.In.URL.RawPath, prefix)
			pr.Out.Host = target
			pr.SetXForwarded()
		},
		Transport:     s.proxy,
		FlushInterval: -1, // stream (server-sent events, long polls)
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, newRequestID(), &apiError{http.StatusBadGateway, "BadGateway",
				fmt.Sprintf("nothing answers on port %d of session %s: %v", port, id, err)})
		},
	}
	proxy.ServeHTTP(w, r)
}
