/**
 * The benchmark's surroundings (bench/run.mjs): the machine it runs on (CPU, cores, load average, git
 * state), the Python that has PyTorch, node's flags, and the memory checks run in child processes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatMemory } from './table.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

/**
 * The memory checks, each in a child process: bench/memory.mjs (W1 training; its peak RSS is W1's alone),
 * then bench/lifecycle.mjs (100 fit() calls on one model, 40 models created and disposed, 200 study-worker
 * trials on one backend: the wasm heap must stay flat).
 */
export async function runMemory({ nodeFlags, quick, progress }) {
  progress('memory: W1 training…');
  const args = [...nodeFlags, '--expose-gc', here('./memory.mjs'), '--json', ...(quick ? ['--quick'] : [])];
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
  const counts = quick ? ['10', '5', '20'] : ['100', '40', '200'];
  const life = await runChild(
    process.execPath,
    [
      ...nodeFlags,
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

/**
 * The Python that runs PyTorch: --python when given; else Debian's /usr/bin/python3 when it imports torch
 * (the python3 first on PATH may be another interpreter without it); else the first python3 on PATH that does.
 */
export function findPython(given) {
  const candidates = given ? [given] : ['/usr/bin/python3', 'python3'];
  const reasons = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return { ok: true, python };
    reasons.push(
      r.error ? `${python} not found` : `${python} -c "import torch" failed: ${r.stderr.trim().split('\n').pop()}`,
    );
  }
  return { ok: false, reason: reasons.join('; ') };
}

export function nodeAccepts(flag) {
  return spawnSync(process.execPath, [flag, '-e', '0']).status === 0;
}

export function machineInfo() {
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

function safeRead(f) {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}
