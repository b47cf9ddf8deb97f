package emulator

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/integration"
)

// IntegrationConfig configures the integration backends of the data plane.
type IntegrationConfig struct {
	// AWSEndpoint receives AWS service integrations (SQS, SNS, Step Functions, DynamoDB,
	// EventBridge, Kinesis ...) of every service without its own endpoint, e.g. LocalStack's
	// http://localhost:4566. Empty: such integrations fail like an unreachable endpoint.
	AWSEndpoint string
	// ServiceEndpoints holds endpoints by the service name of the integration ARN
	// (arn:aws:apigateway:{region}:{service}:...), e.g. "sqs" → ElasticMQ's
	// http://localhost:9324, "dynamodb" → DynamoDB Local.
	ServiceEndpoints map[string]string
	// Credentials sign AWS service requests; the zero value signs as access key "test".
	Credentials aws.Credentials
	// Transport carries HTTP and AWS service integration requests; nil uses pooled
	// keep-alive connections.
	Transport http.RoundTripper
}

// backends returns the data plane's integration backends by integration type (MOCK is
// built into the data plane).
func (s *Server) backends() (map[string]dataplane.Backend, error) {
	cfg := s.cfg.Integrations
	lambda := integration.NewLambda(s.lambda, s.log)
	httpBackend := integration.NewHTTP(cfg.Transport, s.log)
	awsBackend, err := integration.NewAWS(integration.AWSConfig{
		Endpoint:         cfg.AWSEndpoint,
		ServiceEndpoints: cfg.ServiceEndpoints,
		Credentials:      cfg.Credentials,
		Region:           s.cfg.Region,
		Transport:        cfg.Transport,
		Lambda:           lambda,
		Logger:           s.log,
	})
	if err != nil {
		return nil, err
	}
	return map[string]dataplane.Backend{
		"AWS_PROXY":  lambda.Proxy(),
		"AWS":        awsBackend,
		"HTTP":       httpBackend,
		"HTTP_PROXY": httpBackend,
	}, nil
}
