// apigw-local bootstrap for nodejsNN.x functions: a small Lambda Runtime API client that loads the
// handler named by _HANDLER from LAMBDA_TASK_ROOT and serves invocations, as the Lambda Node.js
// runtime interface client does. CommonJS and ES module handlers, async and callback styles, the
// context object, console output in Lambda's format, and the error shapes Lambda returns
// ({errorType, errorMessage, trace}).
//
// Known differences from AWS: a callback-style handler's response is sent when it calls back,
// without waiting for the event loop to empty (callbackWaitsForEmptyEventLoop is accepted but
// ignored); a synchronous handler that returns a value without a callback answers with that value.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const base = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerSetting = process.env._HANDLER || '';

let currentRequestId; // undefined outside an invocation, printed as "undefined" like Lambda

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: apiHost, port: apiPort, path: base + urlPath, method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Console output as the Lambda Node.js runtime prints it: time, request id, level, message.
function patchConsole() {
  const write = (level) => (...args) => {
    const msg = util.format(...args);
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${msg}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

function errorPayload(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message,
      trace: String(err.stack || '').split('\n'),
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

class RuntimeError extends Error {
  constructor(name, message, cause) {
    super(message);
    this.name = name;
    if (cause && cause.stack) this.stack = `${name}: ${message}\n${String(cause.stack).split('\n').slice(1).join('\n')}`;
  }
}

function nearestPackageType(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      return JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).type || 'commonjs';
    } catch {
      // no package.json here, or not JSON: keep looking
    }
    if (d === path.dirname(d)) return 'commonjs';
  }
}

// loadHandler resolves "dir/module.fn[.nested]" the way the Lambda runtime does: the module is
// everything up to the first dot after the last slash, tried as .js, .mjs and .cjs, then as a
// package name.
async function loadHandler() {
  const slash = handlerSetting.lastIndexOf('/');
  const moduleRoot = handlerSetting.slice(0, slash + 1);
  const m = /^([^.]*)\.(.*)$/.exec(handlerSetting.slice(slash + 1));
  if (!m) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerSetting}`);
  const [, moduleName, fnPath] = m;
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  let mod;
  try {
    const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
    if (file && (file.endsWith('.mjs') || (file.endsWith('.js') && nearestPackageType(path.dirname(file)) === 'module'))) {
      mod = await import(pathToFileURL(file).href);
    } else {
      mod = createRequire(path.join(taskRoot, 'index.js'))(file || moduleName);
    }
  } catch (e) {
    if (e instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new RuntimeError('Runtime.ImportModuleError', `Error: ${e.message}`, e);
    }
    throw e;
  }
  let fn = mod;
  for (const part of fnPath.split('.')) fn = fn == null ? undefined : fn[part];
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const part of fnPath.split('.')) fn = fn == null ? undefined : fn[part];
  }
  if (fn === undefined) throw new RuntimeError('Runtime.HandlerNotFound', `${handlerSetting} is undefined or not exported`);
  if (typeof fn !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${handlerSetting} is not a function`);
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const parse = (v) => (v ? JSON.parse(v) : undefined);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse(headers['lambda-runtime-cognito-identity']),
    clientContext: parse(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.done = callback;
    context.succeed = (result) => callback(null, result);
    context.fail = (err) => callback(err === undefined || err === null ? 'handled' : err);
    try {
      const r = handler(event, context, callback);
      if (r && typeof r.then === 'function') r.then((v) => callback(null, v), (e) => callback(e === undefined || e === null ? new Error('rejected') : e));
      else if (handler.length < 3) callback(null, r);
    } catch (e) {
      callback(e);
    }
  });
}

async function postError(urlPath, err) {
  const payload = errorPayload(err);
  console.error(urlPath.startsWith('/init') ? 'Init Error' : 'Invoke Error', '\t' + JSON.stringify(payload));
  await request('POST', urlPath, JSON.stringify(payload), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': payload.errorType,
  });
}

let inFlight = false;

async function fatal(err) {
  try {
    if (currentRequestId && inFlight) await postError(`/invocation/${currentRequestId}/error`, err);
    else if (!currentRequestId) await postError('/init/error', err);
  } finally {
    process.exit(129);
  }
}

async function main() {
  patchConsole();
  process.on('uncaughtException', (e) => fatal(e));
  process.on('unhandledRejection', (reason) => {
    const e = new RuntimeError('Runtime.UnhandledPromiseRejection', `${reason instanceof Error ? reason.name + ': ' + reason.message : String(reason)}`, reason);
    fatal(e);
  });
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    await postError('/init/error', e);
    process.exit(129);
  }
  for (;;) {
    const next = await request('GET', '/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = id;
    inFlight = true;
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    let context;
    try {
      event = JSON.parse(next.body.toString('utf8'));
      context = makeContext(next.headers);
    } catch (e) {
      inFlight = false;
      await postError(`/invocation/${id}/error`, e);
      continue;
    }
    let result;
    try {
      result = await run(handler, event, context);
    } catch (e) {
      inFlight = false;
      await postError(`/invocation/${id}/error`, e);
      continue;
    }
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      inFlight = false;
      await postError(`/invocation/${id}/error`, new RuntimeError('Runtime.MarshalError', `Unable to stringify response body: ${e.message}`, e));
      continue;
    }
    inFlight = false;
    await request('POST', `/invocation/${id}/response`, body, { 'Content-Type': 'application/json' });
  }
}

main().catch((e) => {
  process.stderr.write(`apigw-local node bootstrap: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
