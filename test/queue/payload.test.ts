/** What a worker accepts from the queue, and how queue URLs and shards are read. */
import { describe, expect, it } from 'vitest';
import { expandStudy } from '../../src/runner/grid.js';
import { expandPilot } from '../../src/runner/pilot.js';
import { parseStudy } from '../../src/runner/study.js';
import { parseQueueUrl } from '../../src/runner/queue/connection.js';
import {
  RECUR_VERSION,
  RefusedJob,
  acceptJob,
  acceptResult,
  studyHash,
  trialJob,
} from '../../src/runner/queue/payload.js';
import { parseShard, selectShard } from '../../src/runner/queue/shard.js';

const study = parseStudy(
  JSON.stringify({
    name: 'payload',
    seeds: [1, 2],
    training: { steps: 5, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 } },
    tasks: { adding: { kind: 'adding', T: 5 }, copy: { kind: 'copy', T: 3 } },
    models: { tanh: { cell: { kind: 'vanilla', hidden: 4 } }, gru: { cell: { kind: 'gru', hidden: 4 } } },
  }),
  'payload.json',
);
const trials = expandStudy(study);
const hash = studyHash(study);
/** A job as it comes out of Redis: JSON, not the objects the coordinator made. */
const viaRedis = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('trial jobs', () => {
  it('a job survives the trip through Redis and is accepted as the same trial', () => {
    for (const t of trials) {
      const job = acceptJob(viaRedis(trialJob(t, hash)), t.key);
      expect(job.trial).toEqual(viaRedis(t));
      expect(job.studyHash).toBe(hash);
    }
  });

  it('refuses a foreign version, an altered spec, an invalid spec and a job id that is not the key', () => {
    const t = trials[3];
    const refused = (data: unknown, id = t.key): string => {
      try {
        acceptJob(data, id);
      } catch (e) {
        expect(e).toBeInstanceOf(RefusedJob);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ ...trialJob(t, hash), version: '9.9.9' })).toBe(
      `job from recur 9.9.9, this worker is recur ${RECUR_VERSION}: run workers of the coordinator's version`,
    );
    const altered = viaRedis(trialJob(t, hash));
    altered.trial.training.steps = 5000;
    expect(refused(altered)).toMatch(
      new RegExp(`trial spec does not match its key ${t.key} \\(it hashes to [0-9a-f]{32}\\): the job was altered`),
    );
    const invalid = viaRedis(trialJob(t, hash)) as unknown as { trial: { model: { cell: { hidden: number } } } };
    invalid.trial.model.cell.hidden = -3;
    expect(refused(invalid)).toMatch(/^invalid trial spec: model\.cell/);
    const badTask = viaRedis(trialJob(t, hash)) as unknown as { trial: { task: { kind: string } } };
    badTask.trial.task.kind = 'nope';
    expect(refused(badTask)).toMatch(/^invalid trial spec: .*kind/);
    expect(refused({ hello: 'world' })).toMatch(/^not a recur trial job/);
    expect(refused(trialJob(t, hash), trials[0].key)).toBe(`job id ${trials[0].key} is not the trial key ${t.key}`);
  });

  it('the coordinator checks that a result belongs to the trial, the version and the study', () => {
    const t = trials[0];
    const record = {
      status: 'done' as const,
      steps: 5,
      divergedAt: null,
      error: null,
      solvedAt: null,
      final: { loss: 0.5, metric: Number.NaN },
      seconds: 1,
      metrics: [{ step: 1, name: 'train.loss', value: 1 }],
      curves: [],
      summary: { a: null },
    };
    const ok = acceptResult(viaRedis({ key: t.key, version: RECUR_VERSION, studyHash: hash, record }), t, hash);
    expect('result' in ok && ok.result.record.final).toEqual({ loss: 0.5, metric: null });
    expect(
      acceptResult(viaRedis({ key: trials[1].key, version: RECUR_VERSION, studyHash: hash, record }), t, hash),
    ).toEqual({ error: `result for trial ${trials[1].key}, expected ${t.key}` });
    expect(
      acceptResult(viaRedis({ key: t.key, version: RECUR_VERSION, studyHash: 'f'.repeat(64), record }), t, hash),
    ).toEqual({ error: 'result from a different definition of the study' });
    expect(acceptResult({ key: t.key }, t, hash)).toMatchObject({
      error: expect.stringMatching(/^malformed result/) as unknown,
    });
  });
});

const phased = parseStudy(
  JSON.stringify({
    name: 'phased',
    seeds: [1, 2],
    training: { steps: 5, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 } },
    tasks: { adding: { kind: 'adding', T: 4, grid: { T: [4, 8, 16] } } },
    models: { tanh: { cell: { kind: 'vanilla', hidden: 4 } }, gru: { cell: { kind: 'gru', hidden: 4 } } },
    pairs: [
      { tasks: ['adding'], models: ['tanh'], staircase: 'T' },
      { tasks: ['adding'], models: ['gru'], training: { steps: 0 } },
    ],
    pilot: { task: 'adding', lrs: [0.01, 0.1], models: ['tanh'] },
  }),
  'phased.json',
);

describe('trial jobs of a phased study', () => {
  it('pilot trials, staircase trials and probe-only trials are accepted as they are', () => {
    const all = [...expandPilot(phased), ...expandStudy(phased)];
    expect(
      all.some((t) => t.phase === 'pilot') && all.some((t) => t.stage) && all.some((t) => t.training.steps === 0),
    ).toBe(true);
    const h = studyHash(phased);
    for (const t of all) expect(acceptJob(viaRedis(trialJob(t, h)), t.key).trial).toEqual(viaRedis(t));
  });

  it('a shard keeps every trial of a staircase condition and the whole pilot', () => {
    const trials = [...expandPilot(phased), ...expandStudy(phased)];
    const shards = [1, 2, 3].map((k) => selectShard(parseShard(`${k}/3`))(trials));
    const pilot = trials.filter((t) => t.phase === 'pilot');
    for (const part of shards) expect(part.filter((t) => t.phase === 'pilot')).toEqual(pilot);
    const groups = new Map<string, Set<number>>();
    shards.forEach((part, i) =>
      part.forEach((t) => {
        if (t.stage) groups.set(t.stage.group, (groups.get(t.stage.group) ?? new Set()).add(i));
      }),
    );
    expect(groups.size).toBe(1); // one condition: tanh over T = 4, 8, 16, both seeds
    for (const where of groups.values()) expect(where.size).toBe(1);
    const rest = shards
      .flatMap((p) => p.filter((t) => t.phase !== 'pilot'))
      .map((t) => t.key)
      .sort();
    expect(rest).toEqual(
      trials
        .filter((t) => t.phase !== 'pilot')
        .map((t) => t.key)
        .sort(),
    );
  });
});

describe('queue URLs and shards', () => {
  it('reads host, port, database, user, password and TLS from the URL, and never shows the password', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6379').connection).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
    const l = parseQueueUrl('rediss://worker:s%40cret@redis.example.org:6380/3');
    expect(l.connection).toMatchObject({
      host: 'redis.example.org',
      port: 6380,
      db: 3,
      username: 'worker',
      password: 's@cret',
      tls: { servername: 'redis.example.org' },
    });
    expect(l.display).toBe('rediss://worker:***@redis.example.org:6380/3');
    expect(parseQueueUrl('redis://:pw@h').display).toBe('redis://:***@h');
    expect(() => parseQueueUrl('http://h:1')).toThrow('--queue: "http://h:1" is not a redis:// or rediss:// URL');
    expect(() => parseQueueUrl('redis://h/x')).toThrow('--queue: database "x" in "redis://h/x" is not a number');
    expect(() => parseQueueUrl('localhost')).toThrow(/not a URL/);
  });

  it('n shards partition the trials, each a spread of the grid', () => {
    const seen = new Set<string>();
    for (let k = 1; k <= 3; k++) {
      const part = selectShard(parseShard(`${k}/3`))(trials);
      expect(part.length).toBeGreaterThanOrEqual(2);
      for (const t of part) {
        expect(seen.has(t.key)).toBe(false);
        seen.add(t.key);
      }
    }
    expect(seen.size).toBe(trials.length);
    expect(() => parseShard('0/3')).toThrow(
      '--shard 0/3: k counts from 1 to n (for a 0-based array index use $((INDEX + 1)))',
    );
    expect(() => parseShard('4/3')).toThrow('--shard 4/3: k counts from 1 to n (got 4 > 3)');
    expect(() => parseShard('half')).toThrow('--shard: expected k/n (e.g. 2/8), got "half"');
  });
});
