// parse-answer.mjs: parse FrontGo answers with the module, the way a shop
// plugin would after each request (frontgate.mjs's parse()). Prints one
// line per answer: the operation's data, or its error.
//
//   node parse-answer.mjs <frontgate.wasm> <status> <body file> [operation]
import { readFile } from 'node:fs/promises';
import { loadFrontgate } from './frontgate.mjs';

const [wasm, status, file, op = 'parse_create'] = process.argv.slice(2);
if (!wasm || !status || !file) {
  console.error('usage: node parse-answer.mjs <frontgate.wasm> <status> <body file> [operation]');
  process.exit(2);
}
const fg = await loadFrontgate(wasm);
const body = await readFile(file, 'utf8');
const env = JSON.parse(new TextDecoder().decode(fg.parse(op, Number(status), body, 'req-1')));
console.log(env.ok ? JSON.stringify(env.data) : `${env.error.code}: ${env.error.message}`);
