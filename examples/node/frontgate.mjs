// frontgate.mjs: load frontgate.wasm under Node's WASI and call its
// operations. No dependencies; copy this file into your project.
// The ABI is specified in plugin/ABI.md.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const ABI_MAJOR = 1;
// Operation exports are lower_snake names; anything else (memory,
// frontgate_alloc, _initialize, …) is not an operation.
const OPERATION = /^(?!frontgate_)[a-z][a-z0-9_]*$/;

// An instance that grew past this much memory is replaced after its call:
// wasm memory never shrinks, and the module declares no maximum that would
// bound it (one worst-case 1 MiB input takes it to about 54 MiB).
const RECYCLE_BYTES = 16 << 20;

// loadFrontgate compiles the module once and keeps one instance. After a
// trap or an exit inside the module (out of memory, a bug), the instance
// is unusable: the call throws an Error and the next call gets a fresh
// instance. requiredOps names the operations this host will call; a module
// whose manifest lacks one is refused at load, naming them.
export async function loadFrontgate(wasmPath, { requiredOps = [] } = {}) {
  const module = await WebAssembly.compile(await readFile(wasmPath));
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let ex = null; // the current instance's exports; null once it trapped or grew too big

  // fresh makes an instance: instantiation and _initialize only, the
  // module being compiled already, so calls stay synchronous.
  function fresh() {
    const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
    const imports = wasi.getImportObject ? wasi.getImportObject() : { wasi_snapshot_preview1: wasi.wasiImport };
    const instance = new WebAssembly.Instance(module, imports);
    // A Go c-shared module is a WASI reactor: initialize() runs its
    // _initialize export once (Go runtime and package init). Never call
    // wasi.start() on it.
    wasi.initialize(instance);
    return instance.exports;
  }
  ex = fresh();

  const packed = ex.frontgate_abi_version() >>> 0;
  const version = `${packed >>> 16}.${(packed >>> 8) & 0xff}.${packed & 0xff}`;
  if (packed >>> 16 !== ABI_MAJOR) {
    throw new Error(`wasm module speaks ABI ${version}, this host speaks ${ABI_MAJOR}.x`);
  }
  // call runs operation fn on input (a Uint8Array of JSON) and returns the
  // envelope bytes. The host owns the input buffer and frees it; the result
  // belongs to the host once returned and is freed here after copying.
  function call(fn, input) {
    if (ex === null) ex = fresh();
    const op = OPERATION.test(fn) ? ex[fn] : undefined;
    if (typeof op !== 'function') return unknownOperation(fn);
    const inst = ex;
    let ptr = 0;
    try {
      if (input.length > 0) {
        ptr = inst.frontgate_alloc(input.length) >>> 0; // 0 when over the size limit
        if (ptr !== 0) new Uint8Array(inst.memory.buffer, ptr, input.length).set(input);
      }
      const result = BigInt.asUintN(64, op(ptr, input.length)); // i64 arrives as a signed BigInt
      const rptr = Number(result >> 32n);
      const rlen = Number(result & 0xffffffffn);
      // Read through a fresh view: memory.buffer changes when memory grows.
      const out = new Uint8Array(inst.memory.buffer, rptr, rlen).slice();
      inst.frontgate_free(rptr);
      if (ptr !== 0) inst.frontgate_free(ptr);
      if (inst.memory.buffer.byteLength > RECYCLE_BYTES) ex = null;
      return out;
    } catch (e) {
      // A trap (RuntimeError) or the Go runtime's exit (node:wasi throws a
      // non-Error value for it): this instance is done.
      ex = null;
      throw e instanceof Error ? e : new Error(`frontgate.wasm exited during ${fn}: ${String(e)}`);
    }
  }

  if (requiredOps.length > 0) {
    const m = JSON.parse(dec.decode(call('manifest', new Uint8Array())));
    const have = new Set(m.ok ? m.data.operations.map((o) => o.name) : []);
    const missing = requiredOps.filter((n) => !have.has(n));
    if (missing.length > 0) {
      throw new Error(`wasm module (ABI ${version}) lacks operations this host needs: ${missing.join(', ')}`);
    }
  }

  // unknownOperation is the envelope every host answers for an operation
  // the module does not export (plugin/ABI.md, "Unknown operations").
  function unknownOperation(fn) {
    // Cut to 64 bytes of UTF-8, never inside a character, as the module does.
    const b = enc.encode(fn);
    let n = 64;
    while (n < b.length && n > 0 && (b[n] & 0xc0) === 0x80) n--;
    const name = b.length > 64 ? dec.decode(b.subarray(0, n)) + '…' : fn;
    const message = 'unknown operation ' + JSON.stringify(name);
    return enc.encode(`{"ok":false,"error":{"code":"unknown_op","message":${JSON.stringify(message)},"fields":[]}}`);
  }
  // callJSON takes and returns JavaScript values. Numbers such as 1000.00
  // survive as 1000 in JavaScript; use call() with bytes where that matters.
  function callJSON(fn, value) {
    return JSON.parse(dec.decode(call(fn, enc.encode(JSON.stringify(value)))));
  }

  // parse runs a parse_* operation on FrontGo's answer (status, the body's
  // text, the request id header or ''). From ABI 1.1 on, a body that starts
  // with { or [ after JSON's whitespace goes in as the JSON value itself,
  // pasted as the input's last member, so the module reads it once; if the
  // module refuses that input (bad_input: the body was not one JSON value),
  // the answer is sent again with the body as text, which says what is
  // wrong with it. Any other body goes as text (plugin/ABI.md, parse_*).
  const parsedBody = packed >= 0x010100; // 1.1.0 or later (the major is 1, checked above)
  const badInput = '{"ok":false,"error":{"code":"bad_input"';
  function parse(fn, status, bodyText, requestId = '') {
    const head = `{"status":${Number(status)},` + (requestId ? `"requestId":${JSON.stringify(requestId)},` : '');
    const asText = () => call(fn, enc.encode(head + `"body":${JSON.stringify(bodyText)}}`));
    const first = bodyText.replace(/^[ \t\r\n]+/, '')[0];
    if (!parsedBody || (first !== '{' && first !== '[')) return asText();
    const out = call(fn, enc.encode(head + '"body":' + bodyText + '}'));
    return dec.decode(out.subarray(0, badInput.length)) === badInput ? asText() : out;
  }

  return { call, callJSON, parse, version };
}
