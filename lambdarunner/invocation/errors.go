package invocation

import (
	"encoding/json"
	"strconv"
	"time"
)

// ErrorPayload is the error JSON Lambda returns as the Invoke payload for errors the service itself
// detects (as opposed to errors a runtime posts, which pass through verbatim).
type ErrorPayload struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// Marshal returns the JSON encoding of p.
func (p ErrorPayload) Marshal() []byte {
	b, err := json.Marshal(p)
	if err != nil { // two strings always encode
		panic(err)
	}
	return b
}

// TimeoutError is the payload of an invocation that ran past its timeout.
// Lambda reports errorType "Sandbox.Timedout" and "RequestId: <id> Error: Task timed out after
// 3.00 seconds" (Lambda developer guide, troubleshooting-invocation, "Sandbox.Timedout"), with the
// elapsed time printed to two decimals as in the log line.
func TimeoutError(requestID string, elapsed time.Duration) []byte {
	return ErrorPayload{
		ErrorType:    "Sandbox.Timedout",
		ErrorMessage: "RequestId: " + requestID + " Error: Task timed out after " + strconv.FormatFloat(elapsed.Seconds(), 'f', 2, 64) + " seconds",
	}.Marshal()
}

// ExitError is the payload of an invocation whose runtime process exited before answering, e.g.
// {"errorType":"Runtime.ExitError","errorMessage":"RequestId: <id> Error: Runtime exited with error: exit status 1"}.
// reason is the exit status as Go prints it ("exit status 1", "signal: killed"); empty means the
// process exited cleanly, which Lambda reports as "Runtime exited without providing a reason".
func ExitError(requestID, reason string) []byte {
	msg := "Runtime exited without providing a reason"
	if reason != "" {
		msg = "Runtime exited with error: " + reason
	}
	return ErrorPayload{ErrorType: "Runtime.ExitError", ErrorMessage: "RequestId: " + requestID + " Error: " + msg}.Marshal()
}

// ResponseTooLargeError is the payload Lambda returns when a function's response exceeds
// [MaxPayload].
func ResponseTooLargeError() []byte {
	return ErrorPayload{
		ErrorType:    "Function.ResponseSizeTooLarge",
		ErrorMessage: "Response payload size exceeded maximum allowed payload size (" + strconv.Itoa(MaxPayload) + " bytes).",
	}.Marshal()
}
