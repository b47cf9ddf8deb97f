package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// putGatewayResponse customises one gateway response type.
func putGatewayResponse(t *testing.T, c *apigateway.Client, api string, typ types.GatewayResponseType, status string, params, templates map[string]string) {
	t.Helper()
	in := &apigateway.PutGatewayResponseInput{RestApiId: &api, ResponseType: typ, ResponseParameters: params, ResponseTemplates: templates}
	if status != "" {
		in.StatusCode = &status
	}
	if _, err := c.PutGatewayResponse(ctx, in); err != nil {
		t.Fatalf("put gateway response %s: %v", typ, err)
	}
}

func TestCustomisedGatewayResponses(t *testing.T) {
	e := start(t)
	c := e.apigw()
	api := newRestAPI(t, c, "gateway-responses")
	api.method("/down", "GET", httpIntegration(types.IntegrationTypeHttpProxy, "GET", "http://"+closedPort(t)+"/", nil))
	never := apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, PassthroughBehavior: aws.String("NEVER")}
	api.method("/never", "POST", never)
	api.response("/never", "POST", "200", nil, nil, nil, "")
	putGatewayResponse(t, c, api.ID, types.GatewayResponseTypeMissingAuthenticationToken, "404",
		map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'", "gatewayresponse.header.X-Path": "context.resourcePath"},
		map[string]string{"application/json": `{"error": $context.error.messageString, "type": "$context.error.responseType", "stage": "$context.stage"}`})
	putGatewayResponse(t, c, api.ID, types.GatewayResponseTypeDefault4xx, "",
		map[string]string{"gatewayresponse.header.X-Fallback": "'4xx'", "gatewayresponse.header.X-Origin": "method.request.header.Origin"}, nil)
	putGatewayResponse(t, c, api.ID, types.GatewayResponseTypeDefault5xx, "",
		map[string]string{"gatewayresponse.header.X-Request": "context.requestId", "gatewayresponse.header.X-Color": "stageVariables.color"},
		map[string]string{"application/json": `{"oops": $context.error.messageString, "type": "$context.error.responseType", "color": "${stageVariables.color}"}`})
	api.deploy("dev", map[string]string{"color": "teal"})
	base := e.invokeURL(api.ID, "dev")

	t.Run("GetGatewayResponses lists all 21 types", func(t *testing.T) {
		out, err := c.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: &api.ID, Limit: aws.Int32(500)})
		if err != nil {
			t.Fatal(err)
		}
		custom := map[types.GatewayResponseType]bool{types.GatewayResponseTypeMissingAuthenticationToken: true,
			types.GatewayResponseTypeDefault4xx: true, types.GatewayResponseTypeDefault5xx: true}
		if len(out.Items) != 21 {
			t.Errorf("%d types", len(out.Items))
		}
		for _, g := range out.Items {
			if g.DefaultResponse == custom[g.ResponseType] {
				t.Errorf("%s: defaultResponse %v", g.ResponseType, g.DefaultResponse)
			}
			if g.ResponseType == types.GatewayResponseTypeAccessDenied && aws.ToString(g.StatusCode) != "403" {
				t.Errorf("ACCESS_DENIED status %v", aws.ToString(g.StatusCode))
			}
		}
	})

	t.Run("missing authentication token as a 404 with CORS", func(t *testing.T) {
		r := do(t, "GET", base+"/nothing-here", nil)
		if r.Status != 404 || r.Body != `{"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN", "stage": "dev"}` {
			t.Errorf("got %d %s", r.Status, r.Body)
		}
		for k, want := range map[string]string{
			"Access-Control-Allow-Origin": "*", "X-Amzn-Errortype": "MissingAuthenticationTokenException",
			"Content-Type": "application/json", "X-Amzn-Trace-Id": "", "X-Fallback": "",
		} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		wantRequestIDs(t, r)
	})
	t.Run("DEFAULT_4XX fallback keeps the type's status", func(t *testing.T) {
		r := do(t, "POST", base+"/never", strings.NewReader(`{}`), "Content-Type: application/json", "Origin: http://localhost:3000")
		// DEFAULT_4XX has no template of its own: the default one renders.
		wantGatewayError(t, r, 415, `{"message":"Unsupported Media Type"}`, "BadRequestException")
		if r.Header.Get("X-Fallback") != "4xx" || r.Header.Get("X-Origin") != "http://localhost:3000" {
			t.Errorf("fallback headers: %v", r.Header)
		}
	})
	t.Run("DEFAULT_5XX on an integration failure", func(t *testing.T) {
		r := do(t, "GET", base+"/down", nil)
		wantGatewayError(t, r, 504, `{"oops": "Network error communicating with endpoint", "type": "INTEGRATION_FAILURE", "color": "teal"}`, "InternalServerErrorException")
		if r.Header.Get("X-Request") != r.Header.Get("X-Amzn-Requestid") || r.Header.Get("X-Color") != "teal" {
			t.Errorf("mapped headers: %v", r.Header)
		}
	})
	t.Run("unknown stage is not customised", func(t *testing.T) {
		wantGatewayError(t, do(t, "GET", e.invokeURL(api.ID, "prod")+"/x", nil), 403, `{"message":"Forbidden"}`, "ForbiddenException")
	})

	t.Run("customised INTEGRATION_FAILURE covers Lambda's 500 and 502", func(t *testing.T) {
		putGatewayResponse(t, c, api.ID, types.GatewayResponseTypeIntegrationFailure, "503",
			map[string]string{"gatewayresponse.header.Retry-After": "'1'"}, nil)
		api.method("/fn", "POST", proxyLambda("nosuchfunction"))
		// Changes reach the stage with a deployment, as on AWS.
		if r := do(t, "POST", base+"/fn", nil); r.Status != 404 {
			t.Errorf("before the deployment: %d %s", r.Status, r.Body)
		}
		api.deploy("dev", map[string]string{"color": "teal"})
		r := do(t, "POST", base+"/fn", nil)
		wantGatewayError(t, r, 503, `{"message":"Internal server error"}`, "InternalServerErrorException")
		if r.Header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
		// The same customisation (without a template: the default one) answers network errors.
		r = do(t, "GET", base+"/down", nil)
		wantGatewayError(t, r, 503, `{"message":"Network error communicating with endpoint"}`, "InternalServerErrorException")
	})
}
