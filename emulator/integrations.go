package emulator

import "github.com/apigw-local/apigw-local/emulator/dataplane"

// IntegrationConfig configures the integration backends of the data plane.
type IntegrationConfig struct{}

// backends returns the data plane's integration backends by integration type (MOCK is
// built into the data plane).
func (s *Server) backends() (map[string]dataplane.Backend, error) {
	return map[string]dataplane.Backend{}, nil
}
