package agentbay

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"

	"github.com/libagentbay/libagentbay/core/local"
	"github.com/libagentbay/libagentbay/core/wire"
)

// embedded is the in-process local backend of a client: a real server on
// 127.0.0.1 with a random key and a data folder that close removes.
type embedded struct {
	endpoint string
	key      string
	srv      *local.Server
	dir      string
}

func startEmbedded(log *slog.Logger) (*embedded, error) {
	dir, err := os.MkdirTemp("", "agentbay-embedded-")
	if err != nil {
		return nil, wire.Errorf(wire.KindInternal, "embedded backend: %v", err)
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	key := "akm-local-" + hex.EncodeToString(b[:])
	srv, err := local.Start(local.Options{Listen: "127.0.0.1:0", DataDir: dir, APIKey: key, Logger: log})
	if err != nil {
		os.RemoveAll(dir)
		return nil, wire.Errorf(wire.KindInternal, "embedded backend did not start: %v", err)
	}
	log.Info("agentbay: using the embedded local backend", "endpoint", srv.Endpoint(),
		"data", dir, "sandbox", srv.Sandbox())
	return &embedded{endpoint: srv.Endpoint(), key: key, srv: srv, dir: dir}, nil
}

func (e *embedded) close() error {
	err := e.srv.Close()
	if rerr := os.RemoveAll(e.dir); err == nil && rerr != nil {
		err = rerr
	}
	return err
}
