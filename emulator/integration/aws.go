package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
)

// AWSConfig configures AWS service integrations.
type AWSConfig struct {
	// Endpoint receives the requests of every service without its own endpoint
	// (--aws-endpoint), e.g. LocalStack's http://localhost:4566.
	Endpoint string
	// ServiceEndpoints holds endpoints by the service name of the integration ARN
	// (--service-endpoint sqs=http://localhost:9324).
	ServiceEndpoints map[string]string
	// Credentials sign the requests; the zero value signs as access key "test".
	Credentials aws.Credentials
	// Region signs requests whose ARN names no region.
	Region string
	// Transport sends the requests; nil uses pooled connections as NewHTTP does.
	Transport http.RoundTripper
	// Lambda runs Lambda invocation URIs (lambda:path/2015-03-31/functions/.../invocations).
	Lambda *Lambda
	// Logger receives the missing-endpoint warning; nil discards it.
	Logger *slog.Logger
	// Now is the signing clock; nil means time.Now.
	Now func() time.Time
}

// AWS is the backend of AWS integrations: Lambda invocation URIs go to the local runner;
// every other service ARN becomes a SigV4-signed request to the endpoint configured for
// the service.
type AWS struct {
	cfg    AWSConfig
	rt     http.RoundTripper
	signer *v4.Signer
	warned sync.Map // service → struct{}: the missing-endpoint warning is logged once
}

// NewAWS returns the AWS backend; it checks the endpoint URLs.
func NewAWS(cfg AWSConfig) (*AWS, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Credentials.AccessKeyID == "" {
		cfg.Credentials = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Transport == nil {
		cfg.Transport = newDirectTransport(NewTransport())
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Endpoint != "" {
		if err := CheckEndpoint(cfg.Endpoint); err != nil {
			return nil, fmt.Errorf("AWS endpoint: %w", err)
		}
	}
	for svc, ep := range cfg.ServiceEndpoints {
		if err := CheckEndpoint(ep); err != nil {
			return nil, fmt.Errorf("endpoint of %s: %w", svc, err)
		}
	}
	return &AWS{cfg: cfg, rt: cfg.Transport, signer: v4.NewSigner()}, nil
}

// CheckEndpoint reports whether u is an http(s) URL with a host and nothing after its path.
func CheckEndpoint(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return err
	}
	if p.Scheme != "http" && p.Scheme != "https" || p.Host == "" || p.RawQuery != "" || p.Fragment != "" {
		return fmt.Errorf("%q is not an http(s) URL such as http://localhost:4566", u)
	}
	return nil
}

// endpoint returns the base URL for a service ("" if none is configured).
func (a *AWS) endpoint(service string) string {
	if ep, ok := a.cfg.ServiceEndpoints[service]; ok {
		return strings.TrimSuffix(ep, "/")
	}
	return strings.TrimSuffix(a.cfg.Endpoint, "/")
}

// jsonProtocol lists services whose actions use the AWS JSON protocol: X-Amz-Target
// prefix and JSON version. Other services' actions use the query protocol (Action=...).
var jsonProtocol = map[string]struct{ target, version string }{
	"states":         {"AWSStepFunctions", "1.0"},
	"dynamodb":       {"DynamoDB_20120810", "1.0"},
	"kinesis":        {"Kinesis_20131202", "1.1"},
	"events":         {"AWSEvents", "1.1"},
	"logs":           {"Logs_20140328", "1.1"},
	"firehose":       {"Firehose_20150804", "1.1"},
	"ssm":            {"AmazonSSM", "1.1"},
	"secretsmanager": {"secretsmanager", "1.1"},
	"kms":            {"TrentService", "1.1"},
	"cognito-idp":    {"AWSCognitoIdentityProviderService", "1.1"},
	"ecs":            {"AmazonEC2ContainerServiceV20141113", "1.1"},
	"athena":         {"AmazonAthena", "1.1"},
	"glue":           {"AWSGlue", "1.1"},
	"codebuild":      {"CodeBuild_20161006", "1.1"},
	"comprehend":     {"Comprehend_20171127", "1.1"},
	"translate":      {"AWSShineFrontendService_20170701", "1.1"},
}

// Invoke runs an AWS integration.
func (a *AWS) Invoke(ctx context.Context, x *dataplane.Exchange, req *dataplane.IntegrationRequest) (*dataplane.IntegrationResult, error) {
	it := x.Method.Integration
	t := it.AWS
	if t == nil {
		return nil, dataplane.ErrInternal(fmt.Errorf("integration URI %s is not an AWS service ARN (arn:aws:apigateway:{region}:{service}:action/{Action} or :path/{path})", it.URI))
	}
	if t.Function != nil {
		if a.cfg.Lambda == nil {
			return nil, dataplane.ErrInternal(errors.New("no Lambda runner"))
		}
		return a.cfg.Lambda.invokeCustom(ctx, x, req)
	}
	base := a.endpoint(t.Service)
	if base == "" {
		err := fmt.Errorf("no endpoint for AWS service %q: start apigw-local with --service-endpoint %s=URL or --aws-endpoint URL (e.g. LocalStack's http://localhost:4566)", t.Service, t.Service)
		if _, seen := a.warned.LoadOrStore(t.Service, struct{}{}); !seen {
			a.cfg.Logger.Warn("AWS service integration has no endpoint; it answers like an unreachable integration",
				"service", t.Service, "uri", it.URI, "fix", "--service-endpoint "+t.Service+"=URL or --aws-endpoint URL")
		}
		return nil, dataplane.ErrNetwork(err)
	}
	hreq, err := a.request(ctx, x, req, t, base)
	if err != nil {
		return nil, err
	}
	return do(ctx, a.rt, hreq)
}

// request builds the signed service request.
func (a *AWS) request(ctx context.Context, x *dataplane.Exchange, req *dataplane.IntegrationRequest, t *dataplane.AWSTarget, base string) (*http.Request, error) {
	var target, query string
	proto, isJSON := jsonProtocol[t.Service]
	u := base + "/"
	if t.Path != nil {
		p, err := x.Expand(t.Path)
		if err != nil {
			return nil, dataplane.ErrInternal(err)
		}
		p, query, _ = strings.Cut(p, "?")
		u = base + "/" + strings.TrimPrefix(p, "/")
	} else {
		query = t.ActionQuery
		if isJSON {
			target = proto.target + "." + t.Action
		} else {
			query = joinQuery("Action="+url.QueryEscape(t.Action), query)
		}
	}
	if len(req.Query) > 0 {
		query = joinQuery(query, url.Values(req.Query).Encode())
	}
	if query != "" {
		u += "?" + query
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u, bytes.NewReader(req.Body))
	if err != nil {
		return nil, dataplane.ErrInternal(fmt.Errorf("AWS integration request: %w", err))
	}
	if len(req.Body) == 0 {
		hreq.Body, hreq.ContentLength = http.NoBody, 0
	}
	switch {
	case target != "":
		hreq.Header["X-Amz-Target"] = []string{target}
		hreq.Header["Content-Type"] = []string{"application/x-amz-json-" + proto.version}
	case len(req.Body) > 0:
		hreq.Header["Content-Type"] = []string{"application/json"}
	}
	if x.TraceID != "" {
		hreq.Header["X-Amzn-Trace-Id"] = []string{x.TraceID}
	}
	for k, v := range req.Header {
		if k == "Host" {
			continue
		}
		hreq.Header[k] = v
	}
	sum := sha256.Sum256(req.Body)
	hash := hex.EncodeToString(sum[:])
	if t.Service == "s3" {
		hreq.Header["X-Amz-Content-Sha256"] = []string{hash}
	}
	region := t.Region
	if region == "" {
		region = a.cfg.Region
	}
	if err := a.signer.SignHTTP(ctx, a.cfg.Credentials, hreq, hash, t.SigningName(), region, a.cfg.Now()); err != nil {
		return nil, dataplane.ErrInternal(fmt.Errorf("signing the %s request: %w", t.Service, err))
	}
	return hreq, nil
}

func joinQuery(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "&" + b
}
