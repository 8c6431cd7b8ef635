package wire

import (
	"net/url"
	"strings"
)

// ParseEndpoint turns an endpoint setting into a base URL. A bare host or
// host:port means https, as in the official SDKs; an explicit http:// or
// https:// URL is kept (the local backend serves plain http on loopback).
func ParseEndpoint(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(KindInvalidArgument, "endpoint is empty")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", Errorf(KindInvalidArgument, "invalid endpoint %q: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", Errorf(KindInvalidArgument, "invalid endpoint %q: scheme must be http or https", s)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", Errorf(KindInvalidArgument, "invalid endpoint %q: want host, host:port or a base URL", s)
	}
	if u.Path != "" && u.Path != "/" {
		return "", Errorf(KindInvalidArgument, "invalid endpoint %q: the API is served at /, not %s", s, u.Path)
	}
	return u.Scheme + "://" + u.Host, nil
}
