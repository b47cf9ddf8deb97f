// Package runtimeapi runs Lambda functions as real processes speaking the Lambda Runtime API
// (2018-06-01): GET /runtime/invocation/next, POST /runtime/invocation/{id}/response and /error,
// POST /runtime/init/error, with the Lambda-Runtime-* headers.
//
// A [Function] owns a pool of execution environments. Each environment is one process (a
// provided.* or go1.x bootstrap, or node / python running the bootstraps embedded in this package)
// with its own Runtime API endpoint on 127.0.0.1. Environments start on the first invocation that
// finds none idle, stay warm between invocations, run one invocation at a time, scale out under
// concurrent calls up to the function's concurrency limit (beyond it: [invocation.ErrThrottled]),
// and are reaped after an idle time. A process that exits fails its in-flight invocation with
// Runtime.ExitError; an invocation past its timeout kills its environment and reports
// Sandbox.Timedout; init errors posted by the runtime come back verbatim as the function error.
//
// Knowing differences from AWS: no sandbox (processes run as the emulator's user, on the host's
// file system, with the host's node, python and go); the process environment is Lambda's variable
// set plus the host PATH, not a copy of the Lambda image; there are no extensions, no Telemetry or
// Logs API, no SnapStart, no response streaming; init is limited to InitTimeout (Lambda: 10 s, then
// a second try inside the invoke phase) and a timed-out init reports the elapsed init time; memory
// size is reported but not enforced; "Max Memory Used" covers the runtime process itself, not
// processes it spawns.
package runtimeapi
