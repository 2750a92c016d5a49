/**
 * safetensors at the byte level: the dtype tables, the checks of one header entry and of how the entries tile
 * the data buffer, and the little-endian copies between typed arrays and file bytes (io/safetensors.ts holds
 * the format's description and the encoder and decoder built from these). Every check fails through `fail`,
 * which prefixes the source, so a hostile file gives one clear Error.
 */
import type { DecodedTensor, SafeTensor, StoredDtype } from './safetensors.js';

export const ITEM_BYTES: Readonly<Record<StoredDtype, number>> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2 };
export const ARRAY_TYPES = { F32: Float32Array, F64: Float64Array, I32: Int32Array, I64: BigInt64Array } as const;
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface Entry {
  name: string;
  dtype: StoredDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Check one tensor before writing it: reserved name, dtype, typed array, shape and element count. */
export function checkForWrite(name: string, t: SafeTensor): void {
  const where = `encodeSafetensors: tensor "${name}"`;
  if (name === '__metadata__') throw new Error(`${where}: the name is reserved for metadata`);
  if (!isObject(t)) throw new Error(`${where}: expected {dtype, shape, data}, got ${describe(t)}`);
  if (!Object.hasOwn(ARRAY_TYPES, t.dtype))
    throw new Error(`${where}: cannot write dtype ${describe(t.dtype)} (use F32, F64, I32 or I64)`);
  if (!(t.data instanceof ARRAY_TYPES[t.dtype]))
    throw new Error(`${where}: dtype ${t.dtype} needs a ${ARRAY_TYPES[t.dtype].name}, got ${describe(t.data)}`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape must be an array of non-negative integers, got ${describe(t.shape)}`);
  }
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (numel !== t.data.length)
    throw new Error(`${where}: shape [${t.shape.join(',')}] has ${numel} elements, data has ${t.data.length}`);
}

/** Copy a tensor's elements into `out` at `pos`, little-endian whatever the host. */
export function writeLittleEndian(out: Uint8Array, pos: number, t: SafeTensor): void {
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

/** The `__metadata__` object: string values only (absent: empty). */
export function parseMetadata(raw: unknown, fail: (msg: string) => never): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  if (raw === undefined || raw === null) return metadata;
  if (!isObject(raw)) return fail(`__metadata__ must be an object of strings, got ${describe(raw)}`);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') fail(`__metadata__ value for "${k}" must be a string, got ${describe(v)}`);
    metadata[k] = v as string;
  }
  return metadata;
}

/** One tensor's header entry: dtype, shape and offsets, checked against each other and the buffer. */
export function parseEntry(name: string, raw: unknown, bufferLength: number, fail: (msg: string) => never): Entry {
  const where = `tensor "${name}"`;
  if (!isObject(raw))
    return fail(`${where}: expected an object with dtype, shape and data_offsets, got ${describe(raw)}`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') return fail(`${where}: dtype must be a string, got ${describe(dtype)}`);
  if (!Object.hasOwn(ITEM_BYTES, dtype))
    fail(`${where}: unsupported dtype "${dtype}" (supported: F32, F64, I32, I64, F16, BF16)`);
  if (!Array.isArray(shape))
    return fail(`${where}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  let numel = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(
        `${where}: shape ${describe(shape)} has invalid dimension ${describe(d)} at index ${i} (must be a non-negative integer)`,
      );
    }
    // Capped so that a hostile shape cannot overflow to Infinity/NaN; any value past the cap fails below.
    numel = Math.min(numel * (d as number), 2 ** 53);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    return fail(
      `${where}: data_offsets must be [begin, end] with integers 0 <= begin <= end, got ${describe(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end > bufferLength)
    fail(
      `${where}: data_offsets [${begin},${end}] reach past the end of the ${bufferLength}-byte data buffer (file truncated?)`,
    );
  const needed = numel * ITEM_BYTES[dtype as StoredDtype];
  if (end - begin !== needed)
    fail(`${where}: shape ${describe(shape)} needs ${needed} bytes (${dtype}), data_offsets give ${end - begin}`);
  return { name, dtype: dtype as StoredDtype, shape: shape as number[], begin, end };
}

/** The tensors must tile the buffer exactly: sorted by offset, each begins where the previous one ends. */
export function checkTiling(entries: Entry[], bufferLength: number, fail: (msg: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < covered && prev !== undefined) {
      fail(
        `tensor "${e.name}": data_offsets [${e.begin},${e.end}] overlap tensor "${prev.name}" [${prev.begin},${prev.end}]`,
      );
    }
    if (e.begin > covered)
      fail(
        `tensor "${e.name}": data_offsets [${e.begin},${e.end}] leave bytes ${covered}..${e.begin} of the buffer unused (gap)`,
      );
    covered = e.end;
    prev = e;
  }
  if (covered !== bufferLength) {
    fail(
      `data buffer has ${bufferLength} bytes but the tensors cover only ${covered} (${bufferLength - covered} trailing bytes)`,
    );
  }
}

/** Copy one tensor's bytes into a fresh, aligned typed array (F16/BF16 widened to F32). */
export function readTensor(src: Uint8Array, e: Entry): DecodedTensor {
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
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A plain JSON object (not null, not an array). */
export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A short, safe rendering of an arbitrary (possibly huge) JSON value for error messages. */
export function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (typeof x === 'bigint') return `${x}n`;
  if (ArrayBuffer.isView(x)) return x.constructor.name;
  let s: string;
  try {
    s =
      Array.isArray(x) && x.length > 16
        ? `[${x
            .slice(0, 16)
            .map((d) => JSON.stringify(d) ?? String(d))
            .join(',')},…] (${x.length} items)`
        : (JSON.stringify(x) ?? String(x));
  } catch {
    s = String(x);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
