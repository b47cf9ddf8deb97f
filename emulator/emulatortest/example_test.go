package emulatortest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-local/apigw-local/emulator/emulatortest"
)

// Example creates a REST API with the real aws-sdk-go-v2 client, deploys it, and calls it.
func Example() {
	// In a test, emulatortest.New(t) does the same and stops the emulator when t ends.
	emu, err := emulatortest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer emu.Close()
	ctx := context.Background()
	client := apigateway.NewFromConfig(emu.AWSConfig())

	api, _ := client.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("hello")})
	get := aws.String("GET")
	_, _ = client.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, AuthorizationType: aws.String("NONE")})
	_, _ = client.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get,
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	_, _ = client.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, StatusCode: aws.String("200")})
	_, _ = client.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get,
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"hello": "$context.stage"}`}})
	_, _ = client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("test")})

	resp, err := http.Get(emu.InvokeURL(*api.Id, "test") + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 {"hello": "test"}
}
