package store

import (
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// CreateAuthorizerInput is the body of CreateAuthorizer.
type CreateAuthorizerInput struct {
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs"`
	AuthType                     string   `json:"authType"`
	AuthorizerURI                string   `json:"authorizerUri"`
	AuthorizerCredentials        string   `json:"authorizerCredentials"`
	IdentitySource               string   `json:"identitySource"`
	IdentityValidationExpression string   `json:"identityValidationExpression"`
	AuthorizerResultTTLInSeconds *int     `json:"authorizerResultTtlInSeconds"`
}

// DefaultAuthorizerTTL is the cache TTL AWS gives an authorizer that sets none.
const DefaultAuthorizerTTL = 300

func errAuthorizerNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Authorizer identifier specified")
}

func validateAuthorizer(a *Authorizer) error {
	if strings.TrimSpace(a.Name) == "" {
		return awserr.New(awserr.BadRequest, "Invalid authorizer name specified")
	}
	switch a.Type {
	case "TOKEN", "REQUEST":
		if a.AuthorizerURI == "" {
			return awserr.New(awserr.BadRequest, "Authorizer URI must be specified for authorizers of type %s", a.Type)
		}
		if !lambdaURIRE.MatchString(stripStageVars(a.AuthorizerURI)) {
			return awserr.New(awserr.BadRequest, "Invalid Authorizer URI specified: %s", a.AuthorizerURI)
		}
	case "COGNITO_USER_POOLS":
		if len(a.ProviderARNs) == 0 {
			return awserr.New(awserr.BadRequest, "ProviderARNs need to be specified for COGNITO_USER_POOLS authorizers")
		}
	default:
		return enumError(a.Type, "createAuthorizerInput.type", "TOKEN, REQUEST, COGNITO_USER_POOLS")
	}
	if a.Type == "TOKEN" || a.Type == "COGNITO_USER_POOLS" {
		if !strings.HasPrefix(a.IdentitySource, "method.request.header.") || len(a.IdentitySource) == len("method.request.header.") {
			return awserr.New(awserr.BadRequest, "Invalid identity source specified: %s. Must be of the form method.request.header.<name>", a.IdentitySource)
		}
	}
	if a.AuthorizerResultTTLInSeconds == nil {
		ttl := DefaultAuthorizerTTL
		a.AuthorizerResultTTLInSeconds = &ttl
	}
	if ttl := *a.AuthorizerResultTTLInSeconds; ttl < 0 || ttl > 3600 {
		return awserr.New(awserr.BadRequest, "Authorizer result TTL must be between 0 and 3600 seconds")
	}
	return nil
}

// CreateAuthorizer adds an authorizer to a REST API.
func (s *Store) CreateAuthorizer(apiID string, in CreateAuthorizerInput) (*Authorizer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	au := &Authorizer{
		Name: in.Name, Type: in.Type, ProviderARNs: slices.Clone(in.ProviderARNs), AuthType: in.AuthType,
		AuthorizerURI: in.AuthorizerURI, AuthorizerCredentials: in.AuthorizerCredentials,
		IdentitySource: in.IdentitySource, IdentityValidationExpression: in.IdentityValidationExpression,
	}
	if in.AuthorizerResultTTLInSeconds != nil {
		v := *in.AuthorizerResultTTLInSeconds
		au.AuthorizerResultTTLInSeconds = &v
	}
	if err := validateAuthorizer(au); err != nil {
		return nil, err
	}
	au.ID = s.newID(6, func(id string) bool { _, ok := a.authorizers[id]; return ok })
	a.authorizers[au.ID] = au
	s.seq.Add(1)
	return au.clone(), nil
}

// GetAuthorizer returns one authorizer.
func (s *Store) GetAuthorizer(apiID, id string) (*Authorizer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	au, ok := a.authorizers[id]
	if !ok {
		return nil, errAuthorizerNotFound()
	}
	return au.clone(), nil
}

// ListAuthorizers returns one page of authorizers ordered by name.
func (s *Store) ListAuthorizers(apiID, position string, limit int) ([]*Authorizer, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, "", err
	}
	return listSorted(a.authorizers, position, limit, func(x *Authorizer) string { return x.Name + "\x00" + x.ID }, (*Authorizer).clone)
}

var authorizerRules = []patchRule[Authorizer]{
	strField[Authorizer]("/name", opsReplace, func(a *Authorizer) *string { return &a.Name }),
	strField[Authorizer]("/type", opsReplace, func(a *Authorizer) *string { return &a.Type }),
	strField[Authorizer]("/authType", opsReplace, func(a *Authorizer) *string { return &a.AuthType }),
	strField[Authorizer]("/authorizerUri", opsReplace, func(a *Authorizer) *string { return &a.AuthorizerURI }),
	strField[Authorizer]("/authorizerCredentials", opsReplaceRemove, func(a *Authorizer) *string { return &a.AuthorizerCredentials }),
	strField[Authorizer]("/identitySource", opsReplace, func(a *Authorizer) *string { return &a.IdentitySource }),
	strField[Authorizer]("/identityValidationExpression", opsReplaceRemove, func(a *Authorizer) *string { return &a.IdentityValidationExpression }),
	listMember[Authorizer]("/providerARNs", func(a *Authorizer) *[]string { return &a.ProviderARNs }),
	{path: "/authorizerResultTtlInSeconds", ops: opsReplace, apply: func(a *Authorizer, op PatchOp, _ string) error {
		n, err := parseInt(op)
		if err != nil {
			return err
		}
		a.AuthorizerResultTTLInSeconds = &n
		return nil
	}},
}

// UpdateAuthorizer patches an authorizer.
func (s *Store) UpdateAuthorizer(apiID, id string, ops []PatchOp) (*Authorizer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	au, ok := a.authorizers[id]
	if !ok {
		return nil, errAuthorizerNotFound()
	}
	c := au.clone()
	if err := applyPatch(c, authorizerRules, ops, "updateAuthorizerInput"); err != nil {
		return nil, err
	}
	if err := validateAuthorizer(c); err != nil {
		return nil, err
	}
	a.authorizers[id] = c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteAuthorizer removes an authorizer no method uses.
func (s *Store) DeleteAuthorizer(apiID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return err
	}
	if _, ok := a.authorizers[id]; !ok {
		return errAuthorizerNotFound()
	}
	for _, r := range a.resources {
		for verb, m := range r.Methods {
			if m.AuthorizerID == id {
				return awserr.New(awserr.Conflict, "Cannot delete authorizer, is referenced in method: %s/%s", verb, r.Path)
			}
		}
	}
	delete(a.authorizers, id)
	s.seq.Add(1)
	return nil
}

// listSorted pages through a map of items in key order, handing out clones.
func listSorted[T any](m map[string]*T, position string, limit int, key func(*T) string, clone func(*T) *T) ([]*T, string, error) {
	all := make([]*T, 0, len(m))
	for _, v := range m {
		all = append(all, v)
	}
	slices.SortFunc(all, func(x, y *T) int { return strings.Compare(key(x), key(y)) })
	page, next, err := paginate(all, position, limit, key)
	if err != nil {
		return nil, "", err
	}
	out := make([]*T, len(page))
	for i, v := range page {
		out[i] = clone(v)
	}
	return out, next, nil
}
