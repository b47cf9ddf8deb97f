package integration

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
)

// header is one header of the proxy event.
type header struct {
	name   string
	values []string
}

// eventHeaders collects the headers of the proxy event: the client's, less those API
// Gateway drops, plus Host and the headers a regional endpoint adds (X-Amzn-Trace-Id,
// X-Forwarded-For/-Port/-Proto), in name order.
func eventHeaders(x *dataplane.Exchange, buf []header, vals *[5]string) []header {
	r := x.Req
	hs := buf[:0]
	for k, v := range r.Header {
		if len(v) == 0 || dataplane.DroppedRequestHeader(k) {
			continue
		}
		switch k {
		case "X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "Host":
			continue
		case "Authorization":
			if isSigV4(v[len(v)-1]) {
				// A SigV4 Authorization header is not passed on (AWS developer guide).
				continue
			}
		}
		hs = append(hs, header{x.HeaderName(k), v})
	}
	*vals = [5]string{r.Host, x.TraceID, forwardedFor(x), localPort(r), scheme(r)}
	if r.Host != "" {
		hs = append(hs, header{"Host", vals[0:1:1]})
	}
	if x.TraceID != "" {
		hs = append(hs, header{"X-Amzn-Trace-Id", vals[1:2:2]})
	}
	hs = append(hs, header{"X-Forwarded-For", vals[2:3:3]}, header{"X-Forwarded-Port", vals[3:4:4]}, header{"X-Forwarded-Proto", vals[4:5:5]})
	slices.SortFunc(hs, func(a, b header) int { return dataplane.CompareFold(a.name, b.name) })
	return hs
}

func isSigV4(auth string) bool { return strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") }

// forwardedFor is the X-Forwarded-For API Gateway passes on: the client's own list with
// the caller's address appended.
func forwardedFor(x *dataplane.Exchange) string {
	if prev := x.Req.Header.Values("X-Forwarded-For"); len(prev) > 0 {
		return strings.Join(prev, ", ") + ", " + x.SourceIP
	}
	return x.SourceIP
}

func localPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if tcp, ok := a.(*net.TCPAddr); ok {
			return strconv.Itoa(tcp.Port)
		}
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	if r.TLS != nil {
		return "443"
	}
	return "80"
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// appendProxyEvent appends the REST API Lambda proxy event of x (reference/lambda-proxy.md
// §1): the keys in AWS's order, empty maps as null, the query string decoded, the path
// and greedy path parameters as sent, a binary body (binaryMediaTypes) base64-encoded.
// The event is the JSON form of aws-lambda-go's events.APIGatewayProxyRequest.
func appendProxyEvent(b []byte, x *dataplane.Exchange, hbuf []header) []byte {
	var vals [5]string
	r := x.Req
	b = append(b, `{"resource":`...)
	b = appendString(b, x.ResourcePath())
	b = append(b, `,"path":`...)
	b = appendString(b, x.Path)
	b = append(b, `,"httpMethod":`...)
	b = appendString(b, r.Method)

	hs := eventHeaders(x, hbuf, &vals)
	b = append(b, `,"headers":{`...)
	for i, h := range hs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, h.name)
		b = append(b, ':')
		b = appendString(b, h.values[len(h.values)-1])
	}
	b = append(b, `},"multiValueHeaders":{`...)
	for i, h := range hs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, h.name)
		b = appendList(append(b, ':'), h.values)
	}
	b = append(b, '}')

	b = append(b, `,"queryStringParameters":`...)
	if len(x.Query) == 0 {
		b = append(b, `null,"multiValueQueryStringParameters":null`...)
	} else {
		keys := slices.Sorted(maps.Keys(x.Query))
		b = append(b, '{')
		n := 0
		for _, k := range keys {
			if v := x.Query[k]; len(v) > 0 {
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = appendString(b, k)
				b = appendString(append(b, ':'), v[len(v)-1])
			}
		}
		b = append(b, `},"multiValueQueryStringParameters":{`...)
		n = 0
		for _, k := range keys {
			if v := x.Query[k]; len(v) > 0 {
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = appendString(b, k)
				b = appendList(append(b, ':'), v)
			}
		}
		b = append(b, '}')
	}

	b = append(b, `,"pathParameters":`...)
	if len(x.PathParams) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, p := range x.PathParams {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, p.Name)
			b = appendString(append(b, ':'), p.Value)
		}
		b = append(b, '}')
	}

	b = append(b, `,"stageVariables":`...)
	if len(x.StageVariables) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(x.StageVariables)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = appendString(append(b, ':'), x.StageVariables[k])
		}
		b = append(b, '}')
	}

	b = appendRequestContext(append(b, `,"requestContext":`...), x)

	b = append(b, `,"body":`...)
	binary := false
	switch {
	case len(x.Body) == 0:
		b = append(b, "null"...)
	case x.RequestIsBinary():
		binary = true
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, x.Body)
		b = append(b, '"')
	default:
		b = appendString(b, string(x.Body))
	}
	b = append(b, `,"isBase64Encoded":`...)
	b = strconv.AppendBool(b, binary)
	return append(b, '}')
}

func appendList(b []byte, vs []string) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

// appendRequestContext appends requestContext in the order AWS's samples show it; the
// identity keys are all present, null unless known; authorizer only with an authorizer.
func appendRequestContext(b []byte, x *dataplane.Exchange) []byte {
	id := &x.Identity
	b = append(b, `{"resourceId":`...)
	b = appendString(b, x.ResourceID())
	b = append(b, `,"resourcePath":`...)
	b = appendString(b, x.ResourcePath())
	if x.Method.OperationName != "" {
		b = append(b, `,"operationName":`...)
		b = appendString(b, x.Method.OperationName)
	}
	b = append(b, `,"httpMethod":`...)
	b = appendString(b, x.Req.Method)
	b = append(b, `,"extendedRequestId":`...)
	b = appendString(b, x.ExtendedRequestID)
	b = append(b, `,"requestTime":`...)
	b = appendString(b, x.RequestTime())
	b = append(b, `,"path":`...)
	b = appendString(b, x.ContextPath)
	b = append(b, `,"accountId":`...)
	b = appendString(b, x.AccountID)
	b = append(b, `,"protocol":"HTTP/1.1","stage":`...)
	b = appendString(b, x.StageName())
	b = append(b, `,"domainPrefix":`...)
	b = appendString(b, x.DomainPrefix())
	b = append(b, `,"requestTimeEpoch":`...)
	b = strconv.AppendInt(b, x.RequestTimeEpoch(), 10)
	b = append(b, `,"requestId":`...)
	b = appendString(b, x.RequestID)
	b = append(b, `,"identity":{"cognitoIdentityPoolId":`...)
	b = appendNullable(b, id.CognitoIdentityPoolID)
	if id.APIKey != "" {
		b = append(b, `,"apiKey":`...)
		b = appendString(b, id.APIKey)
		b = append(b, `,"apiKeyId":`...)
		b = appendNullable(b, id.APIKeyID)
	}
	b = append(b, `,"accountId":`...)
	b = appendNullable(b, id.AccountID)
	b = append(b, `,"cognitoIdentityId":`...)
	b = appendNullable(b, id.CognitoIdentityID)
	b = append(b, `,"caller":`...)
	b = appendNullable(b, id.Caller)
	b = append(b, `,"sourceIp":`...)
	b = appendNullable(b, x.SourceIP)
	b = append(b, `,"principalOrgId":`...)
	b = appendNullable(b, id.PrincipalOrgID)
	b = append(b, `,"accessKey":`...)
	b = appendNullable(b, id.AccessKey)
	b = append(b, `,"cognitoAuthenticationType":`...)
	b = appendNullable(b, id.CognitoAuthenticationType)
	b = append(b, `,"cognitoAuthenticationProvider":`...)
	b = appendNullable(b, id.CognitoAuthenticationProvider)
	b = append(b, `,"userArn":`...)
	b = appendNullable(b, id.UserARN)
	b = append(b, `,"userAgent":`...)
	b = appendNullable(b, x.Req.Header.Get("User-Agent"))
	b = append(b, `,"user":`...)
	b = appendNullable(b, id.User)
	b = append(b, '}')
	if a := x.Authorizer; a != nil {
		b = appendAuthorizer(append(b, `,"authorizer":`...), a)
	}
	b = append(b, `,"domainName":`...)
	b = appendString(b, x.DomainName)
	b = append(b, `,"deploymentId":`...)
	b = appendString(b, x.Deployment.Snapshot.DeploymentID)
	b = append(b, `,"apiId":`...)
	b = appendString(b, x.APIID)
	return append(b, '}')
}

// appendAuthorizer appends requestContext.authorizer: a Cognito authorizer's
// {"claims":{...}[,"scopes":[...]]}, or a Lambda authorizer's principalId,
// integrationLatency and context keys with their JSON types.
func appendAuthorizer(b []byte, a *dataplane.AuthorizerResult) []byte {
	if a.Claims != nil {
		b = append(b, `{"claims":`...)
		b = appendJSON(b, a.Claims)
		if a.Scopes != nil {
			b = appendList(append(b, `,"scopes":`...), a.Scopes)
		}
		return append(b, '}')
	}
	b = append(b, `{"principalId":`...)
	b = appendString(b, a.PrincipalID)
	b = append(b, `,"integrationLatency":`...)
	b = strconv.AppendInt(b, a.IntegrationLatency, 10)
	for _, k := range slices.Sorted(maps.Keys(a.Context)) {
		if k == "principalId" || k == "integrationLatency" {
			continue
		}
		b = append(b, ',')
		b = appendString(b, k)
		b = appendJSON(append(b, ':'), a.Context[k])
	}
	return append(b, '}')
}

func appendJSON(b []byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, j...)
}
