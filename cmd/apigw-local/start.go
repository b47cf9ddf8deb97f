package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/rawheader"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// shutdownGrace bounds how long in-flight requests may run after SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

type startOptions struct {
	host, region, accountID, logLevel, logFormat string
	port                                         int
	lambda                                       lambdaOptions
	integrations                                 integrationOptions
	access                                       accessOptions
	project                                      projectOptions
	openapi                                      []string
}

func startCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &startOptions{}
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start the emulator",
		Long: `Start the emulator on one port: the apigateway management API (point the AWS CLI or an SDK
at it with --endpoint-url or AWS_ENDPOINT_URL) and the execute-api endpoints of deployed stages.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.host, "host", "127.0.0.1", "address to listen on")
	f.IntVar(&o.port, "port", 4566, "port to listen on (0 picks a free one)")
	f.StringVar(&o.region, "region", "us-east-1", "region the emulator reports")
	f.StringVar(&o.accountID, "account-id", "000000000000", "account id the emulator reports")
	f.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	o.lambda.addFlags(f)
	o.integrations.addFlags(f)
	o.access.addFlags(f)
	o.project.addFlags(f)
	f.StringArrayVar(&o.openapi, "openapi", nil, "import an OpenAPI 3.0 or Swagger 2.0 file (JSON or YAML) at start (repeatable)")
	return cmd
}

func (o *startOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	log, err := newLogger(stderr, o.logLevel, o.logFormat)
	if err != nil {
		return err
	}
	integrations, err := o.integrations.config()
	if err != nil {
		return err
	}
	access, err := o.access.config()
	if err != nil {
		return err
	}
	runner := lambdarunner.New(o.lambda.config(o.region, o.accountID, log))
	srv, err := emulator.New(emulator.Config{Region: o.region, AccountID: o.accountID, Version: buildVersion(), Logger: log, Lambda: runner, Integrations: integrations, Access: access})
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := o.lambda.register(runner); err != nil {
		return err
	}
	// --stage names the stage --openapi documents are deployed to, as it names a Serverless
	// Framework project's stage.
	openapiStage := o.project.stage
	if openapiStage == "" {
		openapiStage = "dev"
	}
	if err := loadOpenAPIFiles(srv.Store(), o.openapi, openapiStage, log); err != nil {
		return err
	}
	proj, err := o.project.loadProject(ctx, srv, log, o.region, o.accountID)
	if err != nil {
		return err
	}

	addr := net.JoinHostPort(o.host, strconv.Itoa(o.port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %d on %s is already in use: stop the other process or choose another port with --port", o.port, o.host)
		}
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	// rawheader keeps the header names' casing that API Gateway passes to integrations.
	ln = rawheader.Listen(ln)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 30 * time.Second, ConnContext: rawheader.ConnContext}
	fmt.Fprintf(stdout, "apigw-local %s listening on http://%s\n", buildVersion(), ln.Addr())

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	stopProject, err := proj.serve(ctx, o.host, "http://"+ln.Addr().String(), stdout)
	if err != nil {
		return err
	}
	defer stopProject()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: waiting for in-flight requests", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("in-flight requests did not finish in time", "err", err)
	}
	return nil
}
