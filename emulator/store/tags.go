package store

import (
	"maps"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// RestAPIARN is the ARN AWS gives a REST API.
func (s *Store) RestAPIARN(apiID string) string {
	return "arn:aws:apigateway:" + s.cfg.Region + "::/restapis/" + apiID
}

// tagsOf finds the tag map an ARN refers to; callers hold s.mu. create makes the map of a
// resource that has none yet.
func (s *Store) tagsOf(arn string, create bool) (*map[string]string, error) {
	i := strings.Index(arn, "::/")
	if !strings.HasPrefix(arn, "arn:aws") || !strings.Contains(arn, ":apigateway:") || i < 0 {
		return nil, awserr.New(awserr.BadRequest, "Invalid ARN specified in the request")
	}
	path := strings.Split(strings.Trim(arn[i+2:], "/"), "/")
	if len(path) >= 2 && path[0] == "restapis" {
		a, err := s.api(path[1])
		if err != nil {
			return nil, err
		}
		switch {
		case len(path) == 2:
			return &a.api.Tags, nil
		case len(path) == 4 && path[2] == "stages":
			st, ok := a.stages[path[3]]
			if !ok {
				return nil, errStageNotFound()
			}
			return &st.Tags, nil
		}
	}
	// Resources that keep no tags of their own (API keys, usage plans, domain names ...).
	m := s.tags[arn]
	if m == nil && create {
		s.tags[arn] = map[string]string{}
	}
	t := s.tags[arn]
	return &t, nil
}

// TagResource adds or replaces tags on a resource by ARN.
func (s *Store) TagResource(arn string, tags map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.tagsOf(arn, true)
	if err != nil {
		return err
	}
	if *m == nil {
		*m = map[string]string{}
	}
	maps.Copy(*m, tags)
	s.seq.Add(1)
	return nil
}

// UntagResource removes tag keys from a resource by ARN.
func (s *Store) UntagResource(arn string, keys []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.tagsOf(arn, false)
	if err != nil {
		return err
	}
	for _, k := range keys {
		delete(*m, k)
	}
	s.seq.Add(1)
	return nil
}

// GetTags returns the tags of a resource by ARN.
func (s *Store) GetTags(arn string) (map[string]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, err := s.tagsOf(arn, false)
	if err != nil {
		return nil, err
	}
	out := maps.Clone(*m)
	if out == nil {
		out = map[string]string{}
	}
	return out, nil
}
