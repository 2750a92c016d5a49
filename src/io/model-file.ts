/**
 * recur's model file: one safetensors file holding every parameter under its recur name, with the model's
 * config (the architecture) as JSON in the header metadata:
 *   __metadata__ = { format: "recur-model", version: "1", config: "<ModelConfig JSON>", dtype: "F32"|"F64" }
 * Float32 models (wasm backend) are stored as F32, float64 models (reference) as F64, so a save → load
 * round trip on the same backend is bit-identical. `modelToBytes` / `modelFromBytes` work on the file's bytes
 * (any platform: a browser keeps them in IndexedDB or offers a download); `saveModel` / `loadModel` on files (Node).
 */
import type { Backend } from '../kernels/backend.js';
import { Model, type ModelConfig } from '../models/model.js';
import { parseModelConfig } from '../models/config.js';
import { modelSize } from '../models/size.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { writeFileAtomic } from './atomic.js';
import { jsonNestingDepth, readRegularFile } from './files.js';
import {
  MAX_FILE_BYTES,
  decodeSafetensors,
  encodeSafetensors,
  type DecodedSafetensors,
  type SafeTensor,
} from './safetensors.js';

export const MODEL_FORMAT = 'recur-model';

/** Write `model` to `path` atomically (temp file + rename; Node). Extra metadata strings are kept in the header. */
export function saveModel(path: string, model: Model, extra: Record<string, string> = {}): void {
  let bytes: Uint8Array;
  try {
    bytes = modelToBytes(model, extra);
  } catch (e) {
    throw new Error(`saveModel: ${path}: ${(e as Error).message.replace(/^modelToBytes: /, '')}`);
  }
  writeFileAtomic(path, bytes);
}

/**
 * The model file's bytes (safetensors): what saveModel writes. Extra metadata strings are kept in the header.
 * @example
 * const bytes = modelToBytes(model);            // Uint8Array
 * const { model: copy } = modelFromBytes(bytes, getBackend());
 */
export function modelToBytes(model: Model, extra: Record<string, string> = {}): Uint8Array {
  model.assertLive('modelToBytes');
  const tensors: Record<string, SafeTensor> = {};
  const f64 = model.backend.dtype === 'float64';
  for (const [name, t] of model.namedParameters()) {
    if (!t.backend.allFinite(t.size, t)) {
      const a = t.toArray(),
        i = a.findIndex((v) => !Number.isFinite(v));
      throw new Error(
        `modelToBytes: parameter "${name}" holds ${a[i]} at index ${i}; a model file holds finite values only`,
      );
    }
    tensors[name] = f64
      ? { dtype: 'F64', shape: [...t.shape], data: t.toArray() }
      : { dtype: 'F32', shape: [...t.shape], data: t.toFloat32() };
  }
  return encodeSafetensors(tensors, {
    ...extra,
    format: MODEL_FORMAT,
    version: '1',
    config: JSON.stringify(model.config),
    dtype: f64 ? 'F64' : 'F32',
  });
}

/** Model file versions this recur reads. */
const VERSIONS = ['1'];

/**
 * Read a model file written by saveModel onto `backend`. Every problem is an Error naming the file (and
 * the tensor). The file is not trusted: the header's config is validated with the model schema, and the
 * parameter count it implies is checked against the tensors in the file *before* the model is built, so
 * loading never allocates more than the file's size implies (a 3 KB file cannot ask for a 10 GB model).
 *
 * @example
 * const { model, metadata } = loadModel('lstm.safetensors', getBackend());
 */
export function loadModel(
  path: string,
  backend: Backend,
  options: { maxBytes?: number } = {},
): { model: Model; metadata: Record<string, string> } {
  return modelFromBytes(readRegularFile(path, options.maxBytes ?? MAX_FILE_BYTES, 'a model file'), backend, path);
}

/**
 * Build a model from a model file's bytes (see loadModel; every check is the same). `source` names the
 * bytes in errors (a file name, a URL).
 */
export function modelFromBytes(
  bytes: Uint8Array,
  backend: Backend,
  source = '<model bytes>',
): { model: Model; metadata: Record<string, string> } {
  const path = source;
  const file = decodeModelBytes(bytes, source);
  const meta = file.metadata;
  if (meta.format !== MODEL_FORMAT) {
    throw new Error(
      `${path}: not a recur model file (metadata format is ${meta.format === undefined ? 'missing' : `"${meta.format}"`}); for a PyTorch state dict use the PyTorch import`,
    );
  }
  if (!VERSIONS.includes(meta.version ?? '')) {
    throw new Error(
      `${path}: model file version ${meta.version === undefined ? 'missing' : JSON.stringify(meta.version.slice(0, 20))}, this recur reads version ${VERSIONS.join(', ')}`,
    );
  }
  const text = meta.config ?? '';
  if (jsonNestingDepth(text, 16) > 16)
    throw new Error(`${path}: the model config in the header nests too deeply to be a model config`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path}: the model config in the header is not valid JSON`);
  }
  let config: ModelConfig;
  try {
    config = parseModelConfig(raw, 'config');
  } catch (e) {
    throw new Error(`${path}: invalid model config in the header: ${(e as Error).message.replace(/\n/g, '; ')}`);
  }
  // Sized from the config, compared with what the file holds, before anything is allocated.
  const implied = modelSize(config).parameters;
  const held = Object.values(file.tensors).reduce((n, t) => n + t.data.length, 0);
  if (implied !== held) {
    throw new Error(
      `${path}: the config in the header (${config.cell.kind}, hidden ${config.cell.hidden}, ${config.layers ?? 1} layer(s)) implies ${implied} parameters, the file holds ${held}`,
    );
  }
  let model: Model;
  try {
    model = new Model(config, backend, 0);
  } catch (e) {
    throw new Error(`${path}: invalid model config: ${(e as Error).message}`);
  }
  const names = new Set(Object.keys(file.tensors));
  for (const [name, t] of model.namedParameters()) {
    const src = Object.hasOwn(file.tensors, name) ? file.tensors[name] : undefined;
    if (!src) throw new Error(`${path}: missing tensor "${name}" (expected ${formatShape(t.shape)})`);
    if (!sameShape(src.shape, t.shape))
      throw new Error(
        `${path}: tensor "${name}" has shape ${formatShape(src.shape)}, the config needs ${formatShape(t.shape)}`,
      );
    if (src.dtype !== 'F32' && src.dtype !== 'F64')
      throw new Error(`${path}: tensor "${name}" has dtype ${src.dtype}, expected F32 or F64`);
    try {
      t.set(src.data);
    } catch (e) {
      throw new Error(`${path}: tensor "${name}": ${(e as Error).message}`);
    }
    names.delete(name);
  }
  if (names.size)
    throw new Error(
      `${path}: tensors not in the model config: ${[...names].slice(0, 8).join(', ')}${names.size > 8 ? ` and ${names.size - 8} more` : ''}`,
    );
  return { model, metadata: meta };
}

/**
 * Read a safetensors file, saying plainly when the file is something else (a text file, an image, a
 * PyTorch .pt pickle): a safetensors file starts with an 8-byte header length followed by a JSON object.
 */
export function readModelFile(path: string, options: { maxBytes?: number } = {}): DecodedSafetensors {
  return decodeModelBytes(readRegularFile(path, options.maxBytes ?? MAX_FILE_BYTES, 'a model file'), path);
}

/** Decode safetensors bytes, saying plainly when they are something else (see readModelFile). */
export function decodeModelBytes(bytes: Uint8Array, path: string): DecodedSafetensors {
  if (bytes.length < 9 || bytes[8] !== 0x7b /* '{' */) {
    const what =
      bytes.length === 0
        ? 'the file is empty'
        : bytes.length < 9
          ? `the file is only ${bytes.length} bytes`
          : 'it does not start with a header length and a JSON header';
    throw new Error(
      `${path}: not a safetensors file (${what}); recur reads models saved by \`recur train --out\`, saveModel or safetensors.torch.save_file`,
    );
  }
  return decodeSafetensors(bytes, path);
}
