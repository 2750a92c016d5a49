/**
 * Where the compiled kernel modules come from. Node reads build/<file> from the file system on first use
 * (synchronously, as before); a browser, or any host without a file system, loads a module once with
 * `await loadWasm()` (fetches build/kernels.wasm beside the library; bundlers see the
 * `new URL('…', import.meta.url)` below and ship the file) or hands it the bytes, a URL, a Response or a
 * compiled WebAssembly.Module. Compiled modules are kept per file, so every backend after that is
 * created synchronously.
 *
 *   await loadWasm();                                   // browser: the plain SIMD build
 *   await loadWasm(new URL('/assets/kernels.wasm', location.href));
 *   const be = getBackend('wasm');
 */
import { maybeNodeBuiltin } from '../../util/node-builtin.js';
import { wasmApi, type WasmModule } from './wasm-api.js';

/** The four builds of scripts/build-wasm.mjs: plain or relaxed SIMD, single-threaded or on a shared memory. */
export type WasmFile =
  | 'kernels.wasm'
  | 'kernels-relaxed.wasm'
  | 'kernels-threads.wasm'
  | 'kernels-threads-relaxed.wasm';

/** What `loadWasm` accepts: the module's bytes, where to fetch them, a fetched Response, or a compiled module. */
export type WasmSource = Uint8Array | ArrayBuffer | URL | string | { arrayBuffer(): Promise<ArrayBuffer> } | WasmModule;

const compiled = new Map<WasmFile, WasmModule>();

/** The URL of build/<file> beside the library (src/ and dist/ sit at the same depth). */
export const buildFileUrl = (file: WasmFile): URL => new URL(`../../../build/${file}`, import.meta.url);

/** The plain build, spelled out as a literal so that bundlers ship it as an asset. */
const plainBuildUrl = (): URL => new URL('../../../build/kernels.wasm', import.meta.url);

/** true when `file` can be had synchronously: loaded already, or (Node) present in build/. */
export function hasWasmModule(file: WasmFile): boolean {
  if (compiled.has(file)) return true;
  const fs = maybeNodeBuiltin('node:fs');
  return fs !== undefined && buildFileUrl(file).protocol === 'file:' && fs.existsSync(buildFileUrl(file));
}

/** The compiled module of `file`: loaded before, or (Node) read from build/ now. */
export function wasmModule(file: WasmFile): WasmModule {
  const have = compiled.get(file);
  if (have) return have;
  const api = wasmApi;
  if (!api) throw new Error('wasm backend: this engine has no WebAssembly');
  const fs = maybeNodeBuiltin('node:fs');
  const url = buildFileUrl(file);
  if (fs === undefined || url.protocol !== 'file:')
    throw new Error(`wasm backend: ${file} is not loaded; call \`await loadWasm()\` (or loadWasm(bytes | url)) first`);
  if (!fs.existsSync(url)) throw new Error(`wasm backend: ${url.pathname} is missing; run \`npm run build:wasm\``);
  const module = new api.Module(fs.readFileSync(url));
  compiled.set(file, module);
  return module;
}

/**
 * Load and compile a kernel module so that `getBackend('wasm')` and `createWasmBackend` work without a
 * file system. `source` defaults to build/kernels.wasm beside the library (fetched; read from disk in
 * Node); `file` says which build the source is (default the plain SIMD one, 'kernels.wasm').
 * @throws Error naming the source when it cannot be fetched or is not a WebAssembly module.
 */
export async function loadWasm(source?: WasmSource, options: { file?: WasmFile } = {}): Promise<void> {
  const file = options.file ?? 'kernels.wasm';
  const api = wasmApi;
  if (!api) throw new Error('loadWasm: this engine has no WebAssembly');
  const from = source ?? (file === 'kernels.wasm' ? plainBuildUrl() : buildFileUrl(file));
  let bytes: Uint8Array;
  if (from instanceof Uint8Array) bytes = from;
  else if (from instanceof ArrayBuffer) bytes = new Uint8Array(from);
  else if (typeof from === 'string' || from instanceof URL) bytes = await fetchBytes(from);
  else if (typeof (from as { arrayBuffer?: unknown }).arrayBuffer === 'function')
    bytes = new Uint8Array(await (from as { arrayBuffer(): Promise<ArrayBuffer> }).arrayBuffer());
  else {
    compiled.set(file, from as WasmModule);
    return;
  }
  if (!api.validate(bytes))
    throw new Error(`loadWasm: ${describe(from)} is not a WebAssembly module this engine accepts (SIMD needed)`);
  compiled.set(file, await api.compile(bytes));
}

/** A file: URL is read from disk (Node's fetch does not read files); anything else is fetched. */
async function fetchBytes(where: string | URL): Promise<Uint8Array> {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const url = new URL(String(where), base);
  const fs = maybeNodeBuiltin('node:fs');
  if (url.protocol === 'file:' && fs) return new Uint8Array(await fs.promises.readFile(url));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`loadWasm: fetching ${url.href} answered ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

const describe = (x: WasmSource): string =>
  typeof x === 'string' || x instanceof URL ? String(x) : x instanceof Uint8Array ? `${x.length} bytes` : 'the source';
