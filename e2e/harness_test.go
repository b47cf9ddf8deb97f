// Package e2e holds black-box tests of the apigw-local binary: each test builds nothing but
// starts the binary TestMain built, on a free loopback port, and drives it with the real
// aws-sdk-go-v2 clients and plain HTTP, as a user's CI would.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// binary is the apigw-local executable TestMain built.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apigw-local-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "apigw-local")
	build := exec.Command("go", "build", "-o", binary, "-ldflags", "-X main.version=e2e", "../cmd/apigw-local")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build apigw-local:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// emulator is a running apigw-local process.
type emulator struct {
	URL  string
	cmd  *exec.Cmd
	done chan struct{}

	mu     sync.Mutex
	stderr strings.Builder
}

var listenRE = regexp.MustCompile(`listening on (http://\S+)`)

// start runs the binary with "start --port 0" plus args and waits for its address.
func start(t *testing.T, args ...string) *emulator {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"start", "--port", "0", "--log-level", "debug"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	e := &emulator{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.stderr.Write(p)
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(e.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("emulator log:\n%s", e.log())
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case e.URL = <-addr:
	case <-e.done:
		t.Fatalf("emulator exited before listening:\n%s", e.log())
	case <-time.After(20 * time.Second):
		t.Fatalf("emulator did not print its address:\n%s", e.log())
	}
	return e
}

func (e *emulator) log() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stderr.String()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// awsConfig points the SDK at the emulator.
func (e *emulator) awsConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.URL),
	}
}

func (e *emulator) apigw() *apigateway.Client { return apigateway.NewFromConfig(e.awsConfig()) }

// invokeURL is the /_aws/execute-api form of a stage URL.
func (e *emulator) invokeURL(apiID, stage string) string {
	return e.URL + "/_aws/execute-api/" + apiID + "/" + stage
}

// response is what a plain HTTP call returned.
type response struct {
	Status int
	Header http.Header
	Body   string
}

// do sends one HTTP request with optional headers ("Name: value").
func do(t *testing.T, method, url string, body io.Reader, headers ...string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		if strings.EqualFold(k, "Host") {
			req.Host = strings.TrimSpace(v)
			continue
		}
		req.Header.Add(k, strings.TrimSpace(v))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// wantGatewayError checks a gateway error response: status, exact body, and AWS's headers.
func wantGatewayError(t *testing.T, r response, status int, body, errorType string) {
	t.Helper()
	if r.Status != status || r.Body != body {
		t.Errorf("got %d %s, want %d %s", r.Status, r.Body, status, body)
	}
	if got := r.Header.Get("X-Amzn-Errortype"); got != errorType {
		t.Errorf("x-amzn-ErrorType = %q, want %q", got, errorType)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	wantRequestIDs(t, r)
}

var (
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	apigwRE = regexp.MustCompile(`^[A-Za-z0-9+/]{15}=$`)
)

// wantRequestIDs checks x-amzn-RequestId (a UUID) and x-amz-apigw-id.
func wantRequestIDs(t *testing.T, r response) {
	t.Helper()
	if got := r.Header.Get("X-Amzn-Requestid"); !uuidRE.MatchString(got) {
		t.Errorf("x-amzn-RequestId = %q, want a UUID", got)
	}
	if got := r.Header.Get("X-Amz-Apigw-Id"); !apigwRE.MatchString(got) {
		t.Errorf("x-amz-apigw-id = %q, want 15 base64 characters and =", got)
	}
}
