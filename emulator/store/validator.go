package store

import "github.com/apigw-local/apigw-local/emulator/awserr"

// CreateRequestValidatorInput is the body of CreateRequestValidator.
type CreateRequestValidatorInput struct {
	Name                      string `json:"name"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

func errValidatorNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Request Validator identifier specified")
}

// CreateRequestValidator adds a request validator to a REST API.
func (s *Store) CreateRequestValidator(apiID string, in CreateRequestValidatorInput) (*RequestValidator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	for _, v := range a.validators {
		if in.Name != "" && v.Name == in.Name {
			return nil, awserr.New(awserr.Conflict, "Validator with name %s already exists", in.Name)
		}
	}
	v := &RequestValidator{Name: in.Name, ValidateRequestBody: in.ValidateRequestBody, ValidateRequestParameters: in.ValidateRequestParameters}
	v.ID = s.newID(6, func(id string) bool { _, ok := a.validators[id]; return ok })
	a.validators[v.ID] = v
	s.seq.Add(1)
	return v.clone(), nil
}

// GetRequestValidator returns one request validator.
func (s *Store) GetRequestValidator(apiID, id string) (*RequestValidator, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	v, ok := a.validators[id]
	if !ok {
		return nil, errValidatorNotFound()
	}
	return v.clone(), nil
}

// ListRequestValidators returns one page of request validators ordered by name.
func (s *Store) ListRequestValidators(apiID, position string, limit int) ([]*RequestValidator, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, "", err
	}
	return listSorted(a.validators, position, limit, func(v *RequestValidator) string { return v.Name + "\x00" + v.ID }, (*RequestValidator).clone)
}

var validatorRules = []patchRule[RequestValidator]{
	strField[RequestValidator]("/name", opsReplace, func(v *RequestValidator) *string { return &v.Name }),
	boolField[RequestValidator]("/validateRequestBody", func(v *RequestValidator) *bool { return &v.ValidateRequestBody }),
	boolField[RequestValidator]("/validateRequestParameters", func(v *RequestValidator) *bool { return &v.ValidateRequestParameters }),
}

// UpdateRequestValidator patches a request validator.
func (s *Store) UpdateRequestValidator(apiID, id string, ops []PatchOp) (*RequestValidator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	v, ok := a.validators[id]
	if !ok {
		return nil, errValidatorNotFound()
	}
	c := v.clone()
	if err := applyPatch(c, validatorRules, ops, "updateRequestValidatorInput"); err != nil {
		return nil, err
	}
	a.validators[id] = c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteRequestValidator removes a request validator no method uses.
func (s *Store) DeleteRequestValidator(apiID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return err
	}
	if _, ok := a.validators[id]; !ok {
		return errValidatorNotFound()
	}
	for _, r := range a.resources {
		for verb, m := range r.Methods {
			if m.RequestValidatorID == id {
				return awserr.New(awserr.Conflict, "Cannot delete request validator, is referenced in method: %s/%s", verb, r.Path)
			}
		}
	}
	delete(a.validators, id)
	s.seq.Add(1)
	return nil
}
