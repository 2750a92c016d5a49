/**
 * gemmPacked (op(B) packed once by packB) against gemm on the unpacked B: on the wasm backend bit-identical
 * (the same micro-kernel calls on the same panels), with one thread and split over two (by rows and by
 * columns of C, every call split or the default thresholds); packB's layout the same on both backends; the
 * reference's gemmPacked equal to its gemm.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type Backend, packedLength, type Ref } from '../../src/kernels/backend.js';
import { referenceBackend as R } from '../../src/kernels/reference/index.js';
import { createWasmBackend, relaxedSimdSupported, wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { Rng } from '../../src/tensor/rng.js';

const available = wasmAvailable();
const variants = available ? [createWasmBackend({ variant: 'simd' })] : [];
if (available && relaxedSimdSupported()) variants.push(createWasmBackend({ variant: 'relaxed-simd' }));
const threaded = variants.flatMap((one) => [
  createWasmBackend({ threads: 2, variant: one.variant, backoffMs: 0 }),
  createWasmBackend({ threads: 2, variant: one.variant, backoffMs: 0, splitThresholds: { gemm: 0, pointwise: 0 } }),
]);
afterAll(async () => {
  for (const be of threaded) await be.dispose();
});

const rng = new Rng(5);
/** [m, n, k]: odd sizes, n not a multiple of 8, k beyond one k-block (256), m beyond one m-block (256). */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 2],
  [13, 20, 9],
  [9, 33, 300],
  [64, 256, 1024],
  [300, 17, 40],
];
const TRANS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;
const SCALES = [
  [1, 0],
  [0.7, 1],
  [-1.5, -0.5],
] as const;

/** A block of n floats at element offset `off`, filled with `values`. */
function block(be: Backend, values: number[], off: number): Ref {
  const s = be.alloc(values.length + off + 1);
  s.array.set(values, s.base + off);
  return { storage: s, offset: off };
}
const read = (r: Ref, n: number): number[] =>
  Array.from(r.storage.array.subarray(r.storage.base + r.offset, r.storage.base + r.offset + n));
const values = (n: number): number[] => Array.from({ length: n }, () => Math.fround(rng.uniformIn(-2, 2)));

/** C from gemm on `ref` and C from packB + gemmPacked on `be`, same inputs. */
function both(
  ref: Backend,
  be: Backend,
  tA: boolean,
  tB: boolean,
  m: number,
  n: number,
  k: number,
  al: number,
  bt: number,
) {
  const [a, b, c] = [values(m * k), values(k * n), values(m * n)];
  const plain = block(ref, c, 1);
  ref.gemm(tA, tB, m, n, k, al, block(ref, a, 2), block(ref, b, 3), bt, plain);
  const packed = block(be, new Array(packedLength(k, n)).fill(Number.NaN), 0);
  be.packB(tB, k, n, block(be, b, 3), packed);
  const out = block(be, c, 1);
  be.gemmPacked(tA, m, n, k, al, block(be, a, 2), packed, bt, out);
  return { plain: read(plain, m * n), packed: read(out, m * n), layout: read(packed, packedLength(k, n)) };
}

describe.skipIf(!available)('gemmPacked on wasm', () => {
  for (const be of variants)
    it(`is bit-identical to gemm (${be.variant}; all transpositions, α/β, odd and large shapes)`, () => {
      for (const [m, n, k] of SHAPES)
        for (const [tA, tB] of TRANS)
          for (const [al, bt] of SCALES) {
            const r = both(be, be, tA, tB, m, n, k, al, bt);
            expect(r.packed, `${m}×${n}×${k} tA=${tA} tB=${tB} α=${al} β=${bt}`).toEqual(r.plain);
          }
    });

  it('split over two threads (default thresholds and every call split) gives the same bits', () => {
    for (const two of threaded) {
      const one = variants.find((v) => v.variant === two.variant) as Backend;
      for (const [m, n, k] of SHAPES)
        for (const [tA, tB] of TRANS) {
          const r = both(one, two, tA, tB, m, n, k, 0.7, 1);
          expect(r.packed, `${two.variant} ${m}×${n}×${k} tA=${tA} tB=${tB}`).toEqual(r.plain);
        }
    }
  });
});

describe('packB and gemmPacked on the reference backend', () => {
  it('gemmPacked equals gemm, and packB lays out the panels as the wasm backend does', () => {
    for (const [m, n, k] of SHAPES.slice(0, 5))
      for (const [tA, tB] of TRANS) {
        const r = both(R, R, tA, tB, m, n, k, 0.7, 1);
        for (let i = 0; i < m * n; i++) expect(r.packed[i]).toBeCloseTo(r.plain[i], 12);
        if (!available) continue;
        const b = values(k * n);
        const layouts = [R, variants[0]].map((be) => {
          const out = block(be, new Array(packedLength(k, n)).fill(Number.NaN), 0);
          be.packB(tB, k, n, block(be, b, 1), out);
          return read(out, packedLength(k, n));
        });
        expect(layouts[1], `${k}×${n} tB=${tB}`).toEqual(layouts[0]);
      }
  });
});
