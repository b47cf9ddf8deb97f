// Package project loads a serverless project into apigw-local: a SAM template, a plain
// CloudFormation template or a Serverless Framework serverless.yml, found in a folder or
// named with --template. Load reads the project into a Plan without touching the emulator:
// the SAM transform (package sam) and the serverless.yml compilation (package sls) produce the
// plain CloudFormation resources the real tools would deploy, and one CloudFormation loader
// (this package, with intrinsics from package cfn) turns AWS::Lambda::Function into function
// configurations and AWS::ApiGateway::* into REST API definitions: an OpenAPI body for
// openapi.Import, or a store.Definition of resources, methods, authorizers, models,
// validators and gateway responses. An Applier then installs a plan through the store's
// operations (the same ones the management API uses) and deploys it; on reload it builds the
// new APIs in a scratch store first, redefines each API in place under its stable id and
// moves its stages to a new deployment in one step, so a failed reload changes nothing and
// requests in flight finish on the deployment they started on. A Watcher reloads on template
// changes and recycles functions whose code changed; WriteSummary prints the start-up table.
//
// API ids derive from the project's folder and the API's logical id (StableID), so URLs stay
// the same across restarts; API key values the template does not give derive the same way.
//
// Known differences from AWS, SAM and the Serverless Framework:
//   - Ref of an AWS::ApiGateway::Resource evaluates to its path and Ref of a Deployment to its
//     logical id (the store assigns the ids when the API is created); Ref and GetAtt of resource
//     types that are not emulated evaluate to placeholders, and those resources are listed as
//     not emulated;
//   - all stages of an API point at one deployment of its final definition (CloudFormation
//     snapshots each AWS::ApiGateway::Deployment when it is created, in dependency order);
//   - functions are named by their logical id (SAM, as sam local does), FunctionName when set,
//     or {service}-{stage}-{function} (Serverless); --env-vars and, for SAM, the shell
//     environment override only the variables the template declares, as sam local does;
//   - recycling a function unregisters and registers it again: an invocation of that function
//     in flight at that moment is cut (API swaps do not drop requests);
//   - what cannot run locally (code in S3, container images, layers, event sources other than
//     API Gateway, HTTP and WebSocket APIs for now) is reported once, never silently dropped.
package project
