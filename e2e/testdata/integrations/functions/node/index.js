// The Node.js Runtime API function of the integration tests: it answers a Lambda proxy
// event with the event itself as the body, unless the query string asks for something else
// with mode (error, crash, malformed, slow, binary).
exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  switch (q.mode) {
    case "error":
      throw new Error("boom");
    case "crash":
      process.exit(3);
    case "malformed":
      return { statusCode: 200, extra: 1 };
    case "slow":
      await new Promise((r) => setTimeout(r, Number(q.ms)));
      break;
    case "binary":
      return { statusCode: 200, headers: { "Content-Type": "image/png" }, body: "iVBORw0KGgo=", isBase64Encoded: true };
  }
  return { statusCode: 200, headers: { "X-Runtime": "node" }, body: JSON.stringify(event) };
};
