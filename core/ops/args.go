package ops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// Args are the checked arguments of a call, by parameter name: each value
// is what its Type decodes to, or absent.
type Args map[string]any

// The getters below are for the operations' run functions. Asking for a
// parameter of another type is a bug in the table, which the tests catch.

func (a Args) str(name string) string {
	s, _ := a[name].(string)
	return s
}

func (a Args) bool(name string) bool {
	b, _ := a[name].(bool)
	return b
}

// boolOr is a boolean parameter that defaults to def when absent.
func (a Args) boolOr(name string, def bool) bool {
	if b, ok := a[name].(bool); ok {
		return b
	}
	return def
}

func (a Args) int(name string) int {
	n, _ := a[name].(int)
	return n
}

func (a Args) dur(name string) time.Duration {
	d, _ := a[name].(time.Duration)
	return d
}

func (a Args) strings(name string) map[string]string {
	m, _ := a[name].(map[string]string)
	return m
}

func (a Args) syncs(name string) []agentbay.ContextSync {
	v, _ := a[name].([]agentbay.ContextSync)
	return v
}

func (a Args) list(name string) []string {
	l, _ := a[name].([]string)
	return l
}

func (a Args) edits(name string) []agentbay.Edit {
	e, _ := a[name].([]agentbay.Edit)
	return e
}

func (a Args) raw(name string) json.RawMessage {
	r, _ := a[name].(json.RawMessage)
	return r
}

// Type is the kind of value a parameter takes, with its rule.
type Type struct {
	Name     string // for documentation, e.g. "string", "seconds > 0"
	Required bool   // absent or null is an error
	Absent   error  // the error for a required value that is absent, if not "X is required"
	// decode turns a present, non-null JSON value into the Go value, or
	// says why it cannot (name is the parameter's, for messages).
	decode func(name string, raw json.RawMessage) (any, error)
}

// decode checks params against op's parameters.
func decode(op *Op, params []byte) (Args, error) {
	what := "params"
	if op == configOp {
		what = "config"
	}
	fields, err := object(params, what)
	if err != nil {
		return nil, err
	}
	return decodeFields(op.Name, fields, op.Params)
}

// decodeFields checks the members of a JSON object against params; owner
// names the object in messages about members it has no parameter for.
func decodeFields(owner string, fields map[string]json.RawMessage, params []Param) (Args, error) {
	args := Args{}
	for _, p := range params {
		key, raw, ok, err := field(fields, p.Name)
		if err != nil {
			return nil, naming(err, p.Name)
		}
		if !ok || string(raw) == "null" {
			if p.Type.Required && p.Type.Absent != nil {
				return nil, naming(p.Type.Absent, p.Name)
			}
			if p.Type.Required {
				return nil, naming(invalid("%s is required", key), p.Name)
			}
			continue
		}
		v, err := p.Type.decode(key, raw)
		if err != nil {
			return nil, naming(err, p.Name)
		}
		args[p.Name] = v
	}
	for _, name := range sortedKeys(fields) {
		if string(fields[name]) != "null" {
			return nil, naming(invalid("%s has no parameter %q", owner, name), name)
		}
	}
	return args, nil
}

// field takes parameter name out of fields, spelled as the table spells it
// or in camelCase (as the Node binding and the TypeScript SDK do), and says
// which spelling was used, for messages.
func field(fields map[string]json.RawMessage, name string) (string, json.RawMessage, bool, error) {
	camel := camelCase(name)
	raw, ok := fields[name]
	craw, cok := fields[camel]
	delete(fields, name)
	delete(fields, camel)
	switch {
	case ok && cok && camel != name:
		return "", nil, false, invalid("%s and %s are the same parameter: give one", name, camel)
	case cok:
		return camel, craw, true, nil
	}
	return name, raw, ok, nil
}

// naming says which parameter an error is about, on a copy: some errors
// are shared values.
func naming(err error, param string) error {
	e, ok := err.(*agentbay.Error)
	if !ok {
		return err
	}
	c := *e
	c.Param = param
	return &c
}

// object reads a JSON object of parameters (what names it in messages);
// nil means {}. A name given twice is refused: a map would silently keep
// the last.
func object(params []byte, what string) (map[string]json.RawMessage, error) {
	if params == nil {
		return map[string]json.RawMessage{}, nil
	}
	if !utf8.Valid(params) {
		return nil, invalid("%s are not valid UTF-8", what)
	}
	text := bytes.TrimSpace(params)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(text, &fields); err != nil || fields == nil {
		if len(text) > 0 && json.Valid(text) {
			return nil, invalid("%s must be a JSON object, got %s", what, shown(text))
		}
		return nil, invalid("%s are not valid JSON", what)
	}
	if k, dup := duplicateKey(text); dup {
		return nil, invalid("%s: %q appears twice", what, k)
	}
	return fields, nil
}

// duplicateKey finds a name that two members of the JSON object raw share
// (after unescaping).
func duplicateKey(raw []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		k, ok := t.(string)
		if err != nil || !ok {
			return "", false
		}
		if seen[k] {
			return k, true
		}
		seen[k] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return "", false
		}
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func invalid(format string, args ...any) error {
	return agentbay.Errorf(agentbay.KindInvalidArgument, format, args...)
}

// shown is a JSON value as a message quotes it: a string's text, anything
// else as written, cut short when long.
func shown(raw []byte) string {
	s := string(bytes.TrimSpace(raw))
	var str string
	if len(s) > 0 && s[0] == '"' && json.Unmarshal(raw, &str) == nil {
		s = str
	}
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:57]) + "..."
	}
	return s
}

// ---- The types ------------------------------------------------------------

// String is an optional string.
var String = &Type{Name: "string", decode: decodeString}

// ID is a required, non-blank string without NUL characters: a session id,
// a tool name.
var ID = &Type{Name: "non-blank string", Required: true, decode: func(name string, raw json.RawMessage) (any, error) {
	v, err := decodeString(name, raw)
	if err != nil {
		return nil, err
	}
	s := v.(string)
	switch {
	case strings.TrimSpace(s) == "":
		return nil, invalid("%s is required", name)
	case strings.ContainsRune(s, 0):
		return nil, invalid("%s must not contain NUL characters", name)
	}
	return s, nil
}}

func decodeString(name string, raw json.RawMessage) (any, error) {
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return nil, invalid("%s must be a string, got %s", name, shown(raw))
	}
	return s, nil
}

// Bool is true or false.
var Bool = &Type{Name: "boolean", decode: func(name string, raw json.RawMessage) (any, error) {
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return nil, invalid("%s must be true or false, got %s", name, shown(raw))
}}

// number reads a JSON number; a number too large for a float64 is +Inf.
func number(raw json.RawMessage) (float64, bool) {
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// duration converts a count of unit to a Duration; beyond what one holds
// means "practically forever".
func duration(f float64, unit time.Duration) time.Duration {
	d := f * float64(unit)
	if d >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(math.Round(d))
}

// Seconds is a positive number of seconds (fractions allowed).
var Seconds = &Type{Name: "seconds > 0", decode: func(name string, raw json.RawMessage) (any, error) {
	f, ok := number(raw)
	if !ok || !(f > 0) {
		return nil, invalid("%s must be a positive number of seconds, got %s", name, shown(raw))
	}
	return max(duration(f, time.Second), time.Nanosecond), nil
}}

// Millis is a number of milliseconds >= 0, where 0 means the default.
var Millis = &Type{Name: "milliseconds >= 0", decode: func(name string, raw json.RawMessage) (any, error) {
	f, ok := number(raw)
	if !ok || !(f >= 0) {
		return nil, invalid("%s must be a number of milliseconds >= 0, got %s", name, shown(raw))
	}
	return duration(f, time.Millisecond), nil
}}

// WholeSeconds is a whole number of seconds > 0, as the official SDKs'
// integer timeouts.
var WholeSeconds = &Type{Name: "integer seconds > 0", decode: func(name string, raw json.RawMessage) (any, error) {
	n, ok := integer(raw)
	if !ok || n <= 0 {
		return nil, invalid("%s must be a positive integer of seconds, got %s", name, shown(raw))
	}
	return duration(float64(n), time.Second), nil
}}

// integer reads a JSON number that is a whole number a float64 holds
// exactly (so 2000.0 counts, as languages whose numbers are floats write it).
func integer(raw json.RawMessage) (int, bool) {
	f, ok := number(raw)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int(f), true
}

// Count is an integer >= 0, where 0 means the default.
var Count = &Type{Name: "integer >= 0", decode: func(name string, raw json.RawMessage) (any, error) {
	n, ok := integer(raw)
	if !ok || n < 0 {
		return nil, invalid("%s must be an integer >= 0, got %s", name, shown(raw))
	}
	return n, nil
}}

// Page is a 1-based page number.
var Page = &Type{Name: "integer >= 1", decode: func(name string, raw json.RawMessage) (any, error) {
	n, ok := integer(raw)
	if !ok {
		return nil, invalid("%s must be an integer, got %s", name, shown(raw))
	}
	if err := agentbay.CheckPage(n); err != nil {
		return nil, err
	}
	return n, nil
}}

// Port is a port GetLink reaches, 30100 to 30199.
var Port = &Type{Name: "integer 30100..30199", decode: func(name string, raw json.RawMessage) (any, error) {
	n, ok := integer(raw)
	if !ok || strings.ContainsAny(string(raw), ".eE") { // 30100.0 is not an integer port
		return nil, agentbay.PortError(shown(raw))
	}
	if err := agentbay.CheckPort(n); err != nil {
		return nil, agentbay.PortError(shown(raw))
	}
	return n, nil
}}

// Status is a status List can filter by.
var Status = &Type{Name: "session status", decode: func(name string, raw json.RawMessage) (any, error) {
	s := shown(raw) // a value that is not a string never reads as a status
	if err := agentbay.CheckListStatus(s); err != nil {
		return nil, err
	}
	return s, nil
}}

// Labels is an object of strings: labels to create a session with, or to
// filter a list by.
var Labels = &Type{Name: "object of strings", decode: func(name string, raw json.RawMessage) (any, error) {
	m, err := stringMap(name, raw)
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(m) {
		if m[k] == nil {
			return nil, invalid("%s must be an object of strings, got %q: null", name, k)
		}
	}
	return flatten(m), nil
}}

// NewLabels are labels to set on a session, checked as the official SDKs
// check them, with their messages.
var NewLabels = &Type{Name: "object of non-blank strings", Required: true, Absent: errNoLabels, decode: func(name string, raw json.RawMessage) (any, error) {
	switch raw[0] {
	case '[':
		return nil, invalid("Labels cannot be an array. Please provide a valid labels object.")
	case '{':
	default:
		return nil, errNoLabels
	}
	m, err := stringMap(name, raw)
	if err != nil {
		return nil, err
	}
	labels := flatten(m)
	if err := agentbay.CheckLabels(labels); err != nil {
		return nil, err
	}
	return labels, nil
}}

var errNoLabels = invalid("Labels cannot be null, undefined, or invalid type. Please provide a valid labels object.")

// stringMap reads an object whose values are strings or null.
func stringMap(name string, raw json.RawMessage) (map[string]*string, error) {
	var fields map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &fields) != nil {
		return nil, invalid("%s must be an object of strings, got %s", name, shown(raw))
	}
	if k, dup := duplicateKey(raw); dup {
		return nil, invalid("%s: %q appears twice", name, k)
	}
	m := make(map[string]*string, len(fields))
	for k, v := range fields {
		if string(v) == "null" {
			m[k] = nil
			continue
		}
		var s string
		if v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return nil, invalid("%s must be an object of strings, got %q: %s", name, k, shown(v))
		}
		m[k] = &s
	}
	return m, nil
}

// flatten turns a checked stringMap into labels (nulls as blank values,
// which CheckLabels then refuses).
func flatten(m map[string]*string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = *v
		} else {
			out[k] = ""
		}
	}
	return out
}

// Object is a JSON object, passed on as it is (a tool's arguments).
var Object = &Type{Name: "object", decode: func(name string, raw json.RawMessage) (any, error) {
	if raw[0] != '{' {
		return nil, invalid("%s must be a JSON object, got %s", name, shown(raw))
	}
	return raw, nil
}}

// EmulateSpans is the config's "emulate" object of Spans.
var EmulateSpans = &Type{Name: "{create, pause, resume, delete} of durations", decode: func(name string, raw json.RawMessage) (any, error) {
	fields, err := object(raw, name)
	if err != nil {
		return nil, err
	}
	args, err := decodeFields(name, fields, emulateOp.Params)
	if err != nil {
		return nil, err
	}
	span := func(k string) Spans { s, _ := args[k].(Spans); return s }
	return &Emulation{Create: span("create"), Pause: span("pause"), Resume: span("resume"), Delete: span("delete")}, nil
}}

// Span is a duration such as "300ms" or "1.5s", or a range "1s-2s".
var Span = &Type{Name: `duration such as "1.5s" or range "1s-2s"`, decode: func(name string, raw json.RawMessage) (any, error) {
	var s string
	bad := func() (any, error) {
		return nil, invalid("%s must be a duration such as \"1.5s\" or a range such as \"1s-2s\", got %s", name, shown(raw))
	}
	if json.Unmarshal(raw, &s) != nil {
		return bad()
	}
	lo, hi, isRange := strings.Cut(strings.TrimSpace(s), "-")
	min, err := time.ParseDuration(lo)
	if err != nil || min < 0 {
		return bad()
	}
	if !isRange {
		return Spans{Min: min}, nil
	}
	max, err := time.ParseDuration(hi)
	if err != nil || max < min {
		return bad()
	}
	return Spans{Min: min, Max: max}, nil
}}

// within is t for a member of the object owner: its messages name it
// "owner.member".
func within(owner string, t *Type) *Type {
	return &Type{Name: t.Name, Required: t.Required, Absent: t.Absent,
		decode: func(name string, raw json.RawMessage) (any, error) { return t.decode(owner+"."+name, raw) }}
}

// RequiredObject is an Object that must be given.
var RequiredObject = &Type{Name: "object", Required: true, decode: Object.decode}

// JSONText is a string holding a JSON text (GetLink's options).
var JSONText = &Type{Name: "string of JSON", decode: func(name string, raw json.RawMessage) (any, error) {
	v, err := decodeString(name, raw)
	if err != nil {
		return nil, err
	}
	if s := v.(string); s != "" && !json.Valid([]byte(s)) {
		return nil, invalid("%s must be a JSON text, got %s", name, s)
	}
	return v, nil
}}

// Unsupported is a parameter of the official SDKs this library does not
// implement: any value but an empty one (false, "", [], {}) is refused as
// "unsupported", so that nobody believes it took effect.
func Unsupported(what string) *Type {
	return &Type{Name: "not supported", decode: func(name string, raw json.RawMessage) (any, error) {
		switch string(bytes.Join(bytes.Fields(raw), nil)) {
		case "false", `""`, "[]", "{}":
			return nil, nil
		}
		return nil, agentbay.Errorf(agentbay.KindUnsupported, "%s is not supported%s", name, what)
	}}
}

// unsupportedIf is a boolean parameter whose value bad is not supported.
func unsupportedIf(bad bool, why string) *Type {
	return &Type{Name: "boolean", decode: func(name string, raw json.RawMessage) (any, error) {
		v, err := Bool.decode(name, raw)
		if err == nil && v.(bool) == bad {
			err = agentbay.Errorf(agentbay.KindUnsupported, "%s=%v is not supported%s", name, bad, why)
		}
		return v, err
	}}
}

// Envs are environment variables: an object of strings, refused as the
// official SDKs refuse them, every bad entry named.
var Envs = &Type{Name: "object of strings", decode: func(name string, raw json.RawMessage) (any, error) {
	var fields map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &fields) != nil {
		return nil, invalid("%s must be an object of strings, got %s", name, shown(raw))
	}
	envs := make(map[string]string, len(fields))
	var bad []string
	for _, k := range sortedKeys(fields) {
		var s string
		if v := fields[k]; v[0] != '"' || json.Unmarshal(v, &s) != nil {
			bad = append(bad, fmt.Sprintf("value for key '%s' (type: %s)", k, jsonType(v)))
		}
		envs[k] = s
	}
	if bad != nil {
		return nil, invalid("Invalid environment variables: all keys and values must be strings. "+
			"Found invalid entries: %s", strings.Join(bad, ", "))
	}
	return envs, nil
}}

// jsonType names the type of a JSON value.
func jsonType(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// Text is a required string that may be empty (a file's content).
var Text = &Type{Name: "string", Required: true, decode: decodeString}

// Strings is a list of strings.
var Strings = &Type{Name: "list of strings", decode: func(name string, raw json.RawMessage) (any, error) {
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, invalid("%s must be a list of strings, got %s", name, shown(raw))
	}
	out := make([]string, len(items))
	for i, item := range items {
		v, err := decodeString(fmt.Sprintf("%s[%d]", name, i), item)
		if err != nil {
			return nil, err
		}
		out[i] = v.(string)
	}
	return out, nil
}}

// Edits are a file's edits: a list of {oldText, newText}, both strings, as
// the official SDKs spell them.
var Edits = &Type{Name: "list of {oldText, newText}", Required: true, decode: func(name string, raw json.RawMessage) (any, error) {
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, invalid("%s must be a list of {oldText, newText}, got %s", name, shown(raw))
	}
	fields := []Param{{"oldText", Text, ""}, {"newText", Text, ""}}
	out := make([]agentbay.Edit, len(items))
	for i, item := range items {
		owner := fmt.Sprintf("%s[%d]", name, i)
		obj, err := object(item, owner)
		if err != nil {
			return nil, err
		}
		a, err := decodeFields(owner, obj, fields)
		if err != nil {
			msg := err.(*agentbay.Error).Message
			if !strings.HasPrefix(msg, owner) {
				msg = owner + ": " + msg
			}
			return nil, invalid("%s", msg)
		}
		out[i] = agentbay.Edit{OldText: a.str("oldText"), NewText: a.str("newText")}
	}
	return out, nil
}}
