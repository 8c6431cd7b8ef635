// Command agentbay-local serves AgentBay sessions that run on this machine,
// over the AgentBay cloud's wire protocol, so that AgentBay clients work
// offline.
//
//	agentbay-local serve [--listen ADDR] [--data DIR] [--tls] [--api-key KEY]
//	                     [--emulate-create|pause|resume|delete D] [--fault SPEC]...
package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/libagentbay/libagentbay/core/local"
)

const usage = `agentbay-local serves AgentBay sessions that run on this machine.

Usage:
  agentbay-local serve [flags]

Flags (each also set by the environment variable in brackets):
  --listen ADDR    address to listen on (AGENTBAY_LOCAL_LISTEN; default 127.0.0.1:18080).
                   An address other than loopback needs --tls and an explicit key.
  --data DIR       folder for sessions, their files, the database and the
                   certificate (AGENTBAY_LOCAL_DATA; default %s)
  --tls            serve https with a self-signed certificate made in DIR
                   (AGENTBAY_LOCAL_TLS=1)
  --api-key KEY    the key clients must send (AGENTBAY_LOCAL_API_KEY, else
                   AGENTBAY_API_KEY); without one, a random key is made and printed
  --debug          log every request

Cloud emulation, for testing clients (off by default):
  --emulate-create D, --emulate-pause D, --emulate-resume D, --emulate-delete D
                   make the transition take D, a duration (1.5s) or a random
                   one in a range (1s-2s). Meanwhile GetSession, GetSessionDetail
                   and ListSession report PAUSING, RESUMING or DELETING; an
                   emulated create delays the CreateMcpSession reply.
  --fault ACTIONS=KIND:RATE[:ARG][:after]
                   inject a fault into a share RATE (0-1] of the requests for
                   ACTIONS (* or a comma-separated list): KIND 5xx (ARG: the
                   status, default 503), 429 (ARG: Retry-After, default 1s),
                   reset (the connection is reset) or slow (ARG: the delay,
                   default 1s); ":after" once the action has taken effect.
                   Repeatable; the first fault that fires wins. E.g.
                   --fault GetSession=5xx:0.2 --fault 'PauseSessionAsync=reset:1:after'
  --emulate-seed N seed of the random choices (default: random)
  -h, --help       show this help

Clients: the official SDKs always use https and take a bare host:port endpoint:
  agentbay-local serve --tls
  export AGENTBAY_ENDPOINT=127.0.0.1:18080 SSL_CERT_FILE=DIR/cert.pem AGENTBAY_API_KEY=KEY
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	if len(argv) == 0 || argv[0] == "-h" || argv[0] == "--help" || argv[0] == "help" {
		fmt.Fprintf(stdout, usage, defaultDataDir())
		if len(argv) == 0 {
			return 2
		}
		return 0
	}
	if argv[0] != "serve" {
		fmt.Fprintf(stderr, "agentbay-local: unknown command %q; try --help\n", argv[0])
		return 2
	}
	cfg, err := parse(argv[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, usage, defaultDataDir())
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "agentbay-local: %v\n", err)
		return 2
	}
	return serve(cfg, stdout, stderr)
}

type config struct {
	opts      local.Options
	keySource string // where the key came from, for the start-up message
	debug     bool
}

func parse(argv []string) (config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	tlsDefault, err := envBool("AGENTBAY_LOCAL_TLS")
	if err != nil {
		return config{}, err
	}
	listen := fs.String("listen", envOr("AGENTBAY_LOCAL_LISTEN", "127.0.0.1:18080"), "")
	data := fs.String("data", envOr("AGENTBAY_LOCAL_DATA", defaultDataDir()), "")
	useTLS := fs.Bool("tls", tlsDefault, "")
	key := fs.String("api-key", "", "")
	debug := fs.Bool("debug", false, "")
	var emu local.Emulation
	for name, sp := range map[string]*local.Span{"create": &emu.Create, "pause": &emu.Pause, "resume": &emu.Resume, "delete": &emu.Delete} {
		fs.Func("emulate-"+name, "", func(v string) error {
			var err error
			*sp, err = local.ParseSpan(v)
			return err
		})
	}
	fs.Func("fault", "", func(v string) error {
		f, err := local.ParseFault(v)
		emu.Faults = append(emu.Faults, f)
		return err
	})
	fs.Uint64Var(&emu.Seed, "emulate-seed", 0, "")
	if err := fs.Parse(argv); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := config{opts: local.Options{Listen: *listen, DataDir: *data, TLS: *useTLS, APIKey: *key, Emulate: emu}, debug: *debug}
	switch {
	case *key != "":
		cfg.keySource = "--api-key"
	case os.Getenv("AGENTBAY_LOCAL_API_KEY") != "":
		cfg.opts.APIKey, cfg.keySource = os.Getenv("AGENTBAY_LOCAL_API_KEY"), "AGENTBAY_LOCAL_API_KEY"
	case os.Getenv("AGENTBAY_API_KEY") != "":
		cfg.opts.APIKey, cfg.keySource = os.Getenv("AGENTBAY_API_KEY"), "AGENTBAY_API_KEY"
	default:
		if !loopback(*listen) {
			return config{}, fmt.Errorf("listening on %s, which is not loopback, needs an explicit --api-key", *listen)
		}
		cfg.opts.APIKey, cfg.keySource = "akl-"+strings.ToLower(rand.Text()), "generated"
	}
	return cfg, nil
}

func serve(cfg config, stdout, stderr io.Writer) int {
	level := slog.LevelInfo
	if cfg.debug {
		level = slog.LevelDebug
	}
	cfg.opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := local.Start(cfg.opts)
	if err != nil {
		fmt.Fprintf(stderr, "agentbay-local: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "agentbay-local serving %s\n", srv.Endpoint())
	fmt.Fprintf(stdout, "  data:        %s\n", cfg.opts.DataDir)
	if cfg.keySource == "generated" {
		fmt.Fprintf(stdout, "  API key:     %s (generated; set AGENTBAY_LOCAL_API_KEY to choose one)\n", cfg.opts.APIKey)
	} else {
		fmt.Fprintf(stdout, "  API key:     from %s\n", cfg.keySource)
	}
	if srv.CertFile() != "" {
		fmt.Fprintf(stdout, "  certificate: %s (trust it with SSL_CERT_FILE)\n", srv.CertFile())
	}
	fmt.Fprintf(stdout, "  sandbox:     %s\n", srv.Sandbox())
	if e := describeEmulation(cfg.opts.Emulate); e != "" {
		fmt.Fprintf(stdout, "  emulating:   %s\n", e)
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "agentbay-local: %v\n", err)
		return 1
	}
	return 0
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envBool(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", name, v)
	}
	return b, nil
}

// defaultDataDir is $XDG_DATA_HOME/agentbay-local, else
// ~/.local/share/agentbay-local.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "agentbay-local")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "agentbay-local-data"
	}
	return filepath.Join(home, ".local", "share", "agentbay-local")
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// describeEmulation says what the server emulates, or "" for nothing.
func describeEmulation(e local.Emulation) string {
	var parts []string
	for _, t := range []struct {
		name string
		sp   local.Span
	}{{"create", e.Create}, {"pause", e.Pause}, {"resume", e.Resume}, {"delete", e.Delete}} {
		if t.sp != (local.Span{}) {
			parts = append(parts, t.name+" "+t.sp.String())
		}
	}
	for _, f := range e.Faults {
		parts = append(parts, "fault "+f.String())
	}
	return strings.Join(parts, ", ")
}
