/**
 * Safe training (issue 13): a diverged fit undoes the update that blew up, values a float32 backend cannot
 * hold are refused with the tensor and index, masks are 0/1, and anomaly mode names the op that made the
 * first non-finite value (forward or backward).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnomalyError, Tape } from '../../src/autodiff/tape.js';
import { getBackend, referenceBackend } from '../../src/kernels/index.js';
import { createWasmBackend, wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { predict } from '../../src/models/infer.js';
import { loadModel, saveModel } from '../../src/io/model-file.js';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fit } from '../../src/train/fit.js';
import { addingTask } from '../../src/tasks/adding.js';

const config: ModelConfig = { inputSize: 2, outputSize: 1, target: 'last', cell: { kind: 'lstm', hidden: 6 } };
const backends = [referenceBackend, ...(wasmAvailable() ? [createWasmBackend()] : [])];
const values = (m: Model): number[][] => m.parameters().map((p) => Array.from(p.toArray()));

describe.each(backends.map((b) => [b.name, b] as const))('safe training on %s', (_name, backend) => {
  it('a diverged fit goes back to the parameters of its last finite step, and they save and load', () => {
    const model = new Model(config, backend, 1);
    const before = values(model);
    // sgd with lr 1e300: step 0 is finite, its update sends the weights past any range, step 1 diverges
    const r = fit(model, addingTask({ T: 8 }), { steps: 5, batchSize: 4, optimizer: { kind: 'sgd', lr: 1e300 } });
    expect(r.status).toBe('diverged');
    expect(r.divergedAt).toBe(1);
    expect(r.parametersOf).toBe(0);
    expect(values(model)).toEqual(before); // step 0's update undone
    const path = join(mkdtempSync(join(tmpdir(), 'recur-safe-')), 'd.safetensors');
    saveModel(path, model);
    expect(values(loadModel(path, backend).model)).toEqual(before);
  });

  it('a run that diverges at its first step keeps its starting parameters (no parametersOf)', () => {
    const model = new Model(config, backend, 1);
    model.parameters()[0].set(new Float64Array(model.parameters()[0].size).fill(1e30));
    const r = fit(model, addingTask({ T: 8 }), { steps: 3, batchSize: 4, optimizer: { kind: 'sgd', lr: 0.1 } });
    if (r.status === 'diverged') {
      expect(r.divergedAt).toBe(0);
      expect(r.parametersOf).toBeUndefined();
    }
  });

  it('detectAnomaly stops the run as diverged, naming the op that made the first non-finite value', () => {
    const model = new Model(config, backend, 1);
    const r = fit(model, addingTask({ T: 8 }), {
      steps: 5,
      batchSize: 4,
      optimizer: { kind: 'sgd', lr: 1e300 },
      detectAnomaly: true,
      evalEvery: 5,
    });
    expect(r.status).toBe('diverged');
    expect(r.divergedReason).toMatch(/anomaly: the forward pass of op '\w+' \(node \d+\) produced a non-finite value/);
    expect(values(model).flat().every(Number.isFinite)).toBe(true);
  });

  it('anomaly mode names a backward op whose gradient is the first non-finite value', () => {
    const tape = new Tape(backend, { detectAnomaly: true });
    const x = tape.input([3], 'x').set([1, 0, 4]);
    x.markGrad();
    const y = ops.sum(tape, ops.unary(tape, 'sqrt', x)); // finite forward; ∂√x/∂x = 1/(2√x) is Inf at 0
    expect(() => tape.backward(y)).toThrow(AnomalyError);
    expect(() => tape.backward(y)).toThrow(
      /backward pass of op 'sqrt'.*Infinity at index 1 of the gradient of an input "x"/,
    );
    tape.dispose();
  });

  it('anomaly mode names a forward op at record time and on replay; off, nothing is checked', () => {
    const tape = new Tape(backend, { detectAnomaly: true });
    const x = tape.input([2], 'x').set([1, 2]);
    const y = ops.unary(tape, 'exp', x);
    x.set([1, 1000]);
    expect(() => tape.forward()).toThrow(/forward pass of op 'exp' \(node 0\).*Infinity at index 1/);
    expect(() => ops.unary(tape, 'exp', tape.input([1], 'big').set([1000]))).toThrow(/op 'exp' \(node 1\)/);
    expect(y.size).toBe(2);
    tape.dispose();
    const quiet = new Tape(backend);
    const z = quiet.input([1], 'z').set([1000]);
    ops.unary(quiet, 'exp', z);
    expect(() => quiet.forward()).not.toThrow();
    quiet.dispose();
  });

  it('masks must be 0/1: a 2 is refused naming the tensor and index', () => {
    const model = new Model(config, backend, 1);
    const T = 3,
      B = 2;
    const x = new Float64Array(T * B * 2).fill(0.5);
    expect(() => predict(model, { x, T, B, mask: [1, 1, 1, 2, 1, 0] })).toThrow(
      /tensor "mask": value 2 at index 3 is not 0 or 1/,
    );
    expect(() => predict(model, { x, T, B, mask: [1, 1, 1, 1, 1, 0] })).not.toThrow();
  });
});

describe('float32 range', () => {
  it.runIf(wasmAvailable())('wasm refuses a finite input beyond float32, naming the tensor and index', () => {
    const model = new Model(config, createWasmBackend(), 1);
    const x = new Float64Array(3 * 2 * 2).fill(0.5);
    x[5] = 1e300;
    expect(() => predict(model, { x, T: 3, B: 2 })).toThrow(
      /tensor "x": value 1e\+300 at index 5 is beyond the float32 range of the wasm backend/,
    );
    const t = Tensor.zeros(createWasmBackend(), [2]);
    expect(() => t.set([0, -1e39])).toThrow(/value -1e\+39 at index 1 is beyond the float32 range/);
  });

  it('the float64 reference backend keeps 1e300', () => {
    const t = Tensor.zeros(getBackend('reference'), [1]).set([1e300]);
    expect(t.get(0)).toBe(1e300);
  });
});
