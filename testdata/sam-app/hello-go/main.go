// Command hello-go is the sample's Go function: built from source by apigw-local (Metadata
// BuildMethod: go1.x), answering an API Gateway proxy event.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handler(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	body, err := json.Marshal(map[string]string{
		"message": os.Getenv("GREETING") + " from Go",
		"path":    req.Path,
		"stage":   req.RequestContext.Stage,
	})
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return events.APIGatewayProxyResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}, nil
}

func main() { lambda.Start(handler) }
