package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/spf13/cobra"

	"github.com/apigw-local/apigw-local/emulator/openapi"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// defaultEndpoint is where `apigw-local start` listens unless told otherwise.
const defaultEndpoint = "http://127.0.0.1:4566"

// clientFlags are the flags of the commands that talk to a running emulator.
type clientFlags struct{ endpoint, region string }

func (c *clientFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.endpoint, "endpoint", defaultEndpoint, "URL of the running emulator")
	cmd.Flags().StringVar(&c.region, "region", "us-east-1", "region to sign requests for")
}

// client is an apigateway client for the emulator. The emulator does not check signatures,
// so any credentials do.
func (c *clientFlags) client(optFns ...func(*apigateway.Options)) *apigateway.Client {
	return apigateway.New(apigateway.Options{
		BaseEndpoint: aws.String(strings.TrimSuffix(c.endpoint, "/")),
		Region:       c.region,
		Credentials:  credentials.NewStaticCredentialsProvider("apigw-local", "apigw-local", ""),
	}, optFns...)
}

// apiErr shortens an SDK error to the service's code and message when there is one.
func apiErr(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err
}

// readDocument reads a file, or standard input for "-".
func readDocument(cmd *cobra.Command, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(name)
}

// importCommand is `apigw-local import FILE`: ImportRestApi on a running emulator, then
// optionally a deployment. It prints the API id, and the stage's invoke URL when it deploys;
// warnings go to stderr.
func importCommand(stdout, stderr io.Writer) *cobra.Command {
	var (
		c                         clientFlags
		stage, basePath, epType   string
		failOnWarnings, ignoreDoc bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import an OpenAPI (Swagger 2.0 or 3.0) document into a running emulator as a REST API",
		Long: `Import an OpenAPI document (JSON or YAML, "-" for standard input) into a running emulator with
ImportRestApi, as "aws apigateway import-rest-api" does, and optionally deploy it to a stage.
Prints the new API's id, then the stage's invoke URL when --stage is given.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			body, err := readDocument(cmd, args[0])
			if err != nil {
				return fmt.Errorf("read %s: %w", args[0], err)
			}
			params := map[string]string{}
			if basePath != "" {
				params["basepath"] = basePath
			}
			if epType != "" {
				params["endpointConfigurationTypes"] = strings.ToUpper(epType)
			}
			if ignoreDoc {
				params["ignore"] = "documentation"
			}
			client := c.client()
			out, err := client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: body, FailOnWarnings: failOnWarnings, Parameters: params})
			if err != nil {
				return fmt.Errorf("import %s into %s: %w", args[0], c.endpoint, apiErr(err))
			}
			for _, w := range out.Warnings {
				fmt.Fprintln(stderr, "warning:", w)
			}
			id := aws.ToString(out.Id)
			if _, err := fmt.Fprintln(stdout, id); err != nil {
				return err
			}
			if stage == "" {
				return nil
			}
			if _, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: out.Id, StageName: aws.String(stage)}); err != nil {
				return fmt.Errorf("deploy %s to stage %s: %w", id, stage, apiErr(err))
			}
			_, err = fmt.Fprintln(stdout, strings.TrimSuffix(c.endpoint, "/")+"/_aws/execute-api/"+id+"/"+stage)
			return err
		},
	}
	c.register(cmd)
	f := cmd.Flags()
	f.StringVar(&stage, "stage", "", "deploy the API to this stage after importing it")
	f.BoolVar(&failOnWarnings, "fail-on-warnings", false, "reject the document if the import produces warnings")
	f.StringVar(&basePath, "basepath", "", "what to do with the document's base path: ignore (default), prepend or split")
	f.StringVar(&epType, "endpoint-type", "", "endpoint type of the new API: EDGE (default), REGIONAL or PRIVATE")
	f.BoolVar(&ignoreDoc, "ignore-documentation", false, "drop x-amazon-apigateway-documentation without a warning")
	return cmd
}

// exportCommand is `apigw-local export API_ID STAGE`: GetExport on a running emulator,
// written to stdout.
func exportCommand(stdout io.Writer) *cobra.Command {
	var (
		c         clientFlags
		typ, exts string
		asYAML    bool
	)
	cmd := &cobra.Command{
		Use:   "export API_ID STAGE",
		Short: "Print the OpenAPI definition a stage of a running emulator serves",
		Long: `Print what a stage serves as OpenAPI 3.0 (--type oas30, the default) or Swagger 2.0 (--type swagger),
in JSON or, with --yaml, YAML, as "aws apigateway get-export" does. By default the export carries
every x-amazon-apigateway-* extension, so it can be imported again as the same API.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var optFns []func(*apigateway.Options)
			if asYAML {
				// The SDK forces Accept: application/json on every apigateway request; ask for
				// YAML after it has.
				optFns = append(optFns, func(o *apigateway.Options) {
					o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
						return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("apigw-local:AcceptYAML",
							func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
								if req, ok := in.Request.(*smithyhttp.Request); ok {
									req.Header.Set("Accept", openapi.ContentTypeYAML)
								}
								return next.HandleFinalize(ctx, in)
							}), middleware.Before)
					})
				})
			}
			in := &apigateway.GetExportInput{RestApiId: aws.String(args[0]), StageName: aws.String(args[1]), ExportType: aws.String(typ)}
			if exts != "" {
				in.Parameters = map[string]string{"extensions": exts}
			}
			out, err := c.client(optFns...).GetExport(cmd.Context(), in)
			if err != nil {
				return fmt.Errorf("export %s stage %s from %s: %w", args[0], args[1], c.endpoint, apiErr(err))
			}
			_, err = stdout.Write(out.Body)
			return err
		},
	}
	c.register(cmd)
	f := cmd.Flags()
	f.StringVar(&typ, "type", openapi.TypeOAS30, "export type: oas30 or swagger")
	f.BoolVar(&asYAML, "yaml", false, "print YAML instead of JSON")
	f.StringVar(&exts, "extensions", openapi.ExtensionAPIGateway, "x-amazon-apigateway extensions to include: integrations, authorizers, apigateway (all), or empty for none")
	return cmd
}

// loadOpenAPIFiles imports each OpenAPI document into the store at start (--openapi FILE,
// repeatable) and, unless stage is empty, deploys it to that stage (--stage, "dev" by
// default in start). Each API's id is derived from the file's absolute path, so the same
// file gets the same id, and the same invoke URL, on every start.
func loadOpenAPIFiles(st *store.Store, files []string, stage string, log *slog.Logger) error {
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("--openapi %s: %w", file, err)
		}
		api, warnings, err := openapi.Import(st, data, openapi.ImportOptions{ID: stableAPIID(file)})
		if err != nil {
			return fmt.Errorf("--openapi %s: %w", file, err)
		}
		for _, w := range warnings {
			log.Warn("OpenAPI import warning", "file", file, "warning", w)
		}
		if stage == "" {
			log.Info("loaded OpenAPI document", "file", file, "api", api.ID, "name", api.Name)
			continue
		}
		if _, err := st.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: stage}); err != nil {
			return fmt.Errorf("--openapi %s: deploy API %s to stage %s: %w", file, api.ID, stage, err)
		}
		log.Info("loaded OpenAPI document", "file", file, "api", api.ID, "name", api.Name, "stage", stage,
			"invoke_path", "/_aws/execute-api/"+api.ID+"/"+stage+"/")
	}
	return nil
}

// stableAPIID derives a REST API id (10 characters of [a-z0-9], as AWS's) from a file path.
func stableAPIID(file string) string {
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	sum := sha256.Sum256([]byte(filepath.Clean(file)))
	id := new(big.Int).SetBytes(sum[:]).Text(36)
	return (id + strings.Repeat("0", 10))[:10]
}
