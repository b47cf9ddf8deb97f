// Command proxyecho is the Go Runtime API function of the integration tests: it answers a
// Lambda proxy event with the event itself as the body, unless the query string asks for
// something else with mode (error, crash, malformed, slow, binary).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev events.APIGatewayProxyRequest
	_ = json.Unmarshal(raw, &ev)
	switch ev.QueryStringParameters["mode"] {
	case "error":
		return nil, errors.New("boom")
	case "crash":
		os.Exit(3)
	case "malformed":
		return map[string]any{"statusCode": 200, "extra": 1}, nil
	case "slow":
		ms, _ := strconv.Atoi(ev.QueryStringParameters["ms"])
		time.Sleep(time.Duration(ms) * time.Millisecond)
	case "binary":
		return map[string]any{"statusCode": 200, "headers": map[string]string{"Content-Type": "image/png"}, "body": "iVBORw0KGgo=", "isBase64Encoded": true}, nil
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"X-Runtime": "go"}, Body: string(raw)}, nil
}

func main() { lambda.Start(handle) }
