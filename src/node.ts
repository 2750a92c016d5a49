/**
 * recur's Node entry: everything in the library entry (src/index.ts), and the helpers that read and write
 * files. `import … from 'recur'` resolves here in Node (package.json's "node" condition) and to the library
 * entry elsewhere; `recur/node` and `recur/browser` name either one explicitly.
 *
 * Worker threads (getBackend('wasm', { threads: 2 })), MNIST's IDX files and the text task's files are Node's
 * too; they are reached at run time (util/node-builtin.ts), so the library entry still bundles for a browser.
 */
export * from './index.js';

export { readSafetensorsFile, writeSafetensorsFile } from './io/safetensors.js';
export { writeFileAtomic } from './io/atomic.js';
export { saveModel, loadModel } from './io/model-file.js';
export { saveCheckpoint, loadCheckpoint } from './train/checkpoint.js';
export { loadSequences, type LoadSequencesOptions, type LoadedSequences } from './data/load.js';
