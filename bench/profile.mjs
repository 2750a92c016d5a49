#!/usr/bin/env node
/**
 * Where a workload's step spends its time: every kernel call of recur's wasm backend is timed (a wrapper
 * around each Backend method; GEMMs apart by shape and transposes), over `--steps` steps after a warm-up.
 * Prints each kernel's share of the step, its calls per step, µs per call and, for GEMMs, GFLOP/s. The
 * wrapper's own cost (two performance.now() a call) is measured and reported; "outside kernels" is the rest
 * of the step (JavaScript: the tape, views, the optimizer's loop).
 *
 *   node --experimental-wasm-relaxed-simd bench/profile.mjs --workload W4 [--steps 20] [--threads 1] [--cpu-time]
 */
import { parseArgs } from 'node:util';
import { createRecurRunner, loadRecur } from './recur.mjs';
import { workload } from './workloads.mjs';

const { values: a } = parseArgs({
  options: {
    workload: { type: 'string', default: 'W4' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    threads: { type: 'string', default: '1' },
    'cpu-time': { type: 'boolean', default: false },
  },
});
const w = workload(a.workload);
const lib = await loadRecur();
const stats = new Map();
/** --cpu-time: time by the process's CPU time (robust to waiting for a core on a busy machine; 1 thread only). */
const now = a['cpu-time']
  ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : () => performance.now();

/** Wrap every function property of the backend `be` (before the model sees it) with a timer. */
function instrument(be) {
  for (const [name, fn] of Object.entries(be)) {
    if (typeof fn !== 'function' || ['alloc', 'free', 'dispose', 'threadStats'].includes(name)) continue;
    be[name] = (...args) => {
      const key =
        name === 'gemm'
          ? `gemm ${args[0] ? 'T' : 'N'}${args[1] ? 'T' : 'N'} ${args[2]}×${args[4]}×${args[3]}` // m×k×n
          : name === 'unary'
            ? `unary ${args[0]}`
            : name;
      const t0 = now();
      const r = fn(...args);
      const dt = now() - t0;
      let s = stats.get(key);
      if (!s) stats.set(key, (s = { ms: 0, calls: 0, flops: 0 }));
      s.ms += dt;
      s.calls++;
      if (name === 'gemm') s.flops += 2 * args[2] * args[3] * args[4];
      return r;
    };
  }
  return be;
}

const getBackend = (name, opts) => instrument(lib.getBackend(name, opts));
const runner = createRecurRunner({ ...lib, getBackend }, w, { threads: Number(a.threads) });
for (let i = 0; i < Number(a.warmup); i++) runner.step();
stats.clear();
const steps = Number(a.steps);
const t0 = now();
for (let i = 0; i < steps; i++) runner.step();
const total = (now() - t0) / steps;
// The timer's own cost per call: two performance.now() and a Map lookup.
const t1 = now();
for (let i = 0; i < 100000; i++) now();
const perCall = (2 * (now() - t1)) / 100000;
const rows = [...stats.entries()].sort((x, y) => y[1].ms - x[1].ms);
const calls = rows.reduce((s, [, v]) => s + v.calls, 0) / steps;
const inKernels = rows.reduce((s, [, v]) => s + v.ms, 0) / steps;
console.log(
  `${w.id} ${w.title}: ${total.toFixed(2)} ms/step over ${steps} steps, ${a.threads} thread(s), ` +
    `${calls.toFixed(0)} kernel calls/step (timer cost ≈ ${((calls * perCall) / 1).toFixed(2)} ms/step)`,
);
console.log(
  `${'kernel'.padEnd(34)}${'share'.padStart(7)}${'ms/step'.padStart(9)}${'calls'.padStart(7)}${'µs/call'.padStart(9)}${'GFLOP/s'.padStart(9)}`,
);
for (const [key, v] of rows) {
  const ms = v.ms / steps;
  if (ms / total < 0.002) continue;
  console.log(
    `${key.padEnd(34)}${`${((100 * ms) / total).toFixed(1)}%`.padStart(7)}${ms.toFixed(3).padStart(9)}${(v.calls / steps).toFixed(0).padStart(7)}${((1000 * v.ms) / v.calls).toFixed(1).padStart(9)}${v.flops ? (v.flops / (v.ms * 1e6)).toFixed(1).padStart(9) : ''.padStart(9)}`,
  );
}
console.log(
  `${'outside kernels'.padEnd(34)}${`${((100 * (total - inKernels)) / total).toFixed(1)}%`.padStart(7)}${(total - inKernels).toFixed(3).padStart(9)}`,
);
runner.dispose();
process.exit(0);
