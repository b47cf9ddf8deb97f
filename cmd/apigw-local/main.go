// Command apigw-local runs a local emulator of Amazon API Gateway: the apigateway
// management API the AWS SDKs and CLI call, and the execute-api endpoints of what they
// deploy, with Lambda functions run as local processes.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var exit exitError
		if errors.As(err, &exit) {
			os.Exit(exit.code)
		}
		fmt.Fprintln(os.Stderr, "apigw-local:", err)
		os.Exit(1)
	}
}
