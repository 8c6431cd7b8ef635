package sandbox

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// markerVar is set in the environment of every command of a session. It
// finds the session's processes where no cgroup holds them: after a crash
// of the server, or when a process left its process group.
const markerVar = "AGENTBAY_SESSION_ID"

// markedPIDs returns the processes whose environment has marker (a
// "NAME=value" pair).
func markedPIDs(marker string) []int {
	ents, _ := os.ReadDir("/proc")
	want := []byte(marker + "\x00")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env := environ(e.Name())
		if bytes.HasPrefix(env, want) || bytes.Contains(env, append([]byte{0}, want...)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// environ returns the environment of process pid, or nil if it is gone
// (or a kernel thread). A process in the middle of exec shows an empty one
// for a moment, so an empty one is read again a few times.
func environ(pid string) []byte {
	for try := 0; ; try++ {
		env, err := os.ReadFile("/proc/" + pid + "/environ")
		if err != nil || len(env) > 0 || try == 4 {
			return env
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// Usage is what the live processes of a session use.
type Usage struct {
	CPU       time.Duration // user and system time, since each process started
	RSS       int64         // resident memory in bytes
	Processes int
}

var pageSize = int64(os.Getpagesize())

// usage adds up the CPU time and resident memory of pids from /proc.
func usage(pids []int) Usage {
	var u Usage
	for _, pid := range pids {
		p := "/proc/" + strconv.Itoa(pid)
		stat, err := os.ReadFile(p + "/stat")
		if err != nil {
			continue // the process is gone
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at
		// the last ')'; utime and stime are fields 14 and 15.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		u.CPU += time.Duration(ut+st) * time.Second / clockTicks
		if statm, err := os.ReadFile(p + "/statm"); err == nil {
			if f := strings.Fields(string(statm)); len(f) > 1 {
				rss, _ := strconv.ParseInt(f[1], 10, 64)
				u.RSS += rss * pageSize
			}
		}
		u.Processes++
	}
	return u
}

// clockTicks is USER_HZ, the unit of times in /proc/PID/stat; it is 100 on
// every Linux architecture Go supports.
const clockTicks = 100
