/** Model files: bit-identical round trips, and clear errors (never a crash) for damaged files and bad state dicts. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/kernels/index.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { loadModel, saveModel } from '../../src/io/model-file.js';
import { loadTorchStateDict, toTorchStateDict } from '../../src/io/pytorch.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { predict } from '../../src/models/infer.js';
import { Rng } from '../../src/tensor/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-model-'));
const config: ModelConfig = {
  inputSize: 3,
  outputSize: 2,
  target: 'last',
  layers: 2,
  bidirectional: true,
  cell: { kind: 'gru', hidden: 5 },
  readout: { hidden: [4] },
};
const T = 4,
  B = 2;
const x = new Float64Array(T * B * 3).map((_, i) => Math.sin(i));

describe('model files', () => {
  const backends = wasmAvailable() ? (['reference', 'wasm'] as const) : (['reference'] as const);
  for (const name of backends) {
    it(`save → load gives bit-identical outputs (${name})`, () => {
      const backend = getBackend(name);
      const model = new Model(config, backend, 7);
      const path = join(dir, `m-${name}.safetensors`);
      saveModel(path, model, { note: 'hello' });
      const { model: loaded, metadata } = loadModel(path, backend);
      expect(metadata.note).toBe('hello');
      expect(loaded.config).toEqual(config);
      const a = predict(model, { x, T, B }),
        b = predict(loaded, { x, T, B });
      expect(Array.from(b.y)).toEqual(Array.from(a.y));
      expect(Array.from(b.sequence)).toEqual(Array.from(a.sequence));
    });
  }

  it('rejects truncated, corrupted and lying files with an error naming the file', () => {
    const model = new Model(config, referenceBackend, 7);
    const path = join(dir, 'good.safetensors');
    saveModel(path, model);
    const bytes = readFileSync(path);
    const bad = join(dir, 'bad.safetensors');
    const rng = new Rng(1);
    for (let k = 0; k < 60; k++) {
      const cut = rng.int(bytes.length);
      writeFileSync(bad, bytes.subarray(0, cut));
      expect(() => loadModel(bad, referenceBackend)).toThrow(/bad\.safetensors/);
    }
    // a header that lies about a tensor's size
    const headerLen = Number(bytes.readBigUInt64LE(0));
    const header = bytes.subarray(8, 8 + headerLen).toString('utf8');
    const lying = header.replace('"shape":[15]', '"shape":[16]');
    expect(lying).not.toBe(header);
    const out = Buffer.concat([bytes.subarray(0, 8), Buffer.from(lying), bytes.subarray(8 + headerLen)]);
    writeFileSync(bad, out);
    expect(() => loadModel(bad, referenceBackend)).toThrow(/bad\.safetensors/);
    // an absurd header length: no huge allocation, a clear error
    const huge = Buffer.from(bytes);
    huge.writeBigUInt64LE(2n ** 60n, 0);
    writeFileSync(bad, huge);
    expect(() => loadModel(bad, referenceBackend)).toThrow(/bad\.safetensors/);
    // a config that does not match the tensors
    const other = new Model({ ...config, cell: { kind: 'gru', hidden: 6 } }, referenceBackend, 1);
    saveModel(bad, other);
    const text = readFileSync(bad);
    const hl = Number(text.readBigUInt64LE(0));
    const h2 = text
      .subarray(8, 8 + hl)
      .toString('utf8')
      .replace('\\"hidden\\":6', '\\"hidden\\":5');
    writeFileSync(bad, Buffer.concat([text.subarray(0, 8), Buffer.from(h2), text.subarray(8 + hl)]));
    expect(() => loadModel(bad, referenceBackend)).toThrow(/implies \d+ parameters, the file holds \d+/); // refused before the model is built
    expect(() => loadModel(join(dir, 'missing.safetensors'), referenceBackend)).toThrow(/missing\.safetensors/);
  });

  it('PyTorch state dicts: round trip, and shape mismatches name the tensor', () => {
    const lstm: ModelConfig = {
      inputSize: 3,
      outputSize: 1,
      target: 'all',
      layers: 2,
      cell: { kind: 'lstm', hidden: 4 },
    };
    const a = new Model(lstm, referenceBackend, 1),
      b = new Model(lstm, referenceBackend, 2);
    const dict = toTorchStateDict(a);
    expect(Object.keys(dict)).toContain('weight_hh_l1');
    loadTorchStateDict(b, dict);
    // PyTorch stores float32: the float64 model's weights come back rounded to float32
    const ya = predict(a, { x, T, B }).y,
      yb = predict(b, { x, T, B }).y;
    ya.forEach((v, i) => expect(yb[i]).toBeCloseTo(v, 6));
    expect(toTorchStateDict(b)).toEqual(dict);
    const wrong = { ...dict, weight_hh_l1: { ...dict.weight_hh_l1, shape: [16, 5], data: new Float32Array(80) } };
    expect(() => loadTorchStateDict(b, wrong)).toThrow('tensor "weight_hh_l1" has shape [16,5], expected [16,4]');
    const { weight_ih_l0: _drop, ...missing } = dict;
    expect(() => loadTorchStateDict(b, missing)).toThrow('missing tensor "weight_ih_l0"');
    const extra = { ...dict, weight_ih_l2: dict.weight_ih_l1 };
    expect(() => loadTorchStateDict(b, extra)).toThrow(/not used by this model: weight_ih_l2/);
    expect(() =>
      toTorchStateDict(
        new Model({ ...lstm, cell: { kind: 'vanilla', hidden: 3, activation: 'sigmoid' } }, referenceBackend),
      ),
    ).toThrow(/nn\.RNN/);
  });
});
