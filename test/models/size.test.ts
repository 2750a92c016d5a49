/** modelSize: the parameter count computed from a config equals the built model's, for every kind and option. */
import { describe, expect, it } from 'vitest';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { modelSize } from '../../src/models/size.js';
import type { CellConfig } from '../../src/cells/index.js';
import { Rng } from '../../src/tensor/rng.js';

describe('modelSize', () => {
  it('equals Model.parameterCount() over 120 random configs without building anything', () => {
    const rng = new Rng(13);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
    for (let k = 0; k < 120; k++) {
      const H = 1 + rng.int(6);
      const cells: CellConfig[] = [
        { kind: 'vanilla', hidden: H },
        { kind: 'gru', hidden: H },
        { kind: 'lstm', hidden: H },
        {
          kind: 'deep',
          hidden: H,
          depth: 1 + rng.int(3),
          variant: pick(['plain', 'shortcut', 'residual', 'highway'] as const),
          layerNorm: rng.uniform() < 0.5,
        },
        {
          kind: 'lru',
          hidden: H,
          state: rng.uniform() < 0.5 ? 1 + rng.int(5) : undefined,
          mlpHidden: rng.uniform() < 0.5 ? 1 + rng.int(5) : undefined,
        },
      ];
      const config: ModelConfig = {
        inputSize: 1 + rng.int(4),
        outputSize: 1 + rng.int(3),
        target: pick(['last', 'all'] as const),
        cell: pick(cells),
        layers: 1 + rng.int(3),
        bidirectional: rng.uniform() < 0.5,
        learnInitialState: rng.uniform() < 0.5,
        readout: rng.uniform() < 0.5 ? { hidden: [1 + rng.int(4)] } : undefined,
      };
      const model = new Model(config, referenceBackend, k);
      expect(modelSize(config).parameters, JSON.stringify(config)).toBe(model.parameterCount());
      for (const p of model.parameters()) p.dispose();
    }
  });

  it('sizes absurd configs instantly (hidden 20000 LSTM: 3.2e9 parameters)', () => {
    const s = modelSize({
      inputSize: 2,
      outputSize: 1,
      target: 'last',
      cell: { kind: 'lstm', hidden: 20000 },
      layers: 2,
    });
    expect(s.parameters).toBeGreaterThan(3.2e9);
    expect(s.activationsPerStep).toBe(2 * 6 * 20000);
  });

  it("counts what the deep cell's fused step keeps: z_l per layer (highway hl, tl, s_l), a_l with layer norm", () => {
    const deep = (variant: 'plain' | 'highway', layerNorm: boolean) =>
      modelSize({
        inputSize: 2,
        outputSize: 1,
        target: 'last',
        cell: { kind: 'deep', hidden: 64, depth: 8, variant, layerNorm },
      }).activationsPerStep;
    expect(deep('plain', false)).toBe(8 * 64 + 2 * 64);
    expect(deep('highway', false)).toBe(8 * 3 * 64 + 2 * 64);
    expect(deep('plain', true)).toBe(8 * 64 + 8 * 64 + 2 * 64);
    expect(deep('highway', true)).toBe(8 * 3 * 64 + 8 * 2 * 64 + 2 * 64);
  });
});
