#!/usr/bin/env node
/**
 * `npm run bench`: recur against TensorFlow.js (wasm and cpu backends) and PyTorch, on the workloads of
 * bench/workloads.json, in one run. Each (framework, workload) pair runs in a child process of its own
 * (bench/child.mjs; PyTorch: bench/torch_bench.py), so its peak RSS is its own and one framework's state
 * cannot slow another. Workloads run one after another, all frameworks of a workload back to back, so a
 * change in machine load hits the frameworks of one workload alike.
 *
 *   npm run bench                           # table (Markdown) on stdout, progress on stderr
 *   npm run bench -- --json                 # the whole report as JSON
 *   npm run bench -- --save report.json     # the table on stdout, and the JSON report written to a file
 *   npm run bench -- --quick                # fewer repeats: a smoke run
 *   npm run bench -- --only W1,W3 --peers recur,torch
 *   npm run bench -- --memory               # also: W1's peak RSS and memory growth over 1,000 steps, and the
 *                                           # wasm heap over 100 fit() calls, 40 models, 200 study-worker trials
 *   npm run bench -- --memory-only
 * Options: --tfjs-impl loop|loop-hoisted|layers (default loop, see bench/tfjs.mjs), --torch-threads 1,2,2:1
 * (PyTorch configurations: torch.set_num_threads(n), and after a colon OpenBLAS's own thread count, default n;
 * 2:1 avoids OpenMP and OpenBLAS threads competing for the same 2 cores),
 * --recur-simd auto|simd (auto: recur gets node's --experimental-wasm-relaxed-simd when this node accepts it,
 * its fastest configuration; simd: the plain SIMD build, as a bare `node` runs it),
 * --recur-threads 1,2 (recur's thread counts, one row each: RECUR_THREADS=<n> in recur's child process).
 * Needs the compiled library: `npm run build` (build/*.wasm and dist/).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { POLICIES } from './timing.mjs';
import { PEERS, WORKLOADS, runsOn, workload } from './workloads.mjs';
import { formatMemory, formatReport, ms, ratios, targets } from './table.mjs';
import { TFJS_IMPLS } from './tfjs.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const PYTHON = '/usr/bin/python3';
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
    'tfjs-impl': { type: 'string', default: 'loop' },
    'torch-threads': { type: 'string', default: '1,2,2:1' },
    'recur-simd': { type: 'string', default: 'auto' },
    'recur-threads': { type: 'string', default: '1,2' },
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
const workloads = opt.only ? opt.only.split(',').map((id) => workload(id.trim())) : WORKLOADS;
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
const recurThreads = opt['recur-threads'].split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) fail(`--recur-threads: expected thread counts like 1,2, got '${s}'`);
  return n;
});
const policies = opt.quick ? POLICIES.quick : POLICIES.full;
const policyOf = (peer) => (peer === 'tfjs-cpu' ? policies.slow : policies.default);
const progress = (s) => process.stderr.write(`${s}\n`);

const machine = machineInfo();
const recurFlags = opt['recur-simd'] === 'auto' && nodeAccepts(RELAXED_FLAG) ? [RELAXED_FLAG] : [];
const torchEnv = {
  LD_LIBRARY_PATH: [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  ...(machine.avx512f ? { OPENBLAS_CORETYPE: 'SkylakeX' } : {}),
};
const notes = [
  `recur: wasm backend, float32${recurFlags.length ? `; node ${recurFlags.join(' ')}` : ''}, threads ${recurThreads.join(', ')} (RECUR_THREADS); a step replays a GraphCache graph + backward + gradient norm + Adam, as fit does`,
  `TF.js: '${opt['tfjs-impl']}' implementation (bench/tfjs.mjs), wasm backend single-threaded (XNNPACK SIMD build), cpu backend plain JS`,
  `repeats: ${describePolicy(policies.default)}; TF.js cpu ${describePolicy(policies.slow)}; median and min of per-step times`,
];

const results = [];
if (!opt['memory-only']) {
  const torch = peers.includes('torch') ? torchAvailable() : { ok: false, reason: 'not requested' };
  if (peers.includes('torch') && !torch.ok) notes.push(`PyTorch: skipped (${torch.reason})`);
  else if (torch.ok)
    notes.push(
      `PyTorch: ${PYTHON}, env ${Object.entries(torchEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(
          ' ',
        )} torch.set_num_threads(<n>) OMP_NUM_THREADS=<n> OPENBLAS_NUM_THREADS=<m>, (n, m) ∈ {${torchThreads.map((c) => `(${c.threads}, ${c.blas})`).join(', ')}}`,
    );
  for (const w of workloads) {
    for (const peer of peers) {
      if (!runsOn(w, peer)) continue;
      if (peer === 'torch') {
        if (!torch.ok) continue;
        for (const c of torchThreads) results.push(await runTorch(w, c));
      } else if (peer === 'recur') {
        for (const n of recurThreads) results.push(await runRecur(w, n));
      } else {
        results.push(await runNode(peer, w));
      }
    }
  }
  const torchRun = results.find((r) => r.peer === 'torch' && r.status === 'ok');
  if (torchRun) {
    const b = torchRun.info.blas;
    notes.push(
      `PyTorch ${torchRun.info.torch} BLAS: ${b.name}${b.openblas ? ` — ${b.openblas.config}, loaded from ${b.openblas.path}` : ''} (torch build: ${b.torch_config.join(' ')})`,
    );
  }
}

let memory = null;
if (opt.memory || opt['memory-only']) memory = await runMemory();

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
  },
  workloads,
  results,
  ratios: ratios(results),
  memory,
};
report.targets = targets(report);
process.stdout.write(opt.json ? `${JSON.stringify(report, null, 1)}\n` : `${formatReport(report)}\n`);
if (opt.save) writeFileSync(opt.save, `${JSON.stringify(report, null, 1)}\n`);
if (results.some((r) => r.status === 'error')) process.exitCode = 1;
if (memory && !memory.ok) {
  progress("\n*** MEMORY LEAK: recur's memory grows during training (see the memory section above) ***");
  process.exitCode = 1;
}

/** One JS framework on one workload, in a child process. */
async function runNode(peer, w) {
  const flags = peer === 'recur' ? recurFlags : [];
  const args = [
    ...flags,
    '--expose-gc',
    here('./child.mjs'),
    '--peer',
    peer,
    '--workload',
    w.id,
    '--policy',
    JSON.stringify(policyOf(peer)),
    '--tfjs-impl',
    opt['tfjs-impl'],
  ];
  return finish(await runChild(process.execPath, args, process.env), peer, w);
}

/** recur on one workload with `threads` kernel threads (RECUR_THREADS), in a child process. */
async function runRecur(w, threads) {
  const args = [
    ...recurFlags,
    '--expose-gc',
    here('./child.mjs'),
    '--peer',
    'recur',
    '--workload',
    w.id,
    '--policy',
    JSON.stringify(policyOf('recur')),
  ];
  const res = finish(
    await runChild(process.execPath, args, { ...process.env, RECUR_THREADS: String(threads) }),
    'recur',
    w,
    `${threads}t`,
  );
  return Object.assign(res, { threads, config: String(threads) });
}

/** PyTorch on one workload with `threads` intra-op threads and `blas` OpenBLAS threads, in a child process. */
async function runTorch(w, { threads, blas }) {
  const env = { ...process.env, ...torchEnv, OPENBLAS_NUM_THREADS: String(blas), OMP_NUM_THREADS: String(threads) };
  const args = [
    here('./torch_bench.py'),
    '--only',
    w.id,
    '--threads',
    String(threads),
    '--policy',
    JSON.stringify(policyOf('torch')),
    '--result-line',
  ];
  const res = finish(
    await runChild(PYTHON, args, env),
    'torch',
    w,
    `${threads}t${blas !== threads ? `/blas ${blas}` : ''}`,
  );
  Object.assign(res, { threads, blasThreads: blas, config: `${threads}:${blas}` });
  return res;
}

function finish(out, peer, w, variant = '') {
  const line = out.stdout.split('\n').find((l) => l.startsWith('@@result '));
  const res = line
    ? JSON.parse(line.slice('@@result '.length))
    : {
        peer,
        workload: w.id,
        status: 'error',
        reason: `exit code ${out.code}${out.signal ? ` (${out.signal})` : ''}: ${out.stderr.trim().split('\n').slice(-3).join(' / ') || 'no output'}`,
      };
  const label = `${peer}${variant ? ` ${variant}` : ''}`;
  progress(
    `  ${w.id} ${label.padEnd(17)} ${res.status === 'ok' ? `${ms(res.medianMs)} ms/step (min ${ms(res.minMs)}, ${res.repeats} steps)` : `${res.status}: ${String(res.reason).split('\n')[0]}`}`,
  );
  return res;
}

/**
 * The memory checks, each in a child process: bench/memory.mjs (W1 training; its peak RSS is W1's alone),
 * then bench/lifecycle.mjs (100 fit() calls on one model, 40 models created and disposed, 200 study-worker
 * trials on one backend: the wasm heap must stay flat).
 */
async function runMemory() {
  progress('memory: W1 training…');
  const args = [...recurFlags, '--expose-gc', here('./memory.mjs'), '--json', ...(opt.quick ? ['--quick'] : [])];
  const out = await runChild(process.execPath, args, process.env, true);
  const line = out.stdout.trim().split('\n').pop();
  let mem;
  try {
    mem = JSON.parse(line);
    delete mem.samples;
  } catch {
    mem = {
      ok: false,
      error: `memory.mjs failed (exit code ${out.code}): ${out.stderr.trim().split('\n').slice(-3).join(' / ')}`,
      series: [],
    };
  }
  progress('memory: fit() calls, model lifecycles and study-worker trials…');
  const counts = opt.quick ? ['10', '5', '20'] : ['100', '40', '200'];
  const life = await runChild(
    process.execPath,
    [
      ...recurFlags,
      '--expose-gc',
      here('./lifecycle.mjs'),
      '--fits',
      counts[0],
      '--models',
      counts[1],
      '--trials',
      counts[2],
    ],
    process.env,
    true,
  );
  const lines = life.stdout.trim().split('\n');
  const fits = lines.flatMap((l, i) => (/^ {2}after fit \d+:/.test(l) ? [i] : []));
  mem.lifecycle = {
    ok: life.code === 0,
    lines: lines.filter((_, i) => !fits.includes(i) || i === fits[0] || i === fits.at(-1)), // first and last fit
    ...(life.code !== 0 && life.code !== 1 ? { error: life.stderr.trim().split('\n').slice(-3).join(' / ') } : {}),
  };
  mem.ok = mem.ok && mem.lifecycle.ok;
  progress(formatMemory(mem).join('\n'));
  return mem;
}

function runChild(cmd, args, env, streamStderr = false) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (streamStderr) process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30 * 60 * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: String(e) });
    });
  });
}

function torchAvailable() {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `${PYTHON} not found` };
  return r.status === 0
    ? { ok: true }
    : { ok: false, reason: `${PYTHON} -c "import torch" failed: ${r.stderr.trim().split('\n').pop()}` };
}

function nodeAccepts(flag) {
  return spawnSync(process.execPath, [flag, '-e', '0']).status === 0;
}

function machineInfo() {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const field = (name) => cpuinfo.match(new RegExp(`^${name}\\s*: (.*)$`, 'm'))?.[1]?.trim();
  const git = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: here('..'), encoding: 'utf8' });
  return {
    cpu: field('model name') ?? os.cpus()[0]?.model ?? 'unknown CPU',
    cores: os.cpus().length,
    avx512f: /\bavx512f\b/.test(field('flags') ?? ''),
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadStart: os.loadavg().map((x) => x.toFixed(2)),
    git: git.status === 0 ? git.stdout.trim() : null,
  };
}

function describePolicy(p) {
  return `${p.warmup} warm-up, then ≥ ${p.minRepeats} timed steps (more up to ${p.maxRepeats} within ${p.budgetMs / 1000} s)`;
}

function safeRead(f) {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}
