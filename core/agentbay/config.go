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

// EmbeddedEndpoint selects the in-process local backend.
const EmbeddedEndpoint = "embedded"

// Config configures a Client. Zero fields are filled from the environment
// (AGENTBAY_API_KEY, AGENTBAY_ENDPOINT, AGENTBAY_TIMEOUT_MS) and then from
// defaults. With neither a key nor an endpoint anywhere, the client runs on
// the embedded local backend.
type Config struct {
	APIKey   string
	Endpoint string        // "embedded", a host, host:port, or an http(s) URL
	Timeout  time.Duration // per call; default 60 s
	Retries  int           // extra attempts for idempotent reads; 0 means 3, negative means none
	RootCAs  *x509.CertPool
	Logger   *slog.Logger // engine log lines; nil discards. Never carries the key.
}

// resolve fills cfg from the environment and defaults and checks it.
func (cfg Config) resolve() (Config, error) {
	if cfg.APIKey == "" {
		cfg.APIKey = os.Getenv("AGENTBAY_API_KEY")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = os.Getenv("AGENTBAY_ENDPOINT")
	}
	if cfg.Timeout == 0 {
		if v := strings.TrimSpace(os.Getenv("AGENTBAY_TIMEOUT_MS")); v != "" {
			ms, err := strconv.Atoi(v)
			if err != nil || ms <= 0 {
				return cfg, wire.Errorf(wire.KindInvalidArgument, "AGENTBAY_TIMEOUT_MS=%q is not a positive integer", v)
			}
			cfg.Timeout = time.Duration(ms) * time.Millisecond
		}
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
	if cfg.Endpoint != EmbeddedEndpoint && cfg.APIKey == "" {
		return cfg, wire.Errorf(wire.KindInvalidArgument,
			"no API key: pass one or set AGENTBAY_API_KEY (or use the endpoint %q)", EmbeddedEndpoint)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}
