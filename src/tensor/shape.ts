/** Shape helpers: sizes, equality and the text used in error messages. */

export type Shape = readonly number[];

/** Number of elements of a shape ([] is a scalar with one element). */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[2,3]` — the form every error message uses. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throw unless `shape` is a list of non-negative integers. */
export function checkShape(shape: Shape, where: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${where}: invalid shape ${JSON.stringify(shape)} (expected non-negative integers)`);
  }
}

/** Throw `op: <what> a [..] vs b [..]` unless the two shapes are equal. */
export function expectSameShape(op: string, a: Shape, b: Shape, what = 'shapes differ'): void {
  if (!sameShape(a, b)) throw new Error(`${op}: ${what}: ${formatShape(a)} vs ${formatShape(b)}`);
}

/** Throw unless the tensor has `rank` dimensions. */
export function expectRank(op: string, name: string, shape: Shape, rank: number): void {
  if (shape.length !== rank) {
    throw new Error(`${op}: ${name} must have rank ${rank}, got shape ${formatShape(shape)}`);
  }
}
