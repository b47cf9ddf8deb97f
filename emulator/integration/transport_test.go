package integration

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is an httptest server that counts the connections it accepted.
type countingServer struct {
	*httptest.Server
	conns atomic.Int32
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// fallbackCounter records requests that went to the fallback transport.
type fallbackCounter struct{ n atomic.Int32 }

func (f *fallbackCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	f.n.Add(1)
	return http.DefaultTransport.RoundTrip(req)
}

// send makes one request through tr with a deadline and reads the whole body.
func send(t *testing.T, tr http.RoundTripper, method, url, body string) (int, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestDirectTransport(t *testing.T) {
	handler := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/close":
			w.Header().Set("Connection", "close")
		case "/chunked":
			w.(http.Flusher).Flush() // no Content-Length: chunked
		case "/hints":
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
		}
		_, _ = io.WriteString(w, r.Method+" "+r.URL.RequestURI()+" "+string(b))
	}
	tests := []struct {
		name      string
		calls     []string // "METHOD /path body"
		between   func(s *countingServer)
		wantBody  string // of the last call
		wantConns int32
	}{
		{"keep-alive reuse", []string{"GET /a", "GET /b?x=1"}, nil, "GET /b?x=1 ", 1},
		{"POST body", []string{"POST /p hello", "POST /p world"}, nil, "POST /p world", 1},
		{"server asks to close", []string{"GET /close", "GET /close"}, nil, "GET /close ", 2},
		{"chunked response", []string{"GET /chunked", "GET /chunked"}, nil, "GET /chunked ", 1},
		{"1xx skipped", []string{"GET /hints", "GET /hints"}, nil, "GET /hints ", 1},
		{"HEAD", []string{"HEAD /h", "GET /h"}, nil, "GET /h ", 1},
		{"idle connection closed by the server is not reused", []string{"POST /r one", "POST /r two"},
			func(s *countingServer) { s.CloseClientConnections() }, "POST /r two", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCountingServer(t, handler)
			fb := &fallbackCounter{}
			tr := newDirectTransport(fb)
			defer tr.CloseIdleConnections()
			var body string
			for i, call := range tt.calls {
				if i > 0 && tt.between != nil {
					tt.between(s)
				}
				method, rest, _ := strings.Cut(call, " ")
				path, reqBody, _ := strings.Cut(rest, " ")
				status, b, err := send(t, tr, method, s.URL+path, reqBody)
				if err != nil || status != 200 {
					t.Fatalf("%s: %d %q %v", call, status, b, err)
				}
				body = b
			}
			if body != tt.wantBody || s.conns.Load() != tt.wantConns || fb.n.Load() != 0 {
				t.Errorf("body %q, %d connections, %d fallback calls; want %q, %d, 0", body, s.conns.Load(), fb.n.Load(), tt.wantBody, tt.wantConns)
			}
		})
	}
}

func TestDirectTransportDeadlineAndFallback(t *testing.T) {
	release := make(chan struct{})
	s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			<-release
		}
		_, _ = io.WriteString(w, "ok")
	})
	defer close(release)
	fb := &fallbackCounter{}
	tr := newDirectTransport(fb)
	defer tr.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/hang", nil)
	t0 := time.Now()
	if _, err := tr.RoundTrip(req); err == nil || time.Since(t0) > time.Second {
		t.Errorf("hanging backend: %v after %s", err, time.Since(t0))
	}

	// A request without a deadline goes to the fallback transport.
	req, _ = http.NewRequest("GET", s.URL+"/x", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if fb.n.Load() != 1 {
		t.Errorf("fallback calls %d", fb.n.Load())
	}

	// A body closed before its end does not return the connection to the pool.
	before := s.conns.Load()
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/x", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cancel()
	}
	if got := s.conns.Load() - before; got != 2 {
		t.Errorf("%d new connections, want 2", got)
	}
}
