/**
 * Anomaly mode in a study (`recur study --detect-anomaly`, RunStudyOptions.detectAnomaly): a diverging trial
 * names the op whose forward or backward pass made the first NaN/Inf, in this thread and on the pool's
 * threads alike; without it the same trial only says that the loss is not finite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStudy } from '../../src/runner/study.js';
import { runStudy } from '../../src/runner/run.js';
import { ResultStore } from '../../src/runner/store.js';
import { recur } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-anomaly-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Plain SGD at lr 1e7 on a ReLU RNN with an identity×2 recurrence: the first step's update blows up.
const diverging = {
  name: 'blowup',
  seeds: [1],
  training: { steps: 6, batchSize: 4, optimizer: { kind: 'sgd', lr: 1e7 } },
  tasks: { adding: { kind: 'adding', T: 6 } },
  models: {
    relu: {
      cell: { kind: 'vanilla', hidden: 4, activation: 'relu', recurrentInit: { kind: 'identity', gain: 2 } },
    },
  },
};

function errors(db: string): (string | null)[] {
  const store = new ResultStore(db, { readonly: true });
  try {
    return store.trials('blowup').map((t) => (t.status === 'diverged' ? t.error : `not diverged: ${t.status}`));
  } finally {
    store.close();
  }
}

describe('anomaly mode in a study', () => {
  const study = parseStudy(JSON.stringify(diverging), 'blowup.json');

  it('names the op that made the first non-finite value, in this thread and on a worker thread', async () => {
    for (const workers of [0, 1]) {
      const db = join(dir, `anomaly-${workers}.db`);
      await runStudy(study, { db, workers, detectAnomaly: true });
      const e = errors(db);
      expect(e).toHaveLength(1);
      expect(e[0]).toMatch(/anomaly: the (forward|backward) pass of op '\w+' \(node \d+\) produced a non-finite value/);
    }
    const plain = join(dir, 'plain.db');
    await runStudy(study, { db: plain, workers: 0 });
    expect(errors(plain)[0]).not.toMatch(/anomaly/);
  });

  it('recur study --detect-anomaly is for local runs: refused with --queue', () => {
    writeFileSync(join(dir, 'x.json'), JSON.stringify(diverging));
    const r = recur(['study', join(dir, 'x.json'), '--queue', 'redis://127.0.0.1:1', '--detect-anomaly']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^recur: --detect-anomaly applies to local runs/);
  });
});
