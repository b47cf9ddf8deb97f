// Package apikeys emulates API Gateway's API keys and usage plans for REST APIs: the
// management operations (ApiKeys with ImportApiKeys, UsagePlans, UsagePlanKeys, GetUsage,
// UpdateUsage) and the data plane's API key check for methods with apiKeyRequired. The
// key comes from the x-api-key header, or, when the API's apiKeySource is AUTHORIZER,
// from the Lambda authorizer's usageIdentifierKey; it must exist, be enabled and belong
// to a usage plan bound to the API stage, else 403 {"message":"Forbidden"}. The plan's
// throttles and quota are package throttle's.
//
// Known differences from AWS: a key's legacy stageKeys grant nothing (only usage plans
// do, as for every key created since usage plans exist); UpdateUsagePlan is not limited
// to one call per 20 seconds; GetUsage reports days whose use the emulator saw (counters
// live in memory and start empty).
package apikeys

import (
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// Checker is the data plane's API key step.
type Checker struct {
	store *store.Store
}

// NewChecker returns the API key step over the store's key index.
func NewChecker(s *store.Store) *Checker { return &Checker{store: s} }

// Step checks the API key of a method that requires one and fills
// $context.identity.apiKey and apiKeyId; for other methods both stay null. It runs after
// authorization, whose usageIdentifierKey it reads (as $context.identity.apiKey) when the
// API's key source is AUTHORIZER.
func (c *Checker) Step(x *dataplane.Exchange) error {
	if !x.Method.APIKeyRequired {
		x.Identity.APIKey, x.Identity.APIKeyID = "", ""
		return nil
	}
	var value string
	if x.Deployment.Snapshot.API.APIKeySource == "AUTHORIZER" {
		value = x.Identity.APIKey
	} else {
		value = x.Req.Header.Get("X-Api-Key")
	}
	x.Identity.APIKey, x.Identity.APIKeyID = "", ""
	if value == "" {
		return ErrForbidden()
	}
	k := c.store.KeyIndex().Key(value)
	if k == nil || !k.Enabled || k.Plan(store.StageRef{APIID: x.APIID, Stage: x.Stage.Name}) == nil {
		return ErrForbidden()
	}
	x.Identity.APIKey, x.Identity.APIKeyID = value, k.ID
	return nil
}

// ErrForbidden is INVALID_API_KEY: 403 {"message":"Forbidden"}, for a key that is missing,
// unknown, disabled or not in a usage plan of the stage (reference/throttling-keys-caching.md §2).
func ErrForbidden() *dataplane.GatewayError {
	return &dataplane.GatewayError{Type: "INVALID_API_KEY", Message: "Forbidden"}
}
