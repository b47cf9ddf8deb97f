package store

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// CreateModelInput is the body of CreateModel.
type CreateModelInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Schema      string `json:"schema"`
	ContentType string `json:"contentType"`
}

var modelNameRE = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// The models AWS creates in every new REST API.
var defaultModels = []CreateModelInput{
	{Name: "Empty", Description: "This is a default empty schema model", ContentType: "application/json",
		Schema: "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}"},
	{Name: "Error", Description: "This is a default error schema model", ContentType: "application/json",
		Schema: "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}"},
}

// DefaultModels returns new copies of the Empty and Error models AWS creates in every new
// REST API (without ids).
func DefaultModels() []*Model {
	out := make([]*Model, len(defaultModels))
	for i, in := range defaultModels {
		out[i] = &Model{Name: in.Name, Description: in.Description, Schema: in.Schema, ContentType: in.ContentType}
	}
	return out
}

func errModelNotFound(name string) error {
	return awserr.New(awserr.NotFound, "Invalid model name specified: %s", name)
}

func validateModel(m *Model) error {
	if !modelNameRE.MatchString(m.Name) {
		return awserr.New(awserr.BadRequest, "Model name must be non-empty and alphanumeric")
	}
	if strings.TrimSpace(m.ContentType) == "" {
		return awserr.New(awserr.BadRequest, "Content type must be non-empty")
	}
	if m.Schema != "" && !json.Valid([]byte(m.Schema)) {
		return awserr.New(awserr.BadRequest, "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. The schema is not valid JSON]")
	}
	return nil
}

// addDefaultModels gives a new API the Empty and Error models; callers hold s.mu.
func (s *Store) addDefaultModels(a *apiState) {
	for _, in := range defaultModels {
		m := &Model{Name: in.Name, Description: in.Description, Schema: in.Schema, ContentType: in.ContentType}
		m.ID = s.newID(6, func(string) bool { return false })
		a.models[m.Name] = m
	}
}

// CreateModel adds a model to a REST API.
func (s *Store) CreateModel(apiID string, in CreateModelInput) (*Model, error) {
	m := &Model{Name: in.Name, Description: in.Description, Schema: in.Schema, ContentType: in.ContentType}
	if err := validateModel(m); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	if _, ok := a.models[m.Name]; ok {
		return nil, awserr.New(awserr.Conflict, "Model name already exists for this REST API")
	}
	m.ID = s.newID(6, func(id string) bool {
		for _, o := range a.models {
			if o.ID == id {
				return true
			}
		}
		return false
	})
	a.models[m.Name] = m
	s.seq.Add(1)
	return m.clone(), nil
}

// GetModel returns one model by name.
func (s *Store) GetModel(apiID, name string) (*Model, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	m, ok := a.models[name]
	if !ok {
		return nil, errModelNotFound(name)
	}
	return m.clone(), nil
}

// ListModels returns one page of models ordered by name.
func (s *Store) ListModels(apiID, position string, limit int) ([]*Model, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, "", err
	}
	return listSorted(a.models, position, limit, func(m *Model) string { return m.Name }, (*Model).clone)
}

var modelRules = []patchRule[Model]{
	strField[Model]("/schema", opsReplace, func(m *Model) *string { return &m.Schema }),
	strField[Model]("/description", opsReplace, func(m *Model) *string { return &m.Description }),
}

// UpdateModel patches a model's schema or description.
func (s *Store) UpdateModel(apiID, name string, ops []PatchOp) (*Model, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	m, ok := a.models[name]
	if !ok {
		return nil, errModelNotFound(name)
	}
	c := m.clone()
	if err := applyPatch(c, modelRules, ops, "updateModelInput"); err != nil {
		return nil, err
	}
	if err := validateModel(c); err != nil {
		return nil, err
	}
	a.models[name] = c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteModel removes a model no method references.
func (s *Store) DeleteModel(apiID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return err
	}
	if _, ok := a.models[name]; !ok {
		return errModelNotFound(name)
	}
	for _, r := range a.resources {
		for verb, m := range r.Methods {
			for _, ref := range m.RequestModels {
				if ref == name {
					return awserr.New(awserr.Conflict, "Cannot delete model '%s', is referenced in method request: %s/%s", name, r.Path, verb)
				}
			}
		}
	}
	delete(a.models, name)
	s.seq.Add(1)
	return nil
}
