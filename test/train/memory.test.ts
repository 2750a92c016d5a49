/**
 * Memory is given back: the wasm heap (as its allocator reports it) is flat over repeated fit() calls on one
 * model and over model create/dispose cycles. No timing is measured. The backend keeps one GEMM packing
 * block that grows to the largest GEMM seen, so baselines are taken after a first warm-up call.
 */
import { describe, expect, it } from 'vitest';
import { createWasmBackend, wasmAvailable, type WasmBackend } from '../../src/kernels/wasm/backend.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { fit } from '../../src/train/fit.js';
import { evaluate } from '../../src/train/evaluate.js';
import { addingTask } from '../../src/tasks/adding.js';
import { dataset } from '../../src/data/dataset.js';
import { predict } from '../../src/models/infer.js';

const config: ModelConfig = {
  inputSize: 2,
  outputSize: 1,
  target: 'last',
  cell: { kind: 'lstm', hidden: 32 },
  layers: 2,
};

describe.skipIf(!wasmAvailable())('wasm heap stays flat', () => {
  const used = (be: WasmBackend) => be.heap.stats().used;

  it('over 100 fit() calls on one model: every call frees its graphs and optimizer state', () => {
    const be = createWasmBackend();
    const model = new Model(config, be, 1);
    const task = addingTask({ T: 8 });
    const opts = {
      steps: 2,
      batchSize: 4,
      evalBatches: 1,
      evalBatchSize: 4,
      optimizer: { kind: 'adam' as const, lr: 1e-3 },
    };
    fit(model, task, opts); // warm-up: the GEMM packing block
    const afterOne = be.heap.stats();
    const before = afterOne.used;
    for (let i = 0; i < 99; i++) fit(model, task, { ...opts, seed: i });
    const after = be.heap.stats();
    expect(after.used).toBe(before);
    expect(after.liveBlocks).toBe(afterOne.liveBlocks);
    expect(after.capacity).toBe(afterOne.capacity); // no growth at all: every fit reuses the freed space
  });

  it('over 100 model create → fit → evaluate → predict → dispose cycles', () => {
    const be = createWasmBackend();
    let base = -1;
    const data = dataset({ x: [[1, 2, 3], [4, 5], [6]], y: [1, 0, 1], loss: 'xent' });
    let capacity = -1;
    for (let i = 0; i < 100; i++) {
      const model = new Model(
        { inputSize: 1, outputSize: 2, target: 'last', cell: { kind: 'gru', hidden: 16 } },
        be,
        i,
      );
      fit(model, data, { steps: 2, batchSize: 2, optimizer: { kind: 'adamw', lr: 1e-3 } });
      evaluate(model, data);
      predict(model, { x: [1, 2, 3], T: 3, B: 1 });
      model.dispose();
      if (i === 0) ({ used: base, capacity } = be.heap.stats());
      expect(used(be)).toBe(base);
    }
    expect(be.heap.stats().capacity).toBe(capacity);
    expect(be.heap.stats().liveBlocks).toBe(1); // only the GEMM packing block
  });

  it('a fit that throws (model and data disagree) frees what it had made', () => {
    const be = createWasmBackend();
    const model = new Model({ ...config, inputSize: 3 }, be, 1);
    const base = used(be); // no GEMM has run yet, and the failed fit must not have allocated anything left over
    expect(() =>
      fit(model, addingTask({ T: 8 }), { steps: 2, batchSize: 4, optimizer: { kind: 'adam', lr: 1e-3 } }),
    ).toThrow("fit: the model's inputSize is 3 but the task 'adding' has 2 input features per step (set inputSize: 2)");
    expect(used(be)).toBe(base);
  });

  it('a disposed model says so instead of computing on freed memory', () => {
    const model = new Model(config, createWasmBackend(), 1);
    model.dispose();
    model.dispose(); // twice is harmless
    expect(model.disposed).toBe(true);
    expect(() => predict(model, { x: new Float64Array(2), T: 1, B: 1 })).toThrow(
      'predict: the model has been disposed',
    );
    expect(() =>
      fit(model, addingTask({ T: 8 }), { steps: 1, batchSize: 1, optimizer: { kind: 'sgd', lr: 1 } }),
    ).toThrow('fit: the model has been disposed');
  });
});
