/**
 * Safe model loading (issue 13): the header's config goes through the model schema, its implied size is
 * compared with the file's tensors before anything is built, unknown versions are refused, and every
 * failure is an Error naming the file — a 3 KB file cannot ask for gigabytes or hours.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { loadModel, saveModel } from '../../src/io/model-file.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { Model, type ModelConfig } from '../../src/models/model.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-model-safety-'));
const config: ModelConfig = { inputSize: 2, outputSize: 1, target: 'last', cell: { kind: 'vanilla', hidden: 4 } };
const good = join(dir, 'good.safetensors');
saveModel(good, new Model(config, referenceBackend, 1));

/** The good file with its header's metadata edited. */
function withMetadata(name: string, edit: (meta: Record<string, string>) => void): string {
  const bytes = readFileSync(good);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as { __metadata__: Record<string, string> };
  edit(header.__metadata__);
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([len, h, bytes.subarray(8 + n)]));
  return path;
}
const withConfig = (name: string, c: unknown) =>
  withMetadata(name, (m) => {
    m.config = JSON.stringify(c);
  });

describe('safe model loading', () => {
  it('a config implying a huge model is refused before it is built', () => {
    const p = withConfig('h.safetensors', { ...config, cell: { kind: 'vanilla', hidden: 12000 } });
    expect(() => loadModel(p, referenceBackend)).toThrow(
      /h\.safetensors: the config in the header \(vanilla, hidden 12000, 1 layer\(s\)\) implies 144060001 parameters, the file holds 37/,
    );
    expect(() => loadModel(withConfig('l.safetensors', { ...config, layers: 1e6 }), referenceBackend)).toThrow(
      /l\.safetensors: invalid model config in the header: config: layers: Too big/,
    );
  });

  it('the header config is validated with the model schema', () => {
    expect(() =>
      loadModel(
        withConfig('a.safetensors', { ...config, cell: { ...config.cell, activation: 'bogus' } }),
        referenceBackend,
      ),
    ).toThrow(/a\.safetensors: invalid model config in the header: config: cell\.activation/);
    expect(() => loadModel(withConfig('d.safetensors', { ...config, dropout: 5 }), referenceBackend)).toThrow(
      /d\.safetensors: .*dropout/,
    );
    expect(() => loadModel(withConfig('u.safetensors', { ...config, extra: 1 }), referenceBackend)).toThrow(
      /u\.safetensors: .*Unrecognized key.*extra/,
    );
    expect(() =>
      loadModel(
        withMetadata('v.safetensors', (m) => {
          m.version = '999';
        }),
        referenceBackend,
      ),
    ).toThrow(/v\.safetensors: model file version "999", this recur reads version 1/);
    expect(() =>
      loadModel(
        withMetadata('n.safetensors', (m) => {
          m.config = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
        }),
        referenceBackend,
      ),
    ).toThrow(/n\.safetensors: the model config in the header nests too deeply/);
  });

  it('hostile headers and special files fail with the file named', () => {
    const h = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    expect(() => decodeSafetensors(Buffer.concat([len, h]), 'deep.safetensors')).toThrow(
      /^deep\.safetensors: header nests arrays\/objects more than 16 levels deep$/,
    );
    const fifo = join(dir, 'fifo.safetensors');
    execFileSync('mkfifo', [fifo]);
    expect(() => loadModel(fifo, referenceBackend)).toThrow(/fifo\.safetensors: not a regular file \(a FIFO\)/);
    expect(() => loadModel(dir, referenceBackend)).toThrow(/not a regular file \(a directory\)/);
    expect(loadModel(good, referenceBackend).model.parameterCount()).toBe(37);
  });
});
