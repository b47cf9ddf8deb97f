package lambdarunner

import (
	"math"
	"net/http"
	"strconv"
)

// functionConfiguration is Lambda's FunctionConfiguration shape (GetFunction, ListFunctions).
type functionConfiguration struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler"`
	CodeSize         int64             `json:"CodeSize"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256"`
	Version          string            `json:"Version"`
	Environment      *environment      `json:"Environment,omitempty"`
	TracingConfig    map[string]string `json:"TracingConfig"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage map[string]int    `json:"EphemeralStorage"`
}

type environment struct {
	Variables map[string]string `json:"Variables"`
}

func (m *Manager) configuration(f *function) functionConfiguration {
	c := functionConfiguration{
		FunctionName:     f.cfg.Name,
		FunctionArn:      m.functionARN(f.cfg.Name, ""),
		Runtime:          f.cfg.Runtime,
		Role:             "arn:aws:iam::" + m.cfg.AccountID + ":role/apigw-local",
		Handler:          f.cfg.Handler,
		Description:      "",
		Timeout:          int(math.Ceil(f.cfg.Timeout.Seconds())),
		MemorySize:       f.cfg.MemorySize,
		LastModified:     f.created.UTC().Format("2006-01-02T15:04:05.000-0700"),
		Version:          "$LATEST",
		TracingConfig:    map[string]string{"Mode": "PassThrough"},
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{"x86_64"},
		EphemeralStorage: map[string]int{"Size": 512},
	}
	if len(f.cfg.Environment) > 0 {
		c.Environment = &environment{Variables: f.cfg.Environment}
	}
	return c
}

func (m *Manager) lookupForAPI(w http.ResponseWriter, r *http.Request) *function {
	f, _, err := m.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeError(w, err)
		return nil
	}
	return f
}

// serveGetFunction is GET /2015-03-31/functions/{name}.
func (m *Manager) serveGetFunction(w http.ResponseWriter, r *http.Request) {
	f := m.lookupForAPI(w, r)
	if f == nil {
		return
	}
	out := map[string]any{
		"Configuration": m.configuration(f),
		"Code":          map[string]string{"RepositoryType": "Local", "Location": "file://" + f.cfg.CodeDir},
		"Tags":          map[string]string{},
	}
	if f.cfg.ReservedConcurrency != nil {
		out["Concurrency"] = map[string]int{"ReservedConcurrentExecutions": *f.cfg.ReservedConcurrency}
	}
	writeJSON(w, http.StatusOK, out)
}

// serveGetFunctionConfiguration is GET /2015-03-31/functions/{name}/configuration.
func (m *Manager) serveGetFunctionConfiguration(w http.ResponseWriter, r *http.Request) {
	if f := m.lookupForAPI(w, r); f != nil {
		writeJSON(w, http.StatusOK, m.configuration(f))
	}
}

// serveListFunctions is GET /2015-03-31/functions/ with Marker and MaxItems (default and
// maximum 50, as Lambda).
func (m *Manager) serveListFunctions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	maxItems := 50
	if s := q.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, &InvokeError{Code: ErrInvalidParameterValue, Message: "MaxItems must be a number between 1 and 10000"})
			return
		}
		maxItems = min(n, 50)
	}
	start := 0
	if s := q.Get("Marker"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			writeError(w, &InvokeError{Code: ErrInvalidParameterValue, Message: "Marker is not one this emulator returned"})
			return
		}
		start = n
	}
	all := m.Functions()
	fs := *m.functions.Load()
	out := struct {
		Functions  []functionConfiguration `json:"Functions"`
		NextMarker *string                 `json:"NextMarker"`
	}{Functions: []functionConfiguration{}}
	for i := start; i < len(all) && len(out.Functions) < maxItems; i++ {
		if f, ok := fs[all[i].Name]; ok {
			out.Functions = append(out.Functions, m.configuration(f))
		}
	}
	if next := start + maxItems; next < len(all) {
		s := strconv.Itoa(next)
		out.NextMarker = &s
	}
	writeJSON(w, http.StatusOK, out)
}
