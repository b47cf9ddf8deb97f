// Command benchfn is the Runtime API Go function of make bench: it decodes the Lambda proxy
// event and answers a small JSON body built from the path parameter.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       `{"id":"` + ev.PathParameters["id"] + `","name":"pet"}`,
	}, nil
}

func main() { lambda.Start(handle) }
