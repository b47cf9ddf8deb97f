package openapi

import (
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// schemeKind is what a security scheme means to API Gateway.
type schemeKind int

const (
	schemeIgnored    schemeKind = iota
	schemeAPIKey                // an x-api-key header: the method requires an API key
	schemeIAM                   // x-amazon-apigateway-authtype: awsSigv4
	schemeAuthorizer            // x-amazon-apigateway-authorizer: a Lambda or Cognito authorizer
)

type scheme struct {
	kind    schemeKind
	cognito bool
}

// collectSchemes reads the security schemes (securityDefinitions in Swagger 2.0): Lambda and
// Cognito authorizers, IAM and API keys.
func (b *builder) collectSchemes() error {
	if b.doc.oas.Components == nil {
		return nil
	}
	base := "components.securitySchemes"
	if b.doc.swagger {
		base = "securityDefinitions"
	}
	schemes := b.doc.oas.Components.SecuritySchemes
	for _, name := range sortedKeys(schemes) {
		ref := schemes[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		at := base + member(name)
		authType, err := asOptionalString(s.Extensions[extAuthType])
		if err != nil {
			return invalidInput("%s at %s: %v.", extAuthType, at, err)
		}
		for _, x := range unclaimed(s.Extensions, extAuthType, extAuthorizer) {
			b.warn("Unsupported extension %s at %s. Ignoring.", x, at)
		}
		switch {
		case s.Extensions[extAuthorizer] != nil:
			a, err := b.authorizer(name, at, authType, s)
			if err != nil {
				return err
			}
			if a == nil {
				b.schemes[name] = scheme{kind: schemeIgnored}
				continue
			}
			b.authorizers = append(b.authorizers, a)
			b.schemes[name] = scheme{kind: schemeAuthorizer, cognito: a.Type == "COGNITO_USER_POOLS"}
		case strings.EqualFold(authType, "awsSigv4"):
			b.schemes[name] = scheme{kind: schemeIAM}
		case s.Type == "apiKey" && strings.EqualFold(s.In, "header") && strings.EqualFold(s.Name, "x-api-key"):
			b.schemes[name] = scheme{kind: schemeAPIKey}
		default:
			b.warn("Unsupported security definition '%s' at %s (type '%s'): API Gateway reads API keys (an x-api-key header), x-amazon-apigateway-authorizer and awsSigv4 schemes. Ignoring.", name, at, s.Type)
			b.schemes[name] = scheme{kind: schemeIgnored}
		}
	}
	return nil
}

func asOptionalString(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	return asString(v)
}

// authorizer reads an x-amazon-apigateway-authorizer; nil means ignored (with a warning).
func (b *builder) authorizer(name, at, authType string, s *openapi3.SecurityScheme) (*store.Authorizer, error) {
	e := newExt(extAuthorizer, at, s.Extensions[extAuthorizer])
	if e.err != nil {
		return nil, e.err
	}
	typ := e.str("type")
	if strings.EqualFold(typ, "jwt") {
		b.warn("%s at %s has type jwt, which only HTTP APIs support. Ignoring the security scheme.", extAuthorizer, at)
		return nil, nil
	}
	if typ == "" {
		typ = "token"
	}
	e.m["type"] = typ
	a := &store.Authorizer{
		Name:                         name,
		Type:                         e.enum("type", "token", "request", "cognito_user_pools"),
		AuthType:                     authType,
		AuthorizerURI:                e.str("authorizerUri"),
		AuthorizerCredentials:        e.str("authorizerCredentials"),
		IdentitySource:               e.str("identitySource"),
		IdentityValidationExpression: e.str("identityValidationExpression"),
		AuthorizerResultTTLInSeconds: e.integer("authorizerResultTtlInSeconds"),
		ProviderARNs:                 e.strList("providerARNs"),
	}
	for _, k := range []string{"authorizerPayloadFormatVersion", "enableSimpleResponses", "jwtConfiguration"} {
		if _, ok := e.get(k); ok {
			b.warn("'%s' of %s at %s applies to HTTP APIs only. Ignoring.", k, extAuthorizer, at)
		}
	}
	if e.err != nil {
		return nil, e.err
	}
	for _, k := range e.unknown() {
		b.warn("Unknown property '%s' of %s at %s. Ignoring.", k, extAuthorizer, at)
	}
	// A TOKEN or Cognito authorizer reads the header the scheme names when the extension
	// gives no identity source (AWS-recorded GetAuthorizers after ImportRestApi).
	if a.IdentitySource == "" && a.Type != "REQUEST" && strings.EqualFold(s.In, "header") && s.Name != "" {
		a.IdentitySource = "method.request.header." + s.Name
	}
	return a, nil
}

// security applies the security requirements of an operation (or, without any, the
// document's) to a method: API key, IAM, or an authorizer with its scopes.
func (b *builder) security(m *store.Method, op *openapi3.Operation, at string) error {
	reqs := b.doc.oas.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	// API Gateway applies every scheme listed, whether in one requirement or several.
	scopes := map[string][]string{}
	for _, req := range reqs {
		for name, sc := range req {
			scopes[name] = append(scopes[name], sc...)
		}
	}
	m.AuthorizationType = "NONE"
	for _, name := range sortedKeys(scopes) {
		s, ok := b.schemes[name]
		if !ok {
			b.warn("The security requirement '%s' at %s names no security scheme. Ignoring.", name, at)
			continue
		}
		switch s.kind {
		case schemeAPIKey:
			m.APIKeyRequired = true
		case schemeIAM:
			if m.AuthorizerID != "" {
				b.warn("%s requires both IAM and the authorizer '%s'; API Gateway allows one. Using the authorizer.", at, m.AuthorizerID)
				continue
			}
			m.AuthorizationType = "AWS_IAM"
		case schemeAuthorizer:
			if m.AuthorizerID != "" {
				b.warn("%s names the authorizers '%s' and '%s'; API Gateway allows one. Using '%s'.", at, m.AuthorizerID, name, m.AuthorizerID)
				continue
			}
			if m.AuthorizationType == "AWS_IAM" {
				b.warn("%s requires both IAM and the authorizer '%s'; API Gateway allows one. Using the authorizer.", at, name)
			}
			m.AuthorizationType = "CUSTOM"
			m.AuthorizerID = name
			if s.cognito {
				m.AuthorizationType = "COGNITO_USER_POOLS"
				if sc := slices.Compact(slices.Sorted(slices.Values(scopes[name]))); len(sc) > 0 {
					m.AuthorizationScopes = sc
				}
			}
		}
	}
	// x-amazon-apigateway-auth sets the authorization type outright.
	if v, ok := op.Extensions[extAuth]; ok {
		e := newExt(extAuth, at, v)
		t := e.enum("type", "NONE", "AWS_IAM")
		if e.err != nil {
			return e.err
		}
		if t != "" {
			m.AuthorizationType, m.AuthorizerID, m.AuthorizationScopes = t, "", nil
		}
	}
	return nil
}
