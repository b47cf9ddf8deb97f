package rawheader

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// serve starts a server on a Listen listener that records Names of every request.
func serve(t *testing.T) (string, func() [][]string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got [][]string
	srv := &http.Server{
		ConnContext: ConnContext,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			names := Names(r)
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			got = append(got, names)
			mu.Unlock()
			_, _ = io.WriteString(w, "ok")
		}),
	}
	go func() { _ = srv.Serve(Listen(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), func() [][]string {
		mu.Lock()
		defer mu.Unlock()
		return append([][]string(nil), got...)
	}
}

// exchange writes raw requests on one connection and reads n responses.
func exchange(t *testing.T, addr, raw string, n int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		n    int
		want [][]string
	}{
		{"lower case", "GET / HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\nx-custom-HEADER: 1\r\n\r\n", 1,
			[][]string{{"host", "content-type", "x-custom-HEADER"}}},
		{"keep-alive with a body between", "POST / HTTP/1.1\r\nHost: x\r\ncontent-length: 5\r\n\r\nhello" +
			"GET /b HTTP/1.1\r\nHost: x\r\nACCEPT: */*\r\n\r\n", 2,
			[][]string{{"Host", "content-length"}, {"Host", "ACCEPT"}}},
		{"chunked body with trailers", "POST / HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nx-trailer: 1\r\n\r\n" +
			"GET / HTTP/1.1\r\nhost: x\r\nx-next: y\r\n\r\n", 2,
			[][]string{{"Host", "transfer-encoding"}, {"host", "x-next"}}},
		{"repeated header", "GET / HTTP/1.1\r\nHost: x\r\naccept: a\r\nAccept: b\r\n\r\n", 1,
			[][]string{{"Host", "accept", "Accept"}}},
		{"body containing a header block", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 32\r\n\r\nGET / HTTP/1.1\r\nfake-header: 1\r\n" +
			"GET / HTTP/1.1\r\nHost: x\r\nreal: 1\r\n\r\n", 2,
			[][]string{{"Host", "Content-Length"}, {"Host", "real"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, got := serve(t)
			exchange(t, addr, tt.raw, tt.n)
			if diff := cmp.Diff(tt.want, got()); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNamesFallBackWhenLost(t *testing.T) {
	addr, got := serve(t)
	// A line longer than the scanner keeps: that request and the next fall back to nil.
	raw := "GET / HTTP/1.1\r\nHost: x\r\nx-long: " + strings.Repeat("a", maxLine+1) + "\r\n\r\n" +
		"GET / HTTP/1.1\r\nhost: x\r\nx-after: 1\r\n\r\n"
	exchange(t, addr, raw, 2)
	if diff := cmp.Diff([][]string{nil, nil}, got()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestMatches(t *testing.T) {
	h := http.Header{"Content-Type": {"a"}, "Accept": {"b", "c"}}
	for _, tt := range []struct {
		names []string
		want  bool
	}{
		{[]string{"host", "content-type", "accept", "ACCEPT"}, true},
		{[]string{"content-type"}, false},
		{[]string{"content-type", "accept", "x-other"}, false},
		{nil, false},
	} {
		if got := matches(tt.names, h); got != tt.want {
			t.Errorf("matches(%q) = %v, want %v", tt.names, got, tt.want)
		}
	}
}

func FuzzScanner(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s scanner
		// Any split of the stream gives the same blocks.
		var whole, split [][]string
		s.feed(data, func(n []string) { whole = append(whole, n) })
		var s2 scanner
		for i := 0; i < len(data); i += 7 {
			s2.feed(data[i:min(i+7, len(data))], func(n []string) { split = append(split, n) })
		}
		if !cmp.Equal(whole, split) {
			t.Fatalf("feeding in pieces changed the blocks: %q vs %q", whole, split)
		}
	})
}

func BenchmarkScanner(b *testing.B) {
	req := []byte("GET /pets/42 HTTP/1.1\r\nHost: localhost:4566\r\nUser-Agent: Go-http-client/1.1\r\nAccept: application/json\r\ncontent-type: application/json\r\nx-api-key: abc\r\n\r\n")
	var s scanner
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	for b.Loop() {
		s.feed(req, func([]string) {})
	}
}
