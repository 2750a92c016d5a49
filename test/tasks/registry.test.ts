import { describe, expect, it } from 'vitest';
import { createTask, listTasks, parseTaskSpec, taskKinds, taskSpecSchema } from '../../src/tasks/index.js';
import { Rng } from '../../src/tensor/rng.js';

const SPECS = [
  { kind: 'adding', T: 20 },
  { kind: 'adding', T: 20, variant: 'original1997' },
  { kind: 'copy', T: 5 },
  { kind: 'adding', T: 20, variant: 'pascanu2013' },
  { kind: 'adding', T: 20, variant: 'le2015' },
  { kind: 'temporal-order', T: 20, variant: 'three' },
  { kind: 'temporal-order', T: 20, maxT: 30, variant: 'pascanu2013-3bit' },
  { kind: 'teacher', T: 5, hiddenSize: 4 },
  { kind: 'memory', T: 10, kernel: 'polynomial' },
  { kind: 'chaos', system: 'lorenz', T: 5, burnIn: 10 },
  { kind: 'chaos', system: 'lorenz', T: 12, burnIn: 10, observe: 'y', predict: 'z', horizon: 0, washout: 4 },
  { kind: 'teacher', T: 5, hiddenSize: 4, recurrent: 'orthogonal', gain: 0.9, inputScale: 0.1, outputScale: 10 },
  { kind: 'mnist', variant: 'row', subset: 10 },
  { kind: 'text', text: 'abcdefghij'.repeat(10), T: 5 },
] as const;

describe('task registry', () => {
  it('creates every kind from a spec', () => {
    expect(taskKinds).toEqual(['adding', 'copy', 'temporal-order', 'teacher', 'memory', 'chaos', 'mnist', 'text']);
    for (const spec of SPECS) {
      const task = createTask(spec);
      expect(task.name).toBe(spec.kind);
      expect(task.T).toBeGreaterThan(0);
      expect(task.sample(new Rng(1), 2).B).toBe(2);
    }
  });

  it('fills defaults when parsing', () => {
    expect(taskSpecSchema.parse({ kind: 'adding' })).toEqual({ kind: 'adding', T: 100, variant: 'modern' });
    expect(parseTaskSpec({ kind: 'copy', T: 7 })).toEqual({ kind: 'copy', T: 7, symbols: 10, alphabet: 8 });
  });

  it('rejects bad specs naming the field, the expected and the found value', () => {
    const err = (spec: unknown): string => {
      try {
        parseTaskSpec(spec);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({ kind: 'adding', T: 1 })).toContain('task.T: expected a value >= 2, found 1');
    expect(err({ kind: 'adding', T: 2.5 })).toContain('task.T: expected an integer, found 2.5');
    expect(err({ kind: 'copy', T: 'long' })).toContain('task.T: expected number, found "long"');
    expect(err({ kind: 'adding', variant: 'new' })).toContain(
      'task.variant: expected one of "modern" | "original1997" | "pascanu2013" | "le2015", found "new"',
    );
    expect(err({ kind: 'addding' })).toContain('task.kind: expected one of "adding" | "copy"');
    expect(err({ kind: 'addding' })).toContain('found "addding"');
    expect(err({ kind: 'adding', Tee: 5 })).toContain('task: unknown field "Tee"');
    expect(err({ kind: 'adding', variant: 'original1997', T: 10 })).toContain('task.T: expected T >= 20');
    expect(err({ kind: 'temporal-order', T: 50, maxT: 40 })).toContain('task.maxT: expected maxT >= T = 50, found 40');
    expect(err({ kind: 'chaos', system: 'lorenz', observe: 'z', predict: 'y' })).toContain(
      "task.predict: expected 'z' when observing z",
    );
    expect(err({ kind: 'chaos', T: 10, washout: 10 })).toContain(
      'task.washout: expected fewer than T = 10 steps, found 10',
    );
    expect(err({ kind: 'text', T: 5 })).toContain('task.path: expected exactly one of path and text, found "neither"');
    expect(err(42)).toContain('task: expected object, found 42');
    expect(() => createTask({ kind: 'memory', tau: -1 } as never)).toThrow('task.tau: expected a value > 0, found -1');
  });

  it('lists every task with its definition and parameters (with defaults)', () => {
    const list = listTasks();
    expect(list.map((t) => t.name)).toEqual(taskKinds);
    for (const t of list) {
      expect(t.definition.length).toBeGreaterThan(50);
      expect(t.parameters.length).toBeGreaterThan(0);
      for (const p of t.parameters) expect(p.description.length).toBeGreaterThan(3);
    }
    const adding = list.find((t) => t.name === 'adding')!;
    expect(adding.parameters).toContainEqual({
      name: 'T',
      type: 'integer >= 2',
      default: 100,
      description: expect.any(String),
    });
    expect(adding.parameters).toContainEqual(
      expect.objectContaining({
        name: 'variant',
        type: "'modern' | 'original1997' | 'pascanu2013' | 'le2015'",
        default: 'modern',
      }),
    );
    const text = list.find((t) => t.name === 'text')!;
    expect(text.parameters.find((p) => p.name === 'path')).not.toHaveProperty('default');
  });
});

describe('teacher spec through the registry', () => {
  it('keeps the teacher transition (its field does not collide with the task kind)', () => {
    const spec = parseTaskSpec({ kind: 'teacher', teacher: 'deep', depth: 3, T: 5 });
    expect(spec).toMatchObject({ kind: 'teacher', teacher: 'deep', depth: 3 });
    expect(createTask({ kind: 'teacher', teacher: 'deep', depth: 3, T: 5 }).definition).toContain('deep, L = 3');
  });
});
