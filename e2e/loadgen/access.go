package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// The access-control scenario: a usage plan of 100 requests per second (burst 100)
// under 50 connections for 10 s must admit 100 ± 5% in every second after the first
// (which also spends the burst) and answer the rest 429.
const (
	planRate     = 100
	planBurst    = 100
	planConns    = 50
	planDuration = 10 * time.Second
)

// setupPlan creates GET /limited (MOCK, API key required) and a key in a plan of
// planRate rps; it returns the URL and the key.
func setupPlan(ctx context.Context, base string) (string, string, error) {
	c := sdk(base)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("plan-bench")})
	if err != nil {
		return "", "", err
	}
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("limited")})
	if err != nil {
		return "", "", err
	}
	verb := aws.String("GET")
	value := strings.Repeat("loadgen", 4)
	var keyID, planID *string
	for _, step := range []func() error{
		func() error {
			_, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: verb, AuthorizationType: aws.String("NONE"), ApiKeyRequired: true})
			return err
		},
		func() error {
			_, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: verb, Type: types.IntegrationTypeMock,
				RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
			return err
		},
		func() error {
			_, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: verb, StatusCode: aws.String("200")})
			return err
		},
		func() error {
			_, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: verb, StatusCode: aws.String("200"),
				ResponseTemplates: map[string]string{"application/json": `{"key": "$context.identity.apiKeyId"}`}})
			return err
		},
		func() error {
			_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("bench")})
			return err
		},
		func() error {
			k, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("bench"), Value: &value, Enabled: true})
			if err == nil {
				keyID = k.Id
			}
			return err
		},
		func() error {
			p, err := c.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("bench"),
				ApiStages: []types.ApiStage{{ApiId: api.Id, Stage: aws.String("bench")}},
				Throttle:  &types.ThrottleSettings{RateLimit: planRate, BurstLimit: planBurst}})
			if err == nil {
				planID = p.Id
			}
			return err
		},
		func() error {
			_, err := c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: planID, KeyId: keyID, KeyType: aws.String("API_KEY")})
			return err
		},
	} {
		if err := step(); err != nil {
			return "", "", err
		}
	}
	return base + "/_aws/execute-api/" + *api.Id + "/bench/limited", value, nil
}

// runPlan drives the plan scenario and prints requests admitted per second.
func runPlan(ctx context.Context, base string) error {
	url, key, err := setupPlan(ctx, base)
	if err != nil {
		return fmt.Errorf("set up the usage plan scenario: %w", err)
	}
	seconds := int(planDuration / time.Second)
	admitted := make([]atomic.Int64, seconds)
	var throttled, other, sent atomic.Int64
	client := newClient(planConns)
	ctx, cancel := context.WithTimeout(ctx, planDuration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range planConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && sent.Add(1) <= 5_000_000 {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				req.Header.Set("x-api-key", key)
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						other.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				sec := int(time.Since(start) / time.Second)
				switch {
				case resp.StatusCode == 200 && sec < seconds:
					admitted[sec].Add(1)
				case resp.StatusCode == 429:
					throttled.Add(1)
				case resp.StatusCode != 200:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("\nusage plan of %d rps (burst %d), %d connections for %s: admitted per second:", planRate, planBurst, planConns, planDuration)
	var steady int64
	worst := 0.0
	for s := range admitted {
		n := admitted[s].Load()
		fmt.Printf(" %d", n)
		if s > 0 {
			steady += n
			worst = max(worst, abs(float64(n)-planRate)/planRate)
		}
	}
	mean := float64(steady) / float64(seconds-1)
	fmt.Printf("\n  after the first second (which spends the burst): %.1f admitted/s on average (target %d ± 5%%), worst single second off by %.0f%%;\n"+
		"  429 Too Many Requests: %d; other answers: %d\n", mean, planRate, 100*worst, throttled.Load(), other.Load())
	if other.Load() > 0 {
		return fmt.Errorf("usage plan scenario: %d answers were neither 200 nor 429", other.Load())
	}
	return nil
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
