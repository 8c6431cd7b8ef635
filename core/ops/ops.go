// Package ops is the table of operations: every call a client or a session
// offers to C and to the bindings, with its parameters, the rules they must
// meet, the engine call it makes and the fields of its result. The C ABI
// dispatches through it by name (ab_client_call, ab_session_call, and the
// typed functions, which only turn C arguments into the same parameters);
// the bindings encode arguments as JSON and map results into their
// languages. So each rule and each message is written here, once.
package ops

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// Target is what an operation acts on.
type Target string

const (
	OnClient  Target = "client"
	OnSession Target = "session"
)

// Op is one operation of the table.
type Op struct {
	Name   string  // the reference's method name, e.g. "get_link"
	On     Target  // what it acts on
	Doc    string  // one line
	Params []Param // in the reference's order
	Result any     // a zero value of the result type, whose JSON fields are the result's
	CName  string  // the typed C function, e.g. "ab_session_get_link"; "" if there is none
	Module string  // the official SDKs' module it belongs to, e.g. "command"; "" for the session API
	Method string  // its name in that module, e.g. "execute_command" (Node: camelCase)
	// Observed: the operation waits for a status and reports each status
	// it reads to Exec.OnStatus (ab_session_call_observed).
	Observed bool

	run func(ctx context.Context, x *Exec) (any, error)
}

// Param is one named parameter. Absent and null mean "not given".
type Param struct {
	Name string
	Type *Type
	Doc  string
}

// Exec is what an operation runs with.
type Exec struct {
	Client  *agentbay.Client
	Session *agentbay.Session // nil for client operations
	Host    Host              // may be nil
	Args    Args
	// OnStatus, if set, sees each status an Observed operation's wait
	// reads, once, in order (agentbay.WaitOptions.OnStatus).
	OnStatus func(agentbay.StatusEvent)
}

// Host is the program the operation runs for: the C ABI, which gives the
// sessions that create and get return a handle of its own.
type Host interface {
	AddSession(*agentbay.Session) (uint64, error)
}

// Table returns every operation, client operations first, in a fixed
// order. The slice is shared: do not change it.
func Table() []*Op { return table }

// Lookup finds the operation name of target on. An unknown name is
// "unsupported", so that a binding newer than the library can tell.
func Lookup(on Target, name string) (*Op, error) {
	for _, op := range table {
		if op.On == on && op.Name == name {
			return op, nil
		}
	}
	return nil, &agentbay.Error{Kind: agentbay.KindUnsupported,
		Message: fmt.Sprintf("%s has no operation %q", on, name)}
}

// CanObserve says why the operation cannot report statuses (nil if it
// can): only those that wait for a status do.
func (op *Op) CanObserve() error {
	if op.Observed {
		return nil
	}
	var names []string
	for _, o := range table {
		if o.Observed && o.On == op.On {
			names = append(names, o.Name)
		}
	}
	return naming(invalid("%s waits for no status: on_status is for %s", op.Name, strings.Join(names, ", ")), "on_status")
}

// Call is an operation with its arguments checked, ready to run.
type Call struct {
	Op   *Op
	Args Args
}

// Bind checks params, a JSON object (nil means {}), against the
// operation's parameters. Every rule of the arguments is applied here,
// before anything is sent.
func (op *Op) Bind(params []byte) (*Call, error) {
	args, err := decode(op, params)
	if err != nil {
		return nil, err
	}
	return &Call{Op: op, Args: args}, nil
}

// Run runs the call against the engine; x.Args is set from the call.
func (c *Call) Run(ctx context.Context, x Exec) (any, error) {
	if c.Op.On == OnSession && x.Session == nil {
		return nil, agentbay.Errorf(agentbay.KindInternal, "%s: no session", c.Op.Name)
	}
	x.Args = c.Args
	return c.Op.run(ctx, &x)
}

// CamelName is the operation's name in camelCase, as the Node binding and
// the official TypeScript SDK spell it.
func (op *Op) CamelName() string { return camelCase(op.Name) }

func camelCase(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// configOp holds the fields of a client's JSON configuration.
var configOp = &Op{Name: "config", Params: []Param{
	{"api_key", String, "default: AGENTBAY_API_KEY"},
	{"endpoint", String, `"embedded", a host, host:port or an http(s) URL; default: AGENTBAY_ENDPOINT`},
	{"timeout_ms", Count, "per request; 0 or absent: AGENTBAY_TIMEOUT_MS, else 60000"},
	{"emulate", EmulateSpans, "embedded backend only: transitions that take time, as in the cloud"},
}}

// emulateOp holds the fields of the config's "emulate" object.
var emulateOp = &Op{Name: "emulate", Params: []Param{
	{"create", within("emulate", Span), "CreateMcpSession's reply comes this much later"},
	{"pause", within("emulate", Span), "PAUSING for this long"},
	{"resume", within("emulate", Span), "RESUMING for this long"},
	{"delete", within("emulate", Span), "DELETING for this long"},
}}

// Emulation is the config's "emulate" object: how long the embedded
// backend's transitions take (core/local's Emulation).
type Emulation struct{ Create, Pause, Resume, Delete Spans }

// Spans is a duration, Min, or a random one in [Min, Max] when Max > Min.
type Spans struct{ Min, Max time.Duration }

// ClientConfig is a client's configuration: the engine's, and the
// emulation of an embedded backend (nil when not asked for).
type ClientConfig struct {
	agentbay.Config
	Emulate *Emulation
}

// Config reads a client's JSON configuration {"api_key", "endpoint",
// "timeout_ms", "emulate"}, all optional (nil means {}); agentbay.New
// fills in what is not given from the environment and the defaults.
func Config(config []byte) (ClientConfig, error) {
	args, err := decode(configOp, config)
	if err != nil {
		return ClientConfig{}, err
	}
	cfg := ClientConfig{Config: agentbay.Config{APIKey: args.str("api_key"), Endpoint: args.str("endpoint"),
		Timeout: duration(float64(args.int("timeout_ms")), time.Millisecond)}}
	if e, ok := args["emulate"].(*Emulation); ok {
		cfg.Emulate = e
	}
	return cfg, nil
}

// ErrEmulateNotEmbedded is the error of an "emulate" config for a client
// that is not on the embedded backend.
var ErrEmulateNotEmbedded = naming(invalid(`emulate needs the embedded backend (endpoint "embedded", or no key and no endpoint)`), "emulate")
