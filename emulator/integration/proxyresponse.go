package integration

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// proxyResponse is a Lambda proxy response that passed the contract.
type proxyResponse struct {
	status int
	// header holds the names as the function wrote them, values merged.
	header http.Header
	body   []byte
	base64 bool
}

// errMalformed is AWS's log line for a response outside the contract: "Execution failed
// due to configuration error: Malformed Lambda proxy response".
var errMalformed = errors.New("execution failed due to configuration error: malformed Lambda proxy response")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// parseProxyResponse checks a function's output against the REST proxy response contract
// (reference/lambda-proxy.md §2): a JSON object whose keys are only statusCode, headers,
// multiValueHeaders, body and isBase64Encoded, each optional. Like the Java deserializer
// AWS uses, it accepts a numeric string as statusCode, scalars as header values and as the
// body, and null for any of them; anything else is an error (502 for the caller).
func parseProxyResponse(payload []byte) (*proxyResponse, error) {
	s := &scanner{b: payload}
	if k, _, err := s.value(); err != nil || k != tokObject {
		return nil, malformed("the output is not a JSON object")
	}
	out := &proxyResponse{status: http.StatusOK}
	var single, multi []header
	if !s.consume('}') {
		for {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return nil, malformed("bad JSON")
			}
			key, err := s.str()
			if err != nil || !s.consume(':') {
				return nil, malformed("bad JSON")
			}
			switch key {
			case "statusCode":
				if out.status, err = parseStatus(s); err != nil {
					return nil, err
				}
			case "headers":
				if single, err = parseHeaderMap(s, false); err != nil {
					return nil, err
				}
			case "multiValueHeaders":
				if multi, err = parseHeaderMap(s, true); err != nil {
					return nil, err
				}
			case "body":
				if s.ws(); s.i < len(s.b) && s.b[s.i] == '"' {
					if out.body, err = s.strBytes(); err != nil {
						return nil, malformed("bad JSON")
					}
					break
				}
				k, text, err := s.value()
				switch {
				case err != nil:
					return nil, malformed("bad JSON")
				case k == tokObject || k == tokArray:
					return nil, malformed("body must be a string")
				case k == tokNull:
					out.body = nil
				default:
					out.body = []byte(text)
				}
			case "isBase64Encoded":
				k, text, err := s.value()
				switch {
				case err != nil:
					return nil, malformed("bad JSON")
				case k == tokTrue, k == tokString && strings.EqualFold(text, "true"):
					out.base64 = true
				case k == tokFalse, k == tokNull, k == tokString && strings.EqualFold(text, "false"):
					out.base64 = false
				default:
					return nil, malformed("isBase64Encoded must be a boolean")
				}
			default:
				return nil, malformed("unknown key %q", key)
			}
			if s.consume('}') {
				break
			}
			if !s.consume(',') {
				return nil, malformed("bad JSON")
			}
		}
	}
	if !s.end() {
		return nil, malformed("data after the JSON object")
	}
	out.header = mergeHeaders(multi, single)
	return out, nil
}

// parseStatus reads statusCode: an integer, an integer string, or null (200).
func parseStatus(s *scanner) (int, error) {
	k, text, err := s.value()
	if err != nil {
		return 0, malformed("bad JSON")
	}
	var n int
	switch k {
	case tokNull:
		return http.StatusOK, nil
	case tokNumber:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || f != float64(int(f)) {
			return 0, malformed("statusCode %s is not an integer", text)
		}
		n = int(f)
	case tokString:
		if n, err = strconv.Atoi(text); err != nil {
			return 0, malformed("statusCode %q is not a number", text)
		}
	default:
		return 0, malformed("statusCode must be a number")
	}
	if n < 100 || n > 599 {
		return 0, malformed("statusCode %d is not an HTTP status", n)
	}
	return n, nil
}

// parseHeaderMap reads headers (name → scalar) or, with multi, multiValueHeaders (name →
// list of scalars). null values are skipped; a null map is no headers.
func parseHeaderMap(s *scanner, multi bool) ([]header, error) {
	what := "headers"
	if multi {
		what = "multiValueHeaders"
	}
	k, _, err := s.value()
	switch {
	case err != nil:
		return nil, malformed("bad JSON")
	case k == tokNull:
		return nil, nil
	case k != tokObject:
		return nil, malformed("%s must be an object", what)
	}
	var out []header
	if s.consume('}') {
		return nil, nil
	}
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return nil, malformed("bad JSON")
		}
		name, err := s.str()
		if err != nil || !s.consume(':') {
			return nil, malformed("bad JSON")
		}
		k, text, err := s.value()
		if err != nil {
			return nil, malformed("bad JSON")
		}
		switch {
		case k == tokNull:
		case !multi && (k == tokObject || k == tokArray):
			return nil, malformed("header %q must be a string", name)
		case !multi:
			out = append(out, header{name, []string{text}})
		case k != tokArray:
			return nil, malformed("multiValueHeaders %q must be a list", name)
		default:
			vals, err := parseList(s, name)
			if err != nil {
				return nil, err
			}
			out = append(out, header{name, vals})
		}
		if s.consume('}') {
			return out, nil
		}
		if !s.consume(',') {
			return nil, malformed("bad JSON")
		}
	}
}

func parseList(s *scanner, name string) ([]string, error) {
	var vals []string
	if s.consume(']') {
		return vals, nil
	}
	for {
		k, text, err := s.value()
		switch {
		case err != nil:
			return nil, malformed("bad JSON")
		case k == tokObject || k == tokArray:
			return nil, malformed("multiValueHeaders %q must hold strings", name)
		case k != tokNull:
			vals = append(vals, text)
		}
		if s.consume(']') {
			return vals, nil
		}
		if !s.consume(',') {
			return nil, malformed("bad JSON")
		}
	}
}

// mergeHeaders combines multiValueHeaders and headers as AWS does (S,
// test_aws_proxy_response_payload_format_validation): the multi values first, then the
// single value when it is not already among them, under the multiValueHeaders key's
// casing; several values go out as one comma-separated line, except Set-Cookie.
func mergeHeaders(multi, single []header) http.Header {
	if len(multi) == 0 && len(single) == 0 {
		return nil
	}
	merged := make([]header, 0, len(multi)+len(single))
	find := func(name string) int {
		for i := range merged {
			if strings.EqualFold(merged[i].name, name) {
				return i
			}
		}
		return -1
	}
	for _, h := range multi {
		if i := find(h.name); i >= 0 {
			merged[i].values = append(merged[i].values, h.values...)
			continue
		}
		merged = append(merged, header{h.name, slices.Clone(h.values)})
	}
	for _, h := range single {
		i := find(h.name)
		switch {
		case i < 0:
			merged = append(merged, h)
		case !slices.Contains(merged[i].values, h.values[0]):
			merged[i].values = append(merged[i].values, h.values[0])
		}
	}
	out := make(http.Header, len(merged))
	for _, h := range merged {
		if len(h.values) == 0 {
			continue
		}
		if len(h.values) > 1 && !strings.EqualFold(h.name, "Set-Cookie") {
			h.values = []string{strings.Join(h.values, ", ")}
		}
		out[h.name] = h.values
	}
	return out
}
