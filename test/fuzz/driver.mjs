/**
 * Fuzz driver, run in a child process with a capped heap:  node --max-old-space-size=N driver.mjs
 * <study|model> <seed> <count> <workdir>. For every generated case it prints a line {"i", "start"} before
 * and {"i", "outcome", "ms", "rss", "message"} after, synchronously, so the parent knows which case was
 * running if this process hangs, runs out of memory or crashes. Outcomes: "ok" (accepted), "error" (a
 * clean refusal: the right error class, the file named, one short message) or "bad" (anything else).
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { prng, hostileValue, mutateTree, nest } from './mutate.mjs';

const dist = new URL('../../dist/', import.meta.url);
const { loadStudyFile, StudyError } = await import(new URL('runner/study.js', dist).href);
const { expandStudy, checkTrials } = await import(new URL('runner/grid.js', dist).href);
const { resolveLimits } = await import(new URL('runner/limits.js', dist).href);
const { loadModel, saveModel } = await import(new URL('io/model-file.js', dist).href);
const { Model } = await import(new URL('models/model.js', dist).href);
const { predict } = await import(new URL('models/infer.js', dist).href);
const { referenceBackend } = await import(new URL('kernels/reference/index.js', dist).href);

const [kind, seedArg, countArg, dir] = process.argv.slice(2);
const seed = Number(seedArg),
  count = Number(countArg);
mkdirSync(dir, { recursive: true });
const emit = (obj) => writeSync(1, `${JSON.stringify(obj)}\n`);

// ---------------------------------------------------------------------------------------------- studies
const flagship = parseYaml(readFileSync(new URL('../../studies/deep-transition.yaml', import.meta.url), 'utf8'));
const small = {
  name: 'small',
  seeds: [1, 2],
  training: { steps: 4, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 }, evalBatches: 1, evalBatchSize: 4 },
  instruments: { gradientThroughTime: { at: [0, 1], batchSize: 2 } },
  tasks: { adding: { kind: 'adding', T: 6, grid: { T: [6, 8] } }, teach: { kind: 'teacher', T: 5, hiddenSize: 4 } },
  models: {
    tanh: { cell: { kind: 'vanilla', hidden: 4 } },
    deep: { cell: { kind: 'deep', hidden: 3, depth: 1 }, grid: { 'cell.depth': [1, 2] } },
    lru: { cell: { kind: 'lru', hidden: 3 } },
  },
  profiles: { tiny: { seeds: [1] } },
};

const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const entry = (r, s, group) => {
  const names = isObj(s[group]) ? Object.keys(s[group]) : [];
  const e = names.length ? s[group][r.pick(names)] : null;
  return isObj(e) ? e : null;
};
const studyMutations = [
  (r, s) => mutateTree(r, s),
  (r, s) => {
    const e = entry(r, s, r.pick(['tasks', 'models']));
    if (!e) return 'grid bomb (none)';
    const axes = 2 + r.int(7),
      n = 2 + r.int(19);
    e.grid = Object.fromEntries(
      Array.from({ length: axes }, (_, a) => [
        a === 0 ? (isObj(e.cell) ? 'cell.hidden' : 'T') : `${e.cell ? 'dropout' : 'T'}${'.x'.repeat(a)}`,
        Array.from({ length: n }, (_, i) => i + 2),
      ]),
    );
    return `grid bomb ${axes}x${n}`;
  },
  (r, s) => {
    s.seeds = r.pick([1e9, 100000, Array.from({ length: 1 + r.int(5000) }, (_, i) => i)]);
    return 'seeds';
  },
  (r, s) => {
    const e = entry(r, s, 'models');
    if (!isObj(e?.cell)) return 'model (none)';
    const f = r.pick(['hidden', 'depth', 'state', 'mlpHidden']);
    e.cell[f] = r.pick([3000, 20000, 1e6, 1e9, 2 ** 53]);
    return `cell.${f}`;
  },
  (r, s) => {
    const e = entry(r, s, 'models');
    if (!e) return 'model (none)';
    const f = r.pick(['layers', 'readout', 'dropout', 'bidirectional']);
    e[f] = f === 'readout' ? { hidden: [r.pick([1e6, 1e9, 0])] } : hostileValue(r);
    return f;
  },
  (r, s) => {
    const e = entry(r, s, 'tasks');
    if (!e) return 'task (none)';
    const f = r.pick(['T', 'hiddenSize', 'depth', 'symbols', 'k']);
    e[f] = r.pick([1e5, 1e6, 1e9, 1e15]);
    return `task.${f}`;
  },
  (r, s) => {
    const f = r.pick(['steps', 'batchSize', 'evalBatches', 'evalBatchSize', 'evalEvery']);
    s.training = { ...(isObj(s.training) ? s.training : {}), [f]: r.pick([1e6, 1e9, 1e15, 1e300]) };
    return `training.${f}`;
  },
  (r, s) => {
    s.instruments = {
      ...(isObj(s.instruments) ? s.instruments : {}),
      [r.pick(['lyapunov', 'jacobian', 'gradientThroughTime'])]: { batchSize: r.pick([1e6, 1e9]) },
    };
    return 'instruments';
  },
  (r, s) => {
    s.pairs = [
      {
        tasks: [r.pick(['__proto__', 'constructor', 'adding', 'nope'])],
        models: [r.pick(['__proto__', 'tanh', 'toString'])],
      },
    ];
    return 'pairs';
  },
  (r, s) => {
    s.limits = { [r.pick(['trials', 'parameters', 'T', 'steps', 'activations', 'bogus'])]: hostileValue(r) };
    return 'limits';
  },
];

const textMutations = [
  (r, t) => t.slice(0, r.int(t.length + 1)),
  (r, t) => {
    const i = r.int(t.length + 1);
    return (
      t.slice(0, i) +
      r.pick(['\0', '\t', '\r', '"', '&a', '*a', '!!js/function', '{', '[', ': :', '\uFFFF', '%YAML 9.9\n']) +
      t.slice(i)
    );
  },
  (r, t) => `${t}\n${'#'.repeat(80)}\n`.repeat(1 + r.int(3)),
  (r) =>
    `a: &a [1,1,1,1,1,1,1,1,1,1]\n${Array.from(
      { length: 12 },
      (_, k) =>
        `l${k + 1}: &l${k + 1} [${Array(10)
          .fill(k ? `*l${k}` : '*a')
          .join(',')}]`,
    ).join('\n')}\n`,
  (r) => `${'['.repeat(1000 + r.int(100000))}1`,
];

function writeStudyCase(r, i) {
  const base = structuredClone(r.next() < 0.5 ? flagship : small);
  const what = [];
  for (let k = 1 + r.int(3); k > 0; k--) {
    try {
      what.push(r.pick(studyMutations)(r, base));
    } catch (e) {
      what.push(`(generator: ${e.message})`); // a mutation that does not apply to what earlier ones left
    }
  }
  const json = r.next() < 0.4;
  let text = json ? JSON.stringify(base) : toYaml(base, { aliasDuplicateObjects: false });
  if (r.next() < 0.2) {
    const m = r.pick(textMutations);
    text = m(r, text);
    what.push(`text ${textMutations.indexOf(m)}`);
  }
  const path = join(dir, `s${i}.${json ? 'json' : 'yaml'}`);
  rmSync(path, { force: true, recursive: true });
  const special = r.int(40);
  if (special === 0) {
    symlinkSync('/dev/zero', path);
    what.push('symlink to /dev/zero');
  } else if (special === 1) {
    execFileSync('mkfifo', [path]);
    what.push('fifo');
  } else if (special === 2) {
    mkdirSync(path);
    what.push('directory');
  } else if (special === 3) {
    writeFileSync(path, Buffer.alloc(2 * 1024 * 1024, 0x23));
    what.push('2 MiB file');
  } else writeFileSync(path, r.next() < 0.03 ? Buffer.from([0xff, 0xfe, 0x00, 0x80]) : text);
  const profile =
    base === flagship || r.next() < 0.3
      ? r.pick(['tiny', 'quick', 'tiny', '__proto__', '../../x', 'nope', undefined])
      : undefined;
  return { path, profile, what: what.join(', ') };
}

function runStudyCase({ path, profile }) {
  const study = loadStudyFile(path, profile);
  const trials = expandStudy(study, path, { backend: 'reference' });
  checkTrials(trials, path, resolveLimits(study.limits));
  return `${trials.length} trials`;
}

// ---------------------------------------------------------------------------------------------- models
function baseModels() {
  const configs = [
    { inputSize: 2, outputSize: 1, target: 'last', cell: { kind: 'vanilla', hidden: 4 } },
    { inputSize: 3, outputSize: 2, target: 'all', cell: { kind: 'gru', hidden: 3 }, layers: 2, bidirectional: true },
    {
      inputSize: 2,
      outputSize: 1,
      target: 'last',
      cell: { kind: 'lstm', hidden: 3, forgetBias: 1 },
      learnInitialState: true,
      readout: { hidden: [4] },
    },
    {
      inputSize: 2,
      outputSize: 3,
      target: 'last',
      cell: { kind: 'deep', hidden: 3, depth: 2, variant: 'highway', layerNorm: true },
    },
    { inputSize: 1, outputSize: 1, target: 'all', cell: { kind: 'lru', hidden: 3, state: 2 } },
  ];
  return configs.map((c, k) => {
    const path = join(dir, `base${k}.safetensors`);
    saveModel(path, new Model(c, referenceBackend, k), { task: JSON.stringify({ kind: 'adding', T: 10 }) });
    return readFileSync(path);
  });
}

const configMutations = [
  (r, c) => {
    c.cell.hidden = r.pick([12000, 1e6, 0, -1, 2.5, 1e300]);
  },
  (r, c) => {
    c.layers = r.pick([1e6, 65, 0, 2]);
  },
  (r, c) => {
    c.cell.activation = 'bogus';
  },
  (r, c) => {
    c.dropout = r.pick([5, -1, 0.5]);
  },
  (r, c) => {
    c[r.pick(['unknown', '__proto__', 'hidden'])] = 1;
  },
  (r, c) => {
    c.cell.kind = r.pick(['vanilla', 'gru', 'lstm', 'deep', 'lru', 'transformer']);
  },
  (r, c) => {
    c.readout = { hidden: [r.pick([1e6, 4, 0])] };
  },
  (r, c) => {
    c.inputSize = r.pick([1e9, 1, 3]);
  },
  (r, c) => {
    c.cell = nest(30 + r.int(100));
  },
  (r, c) => mutateTree(r, c),
];

function mutateHeader(r, header) {
  const meta = header.__metadata__ ?? {};
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const t = header[r.pick(names)];
  switch (r.int(9)) {
    case 0:
    case 1: {
      let c;
      try {
        c = JSON.parse(meta.config);
      } catch {
        c = {};
      }
      r.pick(configMutations)(r, c);
      meta.config = JSON.stringify(c);
      return 'config';
    }
    case 2:
      meta.version = r.pick(['999', '0', '', 2]);
      return 'version';
    case 3:
      delete meta[r.pick(['format', 'config', 'version'])];
      return 'metadata key';
    case 4:
      t.shape = t.shape.map((d) => r.pick([d, d * 1000, 0, -1, 1e15, 'x']));
      return 'shape';
    case 5:
      t.dtype = r.pick(['F16', 'BF16', 'I32', 'I64', 'U8', 'F64', 'F32']);
      return 'dtype';
    case 6:
      t.data_offsets = t.data_offsets.map((o) => r.pick([o, o + 4, 0, -8, 2 ** 60]));
      return 'offsets';
    case 7: {
      const n = r.pick(names);
      if (r.next() < 0.5) delete header[n];
      else {
        header[`${n}x`] = header[n];
        delete header[n];
      }
      return 'tensor name';
    }
    default:
      meta.task = JSON.stringify({ kind: 'adding', T: 1e6 });
      header.__metadata__ = meta;
      return 'task T';
  }
}

function writeModelCase(r, i, bases) {
  const bytes = Buffer.from(r.pick(bases));
  const path = join(dir, `m${i}.safetensors`);
  const n = Number(bytes.readBigUInt64LE(0));
  let out = bytes,
    what;
  const op = r.int(10);
  if (op === 0) {
    out = bytes.subarray(0, r.int(bytes.length));
    what = 'truncate';
  } else if (op === 1) {
    for (let k = 1 + r.int(20); k > 0; k--) out[r.int(out.length)] = r.int(256);
    what = 'byte flips';
  } else if (op === 2) {
    out.writeBigUInt64LE(BigInt(r.pick([0, 1, n - 8, n + 8, 2 ** 40, 2 ** 60])), 0);
    what = 'header length';
  } else if (op === 3) {
    const h = Buffer.from(
      r.pick([`${'['.repeat(100000)}${']'.repeat(100000)}`, '[]', 'null', '"x"', `{"a":${'['.repeat(50)}]}`]),
    );
    out = Buffer.alloc(8);
    out.writeBigUInt64LE(BigInt(h.length));
    out = Buffer.concat([out, h]);
    what = 'odd header';
  } else {
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    const steps = [];
    for (let k = 1 + r.int(2); k > 0; k--) {
      try {
        steps.push(mutateHeader(r, header));
      } catch (e) {
        steps.push(`(generator: ${e.message})`);
      }
    }
    const h = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    out = Buffer.concat([len, h, bytes.subarray(8 + n)]);
    what = `header: ${steps.join(', ')}`;
  }
  writeFileSync(path, out);
  return { path, what };
}

function runModelCase({ path }) {
  const { model } = loadModel(path, referenceBackend);
  const T = 3,
    B = 2;
  const p = predict(model, { x: new Float64Array(T * B * model.config.inputSize).fill(0.5), T, B });
  return `${model.parameterCount()} parameters, output ${p.shape.join('x')}`;
}

// ---------------------------------------------------------------------------------------------- loop
const r = prng(seed);
const bases = kind === 'model' ? baseModels() : null;
for (let i = 0; i < count; i++) {
  const g0 = performance.now();
  const c = kind === 'study' ? writeStudyCase(r, i) : writeModelCase(r, i, bases);
  emit({ i, start: c.what, path: c.path, gen: Math.round(performance.now() - g0) });
  const t0 = performance.now();
  let outcome = 'ok',
    message;
  try {
    message = kind === 'study' ? runStudyCase(c) : runModelCase(c);
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
    const cleanClass = kind === 'study' ? e instanceof StudyError : e instanceof Error && e.name === 'Error';
    const file = c.path.split('/').pop();
    const clean =
      cleanClass &&
      message.includes(file) &&
      message.length < 4000 &&
      !/Maximum call stack|Cannot read prop|is not a function|undefined is not/.test(message);
    outcome = clean ? 'error' : 'bad';
    if (!clean) message = `${e?.name}: ${message}`.slice(0, 500);
  }
  emit({
    i,
    outcome,
    ms: Math.round(performance.now() - t0),
    rss: Math.round(process.memoryUsage().rss / 2 ** 20),
    message: message?.slice(0, 300),
  });
  rmSync(c.path, { force: true, recursive: true });
}
