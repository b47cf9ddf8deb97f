// Package emulatortest runs an apigw-local emulator inside a Go test: it listens on a free
// loopback port, stops when the test ends, and hands out an AWS SDK configuration and
// invoke URLs pointing at it.
//
//	func TestOrders(t *testing.T) {
//		emu := emulatortest.New(t, emulatortest.WithLambda("orders", ordersHandler))
//		client := apigateway.NewFromConfig(emu.AWSConfig())
//		// create, deploy, then call emu.InvokeURL(apiID, "test") + "/orders"
//	}
package emulatortest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/rawheader"
	"github.com/apigw-local/apigw-local/emulator/requestid"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// Emulator is a running emulator bound to one test.
type Emulator struct {
	// URL is the emulator's base URL (http://127.0.0.1:port).
	URL string
	// Server is the emulator itself, to seed or inspect state directly.
	Server *emulator.Server

	cfg  emulator.Config
	http *http.Server
}

// Option configures the emulator New starts.
type Option func(*options)

type options struct {
	cfg      emulator.Config
	handlers []handlerSpec
}

type handlerSpec struct {
	cfg     lambdarunner.FunctionConfig
	handler any
}

// WithLambda registers an in-process Go Lambda handler (any signature aws-lambda-go
// accepts) under the function name name.
func WithLambda(name string, handler any) Option {
	return func(o *options) {
		o.handlers = append(o.handlers, handlerSpec{cfg: lambdarunner.FunctionConfig{Name: name}, handler: handler})
	}
}

// WithFunction registers an in-process Go handler with a full configuration (timeout,
// environment, reserved concurrency).
func WithFunction(cfg lambdarunner.FunctionConfig, handler any) Option {
	return func(o *options) { o.handlers = append(o.handlers, handlerSpec{cfg: cfg, handler: handler}) }
}

// WithClock injects the emulator's clock.
func WithClock(c store.Clock) Option { return func(o *options) { o.cfg.Clock = c } }

// WithSeed makes resource ids and request ids deterministic.
func WithSeed(seed uint64) Option {
	return func(o *options) {
		o.cfg.IDs = store.NewSeededIDs(seed)
		o.cfg.RequestIDs = requestid.NewSeeded(seed)
	}
}

// WithLogger sends the emulator's log to l (by default it is discarded).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.cfg.Logger = l } }

// WithAccess configures access control: Cognito JWKS, IAM credentials, the account throttle.
func WithAccess(cfg emulator.AccessConfig) Option { return func(o *options) { o.cfg.Access = cfg } }

// WithIntegrations configures the integration backends (AWS service endpoints).
func WithIntegrations(cfg emulator.IntegrationConfig) Option {
	return func(o *options) { o.cfg.Integrations = cfg }
}

// WithRegion sets the region the emulator reports.
func WithRegion(region string) Option { return func(o *options) { o.cfg.Region = region } }

// New starts an emulator on 127.0.0.1 with a free port and stops it when t ends.
func New(t testing.TB, opts ...Option) *Emulator {
	t.Helper()
	e, err := Start(opts...)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

// Start starts an emulator on 127.0.0.1 with a free port, for use outside tests (examples,
// TestMain). Close stops it.
func Start(opts ...Option) (*Emulator, error) {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	srv, err := emulator.New(o.cfg)
	if err != nil {
		return nil, err
	}
	for _, h := range o.handlers {
		if err := srv.Lambda().RegisterHandler(h.cfg, h.handler); err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("register %s: %w", h.cfg.Name, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ConnContext: rawheader.ConnContext}
	go func() { _ = hs.Serve(rawheader.Listen(ln)) }()
	cfg := o.cfg
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return &Emulator{URL: "http://" + ln.Addr().String(), Server: srv, cfg: cfg, http: hs}, nil
}

// Close stops the emulator: the listener, in-flight requests (bounded), and every function
// environment.
func (e *Emulator) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = e.http.Shutdown(ctx)
	_ = e.Server.Close()
}

// AWSConfig is an SDK configuration for the emulator: its URL as BaseEndpoint, static
// test credentials and its region. Use it with any aws-sdk-go-v2 client's NewFromConfig.
func (e *Emulator) AWSConfig() aws.Config {
	return aws.Config{
		Region:       e.cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.URL),
	}
}

// InvokeURL is the base URL of a deployed stage; append the resource path.
func (e *Emulator) InvokeURL(apiID, stage string) string {
	return e.URL + "/_aws/execute-api/" + apiID + "/" + stage
}

// Reset drops every API, deployment, stage, API key and usage plan, with throttle and quota
// counts and cached authorizer decisions.
func (e *Emulator) Reset() { e.Server.Reset() }
