package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// TestResourcePolicyAgainstBinary: a resource policy that lets loopback callers in and
// denies /admin to everyone.
func TestResourcePolicyAgainstBinary(t *testing.T) {
	e := start(t)
	c := e.apigw()
	doc := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.1/32"]}}},` +
		`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/*/admin"}]}`
	out, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("policy"), Policy: &doc})
	if err != nil {
		t.Fatal(err)
	}
	api := &restAPI{t: t, c: c, ID: *out.Id, Root: *out.RootResourceId, resources: map[string]string{"/": *out.RootResourceId}}
	api.put(accessMethod{path: "/pets", verb: "GET"})
	api.put(accessMethod{path: "/admin", verb: "GET"})
	api.deploy("dev", nil)
	base := e.invokeURL(api.ID, "dev")
	echoOf(t, do(t, "GET", base+"/pets", nil))
	wantDenial(t, do(t, "GET", base+"/admin", nil), 403,
		`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:000000000000:`+api.ID+`/dev/GET/admin with an explicit deny"}`,
		"AccessDeniedException")
}
