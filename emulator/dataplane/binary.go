package dataplane

import (
	"encoding/base64"
	"errors"
	"strings"
)

// mediaMatcher matches content types against an API's binaryMediaTypes: exact types,
// type wildcards (image/*) and */* (AWS developer guide, "Working with binary media types").
type mediaMatcher struct {
	exact    map[string]bool
	prefixes []string // "image/" for image/*
	subtypes []string // "/json" for */json
	all      bool     // */*
}

func newMediaMatcher(types []string) mediaMatcher {
	var m mediaMatcher
	for _, t := range types {
		t = normalMediaType(t)
		switch {
		case t == "*/*":
			m.all = true
		case strings.HasSuffix(t, "/*"):
			m.prefixes = append(m.prefixes, strings.TrimSuffix(t, "*"))
		case strings.HasPrefix(t, "*/"):
			m.subtypes = append(m.subtypes, strings.TrimPrefix(t, "*"))
		case t != "":
			if m.exact == nil {
				m.exact = map[string]bool{}
			}
			m.exact[t] = true
		}
	}
	return m
}

// empty reports whether the API has no binary media types.
func (m *mediaMatcher) empty() bool {
	return !m.all && len(m.exact) == 0 && len(m.prefixes) == 0 && len(m.subtypes) == 0
}

// match reports whether a Content-Type or Accept media type (parameters allowed) is binary.
func (m *mediaMatcher) match(ct string) bool {
	if m.all {
		return true
	}
	if m.empty() || ct == "" {
		return false
	}
	t := normalMediaType(ct)
	if m.exact[t] {
		return true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	for _, s := range m.subtypes {
		if strings.HasSuffix(t, s) {
			return true
		}
	}
	return false
}

// IsBinary reports whether a media type is one of the API's binaryMediaTypes.
func (d *Deployment) IsBinary(contentType string) bool { return d.binary.match(contentType) }

// RequestIsBinary reports whether the request body is binary: its Content-Type matches
// binaryMediaTypes.
func (x *Exchange) RequestIsBinary() bool {
	return len(x.Body) > 0 && x.Deployment.binary.match(x.Req.Header.Get("Content-Type"))
}

// AcceptsBinary reports whether the first media type of the request's Accept header
// matches binaryMediaTypes (AWS looks at the first one only).
func (x *Exchange) AcceptsBinary() bool {
	if x.Deployment.binary.empty() {
		return false
	}
	first, _, _ := strings.Cut(x.Req.Header.Get("Accept"), ",")
	return x.Deployment.binary.match(first)
}

// errBadBase64 reports text that CONVERT_TO_BINARY could not decode.
var errBadBase64 = errors.New("contentHandling CONVERT_TO_BINARY: the payload is not base64")

// DecodeBase64 decodes base64 text the way API Gateway's converter does: characters
// outside the base64 alphabet (quotes around a JSON string, line breaks) are skipped and
// padding is optional, so a Lambda function's "iVBOR..." JSON string decodes to its bytes.
func DecodeBase64(b []byte) ([]byte, error) {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '-':
			clean = append(clean, '+')
		case c == '_':
			clean = append(clean, '/')
		}
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		return nil, errBadBase64
	}
	return out[:n], nil
}

// encodeBase64 is CONVERT_TO_TEXT of a binary payload.
func encodeBase64(b []byte) []byte {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out
}
