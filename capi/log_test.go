package main

import (
	"log/slog"
	"testing"
	"time"
)

func TestLogLineFormat(t *testing.T) {
	h := logHandler{}.WithAttrs([]slog.Attr{slog.String("client", "c1")}).WithGroup("call").(logHandler)
	r := slog.NewRecord(time.Time{}, slog.LevelDebug, "agentbay call", 0)
	r.AddAttrs(
		slog.String("action", "GetLabel"),
		slog.Int("status", 200),
		slog.Duration("elapsed", 1500*time.Microsecond),
		slog.String("error", `dial tcp: "refused"`),
		slog.String("empty", ""),
		slog.Group("retry", slog.Int("attempt", 2)),
		slog.Attr{},
	)
	want := `agentbay call client=c1 call.action=GetLabel call.status=200 call.elapsed=1.5ms ` +
		`call.error="dial tcp: \"refused\"" call.empty="" call.retry.attempt=2`
	if got := h.format(r); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestLogLevels(t *testing.T) {
	for l, want := range map[slog.Level]int{
		slog.LevelDebug - 4: 10, slog.LevelDebug: 10, slog.LevelInfo: 20,
		slog.LevelWarn: 30, slog.LevelWarn + 2: 30, slog.LevelError: 40, slog.LevelError + 4: 40,
	} {
		if got := abLevel(l); got != want {
			t.Errorf("abLevel(%v) = %d, want %d", l, got, want)
		}
	}
}
