// Package awserr defines the typed errors of the API Gateway management API and the one
// function that renders them the way AWS does: the HTTP status of the code, an
// x-amzn-ErrorType header naming the code, and a {"message": ...} JSON body. Both
// aws-sdk-go-v2 and botocore read the code from the header and the text from the body.
package awserr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Code is an AWS error code such as NotFoundException.
type Code string

// The error codes the apigateway (v1) and apigatewayv2 models declare, plus the unmodeled
// ValidationException AWS's framework sends for enum and length violations.
const (
	BadRequest          Code = "BadRequestException"
	Unauthorized        Code = "UnauthorizedException"
	AccessDenied        Code = "AccessDeniedException"
	Forbidden           Code = "ForbiddenException"
	NotFound            Code = "NotFoundException"
	Conflict            Code = "ConflictException"
	LimitExceeded       Code = "LimitExceededException"
	TooManyRequests     Code = "TooManyRequestsException"
	ServiceUnavailable  Code = "ServiceUnavailableException"
	Validation          Code = "ValidationException"
	NotImplemented      Code = "NotImplementedException"
	InternalServerError Code = "InternalServerErrorException"
)

// Status is the HTTP status AWS sends with the code.
func (c Code) Status() int {
	switch c {
	case BadRequest, Validation:
		return http.StatusBadRequest
	case Unauthorized:
		return http.StatusUnauthorized
	case AccessDenied, Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case LimitExceeded, TooManyRequests:
		return http.StatusTooManyRequests
	case ServiceUnavailable:
		return http.StatusServiceUnavailable
	case NotImplemented:
		return http.StatusNotImplemented
	default:
		return http.StatusInternalServerError
	}
}

// Error is an AWS error with its code and message.
type Error struct {
	Code    Code
	Message string
	// Extra holds modeled members sent beside the message (v2 resourceType, limitType).
	Extra map[string]string
}

// Error implements error.
func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// New returns an error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Write renders err as AWS does. Errors that are not *Error become 500
// InternalServerErrorException with a generic message; their text is not leaked.
func Write(w http.ResponseWriter, requestID string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: InternalServerError, Message: "Internal server error"}
	}
	body := make(map[string]string, 1+len(e.Extra))
	for k, v := range e.Extra {
		body[k] = v
	}
	body["message"] = e.Message
	b, _ := json.Marshal(body) // a map of strings always marshals
	h := w.Header()
	// AWS's own header casing; Go clients canonicalise on read, so both forms are found.
	h["Content-Type"] = []string{"application/json"}
	h["x-amzn-ErrorType"] = []string{string(e.Code)}
	if requestID != "" {
		h["x-amzn-RequestId"] = []string{requestID}
	}
	w.WriteHeader(e.Code.Status())
	_, _ = w.Write(b)
}
