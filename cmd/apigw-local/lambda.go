package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

// lambdaOptions are start's function flags.
type lambdaOptions struct {
	functions       []string
	envFile         string
	eager           bool
	maxEnvironments int
	idleTimeout     time.Duration
	interpreters    map[string]string
}

func (o *lambdaOptions) addFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&o.functions, "function", nil,
		"register a function: 'name=hello,runtime=nodejs20.x,handler=index.handler,code=./hello[,timeout=5][,memory=256]' (repeatable)")
	f.StringVar(&o.envFile, "env-file", "", `JSON file of function variables, as sam local takes it: {"FunctionName": {"KEY": "value"}, "Parameters": {...}}`)
	f.BoolVar(&o.eager, "warm", false, "start one environment per function at start instead of at its first invocation")
	f.IntVar(&o.maxEnvironments, "max-environments", 0,
		"cap the processes of one function; calls beyond it queue instead of starting more (0: no cap, one per concurrent call, as Lambda)")
	f.DurationVar(&o.idleTimeout, "idle-timeout", 10*time.Minute, "stop a function environment unused for this long")
	f.StringToStringVar(&o.interpreters, "interpreter", nil,
		"run a runtime or family on a given interpreter, e.g. nodejs=/usr/bin/node or python3.12=/opt/py312/bin/python3 (repeatable)")
}

// config is the runner configuration the flags ask for.
func (o *lambdaOptions) config(region, accountID string, log *slog.Logger) lambdarunner.Config {
	return lambdarunner.Config{
		Region: region, AccountID: accountID, Logger: log,
		Eager: o.eager, MaxEnvironments: o.maxEnvironments, IdleTimeout: o.idleTimeout, Interpreters: o.interpreters,
	}
}

// register adds the --function functions to the runner.
func (o *lambdaOptions) register(m *lambdarunner.Manager) error {
	var env lambdarunner.EnvFile
	if o.envFile != "" {
		var err error
		if env, err = lambdarunner.LoadEnvFile(o.envFile); err != nil {
			return fmt.Errorf("--env-file: %w", err)
		}
	}
	for _, spec := range o.functions {
		fc, err := lambdarunner.ParseFunctionSpec(spec)
		if err != nil {
			return fmt.Errorf("--function %q: %w", spec, err)
		}
		if env != nil {
			fc = env.Apply(fc)
		}
		if err := m.Register(fc); err != nil {
			return fmt.Errorf("--function %s: %w", fc.Name, err)
		}
	}
	return nil
}

// errFunctionFailed makes invoke exit non-zero after printing the function's error.
var errFunctionFailed = errors.New("the function returned an error")

func invokeCommand(stdout, stderr io.Writer) *cobra.Command {
	var payload, endpoint string
	cmd := &cobra.Command{
		Use:   "invoke NAME",
		Short: "Invoke a function of a running emulator",
		Long: `Invoke a function of a running emulator through its Lambda Invoke API and print the
response. The exit status is non-zero when the function returned an error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := lambdarunner.ReadPayload(payload, os.Stdin)
			if err != nil {
				return fmt.Errorf("--payload: %w", err)
			}
			failed, err := lambdarunner.InvokeRemote(cmd.Context(), endpoint, args[0], body, stdout, stderr)
			if err != nil {
				return err
			}
			if failed {
				return errFunctionFailed
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&payload, "payload", "{}", "event as JSON, @file, or @- for standard input")
	cmd.Flags().StringVar(&endpoint, "endpoint", "http://127.0.0.1:4566", "the emulator's URL")
	return cmd
}
