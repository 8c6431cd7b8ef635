package main

/*
#include "capi.h"
*/
import "C"

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// engineLog is the Logger of every engine client. Its records become lines
// "message key=value ..." for the host's log callback. Handle never blocks
// the engine: lines go through a bounded queue to one goroutine that calls
// the host, and lines that find the queue full are counted and dropped.
var engineLog = slog.New(logHandler{})

type logSink struct {
	cb       C.ab_log_callback
	ud       uintptr
	minLevel int
}

type logLine struct {
	level int
	text  []byte // NUL-terminated
}

var (
	sink     atomic.Pointer[logSink]
	sinkMu   sync.Mutex // held while the host's log callback runs
	logQueue = make(chan logLine, 256)
	dropped  atomic.Int64
)

func init() {
	go func() {
		for line := range logQueue {
			deliverLog(line)
		}
	}()
}

func deliverLog(line logLine) {
	defer busy.done()
	defer func() { _ = recover() }() // nowhere left to report it
	sinkMu.Lock()
	defer sinkMu.Unlock()
	s := sink.Load()
	if s == nil || line.level < s.minLevel {
		return
	}
	if n := dropped.Swap(0); n > 0 {
		hostLog(s, C.AB_LOG_WARN, []byte(fmt.Sprintf("libagentbay: %d log lines dropped (the log callback was too slow)\x00", n)))
	}
	hostLog(s, C.int(line.level), line.text)
}

// hostLog calls the host with a copy of text (NUL-terminated) in C memory:
// memcheck cannot follow which parts of the Go heap are addressable, and
// flagged host reads of Go memory as invalid.
func hostLog(s *logSink, level C.int, text []byte) {
	c := C.CBytes(text)
	defer C.free(c)
	C.capi_log(s.cb, C.uintptr_t(s.ud), level, (*C.char)(c))
}

// abLevel maps slog levels onto AB_LOG_* (Python's logging levels).
func abLevel(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return C.AB_LOG_ERROR
	case l >= slog.LevelWarn:
		return C.AB_LOG_WARN
	case l >= slog.LevelInfo:
		return C.AB_LOG_INFO
	}
	return C.AB_LOG_DEBUG
}

type logHandler struct {
	prefix string // the group names, each followed by "."
	attrs  string // preformatted " key=value" pairs from WithAttrs
}

func (h logHandler) Enabled(_ context.Context, l slog.Level) bool {
	s := sink.Load()
	return s != nil && abLevel(l) >= s.minLevel
}

func (h logHandler) Handle(_ context.Context, r slog.Record) error {
	busy.add(1)
	select {
	case logQueue <- logLine{level: abLevel(r.Level), text: []byte(h.format(r) + "\x00")}:
	default:
		busy.done()
		dropped.Add(1)
	}
	return nil
}

// format makes the line of a record: "message key=value ...".
func (h logHandler) format(r slog.Record) string {
	var b strings.Builder
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.prefix, a)
		return true
	})
	return b.String()
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.attrs)
	for _, a := range attrs {
		writeAttr(&b, h.prefix, a)
	}
	h.attrs = b.String()
	return h
}

func (h logHandler) WithGroup(name string) slog.Handler {
	if name != "" {
		h.prefix += name + "."
	}
	return h
}

func writeAttr(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range v.Group() {
			writeAttr(b, prefix, g)
		}
		return
	}
	if a.Equal(slog.Attr{}) {
		return
	}
	b.WriteByte(' ')
	b.WriteString(prefix)
	b.WriteString(a.Key)
	b.WriteByte('=')
	b.WriteString(quoteIfNeeded(v.String()))
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return r == '"' || r == '=' || unicode.IsSpace(r) || !unicode.IsPrint(r)
	}) {
		return strconv.Quote(s)
	}
	return s
}
