package ops

import (
	"context"
	"encoding/json"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

// codeOps are the official SDKs' session.code.
var codeOps = []*Op{
	{Name: "run_code", On: OnSession, Module: "code", Method: "run_code",
		Doc: "Runs code and waits for it; code that raises gives success false, not a failure.",
		Params: []Param{
			{"code", ID, "the code to run"},
			{"language", Language, "python, javascript, r or java (aliases py, python3, js, node, nodejs)"},
			{"timeout_s", WholeSeconds, "default 60, as the official SDKs"},
		},
		Result: agentbay.CodeResult{},
		run: func(ctx context.Context, x *Exec) (any, error) {
			return x.Session.RunCode(ctx, x.Args.str("code"), x.Args.str("language"),
				agentbay.CodeOptions{Timeout: x.Args.dur("timeout_s")})
		}},
}

// Language is a run_code language, normalised and checked as the official
// SDKs do.
var Language = &Type{Name: "code language", Required: true, decode: func(name string, raw json.RawMessage) (any, error) {
	v, err := decodeString(name, raw)
	if err != nil {
		return nil, err
	}
	return agentbay.CodeLanguage(v.(string))
}}
