/**
 * The wasm backend's kernel methods, derived from the kernel table (../table.ts): each converts its Backend
 * arguments to the export's numbers by the table's argument kinds and calls a target — the export itself
 * (one thread) or the thread splitter (parallel.ts). Converters are chosen once per kernel; a call
 * allocates nothing.
 */
import type { AdamStep, Ref, UnaryKind } from '../backend.js';
import { type ArgKind, KERNELS, type KernelMethods, type KernelName } from '../table.js';
import { UnaryCode } from './assembly/unary-codes.js';

/** A wasm export: numbers in (pointers are byte addresses, flags 0/1), a number out. */
export type WasmFn = (...args: number[]) => number;

/** UnaryKind → its UnaryCode (the type requires every kind, and the values come from the shared enum). */
export const UNARY: Readonly<Record<UnaryKind, UnaryCode>> = {
  identity: UnaryCode.identity,
  tanh: UnaryCode.tanh,
  sigmoid: UnaryCode.sigmoid,
  relu: UnaryCode.relu,
  exp: UnaryCode.exp,
  neg: UnaryCode.neg,
  square: UnaryCode.square,
  sqrt: UnaryCode.sqrt,
  sin: UnaryCode.sin,
  cos: UnaryCode.cos,
  oneMinus: UnaryCode.oneMinus,
};

/** Byte address of a Ref (wasm storage). */
export const ptr = (r: Ref): number => (r.storage.base + r.offset) * 4;
/** Byte address, or 0 for null. */
export const opt = (r: Ref | null): number => (r === null ? 0 : (r.storage.base + r.offset) * 4);

/**
 * adam's export arguments (single- and multi-threaded): n, the step's scalars with 1 − β and the
 * bias-correction reciprocals computed here in float64 (see assembly/optim.ts), and the four buffers.
 */
export const adamArgs = (n: number, s: AdamStep, param: Ref, grad: Ref, m: Ref, v: Ref) =>
  [
    n,
    s.lr,
    s.beta1,
    1 - s.beta1,
    s.beta2,
    1 - s.beta2,
    s.eps,
    s.weightDecay,
    1 / s.bias1,
    1 / s.bias2,
    ptr(param),
    ptr(grad),
    ptr(m),
    ptr(v),
  ] as const;

type Convert = (v: never) => number;
const CONVERT: Readonly<Record<ArgKind, Convert>> = {
  n: (v: number) => v,
  z: (v: number | undefined) => v ?? 0,
  b: (v: boolean) => (v ? 1 : 0),
  u: (v: UnaryKind) => UNARY[v],
  p: ptr,
  o: opt,
};
const unused = (): number => 0;
/** The most arguments a table kernel takes. */
const MAX = 14;

/** The Backend methods of the table's kernels (those `include` accepts), each calling `target(name)`. */
export function wrapKernels(
  target: (name: KernelName) => WasmFn,
  include: (name: KernelName) => boolean = () => true,
): KernelMethods {
  const methods: Partial<Record<KernelName, unknown>> = {};
  for (const name of Object.keys(KERNELS) as KernelName[]) {
    if (!include(name)) continue;
    const spec: { args: readonly ArgKind[]; bool?: true } = KERNELS[name];
    if (spec.args.length > MAX) throw new Error(`kernel table: ${name} takes more than ${MAX} arguments`);
    const [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13] = Array.from(
      { length: MAX },
      (_, i) => (i < spec.args.length ? CONVERT[spec.args[i]] : unused) as (v: unknown) => number,
    );
    const f = target(name);
    const call = (
      a0: unknown,
      a1: unknown,
      a2?: unknown,
      a3?: unknown,
      a4?: unknown,
      a5?: unknown,
      a6?: unknown,
      a7?: unknown,
      a8?: unknown,
      a9?: unknown,
      a10?: unknown,
      a11?: unknown,
      a12?: unknown,
      a13?: unknown,
    ): number =>
      f(
        c0(a0),
        c1(a1),
        c2(a2),
        c3(a3),
        c4(a4),
        c5(a5),
        c6(a6),
        c7(a7),
        c8(a8),
        c9(a9),
        c10(a10),
        c11(a11),
        c12(a12),
        c13(a13),
      );
    methods[name] = spec.bool ? (a0: unknown, a1: unknown): boolean => call(a0, a1) !== 0 : call;
  }
  return methods as KernelMethods;
}
