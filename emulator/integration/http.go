package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
)

// MaxResponseBytes bounds what is read from an HTTP or AWS service backend: API Gateway's
// 10 MB payload limit.
const MaxResponseBytes = 10 << 20

// HTTP is the backend of HTTP and HTTP_PROXY integrations (and of VPC_LINK connections,
// which the emulator sends straight to the integration URI).
type HTTP struct {
	// transport and insecure (for tlsConfig.insecureSkipVerification) are called directly,
	// not through an http.Client: API Gateway follows no redirects and needs no cookie jar.
	transport http.RoundTripper
	insecure  http.RoundTripper
	log       *slog.Logger
}

// NewTransport returns the pooled transport integrations use: HTTP/1.1 keep-alive
// connections, no transparent decompression (bodies pass through as the backend sent
// them), proxies from the environment.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
}

// NewHTTP returns the HTTP backend. A nil transport sends plain-HTTP requests over pooled
// connections in the caller's goroutine and the rest through NewTransport.
func NewHTTP(transport http.RoundTripper, log *slog.Logger) *HTTP {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base, _ := transport.(*http.Transport)
	if transport == nil {
		base = NewTransport()
		transport = newDirectTransport(base)
	}
	h := &HTTP{transport: transport, insecure: transport, log: log}
	if base != nil {
		it := base.Clone()
		it.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the integration's tlsConfig asks for it
		h.insecure = it
	}
	return h
}

// Invoke calls the integration URI. HTTP_PROXY forwards the method request (headers less
// the hop-by-hop ones, query string, body) with the mapped parameters on top; HTTP sends
// only the mapped parameters and body. Host is the backend's.
func (h *HTTP) Invoke(ctx context.Context, x *dataplane.Exchange, req *dataplane.IntegrationRequest) (*dataplane.IntegrationResult, error) {
	it := x.Method.Integration
	raw, err := x.IntegrationURI()
	if err != nil {
		return nil, dataplane.ErrInternal(err)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, raw, bytes.NewReader(req.Body))
	if err != nil || (hreq.URL.Scheme != "http" && hreq.URL.Scheme != "https") || hreq.URL.Host == "" {
		return nil, dataplane.ErrInternal(fmt.Errorf("integration URI %q (from %s) is not an http(s) URL", raw, it.URI))
	}
	hreq.URL.RawQuery = integrationQuery(hreq.URL.RawQuery, x, req, it.Proxy)
	if len(req.Body) == 0 {
		hreq.Body, hreq.ContentLength = http.NoBody, 0
	}
	if it.Proxy {
		copyProxyHeaders(hreq.Header, x)
	} else {
		hreq.Header["Accept"] = []string{"application/json"}
		hreq.Header["User-Agent"] = []string{"AmazonAPIGateway_" + x.APIID}
		if len(req.Body) > 0 {
			ct := x.Req.Header.Get("Content-Type")
			if ct == "" {
				ct = "application/json"
			}
			hreq.Header["Content-Type"] = []string{ct}
		}
	}
	hreq.Header["X-Amzn-Apigateway-Api-Id"] = []string{x.APIID}
	hreq.Header["X-Amzn-Trace-Id"] = []string{x.TraceID}
	for k, v := range req.Header {
		if k == "Host" {
			hreq.Host = v[len(v)-1]
			continue
		}
		hreq.Header[k] = v
	}
	rt := h.transport
	if it.TLSConfig != nil && it.TLSConfig.InsecureSkipVerification {
		rt = h.insecure
	}
	return do(ctx, rt, hreq)
}

// integrationQuery builds the query string: the URI's own, then for proxies the method
// request's as sent, then the mapped integration.request.querystring.* (which replace
// forwarded parameters of the same name).
func integrationQuery(uriQuery string, x *dataplane.Exchange, req *dataplane.IntegrationRequest, proxy bool) string {
	forwarded := ""
	if proxy {
		forwarded = x.Req.URL.RawQuery
		if len(req.Query) > 0 && forwarded != "" {
			q, _ := url.ParseQuery(forwarded)
			for k := range req.Query {
				q.Del(k)
			}
			forwarded = q.Encode()
		}
	}
	mapped := ""
	if len(req.Query) > 0 {
		mapped = url.Values(req.Query).Encode()
	}
	parts := make([]string, 0, 3)
	for _, p := range []string{uriQuery, forwarded, mapped} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "&")
}

// copyProxyHeaders copies the client's headers for HTTP_PROXY, less those API Gateway
// drops (reference/gateway-responses.md §3), and adds X-Forwarded-*.
func copyProxyHeaders(dst http.Header, x *dataplane.Exchange) {
	for k, v := range x.Req.Header {
		if dataplane.DroppedRequestHeader(k) {
			continue
		}
		switch k {
		case "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Amzn-Trace-Id":
			continue
		case "Authorization":
			if isSigV4(v[len(v)-1]) {
				continue
			}
		}
		dst[k] = v
	}
	dst["X-Forwarded-For"] = []string{forwardedFor(x)}
	dst["X-Forwarded-Port"] = []string{localPort(x.Req)}
	dst["X-Forwarded-Proto"] = []string{scheme(x.Req)}
}

// do sends an integration request and reads the answer within ctx. A backend that cannot
// be reached is 504 "Network error communicating with endpoint"; a TLS certificate it
// does not trust is a configuration error (500), as on AWS.
func do(ctx context.Context, rt http.RoundTripper, hreq *http.Request) (*dataplane.IntegrationResult, error) {
	resp, err := rt.RoundTrip(hreq)
	if err != nil {
		if ctx.Err() != nil || timedOut(err) {
			return nil, context.DeadlineExceeded
		}
		return nil, networkError(hreq, err)
	}
	defer resp.Body.Close()
	size := resp.ContentLength
	if size < 0 || size > MaxResponseBytes {
		size = 512
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+1))
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil || timedOut(err) {
			return nil, context.DeadlineExceeded
		}
		return nil, dataplane.ErrNetwork(fmt.Errorf("%s %s: reading the response: %w", hreq.Method, hreq.URL.Redacted(), err))
	}
	if n > MaxResponseBytes {
		return nil, dataplane.ErrIntegrationFailure(http.StatusBadGateway, fmt.Errorf("%s %s: the response is over 10 MB", hreq.Method, hreq.URL.Redacted()))
	}
	return &dataplane.IntegrationResult{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}, nil
}

// timedOut reports an error from the connection deadline, which is the integration
// timeout: it can fire a moment before the context notices.
func timedOut(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
}

func networkError(hreq *http.Request, err error) error {
	var cert *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	if errors.As(err, &cert) || errors.As(err, &unknown) || errors.As(err, &host) {
		// AWS logs "General SSLEngine problem" and answers 500.
		return dataplane.ErrInternal(fmt.Errorf("%s %s: %w (set tlsConfig.insecureSkipVerification to accept it)", hreq.Method, hreq.URL.Redacted(), err))
	}
	return dataplane.ErrNetwork(fmt.Errorf("%s %s: %w", hreq.Method, hreq.URL.Redacted(), err))
}
