// CommonJS test handlers.
let calls = 0; // module state: survives between invocations of one environment

exports.handler = async (event, context) => {
  calls++;
  if (event.action === 'error') throw new TypeError(event.text);
  if (event.action === 'sleep') await new Promise((r) => setTimeout(r, event.ms));
  if (event.action === 'exit') process.exit(2);
  if (event.action === 'log') console.log('hello from node', event.text);
  return {
    calls,
    pid: process.pid,
    event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
    arn: context.invokedFunctionArn,
    greeting: process.env.GREETING,
  };
};

exports.callback = (event, context, callback) => {
  if (event.fail) return callback(new Error('callback failure'));
  setTimeout(() => callback(null, { style: 'callback', requestId: context.awsRequestId }), 1);
};

exports.nested = { deep: { fn: async () => 'nested' } };
