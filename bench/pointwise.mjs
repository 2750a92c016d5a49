#!/usr/bin/env node
/**
 * The pointwise kernels that cost transcendental functions (math.ts: exp4, sigmoid4, tanh4), single thread:
 * ns per element of unary tanh / sigmoid / exp (n = 32·128·4 elements, the size of an LSTM step's gates) and
 * ns per hidden unit of lstmForward / gruForward at B = 32, H = 128. Inputs are N(0, 2²) (pre-activations
 * of a trained cell live there; both branches of tanh are hit). Each figure is the median over rounds of one
 * timed batch of calls; the kernels (and, with --baseline, the two checkouts) take turns inside each round,
 * so a busy machine slows all alike.
 *
 *   node --experimental-wasm-relaxed-simd bench/pointwise.mjs            # this checkout (its dist/ + build/)
 *   node --experimental-wasm-relaxed-simd bench/pointwise.mjs --baseline /work/main [--rounds 41] [--min]
 * Without the flag the plain-SIMD build runs (mul+add instead of fused relaxed_madd).
 */
import { loadRecur } from './recur.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const baseline = flag('--baseline', undefined);
const rounds = Number(flag('--rounds', '41'));
const B = 32;
const H = 128;
const TARGET_NS = 2e6; // each timed batch lasts ≈ 2 ms

let seed = 12345;
const uniform = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

/** A block of n floats on backend `be` filled with N(0, s²) values. */
function block(be, n, s = 2) {
  const storage = be.alloc(n);
  for (let i = 0; i < n; i++) storage.array[storage.base + i] = s * normal();
  return { storage, offset: 0 };
}

/** The timed cases of one checkout: name → { run(), per (elements or units per call) }. */
function cases(lib) {
  const be = lib.getBackend('wasm', { threads: 1 });
  const n = B * 4 * H;
  const x = block(be, n),
    y = block(be, n);
  const unary = (kind) => ({ run: () => be.unary(kind, n, x, y), per: n, unit: 'ns/element' });
  const pre = block(be, B * 4 * H),
    cPrev = block(be, B * H, 1),
    act = block(be, B * 4 * H),
    c = block(be, B * H),
    tc = block(be, B * H),
    hOut = block(be, B * H);
  const gi = block(be, B * 3 * H),
    gh = block(be, B * 3 * H),
    hPrev = block(be, B * H, 0.5),
    gact = block(be, B * 3 * H);
  return {
    variant: be.variant,
    list: {
      tanh: unary('tanh'),
      sigmoid: unary('sigmoid'),
      exp: unary('exp'),
      lstmForward: {
        run: () => be.lstmForward(B, H, pre, cPrev, act, c, tc, hOut),
        per: B * H,
        unit: 'ns/hidden unit',
      },
      gruForward: { run: () => be.gruForward(B, H, gi, gh, hPrev, gact, hOut), per: B * H, unit: 'ns/hidden unit' },
    },
  };
}

/** Calls per timed batch so that a batch lasts about TARGET_NS (after a warm-up). */
function calibrate(run) {
  for (let i = 0; i < 200; i++) run();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 50; i++) run();
  const per = Number(process.hrtime.bigint() - t0) / 50;
  return Math.max(1, Math.round(TARGET_NS / per));
}

const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const stat = args.includes('--min') ? (a) => Math.min(...a) : median;

const sides = [{ label: 'this', lib: await loadRecur(new URL('../', import.meta.url).pathname) }];
if (baseline) sides.unshift({ label: 'baseline', lib: await loadRecur(baseline) });
const runners = [];
for (const side of sides) {
  const { variant, list } = cases(side.lib);
  side.variant = variant;
  for (const [name, cs] of Object.entries(list))
    runners.push({ side: side.label, name, ...cs, reps: calibrate(cs.run), t: [] });
}
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...runners].reverse() : runners;
  for (const k of order) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < k.reps; i++) k.run();
    k.t.push(Number(process.hrtime.bigint() - t0) / k.reps / k.per);
  }
}

console.log(
  `pointwise kernels, B=${B} H=${H}, 1 thread, ${rounds} rounds, ${stat === median ? 'median' : 'min'} ns; builds: ${sides.map((s) => `${s.label} ${s.variant}`).join(', ')}`,
);
const names = [...new Set(runners.map((k) => k.name))];
const row = (cells) => console.log(cells.map((c, i) => (i ? String(c).padStart(10) : String(c).padEnd(26))).join(''));
row(['kernel', ...sides.map((s) => s.label), ...(baseline ? ['speed-up'] : [])]);
for (const name of names) {
  const ms = sides.map((s) => stat(runners.find((k) => k.side === s.label && k.name === name).t));
  const unit = runners.find((k) => k.name === name).unit;
  row([`${name} (${unit})`, ...ms.map((m) => m.toFixed(3)), ...(baseline ? [`${(ms[0] / ms[1]).toFixed(2)}×`] : [])]);
}
