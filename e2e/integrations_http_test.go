package e2e

import (
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// seenRequest is what the test backend received, echoed back as JSON.
type seenRequest struct {
	Method string              `json:"method"`
	Host   string              `json:"host"`
	Path   string              `json:"path"`
	Query  string              `json:"query"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
	Raw    []byte              `json:"raw"` // the body's bytes (base64 in the JSON)
}

// newBackend starts the loopback HTTP backend of the integration tests:
//
//	/echo/...        200, the request as seenRequest JSON, plus Server, X-Backend and two Set-Cookie headers
//	/status/{code}   that status, {"code": code}
//	/slow?ms=N       200 after N ms (or when the caller goes away)
//	/binary          200 image/png bytes
//	/redirect        302 to /echo
func newBackend(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/echo/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen := seenRequest{Method: r.Method, Host: r.Host, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header, Body: string(body), Raw: body}
		w.Header().Set("Server", "backend/1.0")
		w.Header().Set("X-Backend", "yes")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(seen)
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"code": `+r.PathValue("code")+`}`)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
		}
		_, _ = io.WriteString(w, "late")
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngBytes)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo/", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

var pngBytes = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0xff, 0xfe}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func decodeSeen(t *testing.T, r response) seenRequest {
	t.Helper()
	var s seenRequest
	if err := json.Unmarshal([]byte(r.Body), &s); err != nil {
		t.Fatalf("backend answer %d %q: %v", r.Status, r.Body, err)
	}
	return s
}

func httpIntegration(typ types.IntegrationType, verb, uri string, params map[string]string) apigateway.PutIntegrationInput {
	return apigateway.PutIntegrationInput{Type: typ, IntegrationHttpMethod: aws.String(verb), Uri: aws.String(uri), RequestParameters: params}
}

func TestHTTPProxy(t *testing.T) {
	backend := newBackend(t)
	tlsBackend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "secure") }))
	tlsBackend.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsBackend.StartTLS()
	t.Cleanup(tlsBackend.Close)
	e := start(t)
	c := e.apigw()
	api := newRestAPI(t, c, "http-proxy")
	api.method("/{proxy+}", "ANY", httpIntegration(types.IntegrationTypeHttpProxy, "ANY", "http://${stageVariables.backend}/echo/{proxy}", map[string]string{
		"integration.request.path.proxy":        "method.request.path.proxy",
		"integration.request.header.X-Mapped":   "'literal'",
		"integration.request.header.X-Stage":    "stageVariables.backend",
		"integration.request.querystring.mode":  "'mapped'",
		"integration.request.header.X-Req-Id":   "context.requestId",
		"integration.request.querystring.first": "method.request.header.X-First",
	}), "method.request.path.proxy", "method.request.header.X-First")
	timed := httpIntegration(types.IntegrationTypeHttpProxy, "GET", backend.URL+"/slow", nil)
	timed.TimeoutInMillis = aws.Int32(50)
	api.method("/slow", "GET", timed)
	api.method("/down", "GET", httpIntegration(types.IntegrationTypeHttpProxy, "GET", "http://"+closedPort(t)+"/x", nil))
	api.method("/redirect", "GET", httpIntegration(types.IntegrationTypeHttpProxy, "GET", backend.URL+"/redirect", nil))
	api.method("/unmapped/{id}", "GET", httpIntegration(types.IntegrationTypeHttpProxy, "GET", backend.URL+"/echo/{id}", nil))
	api.method("/status", "GET", httpIntegration(types.IntegrationTypeHttpProxy, "GET", backend.URL+"/status/418", nil))
	vpc := httpIntegration(types.IntegrationTypeHttpProxy, "GET", backend.URL+"/echo/vpc", nil)
	vpc.ConnectionType, vpc.ConnectionId = types.ConnectionTypeVpcLink, aws.String("vpclink1")
	api.method("/vpc", "GET", vpc)
	api.method("/tls", "GET", httpIntegration(types.IntegrationTypeHttpProxy, "GET", tlsBackend.URL+"/", nil))
	insecure := httpIntegration(types.IntegrationTypeHttpProxy, "GET", tlsBackend.URL+"/", nil)
	insecure.TlsConfig = &types.TlsConfig{InsecureSkipVerification: true}
	api.method("/tls-insecure", "GET", insecure)
	backendHost := strings.TrimPrefix(backend.URL, "http://")
	api.deploy("dev", map[string]string{"backend": backendHost})
	base := e.invokeURL(api.ID, "dev")

	t.Run("request and response forwarded", func(t *testing.T) {
		r := do(t, "PUT", base+"/a/b%20c?x=1&x=2&mode=client", strings.NewReader("payload"),
			"Content-Type: text/plain", "X-Custom: one", "X-First: f", "Connection: keep-alive", "Expect: 100-continue")
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		s := decodeSeen(t, r)
		if s.Method != "PUT" || s.Path != "/echo/a/b%20c" || s.Body != "payload" || s.Host != backendHost {
			t.Errorf("backend saw %s %s host %s body %q", s.Method, s.Path, s.Host, s.Body)
		}
		if s.Query != "x=1&x=2&first=f&mode=mapped" {
			t.Errorf("query %q", s.Query)
		}
		h := http.Header(s.Header)
		for k, want := range map[string]string{
			"X-Custom": "one", "Content-Type": "text/plain", "X-Mapped": "literal", "X-Stage": backendHost,
			"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http", "X-Amzn-Apigateway-Api-Id": api.ID,
			"X-Req-Id": r.Header.Get("X-Amzn-Requestid"), "Connection": "", "Expect": "",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("backend header %s = %q, want %q", k, got, want)
			}
		}
		if !traceRE.MatchString(h.Get("X-Amzn-Trace-Id")) {
			t.Errorf("backend X-Amzn-Trace-Id = %q", h.Get("X-Amzn-Trace-Id"))
		}
		for k, want := range map[string]string{
			"X-Backend": "yes", "X-Amzn-Remapped-Server": "backend/1.0", "Server": "", "Content-Type": "application/json",
			"X-Amzn-Trace-Id": "", "X-Amzn-Errortype": "",
		} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("response header %s = %q, want %q", k, got, want)
			}
		}
		if r.Header.Get("X-Amzn-Remapped-Date") == "" || r.Header.Get("X-Amzn-Remapped-Content-Length") == "" || r.Header.Get("Date") == "" {
			t.Errorf("Date and Content-Length are not remapped: %v", r.Header)
		}
		if got := r.Header.Values("Set-Cookie"); len(got) != 2 {
			t.Errorf("Set-Cookie = %q", got)
		}
		wantRequestIDs(t, r)
	})
	t.Run("backend status passes through", func(t *testing.T) {
		if r := do(t, "GET", base+"/status", nil); r.Status != 418 || r.Body != `{"code": 418}` {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("redirect not followed", func(t *testing.T) {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(base + "/redirect")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		r := response{Status: resp.StatusCode, Header: resp.Header}
		if r.Status != 302 || r.Header.Get("Location") != "/echo/" {
			t.Errorf("%d %v", r.Status, r.Header)
		}
	})
	t.Run("VPC link served as HTTP", func(t *testing.T) {
		if s := decodeSeen(t, do(t, "GET", base+"/vpc", nil)); s.Path != "/echo/vpc" {
			t.Errorf("path %s", s.Path)
		}
	})
	t.Run("insecure TLS backend allowed by tlsConfig", func(t *testing.T) {
		if r := do(t, "GET", base+"/tls-insecure", nil); r.Status != 200 || r.Body != "secure" {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})

	const internal = `{"message": "Internal server error"}`
	for _, tt := range []struct {
		name, path string
		status     int
		body       string
	}{
		{"unreachable backend", "/down", 504, `{"message": "Network error communicating with endpoint"}`},
		{"integration timeout", "/slow?ms=1000", 504, `{"message": "Endpoint request timed out"}`},
		{"placeholder without mapping", "/unmapped/7", 500, internal},
		{"untrusted certificate", "/tls", 500, internal},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t0 := time.Now()
			r := do(t, "GET", base+tt.path, nil)
			wantGatewayError(t, r, tt.status, tt.body, "InternalServerErrorException")
			if elapsed := time.Since(t0); tt.status == 504 && elapsed > 500*time.Millisecond {
				t.Errorf("took %s", elapsed)
			}
		})
	}
}

func TestHTTPCustom(t *testing.T) {
	backend := newBackend(t)
	e := start(t)
	c := e.apigw()
	api := newRestAPI(t, c, "http-custom")
	in := httpIntegration(types.IntegrationTypeHttp, "POST", backend.URL+"/echo/pets/{petId}", map[string]string{
		"integration.request.path.petId":       "method.request.path.id",
		"integration.request.querystring.q":    "method.request.querystring.q",
		"integration.request.header.X-Pet-Tag": "method.request.body.pet.tags[1]",
		"integration.request.header.X-Var":     "stageVariables.v",
	})
	in.RequestTemplates = map[string]string{"application/json": `#set($context.requestOverride.header.X-Over = "ovr")
#set($context.requestOverride.querystring.extra = "e")
{"name": $input.json('$.pet.name'), "stage": "$context.stage", "var": "$stageVariables.v"}`}
	api.method("/pets/{id}", "POST", in, "method.request.querystring.q")
	api.response("/pets/{id}", "POST", "200", nil, map[string]string{
		"application/json": `#set($b = $input.path('$'))
{"seenBody": $input.json('$.body'), "agent": "$b.header.get('User-Agent').get(0)", "path": "$b.path", "query": "$b.query"}`,
	}, map[string]string{
		"method.response.header.X-Backend": "integration.response.header.X-Backend",
		"method.response.header.X-Tag":     "integration.response.body.header['X-Pet-Tag'][0]",
		"method.response.header.X-Static":  "'static'",
	}, "")

	status := httpIntegration(types.IntegrationTypeHttp, "GET", backend.URL+"/status/{code}", map[string]string{"integration.request.path.code": "method.request.path.code"})
	api.method("/status/{code}", "GET", status)
	api.response("/status/{code}", "GET", "200", nil, map[string]string{"application/json": `{"ok": $input.json('$.code')}`}, nil, "")
	api.response("/status/{code}", "GET", "400", aws.String(`4\d{2}`), map[string]string{"application/json": `{"client": $input.json('$.code')}`}, nil, "")
	api.response("/status/{code}", "GET", "502", aws.String(`5\d{2}`), map[string]string{"application/json": `#set($context.responseOverride.status = 503)
{"server": $input.json('$.code')}`}, nil, "")

	never := httpIntegration(types.IntegrationTypeHttp, "POST", backend.URL+"/echo/never", nil)
	never.PassthroughBehavior = aws.String("NEVER")
	api.method("/never", "POST", never)
	api.response("/never", "POST", "200", nil, nil, nil, "")
	noTemplates := httpIntegration(types.IntegrationTypeHttp, "POST", backend.URL+"/echo/wnt", nil)
	noTemplates.PassthroughBehavior = aws.String("WHEN_NO_TEMPLATES")
	noTemplates.RequestTemplates = map[string]string{"application/json": `{"templated": true}`}
	api.method("/wnt", "POST", noTemplates)
	api.response("/wnt", "POST", "200", nil, nil, nil, "")
	noMatch := httpIntegration(types.IntegrationTypeHttp, "POST", backend.URL+"/echo/wnm", nil)
	noMatch.RequestTemplates = map[string]string{"application/json": `{"templated": true}`}
	api.method("/wnm", "POST", noMatch)
	api.response("/wnm", "POST", "200", nil, nil, nil, "")
	over := httpIntegration(types.IntegrationTypeHttp, "POST", backend.URL+"/echo/o/{p}", map[string]string{
		"integration.request.path.p": "'mapped'", "integration.request.header.X-H1": "'mapped'"})
	over.RequestTemplates = map[string]string{"application/json": `#set($context.requestOverride.path.p = "overridden")
#set($context.requestOverride.header.X-H1 = "foo")
#set($context.requestOverride.header.X-Multi = ["a", "b"])
$input.json('$')`}
	api.method("/override", "POST", over)
	api.response("/override", "POST", "200", nil, map[string]string{"application/json": `#set($b = $input.path('$'))
#set($context.responseOverride.status = 201)
#set($context.responseOverride.header.X-Resp = "r")
$b.path $b.header.get('X-H1') $b.header.get('X-Multi')`}, nil, "")
	api.deploy("dev", map[string]string{"v": "stagevar"})
	base := e.invokeURL(api.ID, "dev")

	t.Run("request and response overrides", func(t *testing.T) {
		r := do(t, "POST", base+"/override", strings.NewReader(`{}`), "Content-Type: application/json")
		if r.Status != 201 || r.Body != `/echo/o/overridden ["foo"] ["a","b"]` || r.Header.Get("X-Resp") != "r" {
			t.Errorf("got %d %s %v", r.Status, r.Body, r.Header)
		}
	})
	t.Run("mapped request and response", func(t *testing.T) {
		r := do(t, "POST", base+"/pets/7?q=search&other=dropped", strings.NewReader(`{"pet": {"name": "Rex", "tags": ["a", "b"]}}`),
			"Content-Type: application/json", "X-Custom: not-forwarded")
		want := `{"seenBody": "{\"name\": \"Rex\", \"stage\": \"dev\", \"var\": \"stagevar\"}", "agent": "AmazonAPIGateway_` + api.ID + `", "path": "/echo/pets/7", "query": "extra=e&q=search"}`
		if r.Status != 200 || r.Body != want {
			t.Errorf("got %d %s\nwant %s", r.Status, r.Body, want)
		}
		for k, want := range map[string]string{"X-Backend": "yes", "X-Tag": "b", "X-Static": "static", "Content-Type": "application/json", "X-Amzn-Trace-Id": ""} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
	})
	t.Run("backend sees only mapped headers", func(t *testing.T) {
		r := do(t, "POST", base+"/wnm", strings.NewReader(`{}`), "Content-Type: application/json", "X-Custom: no")
		s := decodeSeen(t, r)
		h := http.Header(s.Header)
		if h.Get("X-Custom") != "" || h.Get("Accept") != "application/json" || h.Get("X-Amzn-Apigateway-Api-Id") != api.ID || s.Body != `{"templated": true}` {
			t.Errorf("backend saw %v %q", s.Header, s.Body)
		}
	})
	t.Run("selection by status code", func(t *testing.T) {
		for code, want := range map[string]response{
			"200": {Status: 200, Body: `{"ok": 200}`},
			"404": {Status: 400, Body: `{"client": 404}`},
			"503": {Status: 503, Body: `{"server": 503}`},
		} {
			if r := do(t, "GET", base+"/status/"+code, nil); r.Status != want.Status || r.Body != want.Body {
				t.Errorf("backend %s: got %d %s, want %d %s", code, r.Status, r.Body, want.Status, want.Body)
			}
		}
	})
	t.Run("passthrough behaviours", func(t *testing.T) {
		const unsupported = `{"message":"Unsupported Media Type"}`
		wantGatewayError(t, do(t, "POST", base+"/never", strings.NewReader(`{}`), "Content-Type: application/json"), 415, unsupported, "BadRequestException")
		wantGatewayError(t, do(t, "POST", base+"/wnt", strings.NewReader(`x`), "Content-Type: text/plain"), 415, unsupported, "BadRequestException")
		if s := decodeSeen(t, do(t, "POST", base+"/wnm", strings.NewReader(`raw text`), "Content-Type: text/plain")); s.Body != "raw text" {
			t.Errorf("WHEN_NO_MATCH passthrough: %q", s.Body)
		}
		if s := decodeSeen(t, do(t, "POST", base+"/wnt", strings.NewReader(`{"a":1}`), "Content-Type: application/json; charset=utf-8")); s.Body != `{"templated": true}` {
			t.Errorf("WHEN_NO_TEMPLATES with a match: %q", s.Body)
		}
	})
}

func TestHTTPBinary(t *testing.T) {
	backend := newBackend(t)
	e := start(t)
	api := newRestAPI(t, e.apigw(), "binary", "image/png", "application/octet-stream")
	api.method("/img", "GET", httpIntegration(types.IntegrationTypeHttp, "GET", backend.URL+"/binary", nil))
	api.response("/img", "GET", "200", nil, nil, map[string]string{"method.response.header.Content-Type": "integration.response.header.Content-Type"}, "")
	api.method("/img-text", "GET", httpIntegration(types.IntegrationTypeHttp, "GET", backend.URL+"/binary", nil))
	api.response("/img-text", "GET", "200", nil, map[string]string{"application/json": `{"data": "$input.body"}`}, nil, types.ContentHandlingStrategyConvertToText)
	api.method("/proxy-img", "GET", httpIntegration(types.IntegrationTypeHttpProxy, "GET", backend.URL+"/binary", nil))
	api.method("/up", "POST", httpIntegration(types.IntegrationTypeHttp, "POST", backend.URL+"/echo/up", nil))
	api.response("/up", "POST", "200", nil, nil, nil, "")
	upText := httpIntegration(types.IntegrationTypeHttp, "POST", backend.URL+"/echo/up", nil)
	upText.ContentHandling = types.ContentHandlingStrategyConvertToText
	upText.RequestTemplates = map[string]string{"application/octet-stream": `{"b64": "$input.body"}`}
	api.method("/up-text", "POST", upText)
	api.response("/up-text", "POST", "200", nil, nil, nil, "")
	upBin := httpIntegration(types.IntegrationTypeHttp, "POST", backend.URL+"/echo/up", nil)
	upBin.ContentHandling = types.ContentHandlingStrategyConvertToBinary
	api.method("/up-bin", "POST", upBin)
	api.response("/up-bin", "POST", "200", nil, nil, nil, "")
	api.deploy("dev", nil)
	base := e.invokeURL(api.ID, "dev")
	b64 := "iVBORw0KGgoA//4="
	for _, tt := range []struct {
		name, path, accept string
		body, contentType  string
	}{
		{"binary to a binary Accept", "/img", "image/png", string(pngBytes), "image/png"},
		{"binary to a text Accept is base64", "/img", "application/json", b64, "image/png"},
		{"CONVERT_TO_TEXT then the template", "/img-text", "image/png", `{"data": "` + b64 + `"}`, "application/json"},
		{"HTTP_PROXY passes bytes through", "/proxy-img", "application/json", string(pngBytes), "image/png"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, "GET", base+tt.path, nil, "Accept: "+tt.accept)
			if r.Status != 200 || r.Body != tt.body || r.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("got %d %q %q, want %q %q", r.Status, r.Body, r.Header.Get("Content-Type"), tt.body, tt.contentType)
			}
		})
	}
	for _, tt := range []struct {
		name, path, contentType, body, want string
	}{
		{"binary request passes through", "/up", "image/png", string(pngBytes), string(pngBytes)},
		{"CONVERT_TO_TEXT before the template", "/up-text", "application/octet-stream", string(pngBytes), `{"b64": "` + b64 + `"}`},
		{"CONVERT_TO_BINARY of a text payload", "/up-bin", "text/plain", b64, string(pngBytes)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := decodeSeen(t, do(t, "POST", base+tt.path, strings.NewReader(tt.body), "Content-Type: "+tt.contentType))
			if string(s.Raw) != tt.want {
				t.Errorf("backend got %q, want %q", s.Raw, tt.want)
			}
		})
	}
}
