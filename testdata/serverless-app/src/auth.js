// The sample service's TOKEN authorizer: "Bearer allow" is allowed.
module.exports.handler = async (event) => {
  if ((event.authorizationToken || '') !== 'Bearer allow') {
    throw new Error('Unauthorized');
  }
  return {
    principalId: 'todo-user',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
    },
  };
};
