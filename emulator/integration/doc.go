// Package integration holds the integration backends of REST APIs, the calls API Gateway
// makes after request mapping:
//
//   - AWS_PROXY (Lambda proxy): the REST proxy event exactly as AWS builds it
//     (reference/lambda-proxy.md §1) and the strict response contract (§2): anything
//     outside it, a function error, a crash or the function's own timeout is 502; a Lambda
//     API rejection (unknown function, throttling) is 500; an event over Lambda's 6 MB
//     limit is 413 Request Too Long.
//   - AWS with a Lambda invocation URI (custom integration): the mapped body is the payload;
//     a function error's errorMessage selects the integration response.
//   - HTTP and HTTP_PROXY (and VPC_LINK, sent straight to the integration URI): a pooled
//     HTTP/1.1 client; the proxy forwards the method request less hop-by-hop headers; an
//     unreachable backend is 504 "Network error communicating with endpoint".
//   - AWS service ARNs (action/ and path/ forms): a SigV4-signed request to the endpoint
//     configured for the service (LocalStack, DynamoDB Local, ElasticMQ ...); without one,
//     the request fails like an unreachable integration and the log names the flag.
//
// The data plane (package dataplane) runs the backends under the integration timeout and
// turns their errors into gateway responses.
//
// Known differences from AWS:
//   - the integration's credentials (an IAM role) are not assumed: service requests are
//     signed with the configured credentials (test/test by default);
//   - VPC links are not resolved: the integration URI is called directly;
//   - Firehose AWS_PROXY integrations are not supported (500);
//   - CONVERT_TO_BINARY decodes leniently: characters outside the base64 alphabet, such as
//     the quotes of a Lambda function's JSON string, are skipped;
//   - HTTP_PROXY passes any body through byte for byte, binary or not (AWS mangles
//     non-UTF-8 bodies when binaryMediaTypes does not match);
//   - the X-Forwarded-Port of the proxy event is the emulator's port; CloudFront headers
//     of edge-optimised APIs are not added.
package integration
