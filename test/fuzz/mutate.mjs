/**
 * Seeded generators of hostile inputs for the fuzz driver: mutated study files and corrupted model files.
 * Plain JavaScript (it runs in a child process on the compiled dist/, not under vitest).
 */

/** mulberry32: a tiny seeded PRNG, enough for choosing mutations reproducibly. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (xs) => xs[int(xs.length)];
  return { next, int, pick };
}

export function nest(depth, leaf = 1) {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Values a careless or hostile file might hold where a number, string or object is expected. */
export function hostileValue(r) {
  switch (r.int(16)) {
    case 0:
      return r.pick([null, true, false, '', 'x', 'tanh', 'bogus', '__proto__', 'constructor', '../../../../tmp/x']);
    case 1:
      return r.pick([-1, 0, 1, 2, 0.5, 1.5, -0.0, 7]);
    case 2:
      return r.pick([1e6, 1e9, 1e15, 2 ** 31, 2 ** 53, 1e300, -1e300, Number.MAX_SAFE_INTEGER]);
    case 3:
      return r.pick([3000, 12000, 20000, 100000]);
    case 4:
      return Array.from({ length: 1 + r.int(3000) }, (_, i) => i + 1);
    case 5:
      return nest(5 + r.int(60));
    case 6:
      return JSON.parse('{"__proto__": {"polluted": 1}, "kind": "adding"}');
    case 7:
      return 'y'.repeat(1 + r.int(20000));
    case 8:
      return [];
    case 9:
      return {};
    case 10:
      return {
        kind: r.pick([
          'adding',
          'copy',
          'teacher',
          'memory',
          'chaos',
          'text',
          'temporal-order',
          'vanilla',
          'lstm',
          'deep',
          'lru',
        ]),
      };
    case 11:
      return [r.pick([0, 1, 1e9, 'x', null])];
    case 12:
      return r.pick([NaN, Infinity, -Infinity]);
    default:
      return r.int(100);
  }
}

/** Walk to a random node of a JSON-like value and replace, delete or add a key there. */
export function mutateTree(r, root) {
  let node = root;
  for (let depth = 0; depth < 6; depth++) {
    const keys = node && typeof node === 'object' ? Object.keys(node) : [];
    if (!keys.length) break;
    const key = r.pick(keys);
    const child = node[key];
    if (depth === 5 || typeof child !== 'object' || child === null || r.next() < 0.25) {
      const op = r.int(4);
      if (op === 0 || op === 3) node[key] = hostileValue(r);
      else if (op === 1) delete node[key];
      else
        Object.defineProperty(node, r.pick([`${key}_extra`, '__proto__', 'constructor', 'limits']), {
          value: hostileValue(r),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return `tree ${key}`;
    }
    node = child;
  }
  return 'tree (no-op)';
}
