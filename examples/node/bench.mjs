// Times operations of frontgate.wasm under Node's V8, through the same
// call() a plugin author would use (alloc, copy in, call, copy out, free).
//
//   node examples/node/bench.mjs <frontgate.wasm> <dir> [iterations]
//
// <dir> holds one input per operation, named <operation>.json (or
// <operation>~<variant>.json for a second input of the same operation);
// the Go benchmark writes the hot operations' inputs there:
//
//   FRONTGATE_HOT_INPUTS=/tmp/hot go test -run TestWriteHotInputs ./host/internal/wasmrt
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadFrontgate } from './frontgate.mjs';

const [wasm, dir, iters = '20000'] = process.argv.slice(2);
if (!wasm || !dir) {
  console.error('usage: node bench.mjs <frontgate.wasm> <dir> [iterations]');
  process.exit(2);
}
const fg = await loadFrontgate(wasm);
const n = Number(iters);
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
  const name = file.slice(0, -'.json'.length);
  const fn = name.split('~')[0];
  const input = await readFile(join(dir, file));
  const first = new TextDecoder().decode(fg.call(fn, input));
  if (!first.startsWith('{"ok":true')) {
    console.error(`${name}: not a success case: ${first.slice(0, 200)}`);
    process.exit(1);
  }
  for (let i = 0; i < Math.min(n, 2000); i++) fg.call(fn, input); // let V8 tier up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fg.call(fn, input);
  const us = Number(process.hrtime.bigint() - t0) / n / 1000;
  console.log(`${name.padEnd(20)} ${us.toFixed(1).padStart(8)} µs/op  (${input.length} bytes in, ${n} calls)`);
}
