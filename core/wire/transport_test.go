package wire

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const okReply = `{"RequestId":"R1","Success":true,"Data":{"Status":"RUNNING"}}`

// countingServer is an https server that counts the connections it accepted
// and the requests it answered.
type countingServer struct {
	*httptest.Server
	conns, closed, requests atomic.Int32
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.conns.Add(1)
		case http.StateClosed:
			s.closed.Add(1)
		}
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) client(t *testing.T) *Client {
	roots := x509.NewCertPool()
	roots.AddCert(s.Certificate())
	c, _ := newWire(t, s.URL, func(o *Options) { o.RootCAs = roots })
	return c
}

func answer(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, okReply)
}

func TestTransportKeepsOneConnectionForSequentialCalls(t *testing.T) {
	srv := newCountingServer(t, answer)
	c := srv.client(t)
	for range 50 {
		_, err := c.Do(context.Background(), Call{Action: "GetSessionDetail"})
		require.NoError(t, err)
	}
	assert.EqualValues(t, 50, srv.requests.Load())
	assert.EqualValues(t, 1, srv.conns.Load())
}

// A kept connection that the server closed while it was idle is noticed
// before a request is written on it, so even a state-changing call, which
// is never repeated, goes through on a new connection.
func TestTransportReplacesAConnectionTheServerClosed(t *testing.T) {
	srv := newCountingServer(t, answer)
	c := srv.client(t)
	_, err := c.Do(context.Background(), Call{Action: "CreateMcpSession"})
	require.NoError(t, err)
	srv.CloseClientConnections()
	_, err = c.Do(context.Background(), Call{Action: "CreateMcpSession"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, srv.requests.Load(), "the second call was sent once")
	assert.EqualValues(t, 2, srv.conns.Load())
}

func TestTransportDoesNotKeepAConnectionTheServerWillClose(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		answer(w, r)
	})
	c := srv.client(t)
	for range 3 {
		_, err := c.Do(context.Background(), Call{Action: "GetSessionDetail"})
		require.NoError(t, err)
	}
	assert.EqualValues(t, 3, srv.conns.Load())
}

// More calls in flight than the direct connections go through net/http's
// Transport; none waits for another.
func TestTransportOverflowsToTheStandardTransport(t *testing.T) {
	const n = directConns + 8
	var arrived sync.WaitGroup
	arrived.Add(n)
	release := make(chan struct{})
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		<-release
		answer(w, r)
	})
	c := srv.client(t)
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.Do(context.Background(), Call{Action: "GetSessionDetail"})
			errs <- err
		}()
	}
	arrived.Wait() // all n at the server at once: nobody queued behind a busy connection
	close(release)
	for range n {
		require.NoError(t, <-errs)
	}
	dt := c.http.GetClient().Transport.(*directTransport)
	dt.mu.Lock()
	defer dt.mu.Unlock()
	for _, h := range dt.hosts {
		assert.Equal(t, directConns, h.open)
		assert.Len(t, h.idle, directConns)
	}
}

// A reply that stops half way is given up when the call is cancelled, and
// its connection is not used again.
func TestTransportCancelDuringTheReply(t *testing.T) {
	started := make(chan struct{}, 1)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("Action") == "GetSessionDetail" {
			answer(w, r)
			return
		}
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, `{"RequestId":`)
		w.(http.Flusher).Flush()
		started <- struct{}{}
		<-r.Context().Done()
	})
	c := srv.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := c.Do(ctx, Call{Action: "GetLabel"})
	assert.Equal(t, KindCancelled, KindOf(err), "%v", err)

	_, err = c.Do(context.Background(), Call{Action: "GetSessionDetail"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, srv.conns.Load())
}

func TestTransportTimeoutDuringTheReply(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, `{"RequestId":`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	c := srv.client(t)
	_, err := c.Do(context.Background(), Call{Action: "CallMcpTool", Timeout: 100 * time.Millisecond})
	assert.Equal(t, KindTimeout, KindOf(err), "%v", err)
}

// A gzip reply (the client asks for one) is inflated.
func TestTransportInflatesAGzipReply(t *testing.T) {
	var asked atomic.Value
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		asked.Store(r.Header.Get("Accept-Encoding"))
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		_, _ = io.WriteString(z, okReply)
		_ = z.Close()
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(b.Bytes())
	})
	c := srv.client(t)
	resp, err := c.Do(context.Background(), Call{Action: "GetSessionDetail"})
	require.NoError(t, err)
	assert.Equal(t, "RUNNING", resp.Data.Get("Status").String())
	assert.Equal(t, "gzip", asked.Load())
}

// Whatever a broken server sends back, the call ends with an error.
func TestTransportGarbageReplies(t *testing.T) {
	for name, reply := range map[string]string{
		"not HTTP":       "SSH-2.0-OpenSSH_9.2\r\n\r\n",
		"bad status":     "HTTP/1.1 abc OK\r\n\r\n",
		"short body":     "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}",
		"bad chunks":     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"closed at once": "",
	} {
		t.Run(name, func(t *testing.T) {
			cert := httptest.NewTLSServer(http.NotFoundHandler())
			defer cert.Close()
			ln, err := tls.Listen("tcp", "127.0.0.1:0", cert.TLS)
			require.NoError(t, err)
			defer ln.Close()
			go func() {
				for {
					conn, err := ln.Accept()
					if err != nil {
						return
					}
					go func() {
						defer conn.Close()
						buf := make([]byte, 64<<10)
						_, _ = conn.Read(buf) // the request
						_, _ = io.WriteString(conn, reply)
					}()
				}
			}()
			roots := x509.NewCertPool()
			roots.AddCert(cert.Certificate())
			c, _ := newWire(t, "https://"+ln.Addr().String(), func(o *Options) { o.RootCAs = roots; o.Retries = -1 })
			_, err = c.Do(context.Background(), Call{Action: "GetSessionDetail"})
			require.Error(t, err)
			assert.Equal(t, KindTransport, KindOf(err), "%v", err)
		})
	}
}

// A request that a proxy setting applies to goes through net/http's
// Transport, which speaks to the proxy.
func TestTransportSendsProxiedRequestsThroughTheStandardTransport(t *testing.T) {
	var target atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target.Store(r.URL.String()) // a proxy sees the absolute URL
		answer(w, r)
	}))
	defer proxy.Close()
	c, _ := newWire(t, "http://agentbay.invalid", nil)
	dt := c.http.GetClient().Transport.(*directTransport)
	pu, _ := url.Parse(proxy.URL)
	dt.proxy = http.ProxyURL(pu)
	dt.std.Proxy = dt.proxy
	_, err := c.Do(context.Background(), Call{Action: "GetSessionDetail"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(fmt.Sprint(target.Load()), "http://agentbay.invalid/?"), target.Load())
}

func TestTransportCloseIdleConnections(t *testing.T) {
	srv := newCountingServer(t, answer)
	c := srv.client(t)
	_, err := c.Do(context.Background(), Call{Action: "GetSessionDetail"})
	require.NoError(t, err)
	c.Close()
	require.Eventually(t, func() bool { return srv.closed.Load() == 1 }, 10*time.Second, time.Millisecond)
	_, err = c.Do(context.Background(), Call{Action: "GetSessionDetail"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, srv.conns.Load())
}

// A server that refuses an upload before reading it all, and closes, is
// heard: the caller gets its status rather than a broken pipe.
func TestTransportReplyBeforeTheBodyIsSent(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusForbidden)
	})
	c := srv.client(t)
	body := bytes.Repeat([]byte("x"), 32<<20)
	status, _, err := c.Put(context.Background(), srv.URL+"/upload", bytes.NewReader(body), int64(len(body)), "")
	assert.Equal(t, http.StatusForbidden, status, "%v", err)
	assert.Equal(t, KindUnauthorized, KindOf(err), "%v", err)
}
