/**
 * safetensors: the tensor file format shared with PyTorch (https://github.com/huggingface/safetensors).
 *
 *   [8 bytes]  N, unsigned little-endian 64-bit: byte length of the header
 *   [N bytes]  UTF-8 JSON: {"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [..],
 *              "data_offsets": [begin, end]}, ...}; may be padded with trailing spaces
 *   [rest]     the byte buffer; offsets are relative to its start; tensors tile it exactly (no gaps, no
 *              overlap); elements are little-endian, row-major (C order)
 *
 * The writer is deterministic (names sorted by code unit, compact JSON, header padded with spaces to a
 * multiple of 8 bytes, i.e. the layout of the reference Rust/Python implementation for same-dtype files).
 * The reader treats its input as hostile: every malformed file gives an `Error` naming the source, the
 * tensor and the problem, never another exception type, a hang, or an allocation larger than the input.
 */
import { writeFileAtomic } from './atomic.js';
import { jsonNestingDepth, readRegularFile } from './files.js';

/** Element types recur writes (and reads natively). */
export type WritableDtype = 'F32' | 'F64' | 'I32' | 'I64';
/** Element types recur reads; F16 and BF16 are widened to F32 on reading. */
export type StoredDtype = WritableDtype | 'F16' | 'BF16';

/** One tensor: dtype, row-major shape, and a typed array of matching type holding prod(shape) elements. */
export type SafeTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'F64'; shape: number[]; data: Float64Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array };

/** A decoded tensor; `storedDtype` differs from `dtype` only for F16/BF16 files widened to F32. */
export type DecodedTensor = SafeTensor & { storedDtype: StoredDtype };

/** The content of a safetensors file. */
export interface DecodedSafetensors {
  tensors: Record<string, DecodedTensor>;
  metadata: Record<string, string>;
}

/** Headers beyond this are rejected before any allocation (real headers are kilobytes). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** A header is a flat object of small objects; nesting past this is refused before JSON.parse sees it. */
export const MAX_HEADER_NESTING = 16;
/** Files larger than this are refused by {@link readSafetensorsFile} unless a larger `maxBytes` is given. */
export const MAX_FILE_BYTES = 2 ** 31;

const ITEM_BYTES: Readonly<Record<StoredDtype, number>> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2 };
const ARRAY_TYPES = { F32: Float32Array, F64: Float64Array, I32: Int32Array, I64: BigInt64Array } as const;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Entry { name: string; dtype: StoredDtype; shape: number[]; begin: number; end: number }

/**
 * Serialize tensors (and optional string metadata) to safetensors bytes.
 *
 * @example
 * const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(4) } }, { step: '10' });
 * @throws Error if a name is `__metadata__`, a shape is invalid or disagrees with the data length, the data
 *   type does not match `dtype`, or a metadata value is not a string.
 */
export function encodeSafetensors(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const parts: string[] = [];
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    const keys = Object.keys(metadata).sort();
    for (const k of keys) {
      if (typeof metadata[k] !== 'string') throw new Error(`encodeSafetensors: metadata "${k}" must be a string, got ${describe(metadata[k])}`);
    }
    // Built by hand, not JSON.stringify(object): that would move integer-like keys first and break the sort.
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    checkForWrite(name, t);
    const shape = t.shape.join(',');
    parts.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${shape}],"data_offsets":[${offset},${offset + t.data.byteLength}]}`);
    offset += t.data.byteLength;
  }
  const header = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(header.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + padded);
  let pos = 8 + padded;
  for (const name of names) {
    const t = tensors[name];
    writeLittleEndian(out, pos, t);
    pos += t.data.byteLength;
  }
  return out;
}

/**
 * Parse safetensors bytes into aligned typed arrays (copies; the input can be discarded afterwards).
 * `source` (a file name) prefixes every error message.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(readFileSync('model.safetensors'), 'model.safetensors');
 * @throws Error `source: tensor "name": what is wrong` for any malformed or truncated input.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): DecodedSafetensors {
  const fail = (msg: string): never => { throw new Error(`${source}: ${msg}`); };
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const headerLength64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength64 > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLength64} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  const headerLength = Number(headerLength64);
  if (8 + headerLength > bytes.length) {
    fail(`header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length prefix (file truncated?)`);
  }
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('header is not valid UTF-8');
  }
  if (jsonNestingDepth(text, MAX_HEADER_NESTING) > MAX_HEADER_NESTING) fail(`header nests arrays/objects more than ${MAX_HEADER_NESTING} levels deep`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) return fail(`header must be a JSON object, got ${describe(header)}`);

  const bufferStart = 8 + headerLength;
  const bufferLength = bytes.length - bufferStart;
  const metadata = parseMetadata(header.__metadata__, fail);
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name !== '__metadata__') entries.push(parseEntry(name, raw, bufferLength, fail));
  }
  checkTiling(entries, bufferLength, fail);

  const tensors: Record<string, DecodedTensor> = Object.create(null) as Record<string, DecodedTensor>;
  for (const e of entries) {
    tensors[e.name] = readTensor(bytes.subarray(bufferStart + e.begin, bufferStart + e.end), e);
  }
  return { tensors, metadata };
}

/**
 * Fetch a tensor of the expected dtype (and, if given, shape), with a clear error otherwise.
 *
 * @example
 * const w = requireTensor(file, 'weight_hh_l0', 'F32', [4 * H, H], 'lstm.safetensors').data; // Float32Array
 */
export function requireTensor<D extends WritableDtype>(
  file: DecodedSafetensors, name: string, dtype: D, shape?: readonly number[], source = '<buffer>',
): Extract<SafeTensor, { dtype: D }> {
  const t = Object.hasOwn(file.tensors, name) ? file.tensors[name] : undefined;
  if (t === undefined) throw new Error(`${source}: no tensor "${name}"`);
  if (t.dtype !== dtype) throw new Error(`${source}: tensor "${name}": expected dtype ${dtype}, got ${t.dtype}`);
  if (shape !== undefined && (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i]))) {
    throw new Error(`${source}: tensor "${name}": expected shape [${shape.join(',')}], got [${t.shape.join(',')}]`);
  }
  return t as unknown as Extract<SafeTensor, { dtype: D }>;
}

/**
 * Read and decode a safetensors file (a regular file of at most `maxBytes`); errors name the path.
 * @throws Error `path: no such file`, `path: not a regular file (a FIFO)`, … or any decoding error of
 *   {@link decodeSafetensors}.
 */
export function readSafetensorsFile(path: string, options: { maxBytes?: number } = {}): DecodedSafetensors {
  return decodeSafetensors(readRegularFile(path, options.maxBytes ?? MAX_FILE_BYTES, 'a safetensors file'), path);
}

/** Encode tensors and metadata and write them to `path` atomically (see {@link writeFileAtomic}). */
export function writeSafetensorsFile(path: string, tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

// ---------------------------------------------------------------------------------------------------------

function checkForWrite(name: string, t: SafeTensor): void {
  const where = `encodeSafetensors: tensor "${name}"`;
  if (name === '__metadata__') throw new Error(`${where}: the name is reserved for metadata`);
  if (!isObject(t)) throw new Error(`${where}: expected {dtype, shape, data}, got ${describe(t)}`);
  if (!Object.hasOwn(ARRAY_TYPES, t.dtype)) throw new Error(`${where}: cannot write dtype ${describe(t.dtype)} (use F32, F64, I32 or I64)`);
  if (!(t.data instanceof ARRAY_TYPES[t.dtype])) throw new Error(`${where}: dtype ${t.dtype} needs a ${ARRAY_TYPES[t.dtype].name}, got ${describe(t.data)}`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape must be an array of non-negative integers, got ${describe(t.shape)}`);
  }
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (numel !== t.data.length) throw new Error(`${where}: shape [${t.shape.join(',')}] has ${numel} elements, data has ${t.data.length}`);
}

function writeLittleEndian(out: Uint8Array, pos: number, t: SafeTensor): void {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    return;
  }
  const v = new DataView(out.buffer, out.byteOffset + pos, t.data.byteLength);
  const n = t.data.length;
  if (t.dtype === 'F32') for (let i = 0; i < n; i++) v.setFloat32(4 * i, t.data[i], true);
  else if (t.dtype === 'F64') for (let i = 0; i < n; i++) v.setFloat64(8 * i, t.data[i], true);
  else if (t.dtype === 'I32') for (let i = 0; i < n; i++) v.setInt32(4 * i, t.data[i], true);
  else for (let i = 0; i < n; i++) v.setBigInt64(8 * i, t.data[i], true);
}

function parseMetadata(raw: unknown, fail: (msg: string) => never): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  if (raw === undefined || raw === null) return metadata;
  if (!isObject(raw)) return fail(`__metadata__ must be an object of strings, got ${describe(raw)}`);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') fail(`__metadata__ value for "${k}" must be a string, got ${describe(v)}`);
    metadata[k] = v as string;
  }
  return metadata;
}

function parseEntry(name: string, raw: unknown, bufferLength: number, fail: (msg: string) => never): Entry {
  const where = `tensor "${name}"`;
  if (!isObject(raw)) return fail(`${where}: expected an object with dtype, shape and data_offsets, got ${describe(raw)}`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') return fail(`${where}: dtype must be a string, got ${describe(dtype)}`);
  if (!Object.hasOwn(ITEM_BYTES, dtype)) fail(`${where}: unsupported dtype "${dtype}" (supported: F32, F64, I32, I64, F16, BF16)`);
  if (!Array.isArray(shape)) return fail(`${where}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  let numel = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(`${where}: shape ${describe(shape)} has invalid dimension ${describe(d)} at index ${i} (must be a non-negative integer)`);
    }
    // Capped so that a hostile shape cannot overflow to Infinity/NaN; any value past the cap fails below.
    numel = Math.min(numel * (d as number), 2 ** 53);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    return fail(`${where}: data_offsets must be [begin, end] with integers 0 <= begin <= end, got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > bufferLength) fail(`${where}: data_offsets [${begin},${end}] reach past the end of the ${bufferLength}-byte data buffer (file truncated?)`);
  const needed = numel * ITEM_BYTES[dtype as StoredDtype];
  if (end - begin !== needed) fail(`${where}: shape ${describe(shape)} needs ${needed} bytes (${dtype}), data_offsets give ${end - begin}`);
  return { name, dtype: dtype as StoredDtype, shape: shape as number[], begin, end };
}

/** The tensors must tile the buffer exactly: sorted by offset, each begins where the previous one ends. */
function checkTiling(entries: Entry[], bufferLength: number, fail: (msg: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < covered && prev !== undefined) {
      fail(`tensor "${e.name}": data_offsets [${e.begin},${e.end}] overlap tensor "${prev.name}" [${prev.begin},${prev.end}]`);
    }
    if (e.begin > covered) fail(`tensor "${e.name}": data_offsets [${e.begin},${e.end}] leave bytes ${covered}..${e.begin} of the buffer unused (gap)`);
    covered = e.end;
    prev = e;
  }
  if (covered !== bufferLength) {
    fail(`data buffer has ${bufferLength} bytes but the tensors cover only ${covered} (${bufferLength - covered} trailing bytes)`);
  }
}

function readTensor(src: Uint8Array, e: Entry): DecodedTensor {
  const n = src.length / ITEM_BYTES[e.dtype];
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (e.dtype === 'F16' || e.dtype === 'BF16') {
    const data = new Float32Array(n);
    const bits = new Uint32Array(data.buffer);
    if (e.dtype === 'F16') for (let i = 0; i < n; i++) data[i] = halfToFloat(v.getUint16(2 * i, true));
    else for (let i = 0; i < n; i++) bits[i] = v.getUint16(2 * i, true) << 16; // bf16 is the top half of an f32
    return { dtype: 'F32', shape: e.shape, data, storedDtype: e.dtype };
  }
  const data = new ARRAY_TYPES[e.dtype](n);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(data.buffer).set(src); // copy into a fresh, aligned buffer
  } else if (data instanceof Float32Array) for (let i = 0; i < n; i++) data[i] = v.getFloat32(4 * i, true);
  else if (data instanceof Float64Array) for (let i = 0; i < n; i++) data[i] = v.getFloat64(8 * i, true);
  else if (data instanceof Int32Array) for (let i = 0; i < n; i++) data[i] = v.getInt32(4 * i, true);
  else for (let i = 0; i < n; i++) data[i] = v.getBigInt64(8 * i, true);
  return { dtype: e.dtype, shape: e.shape, data, storedDtype: e.dtype } as DecodedTensor;
}

/** IEEE 754 binary16 to a JS number (exact: every half is representable in single precision). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A short, safe rendering of an arbitrary (possibly huge) JSON value for error messages. */
function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (typeof x === 'bigint') return `${x}n`;
  if (ArrayBuffer.isView(x)) return x.constructor.name;
  let s: string;
  try {
    s = Array.isArray(x) && x.length > 16 ? `[${x.slice(0, 16).map((d) => JSON.stringify(d) ?? String(d)).join(',')},…] (${x.length} items)` : JSON.stringify(x) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
