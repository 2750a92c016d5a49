import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsFile,
  requireTensor,
  writeSafetensorsFile,
  type SafeTensor,
} from '../../src/io/safetensors.js';
import { writeFileAtomic } from '../../src/io/atomic.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/torch/', import.meta.url));

/** A file from a raw header (object or literal JSON text) and a data buffer, bypassing the encoder's checks. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function sample(): Record<string, SafeTensor> {
  const nanWithPayload = new Float32Array(new Uint32Array([0x7fc01234]).buffer)[0];
  return {
    weight_hh_l0: {
      dtype: 'F32',
      shape: [4, 3],
      data: Float32Array.from([1, -0, Infinity, -Infinity, 1e-45, 3.4e38, 0.1, nanWithPayload, 2, 3, 4, 5]),
    },
    f64: { dtype: 'F64', shape: [3], data: Float64Array.from([Math.PI, -Number.MIN_VALUE, Number.MAX_VALUE]) },
    i32: { dtype: 'I32', shape: [2, 1], data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]) },
    i64: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) },
    scalar: { dtype: 'F32', shape: [], data: Float32Array.from([7]) },
    empty: { dtype: 'F64', shape: [0, 5], data: new Float64Array(0) },
    '10': { dtype: 'I32', shape: [1], data: Int32Array.from([10]) },
    '9': { dtype: 'I32', shape: [1], data: Int32Array.from([9]) },
  };
}

describe('encode/decode round trip', () => {
  it('is bit-identical for every dtype, special values, scalars and empty tensors', () => {
    const tensors = sample();
    const bytes = encodeSafetensors(tensors, { step: '12', note: 'ünïcode ✓', '1': 'x' });
    const back = decodeSafetensors(bytes);
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const d = back.tensors[name];
      expect(d.dtype).toBe(t.dtype);
      expect(d.storedDtype).toBe(t.dtype);
      expect(d.shape).toEqual(t.shape);
      expect(d.data.constructor).toBe(t.data.constructor);
      expect(bytesOf(d.data)).toEqual(bytesOf(t.data));
      expect(d.data.byteOffset % 8).toBe(0);
    }
    expect({ ...back.metadata }).toEqual({ step: '12', note: 'ünïcode ✓', '1': 'x' });
    expect(encodeSafetensors(back.tensors, back.metadata)).toEqual(bytes);
  });

  it('is deterministic: sorted names, header padded with spaces to a multiple of 8', () => {
    const a = sample();
    const reversed = Object.fromEntries(Object.entries(a).reverse());
    const bytes = encodeSafetensors(a, { b: '1', a: '2' });
    expect(encodeSafetensors(reversed, { a: '2', b: '1' })).toEqual(bytes);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd().length).toBeGreaterThan(n - 8);
    expect(header.indexOf('"10"')).toBeLessThan(header.indexOf('"9"')); // code-unit order, not numeric
    expect(header.startsWith('{"__metadata__":{"a":"2","b":"1"}')).toBe(true);
  });

  it('encodes subarray views and decodes into fresh, independent buffers', () => {
    const big = Float32Array.from([9, 1, 2, 3, 9]);
    const bytes = encodeSafetensors({ x: { dtype: 'F32', shape: [3], data: big.subarray(1, 4) } });
    const x = decodeSafetensors(bytes).tensors.x;
    expect(Array.from(x.data as Float32Array)).toEqual([1, 2, 3]);
    bytes.fill(0, bytes.length - 12);
    expect(Array.from(x.data as Float32Array)).toEqual([1, 2, 3]);
    const odd = new Uint8Array(bytes.length + 1);
    odd.set(bytes, 1); // misaligned input still decodes
    expect(() => decodeSafetensors(odd.subarray(1))).not.toThrow();
  });

  it('writes no __metadata__ when none is given, and handles a tensor named __proto__ safely', () => {
    const tensors: Record<string, SafeTensor> = {
      ['__proto__']: { dtype: 'F32', shape: [1], data: Float32Array.from([2]) },
    };
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    const bytes = encodeSafetensors(tensors);
    expect(new TextDecoder().decode(bytes)).not.toContain('__metadata__');
    const file = decodeSafetensors(bytes);
    expect(Object.keys(file.tensors)).toEqual(['__proto__']);
    // biome-ignore lint/complexity/useLiteralKeys lint/suspicious/noProto: a tensor named __proto__ is what this test is about
    expect(Array.from(file.tensors['__proto__'].data as Float32Array)).toEqual([2]);
    expect(Object.keys(file.metadata)).toEqual([]);
  });

  it('reads F16 and BF16 into Float32Array', () => {
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0xfc00, 0x8000, 0x3555]);
    const bf16 = Uint16Array.from([0x3f80, 0xc049, 0x7f80]);
    const data = new Uint8Array([...bytesOf(f16), ...bytesOf(bf16)]);
    const file = decodeSafetensors(
      rawFile(
        {
          a: { dtype: 'F16', shape: [8], data_offsets: [0, 16] },
          b: { dtype: 'BF16', shape: [3], data_offsets: [16, 22] },
        },
        data,
      ),
    );
    expect(file.tensors.a.dtype).toBe('F32');
    expect(file.tensors.a.storedDtype).toBe('F16');
    expect(Array.from(file.tensors.a.data as Float32Array)).toEqual([
      1,
      -2,
      2 ** -24,
      65504,
      Infinity,
      -Infinity,
      -0,
      Math.fround(0.333251953125),
    ]);
    expect(Array.from(file.tensors.b.data as Float32Array)).toEqual([1, -3.140625, Infinity]);
  });

  it('requireTensor checks presence, dtype and shape', () => {
    const file = decodeSafetensors(encodeSafetensors(sample()));
    expect(requireTensor(file, 'weight_hh_l0', 'F32', [4, 3]).data).toBeInstanceOf(Float32Array);
    expect(() => requireTensor(file, 'nope', 'F32', undefined, 'm.st')).toThrow('m.st: no tensor "nope"');
    expect(() => requireTensor(file, 'i32', 'F32')).toThrow('tensor "i32": expected dtype F32, got I32');
    expect(() => requireTensor(file, 'f64', 'F64', [4])).toThrow('expected shape [4], got [3]');
  });
});

describe('encode rejects invalid tensors', () => {
  const f32 = (shape: number[], n: number): SafeTensor => ({ dtype: 'F32', shape, data: new Float32Array(n) });
  it.each([
    [{ __metadata__: f32([1], 1) }, 'reserved'],
    [{ x: f32([2, 2], 3) }, 'tensor "x": shape [2,2] has 4 elements, data has 3'],
    [{ x: f32([-1], 1) }, 'non-negative integers'],
    [
      { x: { dtype: 'F64', shape: [1], data: new Float32Array(1) } },
      'dtype F64 needs a Float64Array, got Float32Array',
    ],
    [{ x: { dtype: 'F16', shape: [1], data: new Float32Array(1) } }, 'cannot write dtype "F16"'],
  ])('%#: %s', (tensors, message) => {
    expect(() => encodeSafetensors(tensors as Record<string, SafeTensor>)).toThrow(message);
  });
  it('rejects non-string metadata', () => {
    expect(() => encodeSafetensors({}, { n: 3 } as never)).toThrow('metadata "n" must be a string, got 3');
  });
});

describe('decode rejects hostile input with an Error naming the problem', () => {
  const f32 = (name: string, shape: unknown, offsets: unknown, dtype: unknown = 'F32') => ({
    [name]: { dtype, shape, data_offsets: offsets },
  });
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
  const longer = rawFile('{}');
  new DataView(longer.buffer).setBigUint64(0, 1000n, true);
  const cases: Array<[string, Uint8Array, string | RegExp]> = [
    ['empty file', new Uint8Array(0), 'file is 0 bytes, too short'],
    ['7 bytes', new Uint8Array(7), 'file is 7 bytes'],
    ['header length past the end', longer, 'header length 1000 exceeds the 2 bytes after the length prefix'],
    ['absurd header length', huge, /header length 9223372036854775808 exceeds the limit/],
    ['invalid UTF-8', rawFile('{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)), 'header is not valid UTF-8'],
    ['invalid JSON', rawFile('{"a": '), 'header is not valid JSON'],
    ['byte order mark', rawFile('\ufeff{}'), 'header is not valid JSON'],
    ['header an array', rawFile('[1,2]'), 'header must be a JSON object, got [1,2]'],
    ['header null', rawFile('null'), 'header must be a JSON object, got null'],
    [
      'entry not an object',
      rawFile({ w: 3 }),
      'tensor "w": expected an object with dtype, shape and data_offsets, got 3',
    ],
    ['unknown dtype', rawFile(f32('w', [1], [0, 4], 'Q8'), new Uint8Array(4)), 'tensor "w": unsupported dtype "Q8"'],
    ['prototype dtype', rawFile(f32('w', [1], [0, 4], 'toString'), new Uint8Array(4)), 'unsupported dtype "toString"'],
    [
      'dtype not a string',
      rawFile(f32('w', [1], [0, 4], 4), new Uint8Array(4)),
      'tensor "w": dtype must be a string, got 4',
    ],
    [
      'missing dtype',
      rawFile({ w: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      'dtype must be a string, got nothing',
    ],
    [
      'shape not an array',
      rawFile(f32('w', 4, [0, 4]), new Uint8Array(4)),
      'tensor "w": shape must be an array of non-negative integers, got 4',
    ],
    [
      'negative dimension',
      rawFile(f32('w', [2, -2], [0, 16]), new Uint8Array(16)),
      'tensor "w": shape [2,-2] has invalid dimension -2 at index 1',
    ],
    ['fractional dimension', rawFile(f32('w', [1.5], [0, 4]), new Uint8Array(4)), 'invalid dimension 1.5 at index 0'],
    ['string dimension', rawFile(f32('w', ['2'], [0, 8]), new Uint8Array(8)), 'invalid dimension "2"'],
    [
      'overflowing shape',
      rawFile(f32('w', [2 ** 50, 2 ** 50, 2 ** 50], [0, 4]), new Uint8Array(4)),
      /needs \d+ bytes \(F32\), data_offsets give 4/,
    ],
    [
      'offsets not an array',
      rawFile(f32('w', [1], '0-4'), new Uint8Array(4)),
      'tensor "w": data_offsets must be [begin, end]',
    ],
    ['three offsets', rawFile(f32('w', [1], [0, 4, 8]), new Uint8Array(4)), 'got [0,4,8]'],
    ['negative offset', rawFile(f32('w', [1], [-4, 0]), new Uint8Array(4)), 'data_offsets must be [begin, end]'],
    ['begin after end', rawFile(f32('w', [1], [4, 0]), new Uint8Array(4)), 'data_offsets must be [begin, end]'],
    [
      'offset past the buffer',
      rawFile(f32('w', [3], [0, 12]), new Uint8Array(8)),
      'tensor "w": data_offsets [0,12] reach past the end of the 8-byte data buffer',
    ],
    [
      'size mismatch',
      rawFile(f32('weight_hh_l0', [4, 3], [0, 40]), new Uint8Array(40)),
      'tensor "weight_hh_l0": shape [4,3] needs 48 bytes (F32), data_offsets give 40',
    ],
    [
      'overlap',
      rawFile({ ...f32('a', [2], [0, 8]), ...f32('b', [2], [4, 12]) }, new Uint8Array(12)),
      'tensor "b": data_offsets [4,12] overlap tensor "a" [0,8]',
    ],
    [
      'gap',
      rawFile({ ...f32('a', [1], [0, 4]), ...f32('b', [1], [8, 12]) }, new Uint8Array(12)),
      'tensor "b": data_offsets [8,12] leave bytes 4..8 of the buffer unused',
    ],
    [
      'trailing bytes',
      rawFile(f32('a', [1], [0, 4]), new Uint8Array(9)),
      'data buffer has 9 bytes but the tensors cover only 4 (5 trailing bytes)',
    ],
    [
      'metadata not an object',
      rawFile({ __metadata__: ['x'] }),
      '__metadata__ must be an object of strings, got ["x"]',
    ],
    [
      'metadata value not a string',
      rawFile({ __metadata__: { epoch: 3 } }),
      '__metadata__ value for "epoch" must be a string, got 3',
    ],
  ];
  it.each(cases)('%s', (_label, bytes, message) => {
    let error: unknown;
    try {
      decodeSafetensors(bytes, 'model.safetensors');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor).toBe(Error);
    expect((error as Error).message.startsWith('model.safetensors: ')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('accepts a null __metadata__ and zero-size tensors sharing an offset', () => {
    const file = decodeSafetensors(
      rawFile(
        {
          __metadata__: null,
          e: { dtype: 'F32', shape: [0], data_offsets: [0, 0] },
          a: { dtype: 'I32', shape: [1], data_offsets: [0, 4] },
        },
        new Uint8Array(4),
      ),
    );
    expect(Object.keys(file.tensors).sort()).toEqual(['a', 'e']);
  });

  it('throws a plain Error (nothing else) for a truncation at every byte position', () => {
    const bytes = encodeSafetensors(sample(), { mode: 'LSTM' });
    for (let k = 0; k < bytes.length; k++) {
      let error: unknown;
      try {
        decodeSafetensors(bytes.subarray(0, k), 'cut.safetensors');
      } catch (e) {
        error = e;
      }
      expect(error, `truncated to ${k} bytes`).toBeInstanceOf(Error);
      expect((error as Error).constructor, `truncated to ${k} bytes`).toBe(Error);
      expect((error as Error).message).toMatch(/^cut\.safetensors: /);
    }
  });

  it('survives random byte corruption (decodes or throws a plain Error)', () => {
    const bytes = encodeSafetensors(sample(), { mode: 'GRU' });
    let seed = 12345;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let trial = 0; trial < 3000; trial++) {
      const copy = bytes.slice();
      for (let j = 0; j <= rand(3); j++) copy[rand(copy.length)] = rand(256);
      try {
        decodeSafetensors(copy, 'fuzz');
      } catch (e) {
        expect((e as Error).constructor).toBe(Error);
        expect((e as Error).message).toMatch(/^fuzz: /);
      }
    }
  });
});

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recur-st-'));

  it('writes atomically and reads back; overwrites; leaves no temp files', () => {
    const path = join(dir, 'model.safetensors');
    writeSafetensorsFile(path, sample(), { v: '1' });
    writeSafetensorsFile(path, { x: { dtype: 'F32', shape: [1], data: Float32Array.from([5]) } }, { v: '2' });
    const file = readSafetensorsFile(path);
    expect(file.metadata.v).toBe('2');
    expect(Object.keys(file.tensors)).toEqual(['x']);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('names the path when reading a missing or corrupt file', () => {
    const missing = join(dir, 'missing.safetensors');
    expect(() => readSafetensorsFile(missing)).toThrow(`${missing}: no such file`);
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, 'abc');
    expect(() => readSafetensorsFile(bad)).toThrow(`${bad}: file is 3 bytes`);
  });

  it('writeFileAtomic names the path when the directory does not exist', () => {
    const path = join(dir, 'no', 'such', 'dir.bin');
    expect(() => writeFileAtomic(path, new Uint8Array(3))).toThrow(`cannot write ${path}`);
  });
});

describe('files in the layout written by PyTorch tooling', () => {
  const path = join(FIXTURES, 'lstm_l1_uni_i3_h4_t1_b1.safetensors');
  it('decodes a fixture and re-encodes it byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(path));
    const file = decodeSafetensors(bytes, path);
    expect(file.metadata.mode).toBe('LSTM');
    expect(requireTensor(file, 'weight_hh_l0', 'F32', [16, 4], path).data).toHaveLength(64);
    expect(encodeSafetensors(file.tensors, file.metadata)).toEqual(bytes);
  });
});
