package dataplane

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// DroppedRequestHeader reports whether API Gateway drops a client request header before
// any integration sees it, proxy integrations and the Lambda proxy event included
// (reference/gateway-responses.md §3). name is in canonical form.
func DroppedRequestHeader(name string) bool {
	switch name {
	case "Connection", "Content-Length", "Content-Md5", "Expect", "Max-Forwards", "Proxy-Authenticate",
		"Server", "Te", "Transfer-Encoding", "Trailer", "Upgrade", "Www-Authenticate", "Keep-Alive", "Proxy-Connection":
		return true
	}
	return false
}

// remapKind says how one integration response header reaches the client.
type remapKind uint8

const (
	headerKeep remapKind = iota
	headerRemap
	headerDrop
)

// responseHeaderRule applies AWS's remapping of integration response headers: names that
// collide with headers API Gateway sets itself come back as x-amzn-Remapped-<name>;
// Transfer-Encoding is dropped. Non-proxy HTTP and AWS integrations remap a longer list
// (reference/gateway-responses.md §3, LocalStack tables from TestApiGatewayHeaderRemapping).
func responseHeaderRule(name string, nonProxy bool) remapKind {
	switch {
	case foldIn(name, "transfer-encoding"):
		return headerDrop
	case foldIn(name, "connection", "content-length", "date", "server"):
		return headerRemap
	case nonProxy && foldIn(name, "authorization", "content-md5", "expect", "host", "max-forwards",
		"proxy-authenticate", "trailer", "upgrade", "user-agent", "www-authenticate"):
		return headerRemap
	}
	return headerKeep
}

// foldIn reports whether name equals one of the lower-case names, ignoring case, without
// allocating.
func foldIn(name string, lower ...string) bool {
	for _, l := range lower {
		if len(l) == len(name) && strings.EqualFold(l, name) {
			return true
		}
	}
	return false
}

// writeMethodResponseHeaders copies the method response headers to w, remapping reserved
// names for integrations other than MOCK, keeping the names' casing except Content-Type
// (kept canonical so the server does not add a second one). It reports whether a
// Content-Type was set.
func writeMethodResponseHeaders(dst http.Header, src http.Header, typ string) bool {
	hasType := false
	remap := typ != "MOCK"
	nonProxy := typ == "HTTP" || typ == "AWS"
	for k, v := range src {
		if len(v) == 0 || !validHeaderName(k) {
			continue
		}
		if strings.EqualFold(k, "Content-Type") {
			dst["Content-Type"] = v
			hasType = true
			continue
		}
		if remap {
			switch responseHeaderRule(k, nonProxy) {
			case headerDrop:
				continue
			case headerRemap:
				dst["x-amzn-Remapped-"+k] = v
				continue
			}
		}
		dst[k] = v
	}
	return hasType
}

// newTraceID returns an X-Ray trace id, Root=1-{epoch seconds in hex}-{96 random bits}, as
// API Gateway passes to Lambda and AWS integrations (X-Amzn-Trace-Id). A Root the client
// sent is continued.
func newTraceID(now time.Time, clientHeader string) string {
	if clientHeader != "" {
		for part := range strings.SplitSeq(clientHeader, ";") {
			if root, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok && root != "" {
				return "Root=" + root
			}
		}
	}
	var b [4 + 12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(now.Unix()))
	binary.BigEndian.PutUint64(b[4:12], rand.Uint64())
	binary.BigEndian.PutUint32(b[12:], rand.Uint32())
	var out [len("Root=1-") + 8 + 1 + 24]byte
	n := copy(out[:], "Root=1-")
	hex.Encode(out[n:], b[:4])
	out[n+8] = '-'
	hex.Encode(out[n+9:], b[4:])
	return string(out[:])
}

// validHeaderName reports whether name is an HTTP token (RFC 9110 §5.1).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if strings.IndexByte("!#$%&'*+-.^_`|~", c) < 0 {
			return false
		}
	}
	return true
}
