package emulator

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/mgmt"
)

// AccessConfig configures access control in the data plane.
type AccessConfig struct{}

// accessSteps returns the data plane's access-control steps.
func (s *Server) accessSteps() (dataplane.Steps, error) { return dataplane.Steps{}, nil }

// accessRoutes registers the management operations of access control.
func (s *Server) accessRoutes(r *mux.Router, h mgmt.Helpers) {}

// accessInternalRoutes registers access-control endpoints under /_apigw-local/.
func (s *Server) accessInternalRoutes(mux *http.ServeMux) {}
