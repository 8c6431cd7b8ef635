package tools

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var metricsTool = &Tool{
	Name: "get_metrics",
	Description: "Report what the session uses: CPU (percent of the machine over a short sample), resident memory of its " +
		"processes, disk used by its files, against the machine's totals. Sizes are in bytes. Local sessions share the " +
		"host's network, so the network counters are 0.",
	InputSchema: schema(nil, map[string]any{}),
	Server:      serverSys,
	run:         metrics,
}

// cpuSample is how long get_metrics watches the session's CPU use.
const cpuSample = 100 * time.Millisecond

type metricsResult struct {
	CPUCount  int     `json:"cpu_count"`
	CPUUsed   float64 `json:"cpu_used_pct"`
	DiskTotal int64   `json:"disk_total"`
	DiskUsed  int64   `json:"disk_used"`
	MemTotal  int64   `json:"mem_total"`
	MemUsed   int64   `json:"mem_used"`
	RxRate    float64 `json:"rx_rate_kbyte_per_s"`
	TxRate    float64 `json:"tx_rate_kbyte_per_s"`
	RxUsed    float64 `json:"rx_used_kbyte"`
	TxUsed    float64 `json:"tx_used_kbyte"`
	Timestamp string  `json:"timestamp"`
}

func metrics(ctx context.Context, w *Workspace, _ args) Result {
	before := w.box.Usage()
	select {
	case <-time.After(cpuSample):
	case <-ctx.Done():
		return failf("%v", ctx.Err())
	}
	after := w.box.Usage()
	m := metricsResult{
		CPUCount:  runtime.NumCPU(),
		MemUsed:   after.RSS,
		MemTotal:  memTotal(),
		DiskUsed:  diskUsed(w.box.Root()),
		Timestamp: time.Now().UTC().Format(time.RFC3339),
	}
	if used := after.CPU - before.CPU; used > 0 {
		m.CPUUsed = 100 * used.Seconds() / (cpuSample.Seconds() * float64(m.CPUCount))
	}
	var st syscall.Statfs_t
	if syscall.Statfs(w.box.Root(), &st) == nil {
		m.DiskTotal = int64(st.Blocks) * st.Bsize
	}
	return Result{Text: jsonText(m)}
}

// memTotal is the machine's memory in bytes, from /proc/meminfo.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// diskUsed is the space the files under dir take on disk.
func diskUsed(dir string) int64 {
	var used int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := d.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				used += st.Blocks * 512
			}
		}
		return nil
	})
	return used
}
