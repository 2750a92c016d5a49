#!/usr/bin/env node
/**
 * `npm run bench`: recur against TensorFlow.js (wasm and cpu backends) and PyTorch, on the workloads of
 * bench/workloads.json (W1–W6; S1–S4, the shapes the studies train), and the study throughput, in one run.
 * Each (framework, configuration, workload) runs in a child process of its own (bench/child.mjs; PyTorch:
 * bench/torch_bench.py), so its peak RSS is its own and one framework's state cannot slow another. The
 * frameworks of a workload take turns in interleaved rounds, A B C A B C … (bench/rounds.mjs), so a change in
 * machine load hits them alike; each speed ratio gets a 95% paired-bootstrap interval over the rounds
 * (bench/stats.mjs), and a target whose interval straddles it is reported as undecided.
 *
 *   npm run bench                           # table (Markdown) on stdout, progress on stderr
 *   npm run bench -- --json                 # the whole report as JSON
 *   npm run bench -- --save report.json     # the table on stdout, and the JSON report written to a file
 *   npm run bench -- --quick                # fewer rounds: a smoke run
 *   npm run bench -- --only W1,W3,study --peers recur,torch
 *                                           # `study`: the study throughput (bench/throughput.mjs), trials per
 *                                           # hour of bench/study-slice.yaml with the local pool at 1 and 2 workers
 *   npm run bench -- --memory               # also: W1's peak RSS and memory growth over 1,000 steps, and the
 *                                           # wasm heap over 100 fit() calls, 40 models, 200 study-worker trials
 *   npm run bench -- --memory-only
 *   npm run bench -- --baseline ../other    # also time the recur of another checkout (its dist/ and build/) in
 *                                           # the same rounds: a before/after comparison
 * Options: --tfjs-impl loop|loop-hoisted|layers (default loop, see bench/tfjs.mjs), --torch-threads 1,2,2:1
 * (PyTorch configurations: torch.set_num_threads(n), and after a colon OpenBLAS's own thread count, default n;
 * 2:1 avoids OpenMP and OpenBLAS threads competing for the same 2 cores),
 * --recur-simd auto|simd (auto: recur gets node's --experimental-wasm-relaxed-simd when this node accepts it,
 * its fastest configuration; simd: the plain SIMD build, as a bare `node` runs it),
 * --recur-threads 1,2 (recur's thread counts, one row each: RECUR_THREADS=<n> in recur's child process),
 * --study-workers 1,2 (the pool sizes of the study throughput), --python <path> (default: /usr/bin/python3
 * when it imports torch, else the first python3 on PATH that does).
 * Needs the compiled library: `npm run build` (build/*.wasm and dist/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { findPython, machineInfo, nodeAccepts, runMemory } from './machine.mjs';
import { measurePeak } from './simd-peak.mjs';
import v8 from 'node:v8';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Contender, runRounds } from './rounds.mjs';
import { POLICIES } from './timing.mjs';
import { PEERS, WORKLOADS, runsOn, workload } from './workloads.mjs';
import { formatReport, formatThroughput, ms, ratios, targets } from './table.mjs';
import { TFJS_IMPLS } from './tfjs.mjs';
import { measureThroughput } from './throughput.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

const { values: opt } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    save: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    peers: { type: 'string' },
    memory: { type: 'boolean', default: false },
    'memory-only': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    python: { type: 'string' },
    'tfjs-impl': { type: 'string', default: 'loop' },
    'torch-threads': { type: 'string', default: '1,2,2:1' },
    'recur-simd': { type: 'string', default: 'auto' },
    'recur-threads': { type: 'string', default: '1,2' },
    'study-workers': { type: 'string', default: '1,2' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    readFileSync(here('./run.mjs'), 'utf8')
      .split('*/')[0]
      .replace(/^#!.*\n\/\*\*\n/, '')
      .replace(/^ \* ?/gm, ''),
  );
  process.exit(0);
}
const only = opt.only ? opt.only.split(',').map((id) => id.trim()) : null;
const workloads = only ? only.filter((id) => id !== 'study').map(workload) : WORKLOADS;
const wantStudy = !opt['memory-only'] && (!only || only.includes('study'));
const peers = opt.peers ? opt.peers.split(',').map((p) => p.trim()) : PEERS;
for (const p of peers) if (!PEERS.includes(p)) fail(`--peers: unknown framework '${p}' (expected ${PEERS.join(', ')})`);
if (!TFJS_IMPLS.includes(opt['tfjs-impl'])) fail(`--tfjs-impl must be one of ${TFJS_IMPLS.join(', ')}`);
if (!['auto', 'simd'].includes(opt['recur-simd'])) fail(`--recur-simd must be 'auto' or 'simd'`);
const torchThreads = opt['torch-threads'].split(',').map((s) => {
  const [threads, blas = threads] = s.split(':').map(Number);
  if (![threads, blas].every((n) => Number.isInteger(n) && n >= 1))
    fail(`--torch-threads: expected entries like 1, 2 or 2:1 (torch threads[:OpenBLAS threads]), got '${s}'`);
  return { threads, blas };
});
const counts = (name) =>
  opt[name].split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) fail(`--${name}: expected counts like 1,2, got '${s}'`);
    return n;
  });
const recurThreads = counts('recur-threads');
const studyWorkers = counts('study-workers');
const baseline = opt.baseline ? resolve(opt.baseline) : null;
const policies = opt.quick ? POLICIES.quick : POLICIES.full;
const policyOf = (peer) => (peer === 'tfjs-cpu' ? policies.slow : policies.default);
const progress = (s) => process.stderr.write(`${s}\n`);

const machine = machineInfo();
const recurFlags = opt['recur-simd'] === 'auto' && nodeAccepts(RELAXED_FLAG) ? [RELAXED_FLAG] : [];
// The wasm-SIMD ceiling of this machine (one thread), measured before anything else runs: recur's GFLOP/s
// are read against it × its threads (relaxed_madd needs the flag that recur's children get)
if (recurFlags.length) v8.setFlagsFromString(RELAXED_FLAG);
machine.simdPeak = measurePeak({ samples: 5 });
const torchEnv = {
  LD_LIBRARY_PATH: [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  ...(machine.avx512f ? { OPENBLAS_CORETYPE: 'SkylakeX' } : {}),
};
const notes = [
  `recur: wasm backend, float32${recurFlags.length ? `; node ${recurFlags.join(' ')}` : ''}, threads ${recurThreads.join(', ')} (RECUR_THREADS); a step replays a GraphCache graph + backward + gradient norm + Adam, as fit does`,
  `TF.js: '${opt['tfjs-impl']}' implementation (bench/tfjs.mjs), wasm backend single-threaded (XNNPACK SIMD build), cpu backend plain JS`,
  `timing: ${describePolicy(policies.default)}; TF.js cpu ${describePolicy(policies.slow)}; median and min of per-step times`,
  'GFLOP/s: 2 × the multiply-adds of the matrix products per step (bench/workloads.mjs multiplyAdds) / the median step time',
  `wasm-SIMD peak of this machine (bench/simd-peak.mjs, register-only loop, one thread): ${machine.simdPeak.simd.toFixed(1)} GFLOP/s multiply + add${machine.simdPeak.relaxed ? `, ${machine.simdPeak.relaxed.toFixed(1)} relaxed_madd` : ''}; recur's GFLOP/s in parentheses: the share of that peak × its threads (its build's form)`,
];
if (baseline) notes.push(`recur-base: recur of ${baseline} (its dist/ and build/), same node flags and thread counts`);

const results = [];
if (!opt['memory-only'] && workloads.length) {
  const torch = peers.includes('torch') ? findPython(opt.python) : { ok: false, reason: 'not requested' };
  if (peers.includes('torch') && !torch.ok) notes.push(`PyTorch: skipped (${torch.reason})`);
  else if (torch.ok)
    notes.push(
      `PyTorch: ${torch.python}, env ${Object.entries(torchEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(
          ' ',
        )} torch.set_num_threads(<n>) OMP_NUM_THREADS=<n> OPENBLAS_NUM_THREADS=<m>, (n, m) ∈ {${torchThreads.map((c) => `(${c.threads}, ${c.blas})`).join(', ')}}`,
    );
  for (const w of workloads) {
    progress(`${w.id} ${w.title} (load average ${os.loadavg()[0].toFixed(2)})`);
    const specs = [];
    for (const peer of peers) {
      if (!runsOn(w, peer)) continue;
      if (peer === 'torch') {
        if (torch.ok) for (const c of torchThreads) specs.push(torchSpec(w, c, torch.python));
      } else if (peer === 'recur') {
        for (const n of recurThreads) specs.push(recurSpec(w, n));
        if (baseline) for (const n of recurThreads) specs.push(recurSpec(w, n, baseline));
      } else specs.push(nodeSpec(peer, w));
    }
    const out = await runRounds(
      specs.map((s) => () => new Contender(s.label, s.cmd, s.args, s.env, policyOf(s.meta.peer))),
      (r, n) => process.stderr.isTTY && process.stderr.write(`  round ${r}/${n}\r`),
    );
    out.forEach((res, i) => {
      const full = { ...res, ...specs[i].meta, workload: w.id };
      report1(full, w, specs[i].label);
      results.push(full);
    });
  }
  const torchRun = results.find((r) => r.peer === 'torch' && r.status === 'ok');
  if (torchRun) {
    const b = torchRun.info.blas;
    notes.push(
      `PyTorch ${torchRun.info.torch} BLAS: ${b.name}${b.openblas ? ` — ${b.openblas.config}, loaded from ${b.openblas.path}` : ''} (torch build: ${b.torch_config.join(' ')})`,
    );
  }
}

let throughput = null;
if (wantStudy) {
  throughput = await measureThroughput({
    workers: studyWorkers,
    quick: opt.quick,
    nodeFlags: recurFlags,
    progress,
  });
  progress(formatThroughput(throughput).join('\n'));
}

let memory = null;
if (opt.memory || opt['memory-only']) memory = await runMemory({ nodeFlags: recurFlags, quick: opt.quick, progress });

machine.loadEnd = os.loadavg().map((x) => x.toFixed(2));
const report = {
  date: new Date().toISOString(),
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine,
  notes,
  config: {
    quick: opt.quick,
    policies,
    tfjsImpl: opt['tfjs-impl'],
    recurNodeFlags: recurFlags,
    torchThreads,
    torchEnv,
    baseline,
  },
  workloads,
  results,
  ratios: ratios(results),
  throughput,
  memory,
};
report.targets = targets(report);
progress(`load average at start ${machine.loadStart.join(' ')}, at end ${machine.loadEnd.join(' ')}`);
process.stdout.write(opt.json ? `${JSON.stringify(report, null, 1)}\n` : `${formatReport(report)}\n`);
if (opt.save) writeFileSync(opt.save, `${JSON.stringify(report, null, 1)}\n`);
if (results.some((r) => r.status === 'error') || throughput?.error) process.exitCode = 1;
if (memory && !memory.ok) {
  progress("\n*** MEMORY LEAK: recur's memory grows during training (see the memory section above) ***");
  process.exitCode = 1;
}

/** A TF.js backend on one workload, in a child process. */
function nodeSpec(peer, w) {
  const args = [
    '--expose-gc',
    here('./child.mjs'),
    '--peer',
    peer,
    '--workload',
    w.id,
    '--warmup',
    String(policyOf(peer).warmup),
    '--tfjs-impl',
    opt['tfjs-impl'],
  ];
  return { label: peer, cmd: process.execPath, args, env: process.env, meta: { peer } };
}

/** recur (or the baseline checkout's recur) on one workload with `threads` kernel threads (RECUR_THREADS). */
function recurSpec(w, threads, dir = null) {
  const args = [
    ...recurFlags,
    '--expose-gc',
    here('./child.mjs'),
    '--peer',
    'recur',
    '--workload',
    w.id,
    '--warmup',
    String(policyOf('recur').warmup),
  ];
  const env = { ...process.env, RECUR_THREADS: String(threads), ...(dir ? { RECUR_BENCH_DIST: dir } : {}) };
  const peer = dir ? 'recur-base' : 'recur';
  return {
    label: `${peer} ${threads}t`,
    cmd: process.execPath,
    args,
    env,
    meta: { peer, threads, config: String(threads) },
  };
}

/** PyTorch on one workload with `threads` intra-op threads and `blas` OpenBLAS threads, in a child process. */
function torchSpec(w, { threads, blas }, python) {
  const env = { ...process.env, ...torchEnv, OPENBLAS_NUM_THREADS: String(blas), OMP_NUM_THREADS: String(threads) };
  const args = [
    here('./torch_bench.py'),
    '--only',
    w.id,
    '--threads',
    String(threads),
    '--serve',
    '--warmup',
    String(policyOf('torch').warmup),
  ];
  return {
    label: `torch ${threads}t${blas !== threads ? `/blas ${blas}` : ''}`,
    cmd: python,
    args,
    env,
    meta: { peer: 'torch', threads, blasThreads: blas, config: `${threads}:${blas}` },
  };
}

function report1(res, w, label) {
  progress(
    `  ${w.id} ${label.padEnd(17)} ${res.status === 'ok' ? `${ms(res.medianMs)} ms/step (min ${ms(res.minMs)}, ${res.repeats} steps in ${res.rounds.filter((r) => r.length).length} rounds)` : `${res.status}: ${String(res.reason).split('\n')[0]}`}`,
  );
}

function describePolicy(p) {
  return `${p.warmup} warm-up steps, then ${p.rounds} interleaved rounds of ${p.rewarm ? `${p.rewarm} untimed + ` : ''}k timed steps (k for ~${p.budgetMs / 1000} s in all, ${p.minRepeats}–${p.maxRepeats} steps)`;
}

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}
