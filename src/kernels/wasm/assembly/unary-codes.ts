/**
 * The kind codes of the unary kernels, shared by both sides: AssemblyScript's unary.ts switches on them, and
 * the TypeScript side derives `UnaryKind` (the names) from this enum and passes the codes. Valid in both
 * languages; nothing else may live here.
 *
 *   identity  y = x,            y' = 1
 *   tanh      y = tanh x,       y' = 1 − y²
 *   sigmoid   y = 1/(1+e^−x),   y' = y(1 − y)
 *   relu      y = max(0, x),    y' = [y > 0]
 *   exp       y = eˣ,           y' = y
 *   neg       y = −x,           y' = −1
 *   square    y = x²,           y' = 2x
 *   sqrt      y = √x,           y' = 1/(2y)
 *   sin       y = sin x,        y' = cos x
 *   cos       y = cos x,        y' = −sin x
 *   oneMinus  y = 1 − x,        y' = −1
 */
export const enum UnaryCode {
  identity = 0,
  tanh = 1,
  sigmoid = 2,
  relu = 3,
  exp = 4,
  neg = 5,
  square = 6,
  sqrt = 7,
  sin = 8,
  cos = 9,
  oneMinus = 10,
}
