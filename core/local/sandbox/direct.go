package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Direct commands.
//
// Most commands an agent runs are one program with arguments: `sleep 0.2`,
// `ls -la /tmp`, `python3 -c 'print(1)'`. bash -c runs such a command by
// starting, parsing, looking the program up in PATH and exec'ing it in
// its own place (no fork): the program ends up with the shell's pid, process
// group, cgroup, namespace, cwd and file descriptors, and with bash's
// environment, which is the one given plus SHLVL=0 and _=<the program's
// path>. Starting bash is most of the CPU of such a command (its dynamic
// loading and initialisation, 1-3 ms), so the box execs the program itself
// instead, through the same start as the shell's, with that environment.
//
// Only a script that bash would certainly run that way takes this path
// (directArgv): words of plain characters or quotes without expansions,
// the first one a program found in PATH that is not a bash builtin or
// keyword. Everything else, and every start that fails, runs with bash as
// before, which gives the same errors as before.

// bareChars may appear unquoted in a word of a direct command: none of them
// is special to bash outside of braces (excluded), and none starts an
// expansion, a redirection, a comment or a pattern.
const bareChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:,+=@%"

// quotedExcluded may not appear between double quotes: they expand there.
const quotedExcluded = "$`\\!"

// bashWords are the builtins and keywords of bash 5 (compgen -b, compgen -k):
// a direct command does not start with one. echo, true and false have
// programs that behave the same for the arguments externalOK allows.
var bashWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`. : [ alias bg bind break builtin caller cd command compgen complete
		compopt continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash
		help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly
		return set shift shopt source suspend test times trap true type typeset ulimit umask unalias
		unset wait if then else elif fi case esac for select while until do done in function time
		{ } ! [[ ]] coproc`) {
		m[w] = true
	}
	return m
}()

// externalOK reports whether the builtin name with args may run as its
// program at path: coreutils' echo, true and false, only where they print
// exactly what the builtin prints (no backslash escapes, no --help or
// --version, no arguments for true and false).
func externalOK(name, path string, args []string) bool {
	if path != "/usr/bin/"+name && path != "/bin/"+name {
		return false
	}
	switch name {
	case "echo":
		for _, a := range args {
			if strings.Contains(a, `\`) || a == "--help" || a == "--version" {
				return false
			}
		}
		return true
	case "true", "false":
		return len(args) == 0
	}
	return false
}

// shellEnv are environment variables that change how bash starts or runs
// a command: with one of them among a command's variables, it runs with
// bash.
func shellEnv(name string) bool {
	switch name {
	case "ENV", "SHELLOPTS", "POSIXLY_CORRECT", "IFS", "CDPATH", "GLOBIGNORE", "PATH", "PWD", "SHLVL", "EXECIGNORE", "_":
		return true
	}
	return strings.HasPrefix(name, "BASH")
}

// splitWords splits script into the words bash would make of it, if it is
// a single simple command without expansions; ok is false otherwise.
func splitWords(script string) (words []string, ok bool) {
	var w strings.Builder
	inWord := false
	for i := 0; i < len(script); {
		c := script[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
			i++
		case c == '\'':
			j := strings.IndexByte(script[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			w.WriteString(script[i+1 : i+1+j])
			inWord = true
			i += j + 2
		case c == '"':
			j := strings.IndexByte(script[i+1:], '"')
			if j < 0 {
				return nil, false
			}
			s := script[i+1 : i+1+j]
			if strings.ContainsAny(s, quotedExcluded) {
				return nil, false
			}
			w.WriteString(s)
			inWord = true
			i += j + 2
		case strings.IndexByte(bareChars, c) >= 0:
			w.WriteByte(c)
			inWord = true
			i++
		default:
			return nil, false
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, len(words) > 0
}

// directPath reports whether the box's commands may be exec'd without a
// shell, bash, with PATH path: every entry must be absolute and clean (bash would
// search a relative one from the command's cwd), and with a namespace
// none may be under /tmp or /home, which commands see otherwise than the
// server does.
func directPath(path string, iso Isolation) bool {
	// The environment given is bash's; without bash there is nothing to
	// save either (the shell is /bin/sh).
	if os.Getenv("AGENTBAY_LOCAL_BASH_ONLY") == "1" || filepath.Base(iso.Shell) != "bash" {
		return false
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" || !filepath.IsAbs(d) || filepath.Clean(d) != d || d == "/" {
			return false
		}
		if iso.Namespaces != NoNamespace && (d == "/tmp" || d == "/home" ||
			strings.HasPrefix(d, "/tmp/") || strings.HasPrefix(d, "/home/")) {
			return false
		}
	}
	return true
}

// lookPath finds name in path as bash does: the first regular file that
// the server may execute.
func lookPath(name, path string) string {
	for _, d := range filepath.SplitList(path) {
		p := d + "/" + name
		var st unix.Stat_t
		if unix.Stat(p, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			continue
		}
		if unix.Faccessat(unix.AT_FDCWD, p, unix.X_OK, unix.AT_EACCESS) == nil {
			return p
		}
	}
	return ""
}

// directArgv returns the program and arguments that c runs, if the box may
// exec it without a shell (see the top of this file), else "".
func (b *Box) directArgv(c Command) (path string, argv []string) {
	if !b.m.direct {
		return "", nil
	}
	for k := range c.Env {
		if shellEnv(k) {
			return "", nil
		}
	}
	words, ok := splitWords(c.Script)
	if !ok {
		return "", nil
	}
	name := words[0]
	// The first word is plain (not quoted, no assignment, no path, no job
	// like %1); a keyword or builtin is left to bash below.
	if strings.ContainsAny(name, "=/") || name[0] == '%' || !strings.HasPrefix(strings.TrimLeft(c.Script, " \t"), name) {
		return "", nil
	}
	if path = lookPath(name, b.m.path); path == "" {
		return "", nil
	}
	if bashWords[name] && !externalOK(name, path, words[1:]) {
		return "", nil
	}
	return path, words
}

// Commands started without and with a shell, since the process started:
// tests and benchmarks see from these which path commands took.
var directStarts, shellStarts atomic.Int64

// Starts returns how many commands were exec'd without a shell (direct)
// and how many with one (shell), since the process started.
func Starts() (direct, shell int64) { return directStarts.Load(), shellStarts.Load() }
