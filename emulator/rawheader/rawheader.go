// Package rawheader recovers the header names of HTTP/1.x requests as the client wrote them.
// Go's server canonicalises names (content-type becomes Content-Type), but API Gateway keeps
// the client's casing in the Lambda proxy event and in mapping templates, and handlers
// written against AWS depend on it (event.headers['content-type'] from a client that sends
// lower case).
//
// Listen wraps a listener so that every connection scans the bytes the server reads from it
// for request header blocks and queues their header names; Names pops the queue once per
// request. The scan follows request framing (Content-Length and chunked bodies) and gives up
// on anything it cannot follow (a line over 16 KB, an upgrade, a malformed chunk), after
// which the connection's requests fall back to canonical names. Names also checks the
// names it returns against the request's parsed headers, so a lost step can never attribute
// another request's names.
package rawheader

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
)

// Listen wraps ln so that its connections record header names.
func Listen(ln net.Listener) net.Listener { return &listener{Listener: ln} }

type listener struct{ net.Listener }

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c}, nil
}

type ctxKey struct{}

// ConnContext is an http.Server ConnContext hook that makes a connection accepted by a
// Listen listener reachable from its requests.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if rc, ok := c.(*Conn); ok {
		return context.WithValue(ctx, ctxKey{}, rc)
	}
	return ctx
}

// Names returns the header names of r in the order and casing the client sent them, or nil
// when they are not known (a connection not from Listen, HTTP/2, a stream the scanner could
// not follow). Call it once per request: it consumes the connection's queue.
func Names(r *http.Request) []string {
	c, _ := r.Context().Value(ctxKey{}).(*Conn)
	if c == nil || r.ProtoMajor != 1 {
		return nil
	}
	names := c.pop()
	if !matches(names, r.Header) {
		return nil
	}
	return names
}

// matches reports whether names are exactly the request's header names (Host,
// Transfer-Encoding and Trailer, which Go moves out of the map, aside).
func matches(names []string, h http.Header) bool {
	if names == nil {
		return false
	}
	distinct := 0
	for i, n := range names {
		k := textproto.CanonicalMIMEHeaderKey(n)
		if k == "Host" || k == "Transfer-Encoding" || k == "Trailer" {
			continue
		}
		if _, ok := h[k]; !ok {
			return false
		}
		first := true
		for _, prev := range names[:i] {
			if strings.EqualFold(prev, n) {
				first = false
				break
			}
		}
		if first {
			distinct++
		}
	}
	return distinct == len(h)
}

// Conn is a connection that records the header names of the requests read from it.
type Conn struct {
	net.Conn
	mu    sync.Mutex
	s     scanner
	queue [][]string
}

// Read reads from the connection and scans what it read.
func (c *Conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.mu.Lock()
		c.s.feed(b[:n], func(names []string) {
			if len(c.queue) < maxQueued {
				c.queue = append(c.queue, names)
			}
		})
		c.mu.Unlock()
	}
	return n, err
}

// maxQueued bounds the header blocks a connection keeps for requests not yet handled.
const maxQueued = 16

func (c *Conn) pop() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		return nil
	}
	names := c.queue[0]
	c.queue[0] = nil
	c.queue = c.queue[1:]
	return names
}

// maxLine bounds a request or header line the scanner buffers (Go's server allows 1 MB of
// headers in all; lines longer than this only lose their casing).
const maxLine = 16 << 10

type state uint8

const (
	stRequestLine state = iota
	stHeaders
	stBody
	stChunkSize
	stChunkData
	stTrailers
	stBroken
)

// scanner follows HTTP/1.x request framing over a byte stream.
type scanner struct {
	st   state
	line []byte
	// names holds the current block's header names back to back; ends their end offsets.
	names   []byte
	ends    []int
	length  int64 // bytes of body or chunk (with its CRLF) still to skip
	chunked bool
}

// block returns the current block's names as strings sharing one allocation.
func (s *scanner) block() []string {
	all := string(s.names)
	out := make([]string, len(s.ends))
	start := 0
	for i, end := range s.ends {
		out[i] = all[start:end]
		start = end
	}
	return out
}

// feed scans p, calling emit with the header names of each complete header block.
func (s *scanner) feed(p []byte, emit func([]string)) {
	for len(p) > 0 {
		switch s.st {
		case stBroken:
			return
		case stBody, stChunkData:
			n := int64(len(p))
			if n > s.length {
				n = s.length
			}
			s.length -= n
			p = p[n:]
			if s.length == 0 {
				if s.st == stChunkData {
					s.st = stChunkSize
				} else {
					s.st = stRequestLine
				}
			}
		default:
			i := indexLF(p)
			if i < 0 {
				s.appendLine(p)
				return
			}
			s.appendLine(p[:i])
			p = p[i+1:]
			if s.st == stBroken {
				return
			}
			line := trimCR(s.line)
			s.line = s.line[:0]
			s.onLine(line, emit)
		}
	}
}

func (s *scanner) appendLine(p []byte) {
	if len(s.line)+len(p) > maxLine {
		s.st = stBroken
		s.line = nil
		return
	}
	s.line = append(s.line, p...)
}

func (s *scanner) onLine(line []byte, emit func([]string)) {
	switch s.st {
	case stRequestLine:
		if len(line) == 0 {
			return // tolerated blank lines between requests
		}
		s.st, s.names, s.ends, s.length, s.chunked = stHeaders, s.names[:0], s.ends[:0], 0, false
	case stHeaders:
		if len(line) > 0 {
			s.header(line)
			return
		}
		emit(s.block())
		switch {
		case s.chunked:
			s.st = stChunkSize
		case s.length > 0:
			s.st = stBody
		default:
			s.st = stRequestLine
		}
	case stChunkSize:
		size := line
		if i := indexByte(size, ';'); i >= 0 {
			size = size[:i]
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(size)), 16, 64)
		if err != nil || n < 0 {
			s.st = stBroken
			return
		}
		if n == 0 {
			s.st = stTrailers
			return
		}
		s.length, s.st = n+2, stChunkData
	case stTrailers:
		if len(line) == 0 {
			s.st = stRequestLine
		}
	}
}

// header records one header line's name and the framing headers' values.
func (s *scanner) header(line []byte) {
	colon := indexByte(line, ':')
	if colon <= 0 || line[0] == ' ' || line[0] == '\t' {
		return // obsolete folding or junk: Go's server rejects such requests itself
	}
	name := line[:colon]
	s.names = append(s.names, name...)
	s.ends = append(s.ends, len(s.names))
	switch {
	case asciiFold(name, "content-length"):
		value := strings.TrimSpace(string(line[colon+1:]))
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 {
			s.st = stBroken
			return
		}
		s.length = n
	case asciiFold(name, "transfer-encoding"):
		value := strings.TrimSpace(string(line[colon+1:]))
		s.chunked = strings.EqualFold(value, "chunked") || strings.HasSuffix(strings.ToLower(value), ",chunked") || strings.HasSuffix(strings.ToLower(value), ", chunked")
	case asciiFold(name, "upgrade"):
		s.st = stBroken // the stream stops being HTTP/1.x
	}
}

func indexLF(p []byte) int { return bytes.IndexByte(p, '\n') }

func indexByte(p []byte, c byte) int { return bytes.IndexByte(p, c) }

// asciiFold reports whether b equals the lower-case ASCII name, ignoring case.
func asciiFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func trimCR(p []byte) []byte {
	if n := len(p); n > 0 && p[n-1] == '\r' {
		return p[:n-1]
	}
	return p
}
