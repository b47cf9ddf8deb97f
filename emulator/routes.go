package emulator

import (
	"net/http"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/rawheader"
)

// ServeHTTP dispatches every request the emulator answers. This is the whole surface:
//
//	Host {apiId}.execute-api.{anything}                  → data plane; first segment is the stage
//	/_aws/execute-api/{apiId}/{stage}/{path...}          → data plane (no DNS needed)
//	/restapis/{apiId}/{stage}/_user_request_/{path...}   → data plane (LocalStack's URL form)
//	/_apigw-local/...                                     → the emulator's own API (health, reset)
//	/2015-03-31/functions/...                             → Lambda Invoke API
//	/v2/...                                               → apigatewayv2 (not implemented yet: 501)
//	anything else (/restapis, /apikeys, /tags, ...)       → apigateway management API
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Taken for every request: the connection queues one header block per request.
	names := rawheader.Names(r)
	if apiID, ok := executeAPIHost(r.Host); ok {
		s.data.Serve(w, r, apiID, rawPath(r), names)
		return
	}
	p := rawPath(r)
	switch {
	case strings.HasPrefix(p, "/_aws/execute-api/"):
		apiID, rest, _ := strings.Cut(strings.TrimPrefix(p, "/_aws/execute-api/"), "/")
		s.data.Serve(w, r, apiID, "/"+rest, names)
	case strings.HasPrefix(p, "/restapis/") && isUserRequest(p):
		parts := strings.SplitN(strings.TrimPrefix(p, "/restapis/"), "/", 4)
		rest := "/" + parts[1]
		if len(parts) == 4 {
			rest += "/" + parts[3]
		}
		s.data.Serve(w, r, parts[0], rest, names)
	case strings.HasPrefix(p, "/_apigw-local/"):
		s.internal.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/2015-03-31/functions"):
		s.lambdaAPI.ServeHTTP(w, r)
	case p == "/v2" || strings.HasPrefix(p, "/v2/"):
		id, _ := s.ids.New()
		awserr.Write(w, id, awserr.New(awserr.NotImplemented,
			"The apigatewayv2 API (HTTP and WebSocket APIs) is not implemented by apigw-local yet: %s %s", r.Method, r.URL.Path))
	default:
		s.mgmt.ServeHTTP(w, r)
	}
}

// executeAPIHost recognises {apiId}.execute-api.{anything} hosts.
func executeAPIHost(host string) (string, bool) {
	i := strings.Index(host, ".execute-api.")
	if i <= 0 {
		return "", false
	}
	return host[:i], true
}

// isUserRequest reports whether /restapis/{id}/{stage}/_user_request_/... is the path.
func isUserRequest(p string) bool {
	parts := strings.SplitN(strings.TrimPrefix(p, "/restapis/"), "/", 4)
	return len(parts) >= 3 && parts[2] == "_user_request_"
}

// rawPath is the request path as sent, percent-encoding kept.
func rawPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			return u[:i]
		}
		return u
	}
	return r.URL.EscapedPath()
}
