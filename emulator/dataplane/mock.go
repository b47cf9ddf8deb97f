package dataplane

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
)

// mockBackend is the MOCK integration: the mapped request must name a statusCode, which
// selects the integration response; the integration response body is empty.
func mockBackend(_ context.Context, _ *Exchange, req *IntegrationRequest) (*IntegrationResult, error) {
	status, ok := mockStatus(req.Body)
	if !ok {
		// AWS logs: "Execution failed due to configuration error: Unable to parse statusCode.
		// It should be an integer that is defined in the request template."
		return nil, ErrInternal(errors.New("unable to parse statusCode: it should be an integer that is defined in the request template"))
	}
	return &IntegrationResult{Status: status, Header: map[string][]string{}}, nil
}

// statusCodeRE finds a statusCode member in text AWS accepts though it is not strict JSON,
// such as the {statusCode: 200} the Serverless Framework and CDK generate for CORS
// (reference/vtl.md §8).
var statusCodeRE = regexp.MustCompile(`["']?statusCode["']?\s*:\s*["']?(\d{1,3})\b`)

func mockStatus(body []byte) (int, bool) {
	var doc struct {
		StatusCode json.Number `json:"statusCode"`
	}
	if err := json.Unmarshal(body, &doc); err == nil && doc.StatusCode != "" {
		n, err := strconv.Atoi(doc.StatusCode.String())
		return n, err == nil
	}
	m := statusCodeRE.FindSubmatch(body)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(m[1]))
	return n, err == nil
}
