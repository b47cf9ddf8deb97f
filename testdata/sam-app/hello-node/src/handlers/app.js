// The sample's Node.js function (Handler: src/handlers/app.lambdaHandler).
exports.lambdaHandler = async (event) => {
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      message: `${process.env.GREETING} from Node.js`,
      method: event.httpMethod,
      path: event.path,
      proxy: event.pathParameters ? event.pathParameters.proxy : null,
      service: process.env.SERVICE,
    }),
  };
};
