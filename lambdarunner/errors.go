package lambdarunner

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ErrorCode is a Lambda API error code, sent in X-Amzn-ErrorType.
type ErrorCode string

// The Lambda API errors the emulator produces.
const (
	ErrResourceNotFound      ErrorCode = "ResourceNotFoundException"
	ErrTooManyRequests       ErrorCode = "TooManyRequestsException"
	ErrRequestTooLarge       ErrorCode = "RequestTooLargeException"
	ErrInvalidRequestContent ErrorCode = "InvalidRequestContentException"
	ErrInvalidParameterValue ErrorCode = "InvalidParameterValueException"
	ErrResourceConflict      ErrorCode = "ResourceConflictException"
	ErrService               ErrorCode = "ServiceException"
	ErrUnknownOperation      ErrorCode = "UnknownOperationException"
	ErrUnrecognizedClient    ErrorCode = "UnrecognizedClientException"
	throttleReasonReserved             = "ReservedFunctionConcurrentInvocationLimitExceeded"
	throttleReasonUnreserved           = "ConcurrentInvocationLimitExceeded"
)

// Status returns the HTTP status Lambda sends with the code.
func (c ErrorCode) Status() int {
	switch c {
	case ErrResourceNotFound, ErrUnknownOperation:
		return http.StatusNotFound
	case ErrTooManyRequests:
		return http.StatusTooManyRequests
	case ErrRequestTooLarge:
		return http.StatusRequestEntityTooLarge
	case ErrResourceConflict:
		return http.StatusConflict
	case ErrUnrecognizedClient:
		return http.StatusForbidden
	case ErrService:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// InvokeError is a rejection by the Lambda API: the function did not run. Use errors.As to tell
// it apart from other errors (a cancelled context, a closed Manager).
type InvokeError struct {
	// Code is the Lambda error code.
	Code ErrorCode
	// Message is Lambda's message.
	Message string
	// Reason is set for TooManyRequestsException: ReservedFunctionConcurrentInvocationLimitExceeded
	// or ConcurrentInvocationLimitExceeded.
	Reason string
}

// Error returns "Code: Message".
func (e *InvokeError) Error() string { return string(e.Code) + ": " + e.Message }

// HTTPStatus returns the status Lambda answers with.
func (e *InvokeError) HTTPStatus() int { return e.Code.Status() }

func notFound(arn string) *InvokeError {
	// Source: Lambda's response, e.g. {"Message":"Function not found: arn:aws:lambda:us-east-1:1:function:f:live","Type":"User"}.
	return &InvokeError{Code: ErrResourceNotFound, Message: "Function not found: " + arn}
}

// FunctionError is the error a function reported, parsed from the Lambda error payload.
type FunctionError struct {
	// ErrorType is errorType, e.g. "Error", "Runtime.ExitError", "Sandbox.Timedout".
	ErrorType string
	// ErrorMessage is errorMessage.
	ErrorMessage string
	// StackTrace is stackTrace (Python, Java), trace (Node.js) or the Go runtime's frames
	// rendered as "label (path:line)".
	StackTrace []string
}

// Error returns "ErrorType: ErrorMessage".
func (e *FunctionError) Error() string { return e.ErrorType + ": " + e.ErrorMessage }

func parseFunctionError(payload []byte) *FunctionError {
	var raw struct {
		ErrorType    string          `json:"errorType"`
		ErrorMessage string          `json:"errorMessage"`
		StackTrace   json.RawMessage `json:"stackTrace"`
		Trace        json.RawMessage `json:"trace"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return &FunctionError{ErrorType: "Unknown", ErrorMessage: string(payload)}
	}
	fe := &FunctionError{ErrorType: raw.ErrorType, ErrorMessage: raw.ErrorMessage}
	st := raw.StackTrace
	if len(st) == 0 {
		st = raw.Trace
	}
	if len(st) > 0 && json.Unmarshal(st, &fe.StackTrace) != nil {
		var frames []struct {
			Path  string `json:"path"`
			Line  int    `json:"line"`
			Label string `json:"label"`
		}
		if json.Unmarshal(st, &frames) == nil {
			for _, f := range frames {
				fe.StackTrace = append(fe.StackTrace, fmt.Sprintf("%s (%s:%d)", f.Label, f.Path, f.Line))
			}
		}
	}
	return fe
}
