package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/auth/cognito"
	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/mgmt"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// Routes registers TestInvokeAuthorizer and FlushStageAuthorizersCache on the management
// router (call it from mgmt.Config.Extra: they replace the built-in "not implemented"
// entries).
func (a *Authorizer) Routes(r *mux.Router, h mgmt.Helpers) {
	r.Handle("/restapis/{restapi_id}/authorizers/{authorizer_id}", h.Handle("TestInvokeAuthorizer", func(w http.ResponseWriter, req *http.Request) error {
		var in TestInvokeInput
		if err := h.Decode(req, &in); err != nil {
			return err
		}
		out, err := a.TestInvoke(req, h.Var(req, "restapi_id"), h.Var(req, "authorizer_id"), in)
		if err != nil {
			return err
		}
		return h.Write(w, http.StatusOK, out)
	})).Methods(http.MethodPost)
	r.Handle("/restapis/{restapi_id}/stages/{stage_name}/cache/authorizers", h.Handle("FlushStageAuthorizersCache", func(w http.ResponseWriter, req *http.Request) error {
		apiID, stage := h.Var(req, "restapi_id"), h.Var(req, "stage_name")
		if _, err := a.store.GetStage(apiID, stage); err != nil {
			return err
		}
		a.cache.flush(apiID, stage)
		w.WriteHeader(http.StatusAccepted)
		return nil
	})).Methods(http.MethodDelete)
}

// TestInvokeInput is TestInvokeAuthorizer's body.
type TestInvokeInput struct {
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	PathWithQueryString string              `json:"pathWithQueryString"`
	Body                string              `json:"body"`
	StageVariables      map[string]string   `json:"stageVariables"`
	AdditionalContext   map[string]string   `json:"additionalContext"`
}

// TestInvokeOutput is TestInvokeAuthorizer's answer.
type TestInvokeOutput struct {
	ClientStatus  int                 `json:"clientStatus"`
	Log           string              `json:"log"`
	Latency       int64               `json:"latency"`
	PrincipalID   string              `json:"principalId,omitempty"`
	Policy        string              `json:"policy,omitempty"`
	Authorization map[string][]string `json:"authorization,omitempty"`
	Claims        map[string]string   `json:"claims,omitempty"`
}

// testInvokeStage is the stage name AWS's test invocations run in.
const testInvokeStage = "test-invoke-stage"

// TestInvoke runs an authorizer of the API's current (undeployed) definition against a
// simulated request and reports what it decided: clientStatus 200 with the principal and
// policy, 401 for a missing or refused identity, 500 for a failing authorizer.
func (a *Authorizer) TestInvoke(req *http.Request, apiID, authorizerID string, in TestInvokeInput) (*TestInvokeOutput, error) {
	au, err := a.store.GetAuthorizer(apiID, authorizerID)
	if err != nil {
		return nil, err
	}
	x, err := a.testExchange(req, apiID, in)
	if err != nil {
		return nil, err
	}
	ca := compileAuthorizer(au)
	out := &TestInvokeOutput{}
	var log strings.Builder
	fmt.Fprintf(&log, "Execution log for request %s\nStarting authorizer: %s for request: %s\n", x.RequestID, au.ID, x.RequestID)
	finish := func(status int, cause error) (*TestInvokeOutput, error) {
		out.ClientStatus = status
		if cause != nil {
			var ge *dataplane.GatewayError
			if errors.As(cause, &ge) && ge.Cause != nil {
				cause = ge.Cause
			}
			fmt.Fprintf(&log, "%s\n", cause)
		}
		fmt.Fprintf(&log, "Authorizer status: %d\n", status)
		out.Log = log.String()
		return out, nil
	}
	if ca.err != nil {
		return finish(500, ca.err)
	}
	start := a.clock.Now()
	defer func() { out.Latency = elapsedMillis(a.clock.Now().Sub(start)) }()
	if au.Type == "COGNITO_USER_POOLS" {
		res, err := a.cognito.Verify(req.Context(), cognito.Request{Token: headerValue(x.Req, ca.sources[0].name), Pools: ca.pools, Audience: ca.validation})
		if err != nil {
			return finish(401, err)
		}
		out.Claims = map[string]string{}
		for k, v := range res.Claims {
			out.Claims[k] = fmt.Sprint(v)
		}
		return finish(200, nil)
	}
	values, ok := identityValues(x, ca.sources)
	if !ok {
		return finish(401, errors.New("an identity source is missing or empty"))
	}
	fmt.Fprintf(&log, "Incoming identity: %s\n", strings.Join(values, ","))
	if ca.typ == "TOKEN" && ca.validation != nil && !ca.validation.MatchString(values[0]) {
		return finish(401, errors.New("the token does not match the identity validation expression"))
	}
	payload, err := a.event(x, ca, values, MethodARN(x))
	if err != nil {
		return finish(500, err)
	}
	fmt.Fprintf(&log, "Endpoint request body after transformations: %s\n", payload)
	d, err := a.call(req.Context(), a.functionName(x, ca), payload)
	if err != nil {
		var ge *dataplane.GatewayError
		if errors.As(err, &ge) && ge.Type == "UNAUTHORIZED" {
			return finish(401, err)
		}
		return finish(500, err)
	}
	out.PrincipalID = d.principalID
	out.Policy = string(d.policyDoc)
	return finish(200, nil)
}

// testExchange builds the simulated request of a test invocation.
func (a *Authorizer) testExchange(req *http.Request, apiID string, in TestInvokeInput) (*dataplane.Exchange, error) {
	path, rawQuery, _ := strings.Cut(in.PathWithQueryString, "?")
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	r, err := http.NewRequestWithContext(req.Context(), http.MethodGet, "http://test-invoke"+path, strings.NewReader(in.Body))
	if err != nil {
		return nil, awserr.New(awserr.BadRequest, "Invalid pathWithQueryString %q: %v", in.PathWithQueryString, err)
	}
	r.URL.RawQuery = rawQuery
	for k, vs := range in.MultiValueHeaders {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	for k, v := range in.Headers {
		r.Header.Set(k, v)
	}
	q, _ := url.ParseQuery(rawQuery)
	x := &dataplane.Exchange{
		Req: r, Start: a.clock.Now(), APIID: apiID, AccountID: a.store.AccountID(), Region: a.store.Region(),
		RequestID: "test-invoke-request", Stage: &store.LiveStage{APIID: apiID, Name: testInvokeStage},
		Deployment: &dataplane.Deployment{Snapshot: &store.Snapshot{}}, StageVariables: in.StageVariables,
		Path: path, ContextPath: "/" + testInvokeStage + path, Query: q, SourceIP: "test-invoke-source-ip",
	}
	return x, nil
}
