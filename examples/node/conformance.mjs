// conformance.mjs: replay frontgate's conformance vectors through the module
// under Node's WASI and compare every output byte for byte.
//
//   node examples/node/conformance.mjs [frontgate.wasm] [vectors dir]
//
// Defaults: build/out/frontgate.wasm and plugin/testdata/vectors of this
// checkout. Exits 1 when a vector fails.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadFrontgate } from './frontgate.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasmPath = process.argv[2] ?? path.join(root, 'build/out/frontgate.wasm');
const dir = process.argv[3] ?? path.join(root, 'plugin/testdata/vectors');

const fg = await loadFrontgate(wasmPath);
const enc = new TextEncoder();
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
let failed = 0;
for (const file of files) {
  // input and output are JSON strings holding the exact bytes.
  const v = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
  const got = Buffer.from(fg.call(v.func, enc.encode(v.input)));
  if (!got.equals(Buffer.from(v.output, 'utf8'))) {
    failed++;
    console.log(`FAIL ${file} (${v.name}): ${v.func}\n  got:  ${got.toString('utf8')}\n  want: ${v.output}`);
  }
}
console.log(`${failed ? 'FAIL' : 'ok'} ${files.length - failed}/${files.length} vectors, module ABI ${fg.version}, node ${process.version}`);
if (files.length === 0 || failed) process.exit(1);
