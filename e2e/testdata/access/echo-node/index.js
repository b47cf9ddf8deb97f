// A Lambda proxy function that answers with what API Gateway told it about the caller.
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({
    authorizer: event.requestContext.authorizer || null,
    identity: event.requestContext.identity,
  }),
});
