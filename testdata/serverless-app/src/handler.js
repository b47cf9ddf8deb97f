// The sample service's Node.js handlers (handler: src/handler.list, src/handler.create).
const todos = [{ id: '1', title: 'try apigw-local' }];

const json = (statusCode, body) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' },
  body: JSON.stringify(body),
});

module.exports.list = async (event) => {
  const limit = Number((event.queryStringParameters || {}).limit || todos.length);
  return json(200, { todos: todos.slice(0, limit), table: process.env.TABLE_NAME, stage: process.env.STAGE });
};

module.exports.create = async (event) => {
  const todo = { id: String(todos.length + 1), ...JSON.parse(event.body || '{}') };
  todos.push(todo);
  return json(201, todo);
};
