// Command transport measures the engine's HTTP transport against an
// agentbay-local in another process, so that the process time it reads is
// the client's alone: net/http's Transport (AGENTBAY_HTTP_TRANSPORT=std,
// HTTP/2 as agentbay-local offers it) against the direct one, in alternating
// rounds of the same run.
//
//	transport [-rounds 3] [-calls 3000] path/to/agentbay-local
package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/libagentbay/libagentbay/core/agentbay"
)

func main() {
	rounds := flag.Int("rounds", 3, "alternating rounds of each transport")
	calls := flag.Int("calls", 3000, "sequential GetLabels calls per round")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: transport [-rounds N] [-calls N] path/to/agentbay-local")
		os.Exit(2)
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "transport:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(flag.Arg(0), *rounds, *calls); err != nil {
		fmt.Fprintln(os.Stderr, "transport:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(server string, rounds, calls int) error {
	data, err := os.MkdirTemp("", "agentbay-bench-transport-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	key := "bench-transport-key"
	cmd := exec.Command(server, "serve", "--tls", "--listen", "127.0.0.1:0", "--data", data, "--api-key", key)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	endpoint, err := banner(out)
	if err != nil {
		return err
	}
	pem, err := os.ReadFile(filepath.Join(data, "cert.pem"))
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)

	fmt.Printf("GetLabels over https to agentbay-local, %d calls per round; CPU is this process's\n", calls)
	fmt.Printf("%-6s %-7s %14s %14s %22s\n", "round", "client", "CPU/call us", "wall/call us", "burst of 64 ms")
	for r := 1; r <= rounds; r++ {
		for _, name := range []string{"std", "direct"} {
			m, err := measure(name, endpoint, key, roots, calls)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fmt.Printf("%-6d %-7s %14.1f %14.1f %22.1f\n", r, name, m.cpu, m.wall, m.burst)
		}
	}
	return nil
}

type figures struct{ cpu, wall, burst float64 }

// measure makes a client with the named transport and one session, then
// times calls sequential GetLabels (CPU and median wall per call) and 50
// bursts of 64 concurrent ones (median wall per burst, in ms).
func measure(transport, endpoint, key string, roots *x509.CertPool, calls int) (figures, error) {
	os.Setenv("AGENTBAY_HTTP_TRANSPORT", transport) // read when the client is made
	ctx := context.Background()
	c, err := agentbay.New(ctx, agentbay.Config{APIKey: key, Endpoint: "https://" + endpoint, RootCAs: roots})
	if err != nil {
		return figures{}, err
	}
	defer c.Close()
	r, err := c.Create(ctx, agentbay.CreateParams{Labels: map[string]string{"bench": transport}})
	if err != nil {
		return figures{}, err
	}
	s := r.Session
	defer s.Delete(ctx, false)
	call := func() error { _, err := s.GetLabels(ctx); return err }
	for range 200 { // warm-up: connections made, code paged in
		if err := call(); err != nil {
			return figures{}, err
		}
	}
	walls := make([]float64, calls)
	cpu0 := cpuTime()
	for i := range walls {
		start := time.Now()
		if err := call(); err != nil {
			return figures{}, err
		}
		walls[i] = float64(time.Since(start).Microseconds())
	}
	f := figures{cpu: float64((cpuTime() - cpu0).Microseconds()) / float64(calls), wall: median(walls)}
	bursts := make([]float64, 50)
	for i := range bursts {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for range 64 {
			wg.Go(func() {
				if err := call(); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return figures{}, err
		}
		bursts[i] = float64(time.Since(start).Microseconds()) / 1e3
	}
	f.burst = median(bursts)
	return f, nil
}

func banner(out interface{ Read([]byte) (int, error) }) (string, error) {
	re := regexp.MustCompile(`serving https://(\S+)`)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go func() { // keep draining, so the server never blocks on the pipe
				for sc.Scan() {
				}
			}()
			return m[1], nil
		}
	}
	return "", fmt.Errorf("agentbay-local printed no endpoint")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}
