#!/usr/bin/env node
/**
 * GEMM throughput, single thread, in one run: recur wasm (float32 SIMD), recur reference (float64 loops),
 * TensorFlow.js matMul on its `cpu` backend and on @tensorflow/tfjs-backend-wasm (XNNPACK, threads off),
 * beside the wasm-SIMD arithmetic peak of this machine (bench/simd-peak.mjs: a register-only multiply-add
 * loop, the ceiling no GEMM can pass). The shapes are the products the workloads run: an LSTM step's
 * h·W_hhᵀ (NT) and ∂pre·W_hh (NN, recur also with W_hh packed once: gemmPacked), ∂W_hh = ∂PREᵀ·H (TN).
 * GFLOP/s = 2·M·K·N / time; each figure is the median of repeated timed batches after a warm-up, the
 * runners interleaved batch by batch.
 *
 *   npm run bench:kernels            # table   (needs `npm run build`: build/*.wasm and dist/)
 *   npm run bench:kernels -- --json  # JSON
 *   npm run bench:kernels -- --recur-only   # recur's GEMMs and the peak only (quicker)
 *   node --experimental-wasm-relaxed-simd bench/kernels.mjs   # recur uses its relaxed-SIMD build
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createWasmBackend } from '../dist/kernels/wasm/backend.js';
import { referenceBackend } from '../dist/kernels/reference/index.js';
import { Rng } from '../dist/tensor/rng.js';
import { packedLength } from '../dist/kernels/backend.js';
import { measurePeak } from './simd-peak.mjs';

/** [M, K, N, op]: op 'NN' C = A·B, 'NT' C = A·Bᵀ, 'TN' C = Aᵀ·B; the workload each comes from. */
const SHAPES = [
  [32, 128, 512, 'NN', 'W1/W5 step (as NN)'],
  [32, 128, 512, 'NT', 'W1/W5 step h·W_hhᵀ'],
  [64, 256, 1024, 'NT', 'W4 step h·W_hhᵀ'],
  [64, 1024, 256, 'NN', 'W4 step ∂pre·W_hh'],
  [1024, 3200, 256, 'TN', 'W4 ∂W_hh = ∂PREᵀ·H'],
  [256, 256, 256, 'NN', 'square'],
];
const SAMPLES = 7;
const MIN_SAMPLE_MS = 40;
const json = process.argv.includes('--json');
const recurOnly = process.argv.includes('--recur-only');
/**
 * --cpu-time: time by this process's CPU time (user + system) instead of the wall clock: on a machine shared
 * with other busy processes, time spent waiting for a core is left out (what remains: cache and memory
 * bandwidth shared with them). For kernel decisions on a busy machine; the default is the wall clock.
 */
const cpuTime = process.argv.includes('--cpu-time');
const clock = cpuTime
  ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : () => performance.now();

/** Calls of `fn` per timed batch so that a batch lasts ≥ MIN_SAMPLE_MS (this also warms `fn` up). */
function calibrate(fn) {
  let reps = 1;
  for (;;) {
    const t0 = clock();
    for (let i = 0; i < reps; i++) fn();
    const ms = clock() - t0;
    if (ms >= MIN_SAMPLE_MS) return reps;
    reps = Math.max(reps * 2, Math.ceil((reps * MIN_SAMPLE_MS * 1.2) / Math.max(ms, 0.01)));
  }
}

/**
 * Median GFLOP/s of each runner (one GEMM per call). Rounds are interleaved — every runner times one
 * batch per round — so a change in machine load hits all of them alike and the ratios stay fair.
 */
function measureAll(runners, flops) {
  const reps = runners.map(calibrate);
  const rates = runners.map(() => []);
  for (let s = 0; s < SAMPLES; s++) {
    runners.forEach((fn, j) => {
      const t0 = clock();
      for (let i = 0; i < reps[j]; i++) fn();
      rates[j].push((flops * reps[j]) / ((clock() - t0) * 1e6));
    });
  }
  return rates.map((r) => r.sort((a, b) => a - b)[r.length >> 1]);
}

/** recur's gemm on `be` for one shape; `packed`: op(B) packed once (packB) and gemmPacked timed. */
function recurCase(be, m, k, n, op, rng, packed = false) {
  const [tA, tB] = [op[0] === 'T', op[1] === 'T'];
  const a = be.alloc(m * k),
    b = be.alloc(k * n),
    c = be.alloc(m * n),
    p = be.alloc(packedLength(k, n));
  for (let i = 0; i < m * k; i++) a.array[a.base + i] = rng.normal();
  for (let i = 0; i < k * n; i++) b.array[b.base + i] = rng.normal();
  const A = { storage: a, offset: 0 },
    B = { storage: b, offset: 0 },
    C = { storage: c, offset: 0 },
    P = { storage: p, offset: 0 };
  if (packed) be.packB(tB, k, n, B, P);
  return {
    run: packed ? () => be.gemmPacked(tA, m, n, k, 1, A, P, 0, C) : () => be.gemm(tA, tB, m, n, k, 1, A, B, 0, C),
    dispose: () => [a, b, c, p].forEach((s) => be.free(s)),
  };
}

async function loadTf() {
  const require = createRequire(import.meta.url);
  // tfjs prints a "use tfjs-node" hint through console.warn on import; keep stdout clean for --json.
  const warn = console.warn;
  console.warn = () => {};
  try {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(join(dist, '/'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.enableProdMode(); // no debug checks; also silences the "install tfjs-node" hint
    for (const name of ['cpu', 'wasm'])
      if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
    return tf;
  } finally {
    console.warn = warn;
  }
}

/** TF.js runner on `backend`; switching backends moves the input tensors (before timing starts). */
async function tfCase(tf, backend, m, k, n, op, rng) {
  const [tA, tB] = [op[0] === 'T', op[1] === 'T'];
  const av = new Float32Array(m * k),
    bv = new Float32Array(k * n);
  rng.fillNormal(av);
  rng.fillNormal(bv);
  const a = tf.tensor2d(av, tA ? [k, m] : [m, k]),
    b = tf.tensor2d(bv, tB ? [n, k] : [k, n]);
  const use = () => {
    if (tf.getBackend() !== backend) tf.setBackend(backend);
  };
  return {
    run: () => {
      use();
      const c = tf.matMul(a, b, tA, tB);
      c.dataSync();
      c.dispose();
    },
    dispose: () => {
      a.dispose();
      b.dispose();
    },
  };
}

async function main() {
  const rng = new Rng(42);
  const wasm = createWasmBackend();
  const tf = recurOnly ? null : await loadTf();
  const peak = measurePeak({ clock });
  const rows = [];
  for (const [m, k, n, op, from] of SHAPES) {
    const cases = [recurCase(wasm, m, k, n, op, rng), recurCase(wasm, m, k, n, op, rng, true)];
    if (!recurOnly)
      cases.push(
        recurCase(referenceBackend, m, k, n, op, rng),
        await tfCase(tf, 'cpu', m, k, n, op, rng),
        await tfCase(tf, 'wasm', m, k, n, op, rng),
      );
    const [recurWasm, recurPacked, recurReference = null, tfjsCpu = null, tfjsWasm = null] = measureAll(
      cases.map((c) => c.run),
      2 * m * k * n,
    );
    cases.forEach((c) => c.dispose());
    rows.push({
      shape: `${m}x${k}x${n} ${op}`,
      m,
      k,
      n,
      op,
      from,
      recurWasm,
      recurPacked,
      recurReference,
      tfjsCpu,
      tfjsWasm,
    });
  }
  const meta = {
    node: process.version,
    recurWasmVariant: wasm.variant,
    peak: { ...peak, statistic: 'median GFLOP/s of a register-only f32x4 multiply-add loop, one thread' },
    tfjsWasmSimd: tf ? Boolean(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) : null,
    tfjsWasmThreads: tf ? Boolean(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')) : null,
    samples: SAMPLES,
    statistic: `median GFLOP/s, 2·M·K·N per GEMM, single thread, ${cpuTime ? 'CPU time' : 'wall clock'}`,
  };
  if (json) {
    console.log(JSON.stringify({ meta, rows }, null, 2));
    return;
  }
  const ceiling = wasm.variant === 'relaxed-simd' ? peak.relaxed : peak.simd;
  const f = (x) => (x === null ? '—' : x.toFixed(x < 10 ? 2 : 1)).padStart(10);
  const pct = (x) => `${((100 * x) / ceiling).toFixed(0)}%`.padStart(8);
  console.log(
    `wasm-SIMD peak (register-only loop, one thread): ${peak.simd.toFixed(1)} GFLOP/s multiply + add` +
      `${peak.relaxed ? `, ${peak.relaxed.toFixed(1)} GFLOP/s relaxed_madd (fused)` : ' (relaxed SIMD: not enabled in this node)'}`,
  );
  console.log(
    `GEMM GFLOP/s (${meta.statistic}); Node ${meta.node}; recur wasm build: ${meta.recurWasmVariant}` +
      (tf ? `; tfjs-wasm simd=${meta.tfjsWasmSimd} threads=${meta.tfjsWasmThreads}` : ''),
  );
  console.log(
    `${'M×K×N op'.padEnd(20)}${'recur-wasm'.padStart(10)}${'of peak'.padStart(8)}${'packed B'.padStart(10)}${'of peak'.padStart(8)}` +
      `${'recur-ref'.padStart(10)}${'tfjs-cpu'.padStart(10)}${'tfjs-wasm'.padStart(10)}  from`,
  );
  for (const x of rows) {
    console.log(
      `${`${x.m}×${x.k}×${x.n} ${x.op}`.padEnd(20)}${f(x.recurWasm)}${pct(x.recurWasm)}${f(x.recurPacked)}${pct(x.recurPacked)}` +
        `${f(x.recurReference)}${f(x.tfjsCpu)}${f(x.tfjsWasm)}  ${x.from}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
