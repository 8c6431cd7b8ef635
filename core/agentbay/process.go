package agentbay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/libagentbay/libagentbay/core/wire"
)

// Background and streamed commands use three tools that the local backend
// offers and the cloud's images do not (see README, Design): shell_start
// starts a command and gives its id, shell_output long-polls its output
// from a pair of byte offsets, shell_kill kills it.

// StreamResultLimit is how much of each stream a streamed or background
// command's CommandResult keeps (as the shell tool's cap, with the same
// truncation note); the chunks carry all of it.
const StreamResultLimit = 1 << 20

// outputWait is the long-poll of one shell_output call.
const outputWait = 10 * time.Second

// Process is a command started by StartCommand. Its methods are safe for
// concurrent use; one reads the output at a time.
type Process struct {
	s  *Session
	id string

	mu     sync.Mutex // held by the reader
	offs   [2]int64
	out    [2]capped
	result *CommandResult
}

// capped keeps the first StreamResultLimit bytes of a stream.
type capped struct {
	buf     []byte
	omitted int64
}

func (c *capped) add(p []byte) {
	keep := min(len(p), StreamResultLimit-len(c.buf))
	c.buf = append(c.buf, p[:keep]...)
	c.omitted += int64(len(p) - keep)
}

func (c *capped) String() string {
	if c.omitted > 0 {
		return fmt.Sprintf("%s\n[output truncated: %d bytes omitted]", c.buf, c.omitted)
	}
	return string(c.buf)
}

// maxProcs bounds the processes a Session remembers (Session.Process).
const maxProcs = 256

// StartCommand starts command in the background and returns at once.
// o.Timeout 0 means the server's longest (10 minutes on the local
// backend); it is not capped at MaxCommandTimeout. Against a server without
// the background tools (the cloud) it fails with KindUnsupported.
func (s *Session) StartCommand(ctx context.Context, command string, o CommandOptions) (*Process, error) {
	if command == "" {
		return nil, wire.Errorf(wire.KindInvalidArgument, "command is required")
	}
	if o.Timeout < 0 {
		return nil, wire.Errorf(wire.KindInvalidArgument, "timeout must not be negative")
	}
	s.mu.RLock()
	known, has := len(s.servers) > 0, s.servers["shell_start"] != ""
	s.mu.RUnlock()
	if known && !has {
		return nil, errNoBackground()
	}
	args := map[string]any{"command": command, "timeout_ms": o.Timeout.Milliseconds()}
	if o.Cwd != "" {
		args["cwd"] = o.Cwd
	}
	if o.Envs != nil {
		args["envs"] = o.Envs
	}
	res, err := s.CallMcpTool(ctx, "shell_start", args, CallOptions{})
	if err != nil {
		var e *wire.Error
		if errors.As(err, &e) && e.Kind != wire.KindNotFound && unknownTool.MatchString(e.Message) {
			return nil, errNoBackground()
		}
		return nil, err
	}
	if !res.Success {
		if unknownTool.MatchString(res.ErrorMessage) {
			return nil, errNoBackground()
		}
		return nil, &wire.Error{Kind: wire.KindInvalidArgument, Message: res.ErrorMessage, RequestID: res.RequestID}
	}
	id := gjson.Get(res.Data, "id").String()
	if id == "" {
		return nil, &wire.Error{Kind: wire.KindServer, Message: "shell_start gave no command id: " + res.Data, RequestID: res.RequestID}
	}
	return s.Process(id), nil
}

// unknownTool matches what a server says of a tool it does not have.
var unknownTool = regexp.MustCompile(`(?i)(unknown|no such|not found|not exist|invalid).{0,20}tool|tool.{0,40}(not found|not exist|unknown|not supported)`)

func errNoBackground() error {
	return wire.Errorf(wire.KindUnsupported, "background and streamed commands are not supported by this server: "+
		"they need its shell_start, shell_output and shell_kill tools, which the local backend has and the cloud's images do not")
}

// Process returns the handle of the background command id of the session,
// the one StartCommand returned if it did; it makes no call.
func (s *Session) Process(id string) *Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.procs[id]; p != nil {
		return p
	}
	if s.procs == nil {
		s.procs = map[string]*Process{}
	}
	if len(s.procs) >= maxProcs {
		for k, p := range s.procs { // forget one that ended, if any
			if p.done() {
				delete(s.procs, k)
				break
			}
		}
	}
	p := &Process{s: s, id: id}
	s.procs[id] = p
	return p
}

// ID returns the command's id on the server.
func (p *Process) ID() string { return p.id }

func (p *Process) done() bool {
	if !p.mu.TryLock() {
		return false
	}
	defer p.mu.Unlock()
	return p.result != nil
}

// Wait reads the command's output until it exits and returns its result,
// shaped as ExecuteCommand's.
func (p *Process) Wait(ctx context.Context) (*CommandResult, error) { return p.Stream(ctx, nil) }

// Stream is Wait that also passes each piece of output to onChunk (if not
// nil) as it arrives: stream is "stdout" or "stderr", data is valid only
// during the call. Each stream's chunks come in order, each byte exactly
// once, on the calling goroutine, all before Stream returns; a Stream cut
// short by ctx resumes where it stopped on the next call, and once the
// result is known, Stream returns it without chunks.
func (p *Process) Stream(ctx context.Context, onChunk func(stream string, data []byte)) (*CommandResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.result == nil {
		if err := p.step(ctx, onChunk); err != nil {
			return nil, err
		}
	}
	return p.result, nil
}

// Next waits for the next output of the command (one long poll) and returns
// it: new stdout and stderr, either maybe empty, and once the command has
// ended and its output is read, its result. The pull form of Stream, as the
// bindings' iterators use it; after the result, Next returns it again with
// no output.
func (p *Process) Next(ctx context.Context) (stdout, stderr []byte, res *CommandResult, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.result == nil {
		err = p.step(ctx, func(stream string, data []byte) {
			if stream == "stdout" {
				stdout = data
			} else {
				stderr = data
			}
		})
	}
	return stdout, stderr, p.result, err
}

// step makes one shell_output call and passes on what it gives. p.mu is held.
func (p *Process) step(ctx context.Context, onChunk func(stream string, data []byte)) error {
	st, err := p.read(ctx)
	if err != nil {
		return err
	}
	for i, name := range []string{"stdout", "stderr"} {
		data := st.Get(name).String()
		next := st.Get(name + "_offset").Int()
		if next != p.offs[i]+int64(len(data)) {
			return wire.Errorf(wire.KindServer, "shell_output: %s offset %d after %d bytes from %d", name, next, len(data), p.offs[i])
		}
		if data != "" {
			p.out[i].add([]byte(data))
			if onChunk != nil {
				onChunk(name, []byte(data))
			}
		}
		p.offs[i] = next
	}
	if st.Get("exited").Bool() {
		p.result = p.finish(st)
	}
	return nil
}

// read makes one shell_output call, retried on errors that mean the call
// may not have reached the server (a read is repeatable: same offsets,
// same output).
func (p *Process) read(ctx context.Context) (gjson.Result, error) {
	args := map[string]any{"id": p.id, "stdout_offset": p.offs[0], "stderr_offset": p.offs[1], "wait_ms": outputWait.Milliseconds()}
	for try := 0; ; try++ {
		res, err := p.s.CallMcpTool(ctx, "shell_output", args, CallOptions{ReadTimeout: outputWait + 20*time.Second})
		var e *wire.Error
		if err != nil && try < 3 && ctx.Err() == nil && errors.As(err, &e) && (e.Retryable || e.Kind == wire.KindTransport) {
			continue
		}
		if err != nil {
			return gjson.Result{}, err
		}
		if !res.Success {
			if unknownTool.MatchString(res.ErrorMessage) {
				return gjson.Result{}, errNoBackground()
			}
			return gjson.Result{}, &wire.Error{Kind: wire.KindInvalidArgument, Message: res.ErrorMessage, RequestID: res.RequestID}
		}
		if !gjson.Valid(res.Data) {
			return gjson.Result{}, wire.Errorf(wire.KindServer, "shell_output gave no JSON: %.200s", res.Data)
		}
		return gjson.Parse(res.Data), nil
	}
}

func (p *Process) finish(st gjson.Result) *CommandResult {
	r := &CommandResult{Result: Result{Success: true}, Stdout: p.out[0].String(), Stderr: p.out[1].String()}
	r.ExitCode = int(st.Get("exit_code").Int())
	r.Output = r.Stdout + r.Stderr
	if r.ExitCode != 0 {
		r.Success = false
		r.ErrorMessage = r.Stderr
		switch {
		case st.Get("killed").Bool():
			r.ErrorMessage = "the command was killed"
		case st.Get("timed_out").Bool():
			r.ErrorMessage = "the command timed out; its process group was killed"
		case r.ErrorMessage == "":
			r.ErrorMessage = fmt.Sprintf("the command exited with status %d", r.ExitCode)
		}
	}
	return r
}

// Kill kills the command (its process group); Wait then returns its
// result, exit code 137. Killing a command that has exited does nothing.
func (p *Process) Kill(ctx context.Context) error {
	res, err := p.s.CallMcpTool(ctx, "shell_kill", json.RawMessage(fmt.Sprintf(`{"id":%q}`, p.id)), CallOptions{})
	if err != nil {
		return err
	}
	if !res.Success {
		if unknownTool.MatchString(res.ErrorMessage) {
			return errNoBackground()
		}
		return &wire.Error{Kind: wire.KindInvalidArgument, Message: res.ErrorMessage, RequestID: res.RequestID}
	}
	return nil
}

// ExecuteCommandStream runs command as StartCommand does and streams its
// output to onChunk as Process.Stream does, then returns its result.
func (s *Session) ExecuteCommandStream(ctx context.Context, command string, o CommandOptions, onChunk func(stream string, data []byte)) (*CommandResult, error) {
	p, err := s.StartCommand(ctx, command, o)
	if err != nil {
		return nil, err
	}
	res, err := p.Stream(ctx, onChunk)
	if err != nil && ctx.Err() != nil {
		// The caller gave up: do not leave the command running.
		kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		p.Kill(kctx)
		cancel()
	}
	return res, err
}
