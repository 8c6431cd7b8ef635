// Package embedded runs the local backend (core/local) inside the process,
// for clients whose endpoint is "embedded":
//
//	c, err := agentbay.New(ctx, agentbay.Config{Embedded: embedded.Start})
//
// Each client gets a server of its own on 127.0.0.1 with a random key and
// an ephemeral data folder, which closing the client removes.
package embedded

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/libagentbay/libagentbay/core/agentbay"
	"github.com/libagentbay/libagentbay/core/local"
)

// embeddedPrefix names the data folders of embedded backends in the
// temporary folder; each holds ownerFile, the pid of the process it serves.
const (
	embeddedPrefix = "agentbay-embedded-"
	ownerFile      = "owner.pid"
)

// backend is one running embedded server.
type backend struct {
	srv *local.Server
	key string
	dir string
}

func (b *backend) Endpoint() string { return b.srv.Endpoint() }
func (b *backend) APIKey() string   { return b.key }

func (b *backend) Close() error {
	err := b.srv.Close()
	if rerr := os.RemoveAll(b.dir); err == nil && rerr != nil {
		err = rerr
	}
	return err
}

// Start starts an embedded backend and says so in one log line at Info; the
// server's own lines come one level lower. It is an agentbay.Starter.
func Start(log *slog.Logger) (agentbay.Backend, error) { return start(log, nil) }

// With returns a Starter like Start whose server also has the options that
// configure sets, such as the cloud emulation of tests and benchmarks:
//
//	agentbay.Config{Embedded: embedded.With(func(o *local.Options) {
//		o.Emulate.Pause = local.Span{Min: 300 * time.Millisecond}
//	})}
//
// The listen address, data folder, key and logger remain the embedded ones.
// (The engine, package agentbay, never imports core/local: only this
// package and the programs that choose it do.)
func With(configure func(*local.Options)) agentbay.Starter {
	return func(log *slog.Logger) (agentbay.Backend, error) { return start(log, configure) }
}

func start(log *slog.Logger, configure func(*local.Options)) (agentbay.Backend, error) {
	sweep(log)
	dir, err := os.MkdirTemp("", embeddedPrefix)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("embedded backend: %w", err)
	}
	var k [24]byte
	_, _ = rand.Read(k[:])
	key := "akm-local-" + hex.EncodeToString(k[:])
	var opts local.Options
	if configure != nil {
		configure(&opts)
	}
	opts.Listen, opts.DataDir, opts.APIKey = "127.0.0.1:0", dir, key
	opts.Logger = slog.New(demoted{log.Handler()})
	srv, err := local.Start(opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	log.Info("agentbay: using the embedded local backend", "endpoint", srv.Endpoint(),
		"data", dir, "sandbox", srv.Sandbox())
	return &backend{srv: srv, key: key, dir: dir}, nil
}

// sweep cleans up after processes that exited without closing their client
// (a crash, a kill, a forgotten close): their embedded data folders stay
// behind, and so may the processes their sessions started. Starting a
// server on such a folder kills those processes, as any restart does; then
// the folder goes.
func sweep(log *slog.Logger) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), embeddedPrefix+"*"))
	for _, dir := range dirs {
		if !ownerGone(dir) {
			continue
		}
		srv, err := local.Start(local.Options{Listen: "127.0.0.1:0", DataDir: dir,
			APIKey: "sweep", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			continue // another process is sweeping it, or it is not ours to judge
		}
		srv.Close()
		os.RemoveAll(dir)
		log.Debug("agentbay: removed the embedded backend of an exited process", "data", dir)
	}
}

// ownerGone reports whether dir names an owner process that no longer runs.
func ownerGone(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return err == nil && pid > 0 && syscall.Kill(pid, 0) == syscall.ESRCH
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
