package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

func sdk(url string) *apigateway.Client {
	return apigateway.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	})
}

// setupMock creates GET /pets/{id} on a MOCK integration with a small response template and
// returns its URL and the exact bytes it answers.
func setupMock(ctx context.Context, base string) (string, []byte, error) {
	c := sdk(base)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("bench")})
	if err != nil {
		return "", nil, err
	}
	pets, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})
	if err != nil {
		return "", nil, err
	}
	id, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: pets.Id, PathPart: aws.String("{id}")})
	if err != nil {
		return "", nil, err
	}
	verb := aws.String("GET")
	steps := []func() error{
		func() error {
			_, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: verb, AuthorizationType: aws.String("NONE")})
			return err
		},
		func() error {
			_, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: verb, Type: types.IntegrationTypeMock,
				RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
			return err
		},
		func() error {
			_, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: verb, StatusCode: aws.String("200")})
			return err
		},
		func() error {
			_, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: verb, StatusCode: aws.String("200"),
				ResponseTemplates: map[string]string{"application/json": `{"id": "$input.params('id')", "name": "pet $input.params('id')", "stage": "$context.stage"}`}})
			return err
		},
		func() error {
			_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("bench")})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return "", nil, err
		}
	}
	url := base + "/_aws/execute-api/" + *api.Id + "/bench/pets/42"
	status, body, err := get(newClient(1), url)
	if err != nil || status != 200 {
		return "", nil, fmt.Errorf("MOCK answered %d %s: %v", status, body, err)
	}
	return url, body, nil
}

// mgmtLoad measures GetRestApi calls per second through the SDK client.
func mgmtLoad(ctx context.Context, base string, conc int, duration time.Duration) (float64, error) {
	c := sdk(base)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("mgmt-bench")})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var n, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && n.Load() < 1_000_000 {
				if _, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api.Id}); err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if errs.Load() > 0 {
		return 0, fmt.Errorf("%d GetRestApi calls failed", errs.Load())
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}
