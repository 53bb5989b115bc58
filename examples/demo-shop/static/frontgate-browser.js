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
// An instance that grew past this much memory is replaced after its call:
// wasm memory never shrinks, and a page cannot cap a module's own memory.
const RECYCLE_BYTES = 16 << 20;

// loadFrontgate fetches and compiles the module at url, instantiates it
// under the shim, runs its _initialize export once and checks its ABI
// version. An instance is single-threaded; JavaScript is too, so one
// instance serves a page. After a trap inside the module (out of memory, a
// bug) that instance is unusable: the call throws, a fresh instance is made
// in the background, and calls throw until it is there (await ready(),
// which rejects if making it failed). An instance whose memory grew past
// RECYCLE_BYTES serves on while its replacement is made (ready() also
// waits for that).
export async function loadFrontgate(url) {
  const resp = await fetch(url, { credentials: 'same-origin' });
  if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
  const module = await WebAssembly.compile(await resp.arrayBuffer());
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));

  async function instantiate() {
    const fds = [
      new OpenFile(new File([])), // stdin: empty
      ConsoleStdout.lineBuffered((line) => console.log('[frontgate.wasm]', line)),
      ConsoleStdout.lineBuffered((line) => console.warn('[frontgate.wasm]', line)),
    ];
    const wasi = new WASI([], [], fds, { debug: false });
    const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
    // A Go c-shared module is a WASI reactor: initialize() runs _initialize
    // (the Go runtime and package init). Never call wasi.start() on it.
    wasi.initialize(instance);
    return instance.exports;
  }
  let ex = await instantiate(); // null after a trap, until the replacement is there
  let replacing = null; // the replacement being made
  // replace makes a new instance in the background; after a trap (dead)
  // the current one is dropped at once.
  function replace(dead) {
    if (dead) ex = null;
    if (!replacing) {
      replacing = instantiate().then((e) => { ex = e; }).finally(() => { replacing = null; });
      replacing.catch((err) => console.error('[frontgate.wasm] a new instance failed:', err));
    }
  }
  // ready resolves once an instance is there to call and no replacement
  // is under way, and rejects when making one failed (a later ready()
  // tries again).
  async function ready() {
    if (ex === null && !replacing) replace(true);
    if (replacing) await replacing;
  }

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
    if (!OPERATION.test(fn) || !exported.has(fn)) return unknownOperation(fn);
    if (ex === null) {
      if (!replacing) replace(true);
      throw new Error('frontgate.wasm is starting a new instance after a failed call; await ready() and try again');
    }
    const inst = ex;
    const op = inst[fn];
    let ptr = 0;
    try {
      if (input.length > 0) {
        ptr = inst.frontgate_alloc(input.length) >>> 0; // 0 when over the size limit
        if (ptr !== 0) new Uint8Array(inst.memory.buffer, ptr, input.length).set(input);
      }
      const result = BigInt.asUintN(64, op(ptr, input.length)); // the packed u64 arrives as a signed BigInt
      const rptr = Number(result >> 32n);
      const rlen = Number(result & 0xffffffffn);
      // A fresh view: memory.buffer is replaced when memory grows.
      const out = new Uint8Array(inst.memory.buffer, rptr, rlen).slice();
      inst.frontgate_free(rptr);
      if (ptr !== 0) inst.frontgate_free(ptr);
      if (inst.memory.buffer.byteLength > RECYCLE_BYTES) replace(false);
      return out;
    } catch (e) {
      replace(true); // a trap, or the Go runtime's exit: this instance is done
      throw e instanceof Error ? e : new Error(`frontgate.wasm failed during ${fn}: ${String(e)}`);
    }
  }

  // unknownOperation is the envelope every host answers for an operation
  // the module does not export (plugin/ABI.md, "Unknown operations"): the
  // name cut to 64 bytes of UTF-8, never inside a character.
  function unknownOperation(fn) {
    const b = enc.encode(fn);
    let n = 64;
    while (n < b.length && n > 0 && (b[n] & 0xc0) === 0x80) n--;
    const name = b.length > 64 ? dec.decode(b.subarray(0, n)) + '…' : fn;
    const message = 'unknown operation ' + JSON.stringify(name);
    return enc.encode(`{"ok":false,"error":{"code":"unknown_op","message":${JSON.stringify(message)},"fields":[]}}`);
  }

  // callJSON takes and returns JavaScript values: {ok: true, data} or
  // {ok: false, error: {code, message, fields: [{path, rule, message}]}}.
  function callJSON(fn, value) {
    return JSON.parse(dec.decode(call(fn, enc.encode(JSON.stringify(value)))));
  }

  // memoryBytes is the current instance's linear memory (0 while there is
  // none), for monitoring.
  const memoryBytes = () => (ex === null ? 0 : ex.memory.buffer.byteLength);

  return { call, callJSON, version, ready, memoryBytes };
}
