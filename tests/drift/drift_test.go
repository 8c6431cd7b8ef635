// Package drift checks that the places which must agree with the operation
// table of core/ops (and with each other) do: the C header, the Python
// package, the Node addon and package, and the README. Each check reads the
// files as text and returns what disagrees; each has a self-test that plants
// a mismatch and sees it reported, so a check that cannot fail is caught too.
package drift

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/libagentbay/libagentbay/core/ops"
	"github.com/libagentbay/libagentbay/core/wire"
)

// files are the texts the checks read, by path from the repository root.
type files map[string]string

const (
	header   = "include/agentbay.h"
	pyNative = "bindings/python/agentbay/_native.py"
	pyInit   = "bindings/python/agentbay/__init__.py"
	pyAsync  = "bindings/python/agentbay/_async.py"
	pyCore   = "bindings/python/agentbay/_core.py"
	addon    = "bindings/node/src/addon.c"
	nodeJS   = "bindings/node/index.js"
	nodeDTS  = "bindings/node/index.d.ts"
	nodePkg  = "bindings/node/package.json"
	readme   = "README.md"
)

func load(t *testing.T) files {
	t.Helper()
	f := files{}
	for _, p := range []string{header, pyNative, pyInit, pyAsync, pyCore, addon, nodeJS, nodeDTS, nodePkg, readme} {
		b, err := os.ReadFile(filepath.Join("..", "..", p))
		if err != nil {
			t.Fatal(err)
		}
		f[p] = string(b)
	}
	return f
}

// checks are every check, by name.
var checks = map[string]func(files) []string{
	"codes":          checkCodes,
	"versions":       checkVersions,
	"python natives": checkPythonPrototypes,
	"addon natives":  checkAddonFunctions,
	"typed C":        checkTypedC,
	"python methods": checkPythonOps,
	"node methods":   checkNodeOps,
	"node types":     checkNodeTypes,
	"readme table":   checkReadme,
}

func TestEverythingAgrees(t *testing.T) {
	f := load(t)
	for name, check := range checks {
		for _, problem := range check(f) {
			t.Errorf("%s: %s", name, problem)
		}
	}
}

// TestPlantedMismatches changes one thing in a copy of the files and expects
// the check to report it.
func TestPlantedMismatches(t *testing.T) {
	for _, tc := range []struct {
		check, file, old, new string
	}{
		{"codes", header, "#define AB_E_NOT_FOUND        (-2)", "#define AB_E_NOT_FOUND        (-20)"},
		{"codes", header, `/* "timeout"`, `/* "too_slow"`},
		{"versions", header, `#define AB_VERSION "`, `#define AB_VERSION "9`},
		{"versions", pyInit, `__version__ = "`, `__version__ = "9`},
		{"versions", nodePkg, `"version": "`, `"version": "9`},
		{"versions", pyNative, "ABI_VERSION = ", "ABI_VERSION = 9"},
		{"python natives", pyNative, `"ab_client_close": (_I, [_U64]),`, `"ab_client_close": (_I, [_U64, _I]),`},
		{"python natives", pyNative, `"ab_op_free"`, `"ab_op_freed"`},
		{"addon natives", addon, "X(ab_op_free)", "X(ab_op_freed)"},
		{"typed C", header, "int ab_session_get_link(", "int ab_session_get_a_link("},
		{"python methods", pyAsync, `self._op("get_link"`, `self._op("get_a_link"`},
		{"node methods", nodeJS, `#run('get_link'`, `#run('get_a_link'`},
		{"node types", nodeDTS, "  getLink(", "  getALink("},
		{"node types", nodeDTS, "| 'invalid_handle' ", "| 'invalid_handles' "},
		{"readme table", readme, "| session | `get_link` |", "| session | `get_a_link` |"},
	} {
		f := load(t)
		if !strings.Contains(f[tc.file], tc.old) {
			t.Errorf("%s: %q is not in %s: update this test", tc.check, tc.old, tc.file)
			continue
		}
		f[tc.file] = strings.Replace(f[tc.file], tc.old, tc.new, 1)
		if problems := checks[tc.check](f); len(problems) == 0 {
			t.Errorf("%s: planting %q in %s went unnoticed", tc.check, tc.new, tc.file)
		}
	}
}

// TestEngineDoesNotLinkTheBackend: a Go program for the cloud gets neither
// the local backend nor its database.
func TestEngineDoesNotLinkTheBackend(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../core/agentbay").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "core/local") || strings.Contains(dep, "core/embedded") ||
			strings.Contains(dep, "bbolt") {
			t.Errorf("core/agentbay depends on %s", dep)
		}
	}
}

// ---- The C header ------------------------------------------------------------

var declRE = regexp.MustCompile(`(?s)\b(ab_[a-z_]+)\(([^()]*)\);`)

// declarations are the header's functions and their numbers of parameters.
func declarations(h string) map[string]int {
	out := map[string]int{}
	for _, m := range declRE.FindAllStringSubmatch(h, -1) {
		params := strings.TrimSpace(m[2])
		n := strings.Count(params, ",") + 1
		if params == "void" {
			n = 0
		}
		out[m[1]] = n
	}
	return out
}

var codeRE = regexp.MustCompile(`#define AB_E_[A-Z_]+ +\((-\d+)\) +/\* "([a-z_]+)"`)

func checkCodes(f files) []string {
	want := map[int]string{}
	for _, c := range ops.Codes {
		want[c.Code] = string(c.Kind)
	}
	got := map[int]string{}
	for _, m := range codeRE.FindAllStringSubmatch(f[header], -1) {
		n, _ := strconv.Atoi(m[1])
		got[n] = m[2]
	}
	return diffMaps("AB_E_* of "+header, got, "ops.Codes", want)
}

func checkVersions(f files) []string {
	var problems []string
	same := func(what, got, want string) {
		if got != want {
			problems = append(problems, fmt.Sprintf("%s is %q, the engine's is %q", what, got, want))
		}
	}
	same("AB_VERSION", match(f[header], `#define AB_VERSION "([^"]*)"`), wire.LibraryVersion)
	parts := []string{match(f[header], `#define AB_VERSION_MAJOR (\d+)`),
		match(f[header], `#define AB_VERSION_MINOR (\d+)`), match(f[header], `#define AB_VERSION_PATCH (\d+)`)}
	same("AB_VERSION_MAJOR.MINOR.PATCH", strings.Join(parts, "."), wire.LibraryVersion)
	same("Python __version__", match(f[pyInit], `(?m)^__version__ = "([^"]*)"`), wire.LibraryVersion)
	var pkg struct{ Version string }
	if err := json.Unmarshal([]byte(f[nodePkg]), &pkg); err != nil {
		problems = append(problems, nodePkg+": "+err.Error())
	}
	same("package.json version", pkg.Version, wire.LibraryVersion)
	abi := strconv.Itoa(ops.ABIVersion)
	same("AB_ABI_VERSION", match(f[header], `#define AB_ABI_VERSION (\d+)`), abi)
	same("Python ABI_VERSION", match(f[pyNative], `(?m)^ABI_VERSION = (\d+)`), abi)
	return problems
}

// ---- The bindings' native tables ---------------------------------------------

var protoRE = regexp.MustCompile(`"(ab_[a-z_]+)": \((?:[^,]+), \[([^\]]*)\](?: \+ (_ASYNC_TAIL))?\)`)

func checkPythonPrototypes(f files) []string {
	decls := declarations(f[header])
	var problems []string
	found := 0
	for _, m := range protoRE.FindAllStringSubmatch(f[pyNative], -1) {
		found++
		n := 0
		if strings.TrimSpace(m[2]) != "" {
			n = strings.Count(m[2], ",") + 1
		}
		if m[3] != "" {
			n += 4 // cb, user_data, op_out, err_out
		}
		want, ok := decls[m[1]]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s has %s, which %s does not declare", pyNative, m[1], header))
		case n != want:
			problems = append(problems, fmt.Sprintf("%s gives %s %d parameters, %s %d", pyNative, m[1], n, header, want))
		}
	}
	if found == 0 {
		problems = append(problems, "no prototypes found in "+pyNative)
	}
	return problems
}

func checkAddonFunctions(f files) []string {
	decls := declarations(f[header])
	table := match(f[addon], `(?s)#define AB_FUNCTIONS\(X\)(.*?)\n\n`)
	names := regexp.MustCompile(`X\((ab_[a-z_]+)\)`).FindAllStringSubmatch(table, -1)
	if len(names) == 0 {
		return []string{"no AB_FUNCTIONS found in " + addon}
	}
	var problems []string
	for _, m := range names {
		if _, ok := decls[m[1]]; !ok {
			problems = append(problems, fmt.Sprintf("%s loads %s, which %s does not declare", addon, m[1], header))
		}
	}
	return problems
}

func checkTypedC(f files) []string {
	decls := declarations(f[header])
	var problems []string
	for _, op := range ops.Table() {
		if _, ok := decls[op.CName]; op.CName != "" && !ok {
			problems = append(problems, fmt.Sprintf("%s %s: %s does not declare %s", op.On, op.Name, header, op.CName))
		}
	}
	return problems
}

// ---- The bindings' methods ---------------------------------------------------

// tableNames are the table's operation names on target, spelled by spell.
func tableNames(on ops.Target, spell func(*ops.Op) string) []string {
	var names []string
	for _, op := range ops.Table() {
		if op.On == on {
			names = append(names, spell(op))
		}
	}
	return names
}

func snake(op *ops.Op) string { return op.Name }

func checkPythonOps(f files) []string {
	client := append(allOf(f[pyCore], `self\._core\.call\(\s*"([a-z_]+)"`), allOf(f[pyAsync], `\._client_op\(\s*"([a-z_]+)"`)...)
	session := allOf(f[pyAsync], `\._op\(\s*"([a-z_]+)"`)
	return append(diffSets(pyCore+" client calls", client, "the table", tableNames(ops.OnClient, snake)),
		diffSets(pyAsync+" session calls", session, "the table", tableNames(ops.OnSession, snake))...)
}

func checkNodeOps(f files) []string {
	var all []string
	for _, op := range ops.Table() {
		all = append(all, op.Name)
	}
	return diffSets(nodeJS+" calls", allOf(f[nodeJS], `#run\('([a-z_]+)'`), "the table", all)
}

// nodeClasses are the classes of index.d.ts that hold each module's methods.
var nodeClasses = map[ops.Target]map[string]string{
	ops.OnClient:  {"": "AgentBay", "context": "ContextService"},
	ops.OnSession: {"": "Session", "command": "Command", "process": "Process", "code": "Code", "context": "ContextManager", "file_system": "FileSystem"},
}

func checkNodeTypes(f files) []string {
	var problems []string
	for _, op := range ops.Table() {
		class := nodeClasses[op.On][op.Module]
		method := op.CamelName()
		if op.Module != "" {
			method = camelCase(op.Method)
		}
		if !strings.Contains(classBlock(f[nodeDTS], "export class "+class+" "), "  "+method+"(") {
			problems = append(problems, fmt.Sprintf("%s: class %s has no %s (%s %s)", nodeDTS, class, method, op.On, op.Name))
		}
	}
	union := match(f[nodeDTS], `(?s)export type ErrorKind =(.*?);`)
	var kinds []string
	for _, c := range ops.Codes {
		kinds = append(kinds, string(c.Kind))
	}
	return append(problems, diffSets(nodeDTS+" ErrorKind", allOf(union, `'([a-z_]+)'`), "ops.Codes", kinds)...)
}

// classBlock is the text of the class that starts with head, up to the next
// top-level export.
func classBlock(text, head string) string {
	i := strings.Index(text, head)
	if i < 0 {
		return ""
	}
	rest := text[i+len(head):]
	if j := strings.Index(rest, "\nexport "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func camelCase(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

func checkReadme(f files) []string {
	if !strings.Contains(f[readme], ops.Markdown()) {
		return []string{"the README's table of operations is not ops.Markdown(); paste the output of `go run ./tests/drift/table`"}
	}
	return nil
}

// ---- Helpers -----------------------------------------------------------------

func match(text, re string) string {
	m := regexp.MustCompile(re).FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return m[1]
}

func allOf(text, re string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

func diffSets(gotName string, got []string, wantName string, want []string) []string {
	g, w := map[string]bool{}, map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	for _, s := range want {
		w[s] = true
	}
	var problems []string
	for _, s := range sorted(w) {
		if !g[s] {
			problems = append(problems, fmt.Sprintf("%s lack %q, which %s has", gotName, s, wantName))
		}
	}
	for _, s := range sorted(g) {
		if !w[s] {
			problems = append(problems, fmt.Sprintf("%s have %q, which %s lacks", gotName, s, wantName))
		}
	}
	return problems
}

func diffMaps(gotName string, got map[int]string, wantName string, want map[int]string) []string {
	var problems []string
	for code, kind := range want {
		if got[code] != kind {
			problems = append(problems, fmt.Sprintf("%s gives %d as %q, %s as %q", gotName, code, got[code], wantName, kind))
		}
	}
	for code, kind := range got {
		if _, ok := want[code]; !ok {
			problems = append(problems, fmt.Sprintf("%s has %d %q, which %s lacks", gotName, code, kind, wantName))
		}
	}
	sort.Strings(problems)
	return problems
}

func sorted(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
