// Package local is an AgentBay backend that runs sessions on this machine.
//
// It speaks the AgentBay cloud's wire protocol (shared/spec/wire-protocol.md,
// section 8.2): the RPC actions on "/", the LinkUrl route "/callTool", and
// a proxy for GetLink URLs under "/link/". Each session is a sandbox with a
// root folder of its own (package sandbox) and the MCP tools of package
// tools. Session records live in a bbolt database in the data folder, so
// that sessions survive a restart or a crash of the server.
package local

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/libagentbay/libagentbay/core/local/sandbox"
	"github.com/libagentbay/libagentbay/core/local/store"
	"github.com/libagentbay/libagentbay/core/local/tools"
)

// Options configure a Server. DataDir and APIKey are required.
type Options struct {
	Listen  string       // default "127.0.0.1:0"; any other than loopback needs TLS
	DataDir string       // holds the database, the sessions' files and the certificate
	APIKey  string       // the key clients must send; never logged
	TLS     bool         // serve https with a self-signed certificate kept in DataDir
	Logger  *slog.Logger // nil = discard

	MaxSessions       int           // live sessions; default 1000
	MaxBodyBytes      int64         // request body; default 16 MiB
	MaxOutputBytes    int           // each output stream of a tool call; default 1 MiB
	MaxCommandTimeout time.Duration // longest command; default 10 minutes
	MaxUploadBytes    int64         // a file PUT to a context's upload URL; default 1 GiB

	// Now is the clock of idle release (default time.Now); tests move it
	// and call ReleaseIdle.
	Now func() time.Time
	// Emulate makes transitions take time and requests fail, as in the
	// cloud; off by default. See Emulation.
	Emulate Emulation
}

const (
	defaultMaxSessions       = 1000
	defaultMaxBodyBytes      = 16 << 20
	defaultMaxOutputBytes    = 1 << 20
	defaultMaxCommandTimeout = 10 * time.Minute
	defaultMaxUploadBytes    = 1 << 30
)

// Server is a running local backend.
type Server struct {
	opts     Options
	keyHash  [sha256.Size]byte
	log      *slog.Logger
	db       *store.Store
	contexts *contextStore
	boxes    *sandbox.Manager
	limits   tools.Limits
	http     *http.Server
	ln       net.Listener
	scheme   string
	endpoint string
	certFile string
	proxy    *http.Transport // to the sessions' ports, for GetLink URLs
	emu      *emulator

	ctx    context.Context // cancelled by Close: ends requests in progress
	cancel context.CancelFunc
	work   sync.WaitGroup // requests and status transitions in progress

	mu       sync.Mutex
	closed   bool
	sessions map[string]*session
	order    []*session          // live sessions in creation order
	tokens   map[string]*session // by /callTool token
	creating int                 // sessions being created, counted against MaxSessions
	released map[string]release  // sessions ended by the server, by id, for GetSessionDetail
	idleWake chan struct{}       // a session with an idle timeout was made

	closeOnce sync.Once
	closeErr  error
}

// Start opens the data folder, brings back the sessions kept there,
// listens and serves in the background. It returns once the server
// accepts connections.
func Start(opts Options) (*Server, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(opts.DataDir, "sessions"), 0o700); err != nil {
		return nil, fmt.Errorf("local: the data folder %s cannot be used: %w", opts.DataDir, err)
	}
	s := &Server{
		opts:     opts,
		keyHash:  sha256.Sum256([]byte(opts.APIKey)),
		log:      opts.Logger,
		boxes:    sandbox.NewManager(sandbox.Probe(), opts.MaxOutputBytes),
		limits:   tools.Limits{MaxOutputBytes: opts.MaxOutputBytes, MaxTimeout: opts.MaxCommandTimeout},
		scheme:   "http",
		proxy:    &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}, // no HTTP_PROXY: the target is loopback
		emu:      newEmulator(opts.Emulate),
		sessions: map[string]*session{},
		tokens:   map[string]*session{},
		released: map[string]release{},
		idleWake: make(chan struct{}, 1),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	var err error
	if s.contexts, err = openContexts(filepath.Join(opts.DataDir, "contexts")); err != nil {
		return nil, fmt.Errorf("local: the contexts of %s cannot be read: %w", opts.DataDir, err)
	}
	if s.db, err = store.Open(filepath.Join(opts.DataDir, "state.db")); err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	if err := s.restore(); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("local: bringing back the sessions of %s: %w", opts.DataDir, err)
	}
	if err := s.listen(); err != nil {
		s.shutdownSessions()
		s.db.Close()
		return nil, err
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	go s.http.Serve(s.ln)
	s.work.Add(1)
	go s.releaseIdleLoop()
	s.log.Info("agentbay-local serving", "endpoint", s.endpoint, "data", opts.DataDir,
		"sandbox", s.boxes.Isolation().String(), "sessions", len(s.sessions))
	return s, nil
}

func (o *Options) fill() error {
	if o.DataDir == "" {
		return errors.New("local: Options.DataDir is required")
	}
	if o.APIKey == "" {
		return errors.New("local: Options.APIKey is required")
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if !o.TLS && !isLoopback(o.Listen) {
		return fmt.Errorf("local: listening on %s, which is not loopback, needs TLS", o.Listen)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = defaultMaxSessions
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = defaultMaxBodyBytes
	}
	if o.MaxOutputBytes <= 0 {
		o.MaxOutputBytes = defaultMaxOutputBytes
	}
	if o.MaxCommandTimeout <= 0 {
		o.MaxCommandTimeout = defaultMaxCommandTimeout
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = defaultMaxUploadBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o.Emulate.check()
}

// isLoopback reports whether the host of addr is a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) listen() error {
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return err
	}
	if s.opts.TLS {
		host, _, _ := net.SplitHostPort(s.opts.Listen)
		certFile, keyFile, err := loadOrMakeCert(s.opts.DataDir, host)
		if err != nil {
			ln.Close()
			return err
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			ln.Close()
			return fmt.Errorf("local: %s: %w", certFile, err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
		s.scheme, s.certFile = "https", certFile
	}
	s.ln = ln
	s.endpoint = s.scheme + "://" + ln.Addr().String()
	return nil
}

// Endpoint returns the server's URL, such as "http://127.0.0.1:PORT".
func (s *Server) Endpoint() string { return s.endpoint }

// CertFile returns the path of the certificate that clients must trust,
// or "" without TLS.
func (s *Server) CertFile() string { return s.certFile }

// Sandbox describes how sessions are isolated on this machine.
func (s *Server) Sandbox() string { return s.boxes.Isolation().String() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", s.serveAPI)
	mux.HandleFunc("POST /callTool", s.serveCallTool)
	mux.HandleFunc("/callTool", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		writeLinkError(w, newRequestID(), &apiError{http.StatusMethodNotAllowed, "MethodNotAllowed", "/callTool takes POST"})
	})
	mux.HandleFunc("/link/{id}/{port}/{token}/", s.serveLink)
	mux.HandleFunc("/context-files/{token}", s.serveContextFile)
	notFound := func(w http.ResponseWriter, r *http.Request) {
		writeError(w, newRequestID(), &apiError{http.StatusNotFound, "NotFound", "no such path: " + r.URL.Path})
	}
	mux.HandleFunc("/", notFound)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.enter() {
			writeError(w, newRequestID(), &apiError{http.StatusServiceUnavailable, "ServiceUnavailable", "the server is shutting down"})
			return
		}
		defer s.work.Done()
		if p := cleanPath(r.URL.Path); p != r.URL.Path && !strings.HasPrefix(p, "/link/") {
			// The mux would redirect to the clean path, in HTML: the API
			// answers in JSON, and has nothing at such paths anyway. (A
			// link's web pages may be redirected.)
			notFound(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// cleanPath is the path the mux would redirect p to: rooted, without "//",
// "." or "..", with its trailing slash kept.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if strings.HasSuffix(p, "/") && np != "/" {
		np += "/"
	}
	return np
}

// enter counts a request in, unless the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.work.Add(1)
	return true
}

// Close stops serving, kills the processes of every session (thawing
// frozen ones first) and closes the database. Sessions keep their records
// and files, and come back on the next Start with the same DataDir. Close
// may be called more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel() // ends commands and proxied connections in progress
		s.closeErr = s.http.Close()
		s.shutdownSessions()
		s.work.Wait()
		// A transition that ended meanwhile may have frozen a session.
		s.shutdownSessions()
		s.proxy.CloseIdleConnections()
		if err := s.db.Close(); s.closeErr == nil {
			s.closeErr = err
		}
		s.log.Info("agentbay-local stopped")
	})
	return s.closeErr
}

// shutdownSessions kills the processes of every session.
func (s *Server) shutdownSessions() {
	s.mu.Lock()
	live := append([]*session(nil), s.order...)
	s.mu.Unlock()
	for _, se := range live {
		if err := se.box.Kill(); err != nil {
			s.log.Error("stopping a session's processes", "session", se.id, "err", err)
		}
	}
}
