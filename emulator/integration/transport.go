package integration

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// directTransport sends plain-HTTP integration requests over pooled HTTP/1.1 connections
// in the caller's goroutine: write the request, read the response, hand the connection
// back when the body has been read. net/http's Transport spends two goroutines and their
// hand-offs on every request, a third of an HTTP_PROXY call on loopback; this one spends
// none. Anything else (https, a proxy from the environment, a context without a deadline)
// goes to the fallback transport.
type directTransport struct {
	fallback http.RoundTripper
	dialer   net.Dialer
	// maxIdle bounds the idle connections kept per host; idleTimeout drops older ones.
	maxIdle     int
	idleTimeout time.Duration

	mu   sync.Mutex
	idle map[string][]*directConn
}

// directConn is one pooled connection.
type directConn struct {
	conn      net.Conn
	br        *bufio.Reader
	bw        *bufio.Writer
	idleSince time.Time
}

func newDirectTransport(fallback http.RoundTripper) *directTransport {
	return &directTransport{fallback: fallback, maxIdle: 256, idleTimeout: 60 * time.Second, dialer: net.Dialer{KeepAlive: 30 * time.Second}}
}

// RoundTrip implements http.RoundTripper.
func (t *directTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	deadline, ok := req.Context().Deadline()
	if !ok || req.URL.Scheme != "http" || usesProxy(req) {
		return t.fallback.RoundTrip(req)
	}
	addr := req.URL.Host
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	for attempt := 0; ; attempt++ {
		c, reused, err := t.get(req.Context(), addr)
		if err != nil {
			return nil, err
		}
		resp, wrote, err := c.roundTrip(req, deadline)
		if err == nil {
			resp.Body = &directBody{ReadCloser: resp.Body, t: t, addr: addr, c: c, keep: !resp.Close}
			return resp, nil
		}
		_ = c.conn.Close()
		// A pooled connection the server closed just as it was taken fails before any
		// answer: try once more on a new one when that cannot repeat the request, as
		// net/http does — the request was not sent, or it is idempotent.
		retry := !wrote || idempotent(req.Method)
		if reused && attempt == 0 && retry && req.Context().Err() == nil && staleConnError(err) && (req.Body == nil || req.Body == http.NoBody || req.GetBody != nil) {
			if req.GetBody != nil {
				if req.Body, err = req.GetBody(); err != nil {
					return nil, err
				}
			}
			continue
		}
		return nil, err
	}
}

// usesProxy reports whether the environment routes req through a proxy.
func usesProxy(req *http.Request) bool {
	u, err := http.ProxyFromEnvironment(req)
	return err != nil || u != nil
}

func staleConnError(err error) bool {
	var op *net.OpError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &op) && !op.Timeout()
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// roundTrip writes req and reads the response head under deadline; wrote reports whether
// the request went out. 1xx informational responses are skipped.
func (c *directConn) roundTrip(req *http.Request, deadline time.Time) (resp *http.Response, wrote bool, err error) {
	if err := c.conn.SetDeadline(deadline); err != nil {
		return nil, false, err
	}
	if err := req.Write(c.bw); err != nil {
		return nil, false, err
	}
	if err := c.bw.Flush(); err != nil {
		return nil, false, err
	}
	for {
		resp, err := http.ReadResponse(c.br, req)
		if err != nil {
			return nil, true, err
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, true, nil
		}
		_ = resp.Body.Close()
	}
}

// get returns an idle connection to addr, or dials one.
func (t *directTransport) get(ctx context.Context, addr string) (*directConn, bool, error) {
	now := time.Now()
	t.mu.Lock()
	for l := t.idle[addr]; len(l) > 0; l = t.idle[addr] {
		c := l[len(l)-1]
		t.idle[addr] = l[:len(l)-1]
		if now.Sub(c.idleSince) < t.idleTimeout {
			t.mu.Unlock()
			if alive(c.conn) {
				return c, true, nil
			}
			_ = c.conn.Close()
			t.mu.Lock()
			continue
		}
		_ = c.conn.Close()
	}
	t.mu.Unlock()
	conn, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	return &directConn{conn: conn, br: bufio.NewReaderSize(conn, 4<<10), bw: bufio.NewWriterSize(conn, 4<<10)}, false, nil
}

// put pools a connection whose response was read completely.
func (t *directTransport) put(addr string, c *directConn) {
	if c.br.Buffered() > 0 || c.conn.SetDeadline(time.Time{}) != nil {
		_ = c.conn.Close() // unread bytes: the connection is not at a message boundary
		return
	}
	c.idleSince = time.Now()
	t.mu.Lock()
	if t.idle == nil {
		t.idle = map[string][]*directConn{}
	}
	if len(t.idle[addr]) < t.maxIdle {
		t.idle[addr] = append(t.idle[addr], c)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	_ = c.conn.Close()
}

// CloseIdleConnections closes the pooled connections (http.Client calls it).
func (t *directTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, l := range idle {
		for _, c := range l {
			_ = c.conn.Close()
		}
	}
	if ci, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// directBody returns the connection to the pool when the body has been read to its end,
// and closes it when the body is closed before.
type directBody struct {
	io.ReadCloser
	t    *directTransport
	addr string
	c    *directConn
	keep bool
	done bool
}

func (b *directBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		if b.keep {
			b.t.put(b.addr, b.c)
		} else {
			_ = b.c.conn.Close()
		}
	}
	return n, err
}

func (b *directBody) Close() error {
	if !b.done {
		b.done = true
		_ = b.c.conn.Close()
	}
	return nil
}
