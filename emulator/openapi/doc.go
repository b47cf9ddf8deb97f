// Package openapi emulates API Gateway's OpenAPI import and export for REST APIs:
// ImportRestApi (POST /restapis?mode=import), PutRestApi (PUT /restapis/{id}, merge or
// overwrite) and GetExport (GET /restapis/{id}/stages/{stage}/exports/{oas30|swagger}).
//
// Import reads Swagger 2.0 and OpenAPI 3.0 documents in JSON or YAML with kin-openapi and
// the x-amazon-apigateway-* extensions: integration (every type, responses keyed by
// selection pattern, request parameters and templates, passthrough behaviour, timeout,
// cache keys, content handling, TLS), any-method, authorizer and authtype on security
// schemes (API keys, Lambda TOKEN and REQUEST authorizers, Cognito user pools, IAM),
// request-validators and request-validator, api-key-source, binary-media-types,
// gateway-responses, minimum-compression-size, policy and endpoint-configuration. Models come
// from definitions or components.schemas (inline schemas become MODEL<hash> models, as on
// AWS); their references are rewritten to the
// https://apigateway.amazonaws.com/restapis/{id}/models/{name} form AWS stores. The whole
// definition is built and checked first, then installed in the store in one step, so a
// failed import changes nothing. Documents AWS accepts that are not strictly valid OpenAPI
// (a missing info.version, integer status codes, `{proxy+}` paths, regular-expression
// response keys) are accepted; kin-openapi's validation is not run. Minor problems are
// warnings, returned in RestApi.warnings or, with failonwarnings, as a BadRequestException.
//
// Export writes what a stage's deployment froze, never the draft, with keys in a stable
// (sorted) order, in JSON by default and in YAML when asked.
//
// Known differences from AWS:
//   - error and warning texts follow AWS's shape ("Invalid OpenAPI input.", "Errors found
//     during import:") but say more about where the problem is; they are not AWS's exact words;
//   - documentation parts (x-amazon-apigateway-documentation) are not imported (a warning
//     says so) and not exported; the postman export extension adds nothing;
//   - HTTP-API-only extensions (x-amazon-apigateway-cors, payloadFormatVersion, ...) are
//     ignored with a warning; OpenAPI 3.1 documents are read as 3.0;
//   - exports key objects in sorted order rather than AWS's field order, put an operation's
//     security requirements in one requirement object, and cannot express request
//     parameters in multivaluequerystring or multivalueheader, request models that differ per
//     content type (Swagger 2.0) or required response headers (Swagger 2.0);
//   - an authorizer without a TTL gets 300 seconds (the store's default) where AWS leaves
//     Cognito authorizers without one.
package openapi
