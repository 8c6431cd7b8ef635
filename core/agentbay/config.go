package agentbay

import (
	"crypto/x509"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/libagentbay/libagentbay/core/wire"
)

// DefaultEndpoint is the AgentBay cloud endpoint used when a key is set but no
// endpoint is.
const DefaultEndpoint = "wuyingai.cn-shanghai.aliyuncs.com"

// EmbeddedEndpoint selects the local backend inside this process.
const EmbeddedEndpoint = "embedded"

// Config configures a Client. Zero fields are filled from the environment
// (AGENTBAY_API_KEY, AGENTBAY_ENDPOINT, AGENTBAY_TIMEOUT_MS) and then from
// defaults. With neither a key nor an endpoint anywhere, the client runs on
// the embedded local backend, which needs Embedded.
type Config struct {
	APIKey   string
	Endpoint string        // "embedded", a host, host:port, or an http(s) URL
	Timeout  time.Duration // per call; default 60 s
	Retries  int           // extra attempts for idempotent reads; 0 means 3, negative means none
	RootCAs  *x509.CertPool
	Logger   *slog.Logger // engine log lines; nil discards. Never carries the key.

	// Embedded starts the local backend for the "embedded" endpoint, e.g.
	// embedded.Start of package core/embedded. It is a field rather than a
	// dependency so that a program for the cloud does not link the backend.
	Embedded Starter

	// Getenv reads the environment; nil means os.Getenv. The C ABI reads
	// the C environment, which hosts (Python, Node, dotenv) change after Go
	// has copied it.
	Getenv func(string) string

	stdTransport bool // AGENTBAY_HTTP_TRANSPORT=std: net/http's Transport only
}

// A Starter starts a local backend for one client. The client calls it on a
// goroutine of its own, so that New never waits for it.
type Starter func(log *slog.Logger) (Backend, error)

// Backend is a running local backend: where it listens, the key it wants,
// and how to stop it (Close removes what it made).
type Backend interface {
	Endpoint() string
	APIKey() string
	Close() error
}

// resolve fills cfg from the environment and defaults and checks it.
func (cfg Config) resolve() (Config, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfg.APIKey == "" {
		cfg.APIKey = getenv("AGENTBAY_API_KEY")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = getenv("AGENTBAY_ENDPOINT")
	}
	if cfg.Timeout == 0 {
		if v := strings.TrimSpace(getenv("AGENTBAY_TIMEOUT_MS")); v != "" {
			ms, err := strconv.Atoi(v)
			if err != nil || ms <= 0 {
				return cfg, wire.Errorf(wire.KindInvalidArgument, "AGENTBAY_TIMEOUT_MS=%q is not a positive integer", v)
			}
			cfg.Timeout = time.Duration(ms) * time.Millisecond
		}
	}
	switch v := strings.TrimSpace(getenv("AGENTBAY_HTTP_TRANSPORT")); v {
	case "", "direct":
	case "std":
		cfg.stdTransport = true
	default:
		return cfg, wire.Errorf(wire.KindInvalidArgument, "AGENTBAY_HTTP_TRANSPORT=%q: want std or direct", v)
	}
	if cfg.Timeout < 0 {
		return cfg, wire.Errorf(wire.KindInvalidArgument, "timeout must not be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = wire.DefaultTimeout
	}
	switch {
	case cfg.Endpoint == "" && cfg.APIKey == "":
		cfg.Endpoint = EmbeddedEndpoint
	case cfg.Endpoint == "":
		cfg.Endpoint = DefaultEndpoint
	}
	cfg.Endpoint = strings.TrimSpace(cfg.Endpoint)
	switch {
	case cfg.Endpoint == EmbeddedEndpoint && cfg.Embedded == nil:
		return cfg, wire.Errorf(wire.KindInvalidArgument,
			"no API key and no endpoint, and no embedded backend to run sessions locally: "+
				"set an API key (AGENTBAY_API_KEY), or Config.Embedded (package core/embedded)")
	case cfg.Endpoint != EmbeddedEndpoint && cfg.APIKey == "":
		return cfg, wire.Errorf(wire.KindInvalidArgument,
			"no API key: pass one or set AGENTBAY_API_KEY (or use the endpoint %q)", EmbeddedEndpoint)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}
