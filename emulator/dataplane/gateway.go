package dataplane

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// GatewayError stops the pipeline with one of API Gateway's gateway responses. Steps
// return it; one renderer (writeGatewayError) turns it into the response, applying the
// API's customisations. Handlers never write error bodies themselves.
type GatewayError struct {
	// Type is the gateway response type (MISSING_AUTHENTICATION_TOKEN, THROTTLED, ...).
	Type string
	// Message is $context.error.message; Null makes it JSON null ({"message":null}).
	Message string
	Null    bool
	// Status overrides the type's default status (INTEGRATION_FAILURE is 500 or 502 for
	// Lambda and 504 for HTTP).
	Status int
	// ErrorType overrides the type's x-amzn-ErrorType header.
	ErrorType string
	// Spaced writes the default body as {"message": "..."}, with the space AWS puts in
	// integration-stage errors; authentication-stage errors are compact (byte counts of
	// captured responses, reference/gateway-responses.md).
	Spaced bool
	// CapitalMessage writes {"Message":...}, ACCESS_DENIED's default body.
	CapitalMessage bool
	// ValidationError is $context.error.validationErrorString.
	ValidationError string
	// Header holds extra headers of the default response.
	Header http.Header
	// Body replaces the default body (a Lambda API rejection's own JSON); a customised
	// gateway response still uses its template.
	Body []byte
	// Cause is logged, never sent.
	Cause error
}

func (e *GatewayError) Error() string {
	if e.Cause != nil {
		return e.Type + ": " + e.Message + ": " + e.Cause.Error()
	}
	return e.Type + ": " + e.Message
}

// Unwrap returns the cause.
func (e *GatewayError) Unwrap() error { return e.Cause }

// messageString is $context.error.messageString: the message as a JSON string, or null.
func (e *GatewayError) messageString() string {
	if e.Null {
		return "null"
	}
	b, _ := json.Marshal(e.Message)
	return string(b)
}

// The gateway errors of the data plane, with AWS's messages.

// ErrMissingAuthenticationToken is AWS's answer to an unknown path or undefined method.
func ErrMissingAuthenticationToken() *GatewayError {
	return &GatewayError{Type: "MISSING_AUTHENTICATION_TOKEN", Message: "Missing Authentication Token"}
}

// ErrInternal is API_CONFIGURATION_ERROR: 500 {"message": "Internal server error"}.
func ErrInternal(cause error) *GatewayError {
	return &GatewayError{Type: "API_CONFIGURATION_ERROR", Message: "Internal server error", Spaced: true, Cause: cause}
}

// ErrIntegrationFailure is INTEGRATION_FAILURE with the given status (500 or 502 for
// Lambda).
func ErrIntegrationFailure(status int, cause error) *GatewayError {
	return &GatewayError{Type: "INTEGRATION_FAILURE", Message: "Internal server error", Status: status, Spaced: true, Cause: cause}
}

// ErrNetwork is INTEGRATION_FAILURE for an HTTP backend that cannot be reached.
func ErrNetwork(cause error) *GatewayError {
	return &GatewayError{Type: "INTEGRATION_FAILURE", Message: "Network error communicating with endpoint", Spaced: true, Cause: cause}
}

// ErrIntegrationTimeout is INTEGRATION_TIMEOUT: 504 {"message": "Endpoint request timed out"}.
func ErrIntegrationTimeout() *GatewayError {
	return &GatewayError{Type: "INTEGRATION_TIMEOUT", Message: "Endpoint request timed out", Spaced: true}
}

// ErrAccessDenied is ACCESS_DENIED: 403 with the capital-M {"Message":...} body AWS sends
// by default (a customised ACCESS_DENIED renders its template, with lower-case message).
func ErrAccessDenied(message string) *GatewayError {
	return &GatewayError{Type: "ACCESS_DENIED", Message: message, CapitalMessage: true}
}

// ErrLambdaBadRequest is the 400 a non-proxy Lambda integration answers when Lambda rejects
// the mapped payload (not JSON): Lambda's own error body (reference/lambda-proxy.md §5).
func ErrLambdaBadRequest(errorType, message string, cause error) *GatewayError {
	body, _ := json.Marshal(struct {
		Type    string `json:"Type"`
		Message string `json:"message"`
	}{"User", message})
	return &GatewayError{Type: "DEFAULT_4XX", Message: message, Status: http.StatusBadRequest, ErrorType: errorType, Body: body, Cause: cause}
}

// ErrUnsupportedMediaType is 415 {"message":"Unsupported Media Type"}.
func ErrUnsupportedMediaType() *GatewayError {
	return &GatewayError{Type: "UNSUPPORTED_MEDIA_TYPE", Message: "Unsupported Media Type"}
}

// ErrRequestTooLong is the 413 for a request over Lambda's 6 MB invoke limit.
func ErrRequestTooLong() *GatewayError {
	return &GatewayError{Type: "REQUEST_TOO_LARGE", Message: "Request Too Long", Spaced: true, ErrorType: "BadRequestException"}
}

// writeGatewayError renders ge as the API's gateway response. Without a customisation of
// the type (or of its DEFAULT_4XX/DEFAULT_5XX family) the default body and status are used.
func (h *Handler) writeGatewayError(w http.ResponseWriter, x *Exchange, ge *GatewayError) {
	info, _ := store.LookupGatewayResponseType(ge.Type)
	status := ge.Status
	if status == 0 {
		status = info.Status
	}
	errorType := ge.ErrorType
	if errorType == "" {
		errorType = info.ErrorType
	}
	var custom *GatewayResponse
	if x.Deployment != nil {
		custom = x.Deployment.GatewayResponses[ge.Type]
		if custom == nil {
			custom = x.Deployment.GatewayResponses[info.Family()]
		}
	}
	hdr := w.Header()
	for k, v := range ge.Header {
		hdr[k] = v
	}
	var body []byte
	if custom == nil {
		body = ge.Body
		if body == nil {
			body = defaultGatewayBody(ge)
		}
	} else {
		if custom.Status != 0 {
			status = custom.Status
		}
		for _, m := range custom.Headers {
			if v, ok := x.evalSource(&m.Source, nil, ge); ok {
				hdr.Set(m.Target, v)
			}
		}
		body = custom.template(x.Req.Header.Get("Accept")).render(nil, x, ge)
	}
	if hdr.Get("Content-Type") == "" {
		hdr["Content-Type"] = []string{"application/json"}
	}
	hdr["x-amzn-RequestId"] = []string{x.RequestID}
	if errorType != "" {
		hdr["x-amzn-ErrorType"] = []string{errorType}
	}
	hdr["x-amz-apigw-id"] = []string{x.ExtendedRequestID}
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func defaultGatewayBody(ge *GatewayError) []byte {
	key := `"message"`
	if ge.CapitalMessage {
		key = `"Message"`
	}
	sep := ":"
	if ge.Spaced {
		sep = ": "
	}
	return []byte("{" + key + sep + ge.messageString() + "}")
}

// gatewayTemplate is a gateway response template split at its $context.* and
// $stageVariables.* references, once per deployment. AWS does not run these templates
// through Velocity: it only substitutes those variables (reference/gateway-responses.md).
type gatewayTemplate []gatewayPart

// gatewayPart is literal text, or a reference when root is "context" or "stageVariables".
type gatewayPart struct{ text, root, name string }

// gatewayVarRE finds $context.x, $stageVariables.x and their ${...} forms; group 1/2 are
// the braced form's root and name, 3/4 the plain form's.
var gatewayVarRE = regexp.MustCompile(`\$\{(context|stageVariables)\.([A-Za-z0-9_.\-]+)\}|\$(context|stageVariables)\.([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)`)

// compileGatewayTemplate splits a template into literal text and references.
func compileGatewayTemplate(src string) gatewayTemplate {
	var t gatewayTemplate
	last := 0
	for _, m := range gatewayVarRE.FindAllStringSubmatchIndex(src, -1) {
		if m[0] > last {
			t = append(t, gatewayPart{text: src[last:m[0]]})
		}
		g := m[2:6] // the braced form's groups
		if g[0] < 0 {
			g = m[6:10] // the plain form's
		}
		root, name := src[g[0]:g[1]], src[g[2]:g[3]]
		t = append(t, gatewayPart{root: root, name: name})
		last = m[1]
	}
	if last < len(src) {
		t = append(t, gatewayPart{text: src[last:]})
	}
	return t
}

// compileGatewayTemplates compiles a customised response's templates by media type and
// picks its fallback; without templates the default one serves every type.
func compileGatewayTemplates(src map[string]string) (map[string]gatewayTemplate, gatewayTemplate) {
	if len(src) == 0 {
		def := compileGatewayTemplate(store.DefaultGatewayResponseTemplate)
		return map[string]gatewayTemplate{"application/json": def}, def
	}
	out := make(map[string]gatewayTemplate, len(src))
	var fallback gatewayTemplate
	for _, ct := range slices.Sorted(maps.Keys(src)) {
		t := compileGatewayTemplate(src[ct])
		out[normalMediaType(ct)] = t
		if fallback == nil {
			fallback = t
		}
	}
	return out, fallback
}

// template chooses the template for the first media type of Accept, else
// application/json, else the fallback.
func (g *GatewayResponse) template(accept string) gatewayTemplate {
	if accept != "" {
		first, _, _ := strings.Cut(accept, ",")
		if t, ok := g.Templates[normalMediaType(first)]; ok {
			return t
		}
	}
	if t, ok := g.Templates["application/json"]; ok {
		return t
	}
	return g.Fallback
}

// render appends the template with its references resolved. An unknown
// $context.error.messageString renders as null, like the message it stands for.
func (t gatewayTemplate) render(b []byte, x *Exchange, ge *GatewayError) []byte {
	for _, p := range t {
		switch p.root {
		case "":
			b = append(b, p.text...)
		case "stageVariables":
			b = append(b, x.StageVariables[p.name]...)
		default:
			v, ok := x.ContextValue(p.name, ge)
			if !ok && p.name == "error.messageString" {
				v = "null"
			}
			b = append(b, v...)
		}
	}
	if b == nil {
		b = []byte{}
	}
	return b
}

// literal unquotes a 'static value' mapping source.
func literal(src string) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	return "", false
}
