// Command loadgen is apigw-local's end-to-end benchmark (make bench). In one run it starts
// a bare net/http server that returns the same bytes as each scenario, and the apigw-local
// binary; it drives both with the same bounded load and prints throughput, p50 and p99 for
// each, and their ratio. It also reports the binary's start-to-first-request time and its
// idle resident memory, and management API throughput through the aws-sdk-go-v2 client.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func main() {
	binary := flag.String("binary", "bin/apigw-local", "apigw-local binary to benchmark")
	duration := flag.Duration("duration", 5*time.Second, "length of each load run")
	maxRequests := flag.Int("max-requests", 500000, "upper bound of requests per load run")
	flag.Parse()
	if err := run(*binary, *duration, *maxRequests); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// bench is one running emulator process.
type bench struct {
	url string
	cmd *exec.Cmd
}

var listenRE = regexp.MustCompile(`listening on (http://\S+)`)

func startBinary(binary string, args ...string) (*bench, time.Time, error) {
	cmd := exec.Command(binary, append([]string{"start", "--port", "0", "--log-level", "warn"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, time.Time{}, err
	}
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, t0, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
				}
			}()
			return &bench{url: m[1], cmd: cmd}, t0, nil
		}
	}
	return nil, t0, fmt.Errorf("%s did not print its address", binary)
}

func (b *bench) stop() {
	_ = b.cmd.Process.Signal(os.Interrupt)
	_ = b.cmd.Wait()
}

// rssKB reads a process's resident set size from /proc.
func rssKB(pid int) (int, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.Atoi(strings.Fields(v)[0])
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

// bare serves body with status 200 on a loopback port: the baseline.
func bare(body []byte, header http.Header) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func run(binary string, duration time.Duration, maxRequests int) error {
	ctx := context.Background()
	// The account's default throttle (10,000 rps, as on AWS) would cap the throughput runs;
	// the usage plan scenario has limits of its own.
	b, t0, err := startBinary(binary, "--account-throttle", "-1:-1")
	if err != nil {
		return err
	}
	defer b.stop()
	client := newClient(1)
	var firstServed time.Duration
	for {
		if status, _, err := get(client, b.url+"/_apigw-local/health"); err == nil && status == 200 {
			firstServed = time.Since(t0)
			break
		}
		if time.Since(t0) > 10*time.Second {
			return fmt.Errorf("emulator did not answer within 10s")
		}
		time.Sleep(time.Millisecond)
	}
	idle, err := rssKB(b.cmd.Process.Pid)
	if err != nil {
		return err
	}
	fmt.Printf("apigw-local %s\n", binary)
	fmt.Printf("start to first served request: %s (target < 100ms)\n", ms(firstServed))
	fmt.Printf("idle resident memory:          %.1f MB (target < 30 MB)\n\n", float64(idle)/1024)

	mockURL, body, err := setupMock(ctx, b.url)
	if err != nil {
		return fmt.Errorf("set up MOCK scenario: %w", err)
	}
	bareURL, stopBare, err := bare(body, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		return err
	}
	defer stopBare()

	fmt.Printf("%-22s %5s | %10s %9s %9s | %10s %9s %9s | %6s %9s\n", "scenario", "conns", "req/s", "p50", "p99", "bare req/s", "p50", "p99", "ratio", "p50 Δ")
	for _, conns := range []int{1, 50} {
		c := newClient(conns)
		// Warm both up so connection setup is not measured.
		load(ctx, c, mockURL, conns, 300*time.Millisecond, 5000, 200, body)
		load(ctx, c, bareURL, conns, 300*time.Millisecond, 5000, 200, body)
		emu := load(ctx, c, mockURL, conns, duration, maxRequests, 200, body)
		base := load(ctx, c, bareURL, conns, duration, maxRequests, 200, body)
		if emu.Errors > 0 || base.Errors > 0 {
			return fmt.Errorf("MOCK at %d conns: %d errors (bare %d)", conns, emu.Errors, base.Errors)
		}
		fmt.Printf("%-22s %5d | %10.0f %9s %9s | %10.0f %9s %9s | %5.0f%% %9s\n", "MOCK + template", conns,
			emu.RPS(), ms(emu.P50), ms(emu.P99), base.RPS(), ms(base.P50), ms(base.P99), 100*emu.RPS()/base.RPS(), ms(emu.P50-base.P50))
	}
	fmt.Println("targets: MOCK ≥ 50% of bare throughput at 50 connections; p50 within 0.2ms of bare at 1 connection")
	if err := runIntegrations(ctx, binary, b.url, duration, maxRequests); err != nil {
		return fmt.Errorf("integration scenarios: %w", err)
	}
	if err := runPlan(ctx, b.url); err != nil {
		return err
	}

	rps, err := mgmtLoad(ctx, b.url, 4, duration)
	if err != nil {
		return err
	}
	fmt.Printf("\nmanagement API: %.0f GetRestApi calls/s through aws-sdk-go-v2 at concurrency 4 (target ≥ 5000)\n", rps)
	after, _ := rssKB(b.cmd.Process.Pid)
	fmt.Printf("resident memory after the runs: %.1f MB\n", float64(after)/1024)
	return nil
}
