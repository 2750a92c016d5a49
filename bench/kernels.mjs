#!/usr/bin/env node
/**
 * GEMM throughput, single thread, in one run: recur wasm (float32 SIMD), recur reference (float64 loops),
 * TensorFlow.js matMul on its `cpu` backend and on @tensorflow/tfjs-backend-wasm (XNNPACK, threads off).
 * GFLOP/s = 2·M·K·N / time; each figure is the median of repeated timed batches after a warm-up.
 *
 *   npm run bench:kernels            # table   (needs `npm run build`: build/*.wasm and dist/)
 *   npm run bench:kernels -- --json  # JSON
 *   node --experimental-wasm-relaxed-simd bench/kernels.mjs   # recur uses its relaxed-SIMD build
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createWasmBackend } from '../dist/kernels/wasm/backend.js';
import { referenceBackend } from '../dist/kernels/reference/index.js';
import { Rng } from '../dist/tensor/rng.js';

const SHAPES = [
  [32, 128, 512],
  [64, 256, 1024],
  [256, 256, 256],
];
const SAMPLES = 7;
const MIN_SAMPLE_MS = 40;
const json = process.argv.includes('--json');

/** Calls of `fn` per timed batch so that a batch lasts ≥ MIN_SAMPLE_MS (this also warms `fn` up). */
function calibrate(fn) {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const ms = performance.now() - t0;
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
      const t0 = performance.now();
      for (let i = 0; i < reps[j]; i++) fn();
      rates[j].push((flops * reps[j]) / ((performance.now() - t0) * 1e6));
    });
  }
  return rates.map((r) => r.sort((a, b) => a - b)[r.length >> 1]);
}

function recurCase(be, m, k, n, rng) {
  const a = be.alloc(m * k),
    b = be.alloc(k * n),
    c = be.alloc(m * n);
  for (let i = 0; i < m * k; i++) a.array[a.base + i] = rng.normal();
  for (let i = 0; i < k * n; i++) b.array[b.base + i] = rng.normal();
  const A = { storage: a, offset: 0 },
    B = { storage: b, offset: 0 },
    C = { storage: c, offset: 0 };
  return {
    run: () => be.gemm(false, false, m, n, k, 1, A, B, 0, C),
    dispose: () => [a, b, c].forEach((s) => be.free(s)),
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
async function tfCase(tf, backend, m, k, n, rng) {
  const av = new Float32Array(m * k),
    bv = new Float32Array(k * n);
  rng.fillNormal(av);
  rng.fillNormal(bv);
  const a = tf.tensor2d(av, [m, k]),
    b = tf.tensor2d(bv, [k, n]);
  const use = () => {
    if (tf.getBackend() !== backend) tf.setBackend(backend);
  };
  return {
    run: () => {
      use();
      const c = tf.matMul(a, b);
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
  const tf = await loadTf();
  const rows = [];
  for (const [m, k, n] of SHAPES) {
    const cases = [
      recurCase(wasm, m, k, n, rng),
      recurCase(referenceBackend, m, k, n, rng),
      await tfCase(tf, 'cpu', m, k, n, rng),
      await tfCase(tf, 'wasm', m, k, n, rng),
    ];
    const [recurWasm, recurReference, tfjsCpu, tfjsWasm] = measureAll(
      cases.map((c) => c.run),
      2 * m * k * n,
    );
    cases.forEach((c) => c.dispose());
    rows.push({ shape: `${m}x${k}x${n}`, m, k, n, recurWasm, recurReference, tfjsCpu, tfjsWasm });
  }
  const meta = {
    node: process.version,
    recurWasmVariant: wasm.variant,
    tfjsWasmSimd: Boolean(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')),
    tfjsWasmThreads: Boolean(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')),
    samples: SAMPLES,
    statistic: 'median GFLOP/s, 2·M·K·N per GEMM, single thread, C = A·B (no transposes)',
  };
  if (json) {
    console.log(JSON.stringify({ meta, rows }, null, 2));
    return;
  }
  const f = (x) => x.toFixed(x < 10 ? 2 : 1).padStart(10);
  const r = (x) => `${x.toFixed(x < 10 ? 2 : 1)}×`.padStart(13);
  console.log(
    `GEMM GFLOP/s (${meta.statistic}); Node ${meta.node}; recur wasm build: ${meta.recurWasmVariant}; ` +
      `tfjs-wasm simd=${meta.tfjsWasmSimd} threads=${meta.tfjsWasmThreads}`,
  );
  console.log(
    `${'M×K×N'.padEnd(14)}${'recur-wasm'.padStart(10)}${'recur-ref'.padStart(10)}${'tfjs-cpu'.padStart(10)}` +
      `${'tfjs-wasm'.padStart(10)}${'wasm/ref'.padStart(13)}${'wasm/tf-cpu'.padStart(13)}${'wasm/tf-wasm'.padStart(13)}`,
  );
  for (const x of rows) {
    console.log(
      `${`${x.m}×${x.k}×${x.n}`.padEnd(14)}${f(x.recurWasm)}${f(x.recurReference)}${f(x.tfjsCpu)}${f(x.tfjsWasm)}` +
        `${r(x.recurWasm / x.recurReference)}${r(x.recurWasm / x.tfjsCpu)}${r(x.recurWasm / x.tfjsWasm)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
