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
import {
  checkForWrite,
  checkTiling,
  describe,
  type Entry,
  isObject,
  parseEntry,
  parseMetadata,
  readTensor,
  writeLittleEndian,
} from './safetensors-bytes.js';

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
      if (typeof metadata[k] !== 'string')
        throw new Error(`encodeSafetensors: metadata "${k}" must be a string, got ${describe(metadata[k])}`);
    }
    // Built by hand, not JSON.stringify(object): that would move integer-like keys first and break the sort.
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    checkForWrite(name, t);
    const shape = t.shape.join(',');
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${shape}],"data_offsets":[${offset},${offset + t.data.byteLength}]}`,
    );
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
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const headerLength64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength64 > BigInt(MAX_HEADER_BYTES))
    fail(`header length ${headerLength64} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  const headerLength = Number(headerLength64);
  if (8 + headerLength > bytes.length) {
    fail(
      `header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length prefix (file truncated?)`,
    );
  }
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('header is not valid UTF-8');
  }
  if (jsonNestingDepth(text, MAX_HEADER_NESTING) > MAX_HEADER_NESTING)
    fail(`header nests arrays/objects more than ${MAX_HEADER_NESTING} levels deep`);
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
  file: DecodedSafetensors,
  name: string,
  dtype: D,
  shape?: readonly number[],
  source = '<buffer>',
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
export function writeSafetensorsFile(
  path: string,
  tensors: Record<string, SafeTensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
