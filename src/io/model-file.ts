/**
 * recur's model file: one safetensors file holding every parameter under its recur name, with the model's
 * config (the architecture) as JSON in the header metadata:
 *   __metadata__ = { format: "recur-model", version: "1", config: "<ModelConfig JSON>", dtype: "F32"|"F64" }
 * Float32 models (wasm backend) are stored as F32, float64 models (reference) as F64, so a save → load
 * round trip on the same backend is bit-identical.
 */
import type { Backend } from '../kernels/backend.js';
import { Model, type ModelConfig } from '../models/model.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { readFileSync } from 'node:fs';
import { decodeSafetensors, writeSafetensorsFile, type DecodedSafetensors, type SafeTensor } from './safetensors.js';

export const MODEL_FORMAT = 'recur-model';

/** Write `model` to `path` atomically (temp file + rename). Extra metadata strings are kept in the header. */
export function saveModel(path: string, model: Model, extra: Record<string, string> = {}): void {
  model.assertLive('saveModel');
  const tensors: Record<string, SafeTensor> = {};
  const f64 = model.backend.dtype === 'float64';
  for (const [name, t] of model.namedParameters()) {
    tensors[name] = f64 ? { dtype: 'F64', shape: [...t.shape], data: t.toArray() } : { dtype: 'F32', shape: [...t.shape], data: t.toFloat32() };
  }
  writeSafetensorsFile(path, tensors, { ...extra, format: MODEL_FORMAT, version: '1', config: JSON.stringify(model.config), dtype: f64 ? 'F64' : 'F32' });
}

/** Read a model file written by saveModel onto `backend`. Every problem is an Error naming the file and tensor. */
export function loadModel(path: string, backend: Backend): { model: Model; metadata: Record<string, string> } {
  const file = readModelFile(path);
  const meta = file.metadata;
  if (meta.format !== MODEL_FORMAT) {
    throw new Error(`${path}: not a recur model file (metadata format is ${meta.format === undefined ? 'missing' : `"${meta.format}"`}); for a PyTorch state dict use the PyTorch import`);
  }
  let config: ModelConfig;
  try {
    config = JSON.parse(meta.config ?? '') as ModelConfig;
  } catch {
    throw new Error(`${path}: the model config in the header is not valid JSON`);
  }
  let model: Model;
  try {
    model = new Model(config, backend, 0);
  } catch (e) {
    throw new Error(`${path}: invalid model config: ${(e as Error).message}`);
  }
  const names = new Set(Object.keys(file.tensors));
  for (const [name, t] of model.namedParameters()) {
    const src = file.tensors[name];
    if (!src) throw new Error(`${path}: missing tensor "${name}" (expected ${formatShape(t.shape)})`);
    if (!sameShape(src.shape, t.shape)) throw new Error(`${path}: tensor "${name}" has shape ${formatShape(src.shape)}, the config needs ${formatShape(t.shape)}`);
    if (src.dtype !== 'F32' && src.dtype !== 'F64') throw new Error(`${path}: tensor "${name}" has dtype ${src.dtype}, expected F32 or F64`);
    try {
      t.set(src.data);
    } catch (e) {
      throw new Error(`${path}: tensor "${name}": ${(e as Error).message}`);
    }
    names.delete(name);
  }
  if (names.size) throw new Error(`${path}: tensors not in the model config: ${[...names].join(', ')}`);
  return { model, metadata: meta };
}

/**
 * Read a safetensors file, saying plainly when the file is something else (a text file, an image, a
 * PyTorch .pt pickle): a safetensors file starts with an 8-byte header length followed by a JSON object.
 */
export function readModelFile(path: string): DecodedSafetensors {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    if (code === 'EISDIR') throw new Error(`${path}: is a directory, not a model file`);
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
  if (bytes.length < 9 || bytes[8] !== 0x7b /* '{' */) {
    const what = bytes.length === 0 ? 'the file is empty' : bytes.length < 9 ? `the file is only ${bytes.length} bytes` : 'it does not start with a header length and a JSON header';
    throw new Error(`${path}: not a safetensors file (${what}); recur reads models saved by \`recur train --out\`, saveModel or safetensors.torch.save_file`);
  }
  return decodeSafetensors(bytes, path);
}
