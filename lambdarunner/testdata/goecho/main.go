// Command goecho is the Go test function: it echoes its event unless the event asks for something
// else with "action".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type command struct {
	Action string `json:"action"`
	Ms     int    `json:"ms"`
	Text   string `json:"text"`
	Path   string `json:"path"`
}

var calls int // module state: survives between invocations of one environment

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	calls++
	var c command
	_ = json.Unmarshal(raw, &c) // non-object events are echoed
	switch c.Action {
	case "":
		return raw, nil
	case "sleep":
		time.Sleep(time.Duration(c.Ms) * time.Millisecond)
		return map[string]int{"pid": os.Getpid()}, nil
	case "exit":
		fmt.Println("about to exit")
		os.Exit(3)
	case "panic":
		panic(c.Text)
	case "error":
		return nil, errors.New(c.Text)
	case "log":
		fmt.Println(c.Text)
		fmt.Fprintln(os.Stderr, "stderr: "+c.Text)
		return "logged", nil
	case "state":
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		return map[string]any{
			"calls":     calls,
			"pid":       os.Getpid(),
			"requestId": lc.AwsRequestID,
			"arn":       lc.InvokedFunctionArn,
			"remaining": time.Until(deadline).Milliseconds(),
			"env": map[string]string{
				"AWS_LAMBDA_FUNCTION_NAME":        os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
				"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
				"AWS_REGION":                      os.Getenv("AWS_REGION"),
				"_HANDLER":                        os.Getenv("_HANDLER"),
				"TZ":                              os.Getenv("TZ"),
				"GREETING":                        os.Getenv("GREETING"),
			},
		}, nil
	case "probe": // misuse of the Runtime API: report the status codes the emulator answers
		status := func(method, path string) int {
			req, _ := http.NewRequest(method, "http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+"/2018-06-01/runtime"+path, strings.NewReader(`{}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return -1
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		return map[string]int{
			"wrongId":       status("POST", "/invocation/not-the-id/response"),
			"lateInitError": status("POST", "/init/error"),
			"unknownRoute":  status("GET", "/invocation/whatever"),
			"wrongMethod":   status("PUT", "/invocation/next"),
		}, nil
	case "touch":
		return "touched", os.WriteFile(c.Path, raw, 0o644)
	}
	return nil, fmt.Errorf("unknown action %q", c.Action)
}

func main() { lambda.Start(handle) }
