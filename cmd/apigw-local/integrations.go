package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/pflag"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/integration"
)

// integrationOptions are start's flags for AWS service integrations.
type integrationOptions struct {
	awsEndpoint      string
	serviceEndpoints []string
}

func (o *integrationOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.awsEndpoint, "aws-endpoint", "",
		"endpoint for AWS service integrations (SQS, SNS, Step Functions, DynamoDB, EventBridge, Kinesis ...), e.g. LocalStack's http://localhost:4566")
	f.StringArrayVar(&o.serviceEndpoints, "service-endpoint", nil,
		"endpoint for one service of AWS integrations, by the service name in the integration ARN: 'sqs=http://localhost:9324' (repeatable; wins over --aws-endpoint)")
}

// config checks the flags and returns the emulator's integration configuration. Service
// requests are signed with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
// when set, else with test/test.
func (o *integrationOptions) config() (emulator.IntegrationConfig, error) {
	cfg := emulator.IntegrationConfig{AWSEndpoint: o.awsEndpoint}
	if o.awsEndpoint != "" {
		if err := integration.CheckEndpoint(o.awsEndpoint); err != nil {
			return cfg, fmt.Errorf("--aws-endpoint: %w", err)
		}
	}
	for _, spec := range o.serviceEndpoints {
		svc, u, ok := strings.Cut(spec, "=")
		svc = strings.TrimSpace(svc)
		if !ok || svc == "" {
			return cfg, fmt.Errorf("--service-endpoint %q: want service=URL, e.g. sqs=http://localhost:9324", spec)
		}
		if err := integration.CheckEndpoint(u); err != nil {
			return cfg, fmt.Errorf("--service-endpoint %s: %w", svc, err)
		}
		if cfg.ServiceEndpoints == nil {
			cfg.ServiceEndpoints = map[string]string{}
		}
		cfg.ServiceEndpoints[svc] = u
	}
	if id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		cfg.Credentials = aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
	}
	return cfg, nil
}
