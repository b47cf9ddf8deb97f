// The sample's Lambda TOKEN authorizer: "Bearer allow" is allowed, anything else is not.
exports.handler = async (event) => {
  const token = (event.authorizationToken || '').replace(/^Bearer\s+/i, '');
  if (token !== 'allow') {
    throw new Error('Unauthorized');
  }
  return {
    principalId: 'sample-user',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn.split('/').slice(0, 2).join('/') + '/*' }],
    },
    context: { plan: 'free' },
  };
};
