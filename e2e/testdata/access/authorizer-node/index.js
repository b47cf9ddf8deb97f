// A TOKEN authorizer. The token chooses the answer:
//   allow-<user>  Allow every GET of the API; context {user, calls, premium: true}
//   post-only     Allow POST only
//   deny          Deny this method
//   unauthorized  fail with "Unauthorized" (API Gateway answers 401)
//   boom          fail with another message (500)
//   nested        a context value that is an object (500)
//   key-<value>   Allow, with usageIdentifierKey <value>
// calls counts this environment's invocations, so tests can tell cached answers apart.
let calls = 0;

function policy(principalId, effect, resource, extra) {
  return Object.assign({
    principalId,
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
    },
  }, extra || {});
}

exports.handler = async (event) => {
  calls++;
  const token = event.authorizationToken || "";
  const api = event.methodArn.split("/")[0];
  if (token.startsWith("allow-")) {
    const user = token.slice("allow-".length);
    return policy(user, "Allow", api + "/*/GET/*", { context: { user, calls, premium: true } });
  }
  if (token.startsWith("key-")) {
    return policy("keyed", "Allow", api + "/*", { usageIdentifierKey: token.slice("key-".length) });
  }
  switch (token) {
    case "post-only":
      return policy("poster", "Allow", api + "/*/POST/*");
    case "deny":
      return policy("denied", "Deny", event.methodArn);
    case "unauthorized":
      throw new Error("Unauthorized");
    case "nested":
      return policy("n", "Allow", "*", { context: { nested: { a: 1 } } });
  }
  throw new Error("boom: " + token);
};
