package lambdarunner

import (
	"io"
	"log/slog"
	"time"
)

// Lambda's defaults for a function created without these settings.
const (
	DefaultTimeout    = 3 * time.Second
	DefaultMemorySize = 128
)

// FunctionConfig is one function's configuration, as a template or the --function flag gives it.
type FunctionConfig struct {
	// Name is the function name (1-64 letters, digits, hyphens, underscores).
	Name string
	// Runtime is the Lambda runtime identifier: nodejsNN.x, python3.NN, go1.x, provided.al2,
	// provided.al2023. For in-process handlers it only shows in GetFunction (default
	// provided.al2023).
	Runtime string
	// Handler is the handler setting: "index.handler" (Node.js), "app.lambda_handler" (Python);
	// for provided.* and go1.x it is passed as _HANDLER and otherwise unused.
	Handler string
	// CodeDir is the code directory (LAMBDA_TASK_ROOT), relative to the working directory or
	// absolute. Unused for in-process handlers.
	CodeDir string
	// Environment holds the function's variables.
	Environment map[string]string
	// Timeout is the function timeout; 0 means 3 s, as Lambda.
	Timeout time.Duration
	// MemorySize is in MB; 0 means 128, as Lambda. Reported, not enforced.
	MemorySize int
	// ReservedConcurrency limits concurrent invocations; beyond it invocations are throttled.
	// nil means unreserved (Config.ConcurrencyLimit applies); 0 throttles every invocation, as
	// Lambda does.
	ReservedConcurrency *int
	// Interpreter overrides the node or python executable for this function.
	Interpreter string
}

// Config configures a Manager. The zero value works: us-east-1, account 000000000000, the real
// clock, environments reaped after 10 idle minutes, the user cache directory for builds.
type Config struct {
	// Region is the region of function ARNs and AWS_REGION; default us-east-1.
	Region string
	// AccountID is the account of function ARNs; default 000000000000.
	AccountID string
	// Logger receives the runner's own messages (interpreter warnings, failed Event invocations).
	// nil discards them.
	Logger *slog.Logger
	// FunctionLogs receives every function's output and the START, END and REPORT lines, one
	// "[function requestId] line" per line. nil sends them to Logger at Info level instead.
	FunctionLogs io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewRequestID returns invocation ids; nil means random UUIDs.
	NewRequestID func() string
	// IdleTimeout is how long an unused environment stays warm; 0 means 10 minutes, negative
	// means until Close.
	IdleTimeout time.Duration
	// InitTimeout bounds a runtime's init phase; 0 means 10 s, Lambda's limit.
	InitTimeout time.Duration
	// Eager starts one environment per function at registration instead of at the first
	// invocation.
	Eager bool
	// BuildCacheDir holds Go builds and extracted bootstraps; empty means
	// os.UserCacheDir()/apigw-local.
	BuildCacheDir string
	// Interpreters maps a runtime ("nodejs20.x", "python3.12") or family ("nodejs", "python") to
	// an interpreter path, instead of looking up node / python3.NN / python3 on PATH.
	Interpreters map[string]string
	// GoCommand is the go tool that builds Go functions; empty means go on PATH.
	GoCommand string
	// ConcurrencyLimit caps concurrent invocations of a function without reserved concurrency;
	// 0 means 1000, Lambda's default account limit.
	ConcurrencyLimit int
	// MaxEnvironments caps the environments (processes) of one function; invocations beyond it
	// wait for a free one instead of starting another. 0 means no cap, as on Lambda. Set it to
	// keep memory bounded under load at the price of queueing.
	MaxEnvironments int
	// EventRetryWindow is how long a throttled Event invocation keeps being retried; 0 means one
	// minute.
	EventRetryWindow time.Duration
}
