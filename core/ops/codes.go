package ops

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// ABIVersion is AB_ABI_VERSION of include/agentbay.h: bumped on any change
// that breaks programs built against an earlier header.
const ABIVersion = 2

// Codes are the status codes of the C ABI (AB_E_* in include/agentbay.h),
// one per error kind. The numbers never change once released; a new kind
// takes the next number.
var Codes = [...]struct {
	Code int
	Kind agentbay.Kind
}{
	{-1, agentbay.KindInvalidArgument},
	{-2, agentbay.KindNotFound},
	{-3, agentbay.KindUnauthorized},
	{-4, agentbay.KindThrottled},
	{-5, agentbay.KindTimeout},
	{-6, agentbay.KindCancelled},
	{-7, agentbay.KindConflict},
	{-8, agentbay.KindServer},
	{-9, agentbay.KindTransport},
	{-10, agentbay.KindUnsupported},
	{-11, agentbay.KindInvalidHandle},
	{-12, agentbay.KindInternal},
}

// Code is the status code of err: 0 for nil, and AB_E_INTERNAL for an
// error of no known kind.
func Code(err error) int {
	if err == nil {
		return 0
	}
	k := agentbay.KindOf(err)
	for _, c := range Codes {
		if c.Kind == k {
			return c.Code
		}
	}
	return -12
}

// KindOfCode is the kind of a status code, and whether there is one ("ok"
// for 0).
func KindOfCode(code int) (string, bool) {
	if code == 0 {
		return "ok", true
	}
	for _, c := range Codes {
		if c.Code == code {
			return string(c.Kind), true
		}
	}
	return "", false
}

// ResultFields are the JSON field names of op's result, in order.
func (op *Op) ResultFields() []string {
	return jsonFields(reflect.TypeOf(op.Result))
}

func jsonFields(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		switch {
		case f.Anonymous && tag == "":
			names = append(names, jsonFields(f.Type)...)
		case tag != "-" && tag != "":
			names = append(names, strings.Split(tag, ",")[0])
		}
	}
	return names
}

// Markdown is the table as the README shows it.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| on | operation | parameters | result (besides request_id, success, error_message) | typed C function |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, op := range table {
		var params []string
		for _, p := range op.Params {
			params = append(params, fmt.Sprintf("`%s` (%s)", p.Name, p.Type.Name))
		}
		var fields []string
		for _, f := range op.ResultFields()[3:] {
			fields = append(fields, "`"+f+"`")
		}
		cname := "–"
		if op.CName != "" {
			cname = "`" + op.CName + "`"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", op.On, op.Name, strings.Join(params, ", "),
			strings.Join(fields, ", "), cname)
	}
	return b.String()
}
