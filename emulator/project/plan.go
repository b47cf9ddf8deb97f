package project

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// Kinds of project.
const (
	KindSAM        = "SAM"
	KindServerless = "Serverless"
	KindCFN        = "CloudFormation"
)

// Plan is what a project loads: the functions to register and the REST APIs to create. It is
// built without touching the emulator, so a template that does not load changes nothing.
type Plan struct {
	// Kind is KindSAM, KindServerless or KindCFN.
	Kind string
	// Dir is the project's absolute directory; Template the file loaded.
	Dir, Template string
	// StackName is what AWS::StackName and the service name evaluate to.
	StackName string
	Functions []*Function
	APIs      []*API
	// Keys and UsagePlans are the API keys and usage plans the project creates.
	Keys       []*APIKey
	UsagePlans []*UsagePlan
	// Notes say what the project asks for that apigw-local does not emulate.
	Notes *Notes
	// Files are the files whose change reloads the project: the template and every file it
	// reads (includes, OpenAPI definitions).
	Files []string
}

// Function is a Lambda function of the project.
type Function struct {
	// LogicalID is the function's logical id in the template (or its key in serverless.yml).
	LogicalID string
	// Config is what is registered with the Lambda runner.
	Config lambdarunner.FunctionConfig
	// Source is the code directory to watch: Config.CodeDir, or for a zip the zip file.
	Source string
}

// API is a REST API of the project.
type API struct {
	// LogicalID is the RestApi's logical id; ID its stable API id.
	LogicalID, ID string
	// Name is the API's name.
	Name string
	// Body is an OpenAPI document (JSON, intrinsics resolved) to import; nil when the API is
	// built from resources.
	Body []byte
	// BodyFile names the file Body came from, for messages ("" for an inline body).
	BodyFile string
	// Import are the import parameters of Body (basepath, endpoint types, failonwarnings).
	Import ImportParams
	// Def holds what AWS::ApiGateway::* resources add: resources and methods by path,
	// authorizers, models, validators, gateway responses, and the API's settings.
	Def *store.Definition
	// Stages are the API's stages, all pointing at one deployment of the whole definition.
	Stages []*Stage
}

// ImportParams are the OpenAPI import parameters of a RestApi body.
type ImportParams struct {
	BasePath       string
	EndpointTypes  []string
	FailOnWarnings bool
}

// Stage is a stage of a project's REST API.
type Stage struct {
	Name        string
	Description string
	Variables   map[string]string
	// MethodSettings are UpdateStage replace operations on
	// /{resourcePath}/{httpMethod}/{setting} paths.
	MethodSettings      []store.PatchOp
	TracingEnabled      bool
	CacheClusterEnabled bool
	CacheClusterSize    string
}

// APIKey is an API key of the project. Value is stable across restarts when the template
// does not give one.
type APIKey struct {
	LogicalID, ID string
	Name, Value   string
	Description   string
	Enabled       bool
	CustomerID    string
	StageKeys     []string // "{apiId}/{stage}"
}

// UsagePlan is a usage plan of the project, with the keys it holds.
type UsagePlan struct {
	LogicalID, ID string
	Name          string
	Description   string
	Stages        []string // "{apiId}/{stage}"
	BurstLimit    int
	RateLimit     float64
	QuotaLimit    int
	QuotaPeriod   string
	QuotaOffset   int
	KeyIDs        []string
}

// StableID derives a 10-character lowercase id from the project and a logical id, so an API
// keeps its URL across restarts.
func StableID(project, logicalID string) string {
	sum := sha256.Sum256([]byte(project + "\x00" + logicalID))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(b)
}

// stableKeyValue derives an API key value (40 characters) for a key without one.
func stableKeyValue(project, logicalID string) string {
	sum := sha256.Sum256([]byte("apikey\x00" + project + "\x00" + logicalID))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	for i := range b {
		b[i] = alphabet[int(sum[i%len(sum)]^byte(i*7))%len(alphabet)]
	}
	return string(b)
}

// Notes collect what a project uses that is not emulated, each said once: the same
// subject and consequence for several resources is one line naming them all.
type Notes struct {
	items map[string]*note
	order []string
}

type note struct {
	subject, effect string
	where           []string
}

// Add records that subject (a resource type, property or feature) is not emulated, where it
// appears, and what will not work.
func (n *Notes) Add(subject, where, effect string) {
	if n.items == nil {
		n.items = map[string]*note{}
	}
	key := subject + "\x00" + effect
	it := n.items[key]
	if it == nil {
		it = &note{subject: subject, effect: effect}
		n.items[key] = it
		n.order = append(n.order, key)
	}
	if where != "" && !slices.Contains(it.where, where) {
		it.where = append(it.where, where)
	}
}

// Lines returns one line per note: "subject (where, ...): effect".
func (n *Notes) Lines() []string {
	if n == nil {
		return nil
	}
	out := make([]string, 0, len(n.order))
	for _, k := range n.order {
		it := n.items[k]
		line := it.subject
		if len(it.where) > 0 {
			w := slices.Clone(it.where)
			sort.Strings(w)
			if len(w) > 4 {
				w = append(w[:4], fmt.Sprintf("and %d more", len(w)-4))
			}
			line += " (" + strings.Join(w, ", ") + ")"
		}
		out = append(out, line+": "+it.effect)
	}
	return out
}

// Len is the number of notes.
func (n *Notes) Len() int {
	if n == nil {
		return 0
	}
	return len(n.order)
}

// functionByName returns the plan's function of that Lambda name.
func (p *Plan) functionByName(name string) *Function {
	for _, f := range p.Functions {
		if f.Config.Name == name {
			return f
		}
	}
	return nil
}

// equalConfig reports whether two function configurations register the same function.
func equalConfig(a, b lambdarunner.FunctionConfig) bool {
	return a.Name == b.Name && a.Runtime == b.Runtime && a.Handler == b.Handler && a.CodeDir == b.CodeDir &&
		a.Timeout == b.Timeout && a.MemorySize == b.MemorySize && a.Interpreter == b.Interpreter &&
		maps.Equal(a.Environment, b.Environment) &&
		(a.ReservedConcurrency == nil) == (b.ReservedConcurrency == nil) &&
		(a.ReservedConcurrency == nil || *a.ReservedConcurrency == *b.ReservedConcurrency)
}
