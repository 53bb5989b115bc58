// frontgate-browser.js: load frontgate.wasm in a web browser and call its
// operations. The browser has no WASI, so a WASI preview 1 shim
// (@bjorn3/browser_wasi_shim, vendored in ./vendor) provides the imports.
// Copy this file and the vendored shim into your project; the ABI is in
// plugin/ABI.md and the Node twin of this file is examples/node/frontgate.mjs.
import { WASI, OpenFile, File, ConsoleStdout } from './vendor/browser_wasi_shim.js';

const ABI_MAJOR = 1;
// Operation exports are lower_snake names; anything else (memory,
// frontgate_alloc, _initialize, …) is not an operation.
const OPERATION = /^(?!frontgate_)[a-z][a-z0-9_]*$/;

// loadFrontgate fetches the module at url, instantiates it under the shim,
// runs its _initialize export once and checks its ABI version. An instance
// is single-threaded; JavaScript is too, so one instance serves a page.
export async function loadFrontgate(url) {
  const fds = [
    new OpenFile(new File([])), // stdin: empty
    ConsoleStdout.lineBuffered((line) => console.log('[frontgate.wasm]', line)),
    ConsoleStdout.lineBuffered((line) => console.warn('[frontgate.wasm]', line)),
  ];
  const wasi = new WASI([], [], fds, { debug: false });
  const resp = await fetch(url, { credentials: 'same-origin' });
  if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
  const { instance } = await WebAssembly.instantiate(await resp.arrayBuffer(), {
    wasi_snapshot_preview1: wasi.wasiImport,
  });
  // A Go c-shared module is a WASI reactor: initialize() runs _initialize
  // (the Go runtime and package init). Never call wasi.start() on it.
  wasi.initialize(instance);
  const ex = instance.exports;

  const packed = ex.frontgate_abi_version() >>> 0;
  const version = `${packed >>> 16}.${(packed >>> 8) & 0xff}.${packed & 0xff}`;
  if (packed >>> 16 !== ABI_MAJOR) {
    throw new Error(`frontgate.wasm speaks ABI ${version}, this page speaks ${ABI_MAJOR}.x`);
  }

  const enc = new TextEncoder();
  const dec = new TextDecoder();

  // call runs operation fn on input (JSON bytes) and returns the envelope
  // bytes. The input buffer is the host's to free; the result becomes the
  // host's once returned and is freed after copying.
  function call(fn, input) {
    const op = OPERATION.test(fn) ? ex[fn] : undefined;
    if (typeof op !== 'function') {
      const message = 'unknown operation ' + JSON.stringify(fn.length > 64 ? fn.slice(0, 64) + '…' : fn);
      return enc.encode(`{"ok":false,"error":{"code":"unknown_op","message":${JSON.stringify(message)},"fields":[]}}`);
    }
    let ptr = 0;
    if (input.length > 0) {
      ptr = ex.frontgate_alloc(input.length) >>> 0; // 0 when over the size limit
      if (ptr !== 0) new Uint8Array(ex.memory.buffer, ptr, input.length).set(input);
    }
    try {
      const result = op(ptr, input.length); // the packed u64 arrives as a BigInt
      const rptr = Number(result >> 32n);
      const rlen = Number(result & 0xffffffffn);
      // A fresh view: memory.buffer is replaced when memory grows.
      const out = new Uint8Array(ex.memory.buffer, rptr, rlen).slice();
      ex.frontgate_free(rptr);
      return out;
    } finally {
      if (ptr !== 0) ex.frontgate_free(ptr);
    }
  }

  // callJSON takes and returns JavaScript values: {ok: true, data} or
  // {ok: false, error: {code, message, fields: [{path, rule, message}]}}.
  function callJSON(fn, value) {
    return JSON.parse(dec.decode(call(fn, enc.encode(JSON.stringify(value)))));
  }

  return { call, callJSON, version };
}
