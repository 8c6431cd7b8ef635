package main

/*
#include "capi.h"
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"unicode/utf8"
)

// text reads a C string argument: NULL is an error when the argument is
// required and "" otherwise; the text must be UTF-8.
func text(p *C.capi_cchar, name string, required bool) (string, error) {
	if p == nil {
		if required {
			return "", invalidArg("%s is NULL", name)
		}
		return "", nil
	}
	s := C.GoString((*C.char)(p))
	if !utf8.ValidString(s) {
		return "", invalidArg("%s is not valid UTF-8", name)
	}
	return s, nil
}

// nonEmpty reads a required C string that must not be empty either.
func nonEmpty(p *C.capi_cchar, name string) (string, error) {
	s, err := text(p, name, true)
	if err == nil && s == "" {
		err = invalidArg("%s is empty", name)
	}
	return s, err
}

// jsonText reads a JSON text argument; want is "object" to require one, or
// "" for any JSON value. A NULL optional argument gives "".
func jsonText(p *C.capi_cchar, name string, required bool, want string) (string, error) {
	s, err := text(p, name, required)
	if err != nil || (p == nil && !required) {
		return s, err
	}
	if !json.Valid([]byte(s)) {
		return "", invalidArg("%s is not valid JSON", name)
	}
	if want == "object" && !bytes.HasPrefix(bytes.TrimSpace([]byte(s)), []byte("{")) {
		return "", invalidArg("%s must be a JSON object", name)
	}
	return s, nil
}

// object is a JSON object argument read field by field with type checks.
// Fields are optional, and null counts as absent. A field nobody read is
// reported by done, so that a misspelt option is an error, not ignored.
type object struct {
	name   string
	fields map[string]json.RawMessage
	err    error
}

// parseObject reads an optional JSON object argument (NULL means {}).
func parseObject(p *C.capi_cchar, name string) *object {
	o := &object{name: name}
	s, err := jsonText(p, name, false, "object")
	if err == nil && s != "" {
		if json.Unmarshal([]byte(s), &o.fields) != nil {
			err = invalidArg("%s must be a JSON object", name)
		} else if k, dup := duplicateKey([]byte(s)); dup {
			err = invalidArg("%s: field %q appears twice", name, k)
		}
	}
	o.err = err
	return o
}

// duplicateKey finds a name that two members of the JSON object raw share
// (after unescaping), which a map would silently reduce to the last one.
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

// field decodes the field key into v; what describes the wanted type.
func (o *object) field(key, what string, v any) {
	raw, ok := o.fields[key]
	delete(o.fields, key)
	if !ok || o.err != nil || string(raw) == "null" {
		return
	}
	if err := json.Unmarshal(raw, v); err != nil {
		o.err = invalidArg("%s: %q must be %s", o.name, key, what)
	}
}

func (o *object) str(key string) (s string) {
	o.field(key, "a string", &s)
	return s
}

func (o *object) labels(key string) map[string]string {
	raw, ok := o.fields[key]
	delete(o.fields, key)
	if !ok || o.err != nil || string(raw) == "null" {
		return nil
	}
	m, err := decodeLabels(raw, o.name+": \"labels\"")
	o.err = err
	return m
}

// decodeLabels reads a JSON object of strings (null is not a string).
func decodeLabels(raw []byte, name string) (map[string]string, error) {
	var ptrs map[string]*string
	ok := json.Unmarshal(raw, &ptrs) == nil && ptrs != nil
	m := make(map[string]string, len(ptrs))
	for k, v := range ptrs {
		if ok = ok && v != nil; ok {
			m[k] = *v
		}
	}
	if !ok {
		return nil, invalidArg("%s must be a JSON object of strings", name)
	}
	if k, dup := duplicateKey(raw); dup {
		return nil, invalidArg("%s: label %q appears twice", name, k)
	}
	return m, nil
}

// count reads a non-negative integer. It may be written as 2000.0, as
// languages whose numbers are all floats do.
func (o *object) count(key string) int64 {
	const what = "a non-negative integer"
	var f float64
	o.field(key, what, &f)
	if o.err == nil && (f < 0 || f != math.Trunc(f) || f > 1<<53) {
		o.err = invalidArg("%s: %q must be %s", o.name, key, what)
	}
	return int64(f)
}

// done returns the first error met, or names a field that was not read.
func (o *object) done() error {
	if o.err != nil || len(o.fields) == 0 {
		return o.err
	}
	var unknown []string
	for k, v := range o.fields {
		if string(v) != "null" {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return invalidArg("%s: unknown field %q", o.name, unknown[0])
}
