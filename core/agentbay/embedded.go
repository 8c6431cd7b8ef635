package agentbay

import (
	"context"
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
	srv, err := local.Start(local.Options{Listen: "127.0.0.1:0", DataDir: dir, APIKey: key,
		Logger: slog.New(demoted{log.Handler()})})
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

// demoted passes the embedded server's log lines on one level lower, Info
// becoming Debug: a client announces its backend in one line of its own,
// and the server's per-session lines are detail.
type demoted struct{ slog.Handler }

func (d demoted) Enabled(ctx context.Context, l slog.Level) bool {
	return d.Handler.Enabled(ctx, lower(l))
}

func (d demoted) Handle(ctx context.Context, r slog.Record) error {
	r.Level = lower(r.Level)
	return d.Handler.Handle(ctx, r)
}

func (d demoted) WithAttrs(as []slog.Attr) slog.Handler { return demoted{d.Handler.WithAttrs(as)} }
func (d demoted) WithGroup(g string) slog.Handler       { return demoted{d.Handler.WithGroup(g)} }

func lower(l slog.Level) slog.Level {
	if l == slog.LevelInfo {
		return slog.LevelDebug
	}
	return l
}
