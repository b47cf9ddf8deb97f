// Package dataplane serves the execute-api data plane of REST APIs: it routes a request to a
// stage's compiled deployment and runs AWS's pipeline of steps over it (route, canary,
// request size, API key, throttling, authorisation, validation, request mapping,
// integration, response mapping), rendering every failure as the API's gateway response.
//
// Known differences from AWS: the client's header-name casing is known only over HTTP/1.x
// connections accepted through package rawheader (elsewhere names are Go's canonical form);
// the protocol is always HTTP/1.1.
package dataplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/auth/sigv4"
	"github.com/apigw-local/apigw-local/emulator/requestid"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// MaxBodyBytes is API Gateway's request payload limit (10 MB).
const MaxBodyBytes = 10 << 20

// Backend performs the call of one integration type.
//
// The pipeline maps the request first (request parameters, and for non-proxy types the
// request template and content handling) into x.IntegrationRequest, which req points at.
// For non-proxy types (MOCK, HTTP, AWS) the backend returns an IntegrationResult that the
// pipeline maps to the method response; for proxy types (AWS_PROXY, HTTP_PROXY) the
// IntegrationResult is the method response (Status, Header, Body are sent as they are,
// with AWS's header remapping).
//
// Invoke runs under the integration timeout: it must return soon after ctx is done (the
// work behind it may go on, as on AWS). Errors that are not *GatewayError become 500
// Internal server error; a ctx error once the deadline passed becomes 504.
type Backend interface {
	Invoke(ctx context.Context, x *Exchange, req *IntegrationRequest) (*IntegrationResult, error)
}

// BackendFunc adapts a function to Backend.
type BackendFunc func(ctx context.Context, x *Exchange, req *IntegrationRequest) (*IntegrationResult, error)

// Invoke calls f.
func (f BackendFunc) Invoke(ctx context.Context, x *Exchange, req *IntegrationRequest) (*IntegrationResult, error) {
	return f(ctx, x, req)
}

// Step is one stage of the pipeline: it returns nil to continue or an error (usually a
// *GatewayError) to answer at once.
type Step func(x *Exchange) error

// Steps are the access-control and validation steps, run in AWS's order after routing
// and the size check. Nil access-control steps are skipped; a nil Validate uses the data
// plane's own request validation (required parameters and body models).
type Steps struct {
	APIKey    Step // API key & usage plan
	Throttle  Step // throttling & quota
	Authorize Step // IAM, Lambda and Cognito authorizers
	Validate  Step // request validators
}

// Config configures the data plane.
type Config struct {
	Store      *store.Store
	Logger     *slog.Logger
	RequestIDs requestid.Source
	Clock      store.Clock
	// Backends by integration type (MOCK is built in).
	Backends map[string]Backend
	Steps    Steps
	// Canary returns a number in [0, 100) to decide canary routing; nil uses math/rand.
	Canary func() float64
}

// Handler serves execute-api requests.
type Handler struct {
	cfg      Config
	log      *slog.Logger
	backends map[string]Backend
	steps    []Step // the configured Steps, in pipeline order
}

// New returns a data-plane handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RequestIDs == nil {
		cfg.RequestIDs = requestid.Random{}
	}
	if cfg.Clock == nil {
		cfg.Clock = store.SystemClock{}
	}
	if cfg.Canary == nil {
		cfg.Canary = func() float64 { return rand.Float64() * 100 }
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, backends: map[string]Backend{"MOCK": BackendFunc(mockBackend)}}
	for t, b := range cfg.Backends {
		h.backends[t] = b
	}
	// AWS's order: authorize → API key → throttle & quota → validate (see run).
	validate := cfg.Steps.Validate
	if validate == nil {
		validate = h.validateRequest
	}
	for _, step := range []Step{cfg.Steps.Authorize, cfg.Steps.APIKey, cfg.Steps.Throttle, validate} {
		if step != nil {
			h.steps = append(h.steps, step)
		}
	}
	return h
}

// Serve answers one execute-api request for apiID. rest is the raw path after the API id
// part of the URL: "/{stage}/{path...}". headerNames are the request's header names as the
// client wrote them (package rawheader), nil when unknown.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, apiID, rest string, headerNames []string) {
	x := &Exchange{Req: r, Start: h.cfg.Clock.Now(), APIID: apiID, AccountID: h.cfg.Store.AccountID(), Region: h.cfg.Store.Region(), HeaderNames: headerNames}
	x.RequestID, x.ExtendedRequestID = h.cfg.RequestIDs.New()
	x.DomainName = hostWithoutPort(r.Host)
	x.SourceIP = hostWithoutPort(r.RemoteAddr)

	if err := h.run(x, rest); err != nil {
		h.fail(w, x, err)
		return
	}
	h.writeResponse(w, x)
}

// run is the pipeline. The order follows AWS (reference/ and DESIGN.md): route → canary →
// request size → authorize → API key → throttle & quota → validate → map request →
// integrate → map response. Authorization comes before the API key because with
// apiKeySource AUTHORIZER the key is the authorizer's usageIdentifierKey; the key comes
// before throttling because AWS applies the key's usage-plan limits first, then the
// stage's and the account's, and a refused key takes no tokens.
func (h *Handler) run(x *Exchange, rest string) error {
	if err := h.resolveStage(x, rest); err != nil {
		return err
	}
	if err := h.readBody(x); err != nil {
		return err
	}
	if err := h.route(x); err != nil {
		return err
	}
	for _, step := range h.steps {
		if err := step(x); err != nil {
			return err
		}
	}
	return h.integrate(x)
}

// resolveStage finds the stage (and canary) that serves the request; an unknown API or
// stage is 403 Forbidden, as on AWS's default endpoint.
func (h *Handler) resolveStage(x *Exchange, rest string) error {
	api := h.cfg.Store.Live().APIs[x.APIID]
	rest = strings.TrimPrefix(rest, "/")
	stageName, path, _ := strings.Cut(rest, "/")
	if api == nil || api.DisableExecuteAPIEndpoint || stageName == "" {
		return errForbidden()
	}
	st := api.Stages[stageName]
	if st == nil {
		if dec, err := url.PathUnescape(stageName); err == nil {
			st = api.Stages[dec]
		}
		if st == nil {
			return errForbidden()
		}
	}
	x.Stage = st
	x.ContextPath = "/" + rest
	// A leading "//" after the stage collapses (reference/endpoints-urls.md §2).
	x.Path = "/" + strings.TrimLeft(path, "/")
	snap, vars := st.Deployment, st.Variables
	if c := st.Canary; c != nil && c.PercentTraffic > 0 && h.cfg.Canary() < c.PercentTraffic {
		snap, vars, x.Canary = c.Deployment, c.Variables, true
	}
	d, ok := snap.Compiled.(*Deployment)
	if !ok {
		return ErrInternal(errors.New("deployment was not compiled"))
	}
	x.Deployment, x.StageVariables = d, vars
	return nil
}

func errForbidden() *GatewayError {
	return &GatewayError{Status: http.StatusForbidden, ErrorType: "ForbiddenException", Message: "Forbidden"}
}

// errTooLarge marks a body over 10 MB, which AWS's front door refuses before API Gateway
// proper sees it.
var errTooLarge = errors.New("request body over 10 MB")

func (h *Handler) readBody(x *Exchange) error {
	r := x.Req
	if r.ContentLength > MaxBodyBytes {
		return errTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return ErrInternal(fmt.Errorf("read request body: %w", err))
	}
	if len(b) > MaxBodyBytes {
		return errTooLarge
	}
	if len(b) > 0 {
		x.Body = b
	}
	return nil
}

// route matches the resource and method; anything undefined is 403 Missing
// Authentication Token (no 405, no implicit HEAD).
func (h *Handler) route(x *Exchange) error {
	q, err := url.ParseQuery(x.Req.URL.RawQuery)
	if err != nil {
		// AWS splits what it can; keep the pairs that parsed.
		q = tolerantQuery(x.Req.URL.RawQuery)
	}
	x.Query = q
	res, params := x.Deployment.root.match(x.Path, nil)
	if res == nil {
		return errNoRoute(x.Req)
	}
	m := res.Methods[x.Req.Method]
	if m == nil {
		m = res.Methods["ANY"]
	}
	if m == nil {
		return errNoRoute(x.Req)
	}
	x.Resource, x.Method, x.PathParams = res, m, params
	return nil
}

// errNoRoute is AWS's answer to an unknown path or an undefined method: 403 Missing
// Authentication Token, unless the request carries an Authorization header that is not a
// SigV4 signature, which AWS's front end rejects as an incomplete signature (captured
// 2025–26 responses, reference/gateway-responses.md).
func errNoRoute(r *http.Request) *GatewayError {
	if r.Header.Get("Authorization") != "" {
		if _, err := sigv4.Parse(r); err != nil {
			var se *sigv4.Error
			if errors.As(err, &se) && se.Kind == sigv4.Incomplete {
				return &GatewayError{Type: "MISSING_AUTHENTICATION_TOKEN", Message: se.Message, ErrorType: "IncompleteSignatureException"}
			}
		}
	}
	return ErrMissingAuthenticationToken()
}

func tolerantQuery(raw string) url.Values {
	q := url.Values{}
	for _, pair := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || dk == "" {
			continue
		}
		q[dk] = append(q[dk], dv)
	}
	return q
}

// integrate maps the request, calls the backend within the integration timeout and maps
// its answer (or, for proxy types, takes the backend's response as it is).
func (h *Handler) integrate(x *Exchange) error {
	it := x.Method.Integration
	if it == nil {
		// AWS: "Execution failed due to configuration error: No integration defined for method".
		return ErrInternal(errors.New("no integration defined for method"))
	}
	b := h.backends[it.Type]
	if b == nil {
		return ErrInternal(fmt.Errorf("integration type %s is not supported by apigw-local yet", it.Type))
	}
	req := &x.IntegrationRequest
	req.Method = it.HTTPMethod
	if req.Method == "ANY" || req.Method == "" {
		req.Method = x.Req.Method
	}
	if it.Type != "MOCK" {
		x.TraceID = newTraceID(x.Start, x.Req.Header.Get("X-Amzn-Trace-Id"))
		x.mapRequestParameters(it, req)
	}
	if it.Proxy {
		req.Body, req.Binary = x.Body, x.RequestIsBinary()
	} else {
		var err error
		if req.Body, req.Binary, err = x.mapRequestBody(it); err != nil {
			return err
		}
		x.applyRequestOverrides(req)
	}
	res, err := h.invoke(x, b, it, req)
	if err != nil {
		return err
	}
	if it.Proxy {
		x.Response = &Response{Status: res.Status, Header: res.Header, Body: res.Body}
		return nil
	}
	resp, err := x.mapResponse(it, res)
	if err != nil {
		return err
	}
	x.Response = resp
	return nil
}

// invoke calls the backend. MOCK answers inline; other types run under the integration
// timeout and give 504 when it passes. Backends return as soon as their context is done;
// the work behind them (a Lambda function, a remote server) goes on, as on AWS.
func (h *Handler) invoke(x *Exchange, b Backend, it *Integration, req *IntegrationRequest) (*IntegrationResult, error) {
	if it.Type == "MOCK" {
		return b.Invoke(x.Req.Context(), x, req)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(x.Req.Context()), it.Timeout)
	defer cancel()
	res, err := b.Invoke(ctx, x, req)
	if ctx.Err() == context.DeadlineExceeded && (err != nil || res == nil) || errors.Is(err, context.DeadlineExceeded) {
		ge := ErrIntegrationTimeout()
		ge.Cause = fmt.Errorf("the %s integration did not answer within timeoutInMillis %d", it.Type, it.Timeout.Milliseconds())
		return nil, ge
	}
	if err == nil && res == nil {
		return nil, ErrInternal(fmt.Errorf("%s backend returned no result", it.Type))
	}
	return res, err
}

// fail renders a pipeline error.
func (h *Handler) fail(w http.ResponseWriter, x *Exchange, err error) {
	if errors.Is(err, errTooLarge) {
		// AWS's front door answers this itself: plain text, none of API Gateway's headers
		// (reference/gateway-responses.md, REQUEST_TOO_LARGE).
		w.Header()["Content-Type"] = []string{"text; charset=utf-8"}
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = io.WriteString(w, "HTTP content length exceeded 10485760 bytes.")
		return
	}
	var ge *GatewayError
	if !errors.As(err, &ge) {
		ge = ErrInternal(err)
	}
	level := slog.LevelDebug
	if ge.Cause != nil {
		level = slog.LevelWarn
	}
	h.log.Log(x.Req.Context(), level, "execute-api request failed", "requestId", x.RequestID, "api", x.APIID,
		"method", x.Req.Method, "path", x.ContextPath, "type", ge.Type, "status", ge.Status, "err", ge.Cause)
	h.writeGatewayError(w, x, ge)
}

// writeResponse writes the method response with API Gateway's own headers: integration
// headers that collide with reserved names come back as x-amzn-Remapped-*, Content-Type
// defaults to application/json, and Lambda and AWS integrations carry X-Amzn-Trace-Id.
func (h *Handler) writeResponse(w http.ResponseWriter, x *Exchange) {
	resp := x.Response
	hdr := w.Header()
	typ := x.Method.Integration.Type
	if !writeMethodResponseHeaders(hdr, resp.Header, typ) {
		hdr["Content-Type"] = []string{"application/json"}
	}
	vals := []string{x.RequestID, x.ExtendedRequestID, x.TraceID, ""} // one allocation for the header values
	hdr["x-amzn-RequestId"] = vals[0:1:1]
	hdr["x-amz-apigw-id"] = vals[1:2:2]
	if x.TraceID != "" && (typ == "AWS" || typ == "AWS_PROXY") {
		hdr["X-Amzn-Trace-Id"] = vals[2:3:3]
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	body := resp.Body
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		// These statuses carry no body; what an integration returned with them is dropped.
		body = nil
	} else {
		vals[3] = strconv.Itoa(len(body))
		hdr["Content-Length"] = vals[3:4:4]
	}
	w.WriteHeader(status)
	if x.Req.Method != http.MethodHead && len(body) > 0 {
		_, _ = w.Write(body)
	}
}

func hostWithoutPort(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return hostport
}
