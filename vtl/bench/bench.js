// Renders the passthrough benchmark template (../testdata/bench) with
// velocityjs, parsing it once and rendering it repeatedly, as the Go
// benchmark BenchmarkPassthrough does. Prints ns/op.
//
//   npm install --no-audit --no-fund && node bench.js [iterations | --print]
'use strict';
const fs = require('fs');
const path = require('path');
const { parse, Compile } = require('velocityjs');

const dir = path.join(__dirname, '..', 'testdata', 'bench');
const template = fs.readFileSync(path.join(dir, 'passthrough.vtl'), 'utf8');
const request = JSON.parse(fs.readFileSync(path.join(dir, 'passthrough-request.json'), 'utf8'));
const ctx = JSON.parse(fs.readFileSync(path.join(dir, 'passthrough-context.json'), 'utf8'));

// escapeJavaScript as Commons Lang 2 does it, like the Go engine.
function escapeJavaScript(s) {
  if (s === null || s === undefined) return s;
  s = String(s);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (c > 0x7f) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else if (c < 32) {
      switch (ch) {
        case '\b': out += '\\b'; break;
        case '\n': out += '\\n'; break;
        case '\t': out += '\\t'; break;
        case '\f': out += '\\f'; break;
        case '\r': out += '\\r'; break;
        default: out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
      }
    } else if (ch === "'" || ch === '"' || ch === '\\' || ch === '/') out += '\\' + ch;
    else out += ch;
  }
  return out;
}

// The same per-request work as the Go bindings: $input.json('$') parses and
// re-serialises the payload, $input.params() builds the three maps.
function makeContext() {
  const body = request.body;
  return {
    input: {
      body,
      json(p) {
        if (p !== '$') throw new Error('only $ is supported in this benchmark');
        return JSON.stringify(JSON.parse(body));
      },
      params(name) {
        const all = { path: request.path, querystring: request.querystring, header: request.header };
        if (name === undefined) return all;
        for (const k of ['path', 'querystring', 'header']) if (name in all[k]) return all[k][name];
        return '';
      },
    },
    util: { escapeJavaScript },
    stageVariables: request.stageVariables,
    context: ctx,
  };
}

const asts = parse(template);
const compiled = new Compile(asts, { escape: false });
const sample = compiled.render(makeContext());
if (process.argv[2] === '--print') {
  process.stdout.write(sample);
  process.exit(0);
}
const iterations = Number(process.argv[2] || 20000);
if (!sample.includes('"orderId" : "ord-7f3c2a9e"')) {
  console.error('unexpected output:\n' + sample);
  process.exit(1);
}
for (let i = 0; i < 2000; i++) compiled.render(makeContext()); // warm up the JIT

let best = Infinity;
let bestCPU = Infinity;
for (let round = 0; round < 5; round++) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < iterations; i++) compiled.render(makeContext());
  const used = process.cpuUsage(cpu);
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  best = Math.min(best, ns);
  bestCPU = Math.min(bestCPU, (used.user + used.system) * 1000 / iterations);
}
console.log(`velocityjs ${JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', 'velocityjs', 'package.json'), 'utf8')).version} (node ${process.version}): ${Math.round(best)} ns/op ${Math.round(bestCPU)} cpu-ns/op (best of 5 x ${iterations})`);
