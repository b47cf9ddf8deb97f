let calls = 0;
exports.handler = async (event, context) => {
  calls++;
  if (event.fail) {
    throw new Error("asked to fail");
  }
  return { hello: event.name || "world", calls, requestId: context.awsRequestId, fn: context.functionName };
};
