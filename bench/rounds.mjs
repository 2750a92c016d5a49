/**
 * Timing, the parent's side: the frameworks (and configurations) of one workload take turns in rounds,
 * A B C A B C …, each in its own child process that serves `run` commands (bench/timing.mjs). All children
 * of a workload are built and warmed up first, one after another; then, round by round, each runs a few
 * steps while the others wait (blocked on their stdin, using no CPU). A framework's result keeps its step
 * times per round, which the bootstrap intervals of bench/stats.mjs resample.
 */
import { spawn } from 'node:child_process';
import { median } from './stats.mjs';

const TIMEOUT_MS = 30 * 60 * 1000;
/** Children alive now: killed when the benchmark is interrupted (they would otherwise wait on their stdin). */
const alive = new Set();
let guarded = false;
/** On SIGINT/SIGTERM, kill the children first (installed with the first child). */
function guard() {
  if (guarded) return;
  guarded = true;
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => {
      for (const child of alive) child.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
}

/** A child process that speaks the `@@ready` / `run` / `@@samples` / `@@result` protocol. */
export class Contender {
  /** `label` names it in progress lines; `policy` is its repeat policy (bench/timing.mjs POLICIES). */
  constructor(label, cmd, args, env, policy) {
    Object.assign(this, { label, policy, rounds: [], cpuRounds: [], stderr: '', result: null, perRound: 1 });
    this.waiters = [];
    this.lines = [];
    this.exit = null;
    this.child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    alive.add(this.child);
    guard();
    let buf = '';
    this.child.stdout.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('@@')) this.push(line);
      }
    });
    this.child.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-20000);
    });
    this.child.stdin.on('error', () => {}); // a child that died: its exit is reported instead
    this.child.on('close', (code, signal) => {
      alive.delete(this.child);
      this.exit = { code, signal };
      this.flush();
    });
    this.child.on('error', (e) => {
      this.stderr += String(e);
      this.exit = { code: null, signal: null };
      this.flush();
    });
  }

  push(line) {
    this.lines.push(line);
    this.flush();
  }

  flush() {
    while (this.waiters.length && (this.lines.length || this.exit)) {
      const w = this.waiters.shift();
      if (this.lines.length) w.resolve(this.lines.shift());
      else w.resolve(null);
    }
  }

  /** The next `@@` line, or null when the child has exited. */
  next() {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve(null);
      }, TIMEOUT_MS);
      this.waiters.push({
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      });
      this.flush();
    });
  }

  /** Wait until built and warmed up: true when ready, false when the child ended with its result instead. */
  async ready() {
    const line = await this.next();
    if (line?.startsWith('@@ready ')) {
      this.warmStepMs = JSON.parse(line.slice(8)).stepMs;
      return true;
    }
    this.result = this.parseResult(line);
    return false;
  }

  /** One round: `rewarm` untimed steps and k timed ones; records their wall-clock and CPU times (ms). */
  async run(k, rewarm) {
    this.child.stdin.write(`run ${k} ${rewarm}\n`);
    const line = await this.next();
    if (line?.startsWith('@@samples ')) {
      const { wall, cpu } = JSON.parse(line.slice(10));
      this.rounds.push(wall);
      this.cpuRounds.push(cpu);
      return;
    }
    this.result = this.parseResult(line);
    this.skip();
  }

  /** A round this contender sat out. */
  skip() {
    this.rounds.push([]);
    this.cpuRounds.push([]);
  }

  /** Stop serving and collect the child's result (plus the step times of every round). */
  async end() {
    if (!this.result) {
      this.child.stdin.end('end\n');
      this.result = this.parseResult(await this.next());
    }
    const all = this.rounds.flat(),
      cpu = this.cpuRounds.flat();
    if (this.result.status === 'ok' && all.length === 0)
      Object.assign(this.result, { status: 'error', reason: 'no step was timed' });
    if (this.result.status === 'ok')
      Object.assign(this.result, {
        medianMs: median(all),
        minMs: Math.min(...all),
        cpuMedianMs: median(cpu),
        repeats: all.length,
        rounds: this.rounds,
        cpuRounds: this.cpuRounds,
        samples: all,
      });
    return this.result;
  }

  parseResult(line) {
    if (line?.startsWith('@@result ')) return JSON.parse(line.slice(9));
    const { code, signal } = this.exit ?? {};
    const tail = this.stderr.trim().split('\n').slice(-3).join(' / ') || 'no output';
    return {
      status: 'error',
      reason: `exit code ${code}${signal ? ` (${signal})` : ''}: ${tail}`,
    };
  }
}

/** Does a contender with `mine` rounds take part in round r of `total`? (Its rounds spread evenly.) */
const takesPart = (r, mine, total) =>
  mine >= total || Math.floor(((r + 1) * mine) / total) > Math.floor((r * mine) / total);

/**
 * Run the rounds of one workload: `makers` create the contenders (each spawns its child), one at a time, each
 * built and warmed up before the next starts; then they take turns. Returns each contender's result, in order.
 * `onRound(r, total)` is called after each round.
 */
export async function runRounds(makers, onRound = () => {}) {
  const contenders = [],
    live = [];
  for (const make of makers) {
    const c = make();
    contenders.push(c);
    if (await c.ready()) live.push(c);
  }
  const total = Math.max(0, ...live.map((c) => c.policy.rounds));
  for (const c of live) {
    const p = c.policy,
      rounds = Math.min(p.rounds, total);
    const lo = Math.max(1, Math.ceil(p.minRepeats / rounds)),
      hi = Math.max(lo, Math.floor(p.maxRepeats / rounds));
    const want = Math.round(p.budgetMs / rounds / Math.max(c.warmStepMs, 1e-3));
    c.perRound = Math.min(hi, Math.max(lo, want));
  }
  for (let r = 0; r < total; r++) {
    for (const c of live) {
      if (c.result) continue; // died in an earlier round
      if (takesPart(r, c.policy.rounds, total)) await c.run(c.perRound, c.policy.rewarm);
      else c.skip();
    }
    onRound(r + 1, total);
  }
  const results = [];
  for (const c of contenders) results.push(await c.end());
  return results;
}
