// ES module test handler (a .js file under "type": "module").
const started = Date.now();
export const handler = async (event, context) => ({ style: 'esm', started, functionName: context.functionName, event });
