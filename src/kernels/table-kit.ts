/**
 * The kernel table's building blocks (table.ts has the table and its documentation): the argument kinds,
 * an entry's type, and the split descriptions elementwise, by rows, and by rows of a recurrent step.
 */
import type { Ref, UnaryKind } from './backend.js';

export type ArgKind = 'n' | 'z' | 'b' | 'u' | 'p' | 'o';
type KindOf<T> = [T] extends [boolean]
  ? 'b'
  : [T] extends [number]
    ? 'n'
    : [T] extends [UnaryKind]
      ? 'u'
      : [T] extends [Ref]
        ? 'p'
        : [T] extends [Ref | null]
          ? 'o'
          : never;
/** The argument kinds of a signature's parameters, position by position. */
export type KindsOf<P extends readonly unknown[]> = { [I in keyof P]-?: undefined extends P[I] ? 'z' : KindOf<P[I]> };

export interface Split {
  count: number;
  perUnit: number;
  cost: number | readonly number[];
  grain: number;
  ptrs: readonly number[];
}

/** One table entry; F is the kernel's signature (a phantom: the Backend method's type). */
export interface Kernel<F> {
  readonly args: readonly ArgKind[];
  readonly split?: Split;
  /** The wasm export returns 0/1 for a boolean. */
  readonly bool?: true;
  readonly signature?: F;
}

// biome-ignore lint/suspicious/noExplicitAny: any function signature (its parameters are checked through KindsOf)
export const kernel = <F extends (...args: any[]) => unknown>(
  args: KindsOf<Parameters<F>>,
  opts: { split?: Split; bool?: true } = {},
): Kernel<F> => ({ args: args as readonly ArgKind[], ...opts });

/** Elementwise split: ranges of elements (multiples of 16 = one cache line); every pointer moves one float per element. */
export const elems = (count: number, cost: Split['cost'], ...ptrArgs: number[]): Split => ({
  count,
  perUnit: -1,
  cost,
  grain: 16,
  ptrs: ptrArgs.flatMap((a) => [a, -1, 1]),
});
/** Rows of `n = args[perUnit]` elements; ptrs as [arg, factor of n] pairs (factor 0: not per row; −1: one float per row). */
export const rows = (count: number, perUnit: number, cost: number, ...pairs: number[]): Split => {
  const ptrs: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const [arg, f] = [pairs[i], pairs[i + 1]];
    if (f !== 0) ptrs.push(arg, f < 0 ? -1 : perUnit, Math.abs(f));
  }
  return { count, perUnit, cost, grain: 1, ptrs };
};

/**
 * A whole recurrent step (assembly/steps.ts): rows of the batch in blocks of 4 (the GEMM's row tile), each
 * row's pointers moving by their width in units of h (pairs as in `rows`), and the step's GEMM scratch, at
 * argument `scratch`, by `scratch + 1` (scratchRow) floats per row.
 */
export const stepRows = (cost: number, scratch: number, ...pairs: number[]): Split => {
  const s = rows(0, 1, cost, ...pairs);
  return { ...s, grain: 4, ptrs: [...s.ptrs, scratch, scratch + 1, 1] };
};
