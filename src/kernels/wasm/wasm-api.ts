/**
 * The slice of the WebAssembly JS API this backend uses, typed locally: TypeScript declares `WebAssembly`
 * only in its DOM/WebWorker libs, which this Node project does not load.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grow by `delta` pages; returns the previous size in pages. */
  grow(delta: number): number;
}

export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: object };
  validate(bytes: Uint8Array): boolean;
  /** Compile off the calling thread (browsers refuse `new Module` of more than 4 KB on the main thread). */
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

/** The engine's WebAssembly namespace, or undefined when there is none. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
