package lambdarunner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

// Benchmarks. Latency figures are reported as extra metrics (p50-µs, p99-µs), throughput as
// invokes/s, memory as rss-MB. Run them with, for example:
//
//	go test ./lambdarunner -run '^$' -bench . -benchtime 3000x

// apiInvoker posts events to the Invoke API over a keep-alive loopback connection.
type apiInvoker struct {
	url    string
	client *http.Client
}

func newAPIInvoker(b *testing.B, m *lambdarunner.Manager, name string) *apiInvoker {
	b.Helper()
	srv := httptest.NewServer(m.Handler())
	b.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	return &apiInvoker{url: srv.URL + "/2015-03-31/functions/" + name + "/invocations", client: &http.Client{Transport: tr}}
}

func (a *apiInvoker) invoke(b *testing.B, payload []byte) {
	resp, err := a.client.Post(a.url, "application/json", bytes.NewReader(payload))
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Function-Error") != "" {
		b.Fatalf("status %d, function error %q: %s", resp.StatusCode, resp.Header.Get("X-Amz-Function-Error"), body)
	}
}

func reportLatencies(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// sequential runs b.N invocations one after another and reports their latency percentiles.
func sequential(b *testing.B, do func()) {
	do() // warm
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t := time.Now()
		do()
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	reportLatencies(b, lat)
}

var echoEvent = []byte(`{"hello":"world","n":1}`)

// BenchmarkWarmGoInvokeAPI is a warm Runtime API invocation of the Go echo function, measured end
// to end through the Invoke API (HTTP client → Invoke API → Runtime API → process → back).
func BenchmarkWarmGoInvokeAPI(b *testing.B) {
	m := newManager(b, lambdarunner.Config{})
	register(b, m, goFunction("echo", nil))
	api := newAPIInvoker(b, m, "echo")
	sequential(b, func() { api.invoke(b, echoEvent) })
}

// BenchmarkWarmGoInvokeAPIConcurrency4 is the same with 4 concurrent clients (4 environments).
func BenchmarkWarmGoInvokeAPIConcurrency4(b *testing.B) {
	m := newManager(b, lambdarunner.Config{})
	register(b, m, goFunction("echo", nil))
	api := newAPIInvoker(b, m, "echo")
	const workers = 4
	var wg sync.WaitGroup
	for range workers { // warm four environments
		wg.Go(func() { api.invoke(b, echoEvent) })
	}
	wg.Wait()
	b.ResetTimer()
	start := time.Now()
	next := make(chan struct{}, b.N)
	for range b.N {
		next <- struct{}{}
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for range next {
				api.invoke(b, echoEvent)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "invokes/s")
}

// BenchmarkInProcessInvoke is Manager.Invoke of an in-process Go echo handler; compare with
// BenchmarkInProcessHandlerOnly for the runner's own overhead.
func BenchmarkInProcessInvoke(b *testing.B) {
	m := newManager(b, lambdarunner.Config{})
	if err := m.RegisterHandler(lambdarunner.FunctionConfig{Name: "echo"}, echoHandler); err != nil {
		b.Fatal(err)
	}
	req := &lambdarunner.InvokeRequest{FunctionName: "echo", Payload: echoEvent}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Invoke(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInProcessHandlerOnly calls the same handler through aws-lambda-go alone.
func BenchmarkInProcessHandlerOnly(b *testing.B) {
	h := lambda.NewHandler(echoHandler)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, echoEvent); err != nil {
			b.Fatal(err)
		}
	}
}

func echoHandler(_ context.Context, e json.RawMessage) (json.RawMessage, error) { return e, nil }

// BenchmarkWarmNodeInvokeAPI is a warm Node.js invocation through the Invoke API.
func BenchmarkWarmNodeInvokeAPI(b *testing.B) {
	requireInterpreter(b, "node", "nodejs")
	m := newManager(b, lambdarunner.Config{})
	register(b, m, lambdarunner.FunctionConfig{Name: "node", Runtime: "nodejs20.x", Handler: "app.handler", CodeDir: testdata(b, "node", "esm")})
	api := newAPIInvoker(b, m, "node")
	sequential(b, func() { api.invoke(b, echoEvent) })
}

// BenchmarkWarmPythonInvokeAPI is a warm Python invocation through the Invoke API.
func BenchmarkWarmPythonInvokeAPI(b *testing.B) {
	requireInterpreter(b, "python3", "python3")
	m := newManager(b, lambdarunner.Config{})
	register(b, m, lambdarunner.FunctionConfig{Name: "py", Runtime: "python3.12", Handler: "app.handler", CodeDir: testdata(b, "python", "app")})
	api := newAPIInvoker(b, m, "py")
	sequential(b, func() { api.invoke(b, echoEvent) })
}

// BenchmarkColdStartGo is the first invocation of an already-built Go function: process start,
// runtime init, one event.
func BenchmarkColdStartGo(b *testing.B) {
	m := newManager(b, lambdarunner.Config{})
	register(b, m, goFunction("build", nil)) // builds into the cache once
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		name := "cold" + strconv.Itoa(i)
		register(b, m, goFunction(name, nil))
		b.StartTimer()
		t := time.Now()
		resp, err := m.Invoke(context.Background(), &lambdarunner.InvokeRequest{FunctionName: name, Payload: echoEvent})
		lat = append(lat, time.Since(t))
		b.StopTimer()
		if err != nil || resp.FunctionError != "" {
			b.Fatal(err, resp)
		}
		if err := m.Unregister(context.Background(), name); err != nil {
			b.Fatal(err)
		}
	}
	reportLatencies(b, lat)
}

// BenchmarkRSSAfter50ConcurrentNode sends 50 concurrent requests to a Node.js function through the
// Invoke API, then reports the resident memory of the emulator plus every function process
// (rss-MB), the figure serverless-offline is compared on. The maxenv variants cap environments.
func BenchmarkRSSAfter50ConcurrentNode(b *testing.B) {
	requireInterpreter(b, "node", "nodejs")
	for _, maxEnv := range []int{0, 4} {
		b.Run(fmt.Sprintf("maxenv=%d", maxEnv), func(b *testing.B) {
			for range b.N {
				m := newManager(b, lambdarunner.Config{MaxEnvironments: maxEnv})
				// 50 node processes starting at once on two cores need more than the 3 s default.
				register(b, m, lambdarunner.FunctionConfig{Name: "node", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: testdata(b, "node", "cjs"), Timeout: 30 * time.Second})
				api := newAPIInvoker(b, m, "node")
				var wg sync.WaitGroup
				for range 50 {
					wg.Go(func() { api.invoke(b, []byte(`{"action":"sleep","ms":50}`)) })
				}
				wg.Wait()
				total := rssMB(os.Getpid())
				pids := m.PIDs()
				for _, pid := range pids {
					total += rssMB(pid)
				}
				b.ReportMetric(total, "rss-MB")
				b.ReportMetric(float64(len(pids)), "processes")
				if err := m.Close(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// rssMB returns the current resident set of a process in MB.
func rssMB(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkWarmGoInvoke is a warm Runtime API invocation of the Go echo function through
// Manager.Invoke, without the Invoke API's HTTP hop.
func BenchmarkWarmGoInvoke(b *testing.B) {
	m := newManager(b, lambdarunner.Config{})
	register(b, m, goFunction("echo", nil))
	req := &lambdarunner.InvokeRequest{FunctionName: "echo", Payload: echoEvent}
	sequential(b, func() {
		if _, err := m.Invoke(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	})
}
