package wire

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

// The client's transport drives up to directConns HTTP/1.1 connections per
// host itself: each request is written and its reply read on the caller's
// goroutine, over a kept connection. net/http's Transport gives every
// connection reader and writer goroutines and hands each request between
// them and the caller; measured over https, those hand-offs (scheduler
// wake-ups, futexes) were about a third of the client's CPU per call.
//
// Requests beyond directConns in flight to one host, and every request that
// goes through a proxy, take net/http's Transport (HTTP/2 where the server
// offers it), so that hundreds of concurrent calls share a few connections
// rather than open one TLS connection each.
//
// Options.StdTransport (AGENTBAY_HTTP_TRANSPORT=std for the engine) sends
// everything through net/http's Transport; the benchmarks compare the two
// with it.

const (
	directConns   = 16               // kept connections driven directly, per host
	idleTimeout   = 90 * time.Second // a kept connection idle longer is closed
	handshakeTime = 15 * time.Second
)

func newTransport(roots *x509.CertPool, stdOnly bool) http.RoundTripper {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if d, ok := ctx.Value(connectTimeoutKey{}).(time.Duration); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		return dialer.DialContext(ctx, network, addr)
	}
	tlsConfig := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	std := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dial,
		TLSClientConfig:     tlsConfig.Clone(), // net/http adds its protocols to it
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     idleTimeout,
		TLSHandshakeTimeout: handshakeTime,
	}
	if stdOnly {
		return std
	}
	return &directTransport{
		dial:  dial,
		tls:   tlsConfig,
		proxy: http.ProxyFromEnvironment,
		std:   std,
		hosts: map[string]*hostConns{},
	}
}

type directTransport struct {
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
	tls   *tls.Config
	proxy func(*http.Request) (*url.URL, error)
	std   *http.Transport // proxied requests and the overflow

	mu    sync.Mutex
	hosts map[string]*hostConns // by scheme and host:port
}

// hostConns counts the direct connections open to one host, busy or idle.
// Whether a proxy applies is decided once per host: the environment's proxy
// settings are read once, and depend on the scheme and host alone.
type hostConns struct {
	key     string
	proxied bool
	open    int
	idle    []*keptConn // most recently used last
}

type keptConn struct {
	net.Conn
	h     *hostConns
	br    *bufio.Reader
	bw    *bufio.Writer
	since time.Time // when it went idle
}

func (t *directTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" && req.URL.Scheme != "http" {
		return t.std.RoundTrip(req)
	}
	c, h := t.take(req)
	if h == nil {
		return t.std.RoundTrip(req)
	}
	if c == nil {
		var err error
		if c, err = t.connect(req.Context(), h, req.URL); err != nil {
			t.forget(h)
			closeRequestBody(req)
			return nil, err
		}
	}
	return t.exchange(req, c)
}

// take returns an idle connection to req's host that is still open, or
// nil and a slot reserved in h for a new one, or no h when the host's
// requests go through a proxy or all its connections are busy.
func (t *directTransport) take(req *http.Request) (c *keptConn, h *hostConns) {
	key := req.URL.Scheme + "://" + canonicalAddr(req.URL)
	for {
		t.mu.Lock()
		h = t.hosts[key]
		if h == nil {
			p, err := t.proxy(req)
			h = &hostConns{key: key, proxied: err != nil || p != nil}
			t.hosts[key] = h
		}
		n := len(h.idle)
		if n == 0 {
			if h.proxied || h.open >= directConns {
				t.mu.Unlock()
				return nil, nil
			}
			h.open++
			t.mu.Unlock()
			return nil, h
		}
		c = h.idle[n-1]
		h.idle = h.idle[:n-1]
		t.mu.Unlock()
		if time.Since(c.since) < idleTimeout && c.br.Buffered() == 0 && stillOpen(c.Conn) {
			return c, h
		}
		c.Close()
		t.forget(h)
	}
}

// forget gives back the slot of a connection that was closed or never made.
func (t *directTransport) forget(h *hostConns) {
	t.mu.Lock()
	h.open--
	t.mu.Unlock()
}

// release puts a connection whose last reply was read whole back for reuse,
// unless CloseIdleConnections has dropped its host's set meanwhile.
func (t *directTransport) release(c *keptConn) {
	c.since = time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.hosts[c.h.key] == c.h {
		c.h.idle = append(c.h.idle, c)
		return
	}
	c.Close()
}

func (t *directTransport) connect(ctx context.Context, h *hostConns, u *url.URL) (*keptConn, error) {
	conn, err := t.dial(ctx, "tcp", canonicalAddr(u))
	if err != nil {
		return nil, err
	}
	if u.Scheme == "https" {
		cfg := t.tls.Clone()
		cfg.ServerName = u.Hostname()
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, cfg)
		hctx, cancel := context.WithTimeout(ctx, handshakeTime)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			conn.Close()
			return nil, err
		}
		conn = tc
	}
	return &keptConn{Conn: conn, h: h, br: bufio.NewReaderSize(conn, 16<<10), bw: bufio.NewWriterSize(conn, 16<<10)}, nil
}

// exchange writes req on c and reads the reply's head. A cancelled or
// expired context interrupts a blocked read or write by moving c's deadline
// into the past, so the caller's goroutine is the only one involved.
func (t *directTransport) exchange(req *http.Request, c *keptConn) (*http.Response, error) {
	ctx := req.Context()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, error) {
		stop()
		c.Close()
		t.forget(c.h)
		return nil, contextError(ctx, err)
	}
	werr := req.Write(c.bw) // closes req.Body
	if werr == nil {
		werr = c.bw.Flush()
	}
	if werr != nil {
		// A server may answer before it has read the whole body (a 403 on
		// an upload, say) and close: that reply is the better error. The
		// read is bounded, for a connection that broke otherwise.
		if ctx.Err() != nil {
			return fail(werr)
		}
		c.SetReadDeadline(time.Now().Add(time.Second))
	}
	resp, err := http.ReadResponse(c.br, req)
	if werr != nil && err != nil {
		return fail(werr)
	}
	for err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
		resp, err = http.ReadResponse(c.br, req) // an informational reply precedes the real one
	}
	if err != nil {
		return fail(err)
	}
	b := &replyBody{body: resp.Body, c: c, t: t, ctx: ctx, stop: stop,
		reuse: werr == nil && !resp.Close && !req.Close && resp.StatusCode != http.StatusSwitchingProtocols}
	if resp.Body == http.NoBody {
		b.eof = true
	}
	resp.Body = b
	return resp, nil
}

// replyBody gives its connection back when the reply has been read to the
// end, and closes it when the reply is abandoned before that.
type replyBody struct {
	body  io.ReadCloser
	c     *keptConn
	t     *directTransport
	ctx   context.Context
	stop  func() bool
	reuse bool
	eof   bool
	done  bool
}

func (b *replyBody) Read(p []byte) (int, error) {
	if b.done {
		if b.eof {
			return 0, io.EOF
		}
		return 0, errors.New("read on a closed reply body")
	}
	n, err := b.body.Read(p)
	if err == io.EOF {
		b.eof = true
		b.finish()
	} else if err != nil {
		b.finish()
		err = contextError(b.ctx, err)
	}
	return n, err
}

func (b *replyBody) Close() error {
	if !b.done {
		b.finish()
	}
	return nil
}

// finish is called once. It never closes the inner body of an unfinished
// reply: that would read the rest of it first.
func (b *replyBody) finish() {
	b.done = true
	if b.stop() && b.eof && b.reuse {
		b.t.release(b.c)
		return
	}
	b.c.Close()
	b.t.forget(b.c.h)
}

// CloseIdleConnections closes the kept connections that are idle; the busy
// ones are closed when their replies have been read.
func (t *directTransport) CloseIdleConnections() {
	t.mu.Lock()
	hosts := t.hosts
	t.hosts = map[string]*hostConns{}
	t.mu.Unlock()
	for _, h := range hosts {
		for _, c := range h.idle {
			c.Close()
		}
	}
	t.std.CloseIdleConnections()
}

// contextError reports a failure caused by the context as the context's
// error, which is what callers test for; the deadline may pass a moment
// before the context notices it.
func contextError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if d, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return err
}

func canonicalAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
