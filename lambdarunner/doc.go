// Package lambdarunner emulates AWS Lambda for apigw-local: a registry of functions, a [Runner]
// that invokes them by name or ARN, and the Lambda Invoke API (plus GetFunction,
// GetFunctionConfiguration and ListFunctions) so the AWS SDKs and `aws lambda invoke
// --endpoint-url` work against the emulator.
//
// Functions run in one of two ways. [Manager.Register] runs a function as real, warm processes
// speaking the Lambda Runtime API (package runtimeapi): provided.al2, provided.al2023 and go1.x
// (an executable bootstrap, or a Go main package built with go build into a content-keyed cache),
// nodejsNN.x on the local node, python3.NN on the local python, through bootstraps embedded in the
// binary. [Manager.RegisterHandler] runs a Go handler of any aws-lambda-go signature inside the
// emulator's process (package inprocess), for Go tests.
//
// Errors follow Lambda's split: everything that happened inside the function (an exception, a
// crash reported as Runtime.ExitError, its own timeout reported as Sandbox.Timedout, an init
// failure) is a successful invocation whose [InvokeResponse.FunctionError] is "Unhandled" and
// whose payload is the Lambda-shaped error JSON; rejections by the Lambda API (unknown function,
// throttling, payload too large, malformed JSON) are an [*InvokeError] carrying Lambda's error
// code and HTTP status.
//
// Knowing differences from AWS:
//   - only $LATEST exists: any qualifier (version or alias) invokes the registered code, and
//     X-Amz-Executed-Version is always $LATEST; any region or account id in an ARN is accepted;
//   - Event invocations run once in the background: throttled ones are retried for up to
//     EventRetryWindow, but a function error is only logged (Lambda retries twice and can send it
//     to a destination or dead-letter queue);
//   - concurrency is limited per function (reserved concurrency, else Config.ConcurrencyLimit)
//     with no shared account pool, and no burst limits;
//   - an empty payload reaches the function as {} (what Lambda's runtimes receive);
//   - see packages runtimeapi and inprocess for what differs in running the code.
package lambdarunner
