/**
 * The wasm backend's heap: a first-fit free-list allocator over a WebAssembly.Memory, from `start` (above
 * the kernel module's static data) to the end of the memory.
 *
 * - Blocks are 16-byte aligned and a multiple of 16 bytes long (so f32x4 loads never straddle a block start).
 * - Free ranges are kept sorted by address in two parallel arrays and coalesced with their neighbours on free.
 * - When no free range fits, the memory grows (`memory.grow`) by at least 1/8 of its size, up to its maximum.
 * - `alloc` returns zero-filled blocks. Growth replaces the memory's ArrayBuffer; `f32` (and so every
 *   block's `array`) re-reads the view whenever the buffer has changed, so views are never stale.
 * Bookkeeping lives in JS, not in the wasm memory, so kernels can never corrupt it.
 */
import type { Storage } from '../backend.js';
import type { WasmMemory } from './wasm-api.js';

const ALIGN = 16;
const PAGE = 65536;

/** A block of the wasm heap (implements the backend's Storage). */
export class WasmBlock implements Storage {
  /** @internal set by WasmHeap.free */
  freed = false;
  constructor(
    readonly heap: WasmHeap,
    readonly length: number,
    /** Element index (4-byte units) of the block start inside the heap's Float32Array. */
    readonly base: number,
    /** Bytes reserved for the block (≥ 4·length, a multiple of 16). */
    readonly bytes: number,
  ) {}

  /** The Float32Array over the whole heap (re-read after memory growth). */
  get array(): Float32Array {
    return this.heap.f32;
  }

  /** Byte address of the first element. */
  get address(): number {
    return this.base * 4;
  }
}

export interface HeapStats {
  /** Bytes from the heap start to the end of memory. */
  capacity: number;
  /** Bytes in live blocks. */
  used: number;
  /** Bytes in free ranges. */
  free: number;
  /** Number of free ranges (1 when fully coalesced). */
  freeRanges: number;
  /** Number of live blocks. */
  liveBlocks: number;
  /** Bytes the heap can grow to (its memory's maximum, from the heap start). */
  limit: number;
  /** The most bytes in live blocks at any time since the heap was made or `resetPeak` was called. */
  peak: number;
}

export class WasmHeap {
  private view: Float32Array;
  private readonly start: number;
  private end: number;
  private readonly maximumPages: number;
  private readonly freeAt: number[] = [];
  private readonly freeLen: number[] = [];
  private live = 0;
  private usedBytes = 0;
  private peakBytes = 0;

  /**
   * @param memory the memory the kernels use
   * @param start first byte the heap may use (rounded up to 16)
   * @param maximumPages the memory's maximum size in 64 KiB pages
   */
  constructor(
    readonly memory: WasmMemory,
    start: number,
    maximumPages: number,
  ) {
    this.view = new Float32Array(memory.buffer);
    this.start = Math.ceil(start / ALIGN) * ALIGN;
    this.end = memory.buffer.byteLength;
    this.maximumPages = maximumPages;
    if (this.end < this.start)
      throw new Error(`wasm heap: memory (${this.end} B) ends below the heap start ${this.start}`);
    if (this.end > this.start) this.insertFree(this.start, this.end - this.start);
  }

  /** The current Float32Array over the whole memory. */
  get f32(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** A zero-filled block of `length` floats. */
  alloc(length: number): WasmBlock {
    if (!Number.isInteger(length) || length < 0)
      throw new Error(`wasm heap: alloc length must be a non-negative integer, got ${length}`);
    const bytes = Math.max(ALIGN, Math.ceil((length * 4) / ALIGN) * ALIGN);
    let i = this.findFit(bytes);
    if (i < 0) {
      this.grow(bytes);
      i = this.findFit(bytes);
      if (i < 0) throw new Error(`wasm heap: internal error, no fit after growth for ${bytes} B`);
    }
    const at = this.freeAt[i];
    if (this.freeLen[i] === bytes) {
      this.freeAt.splice(i, 1);
      this.freeLen.splice(i, 1);
    } else {
      this.freeAt[i] += bytes;
      this.freeLen[i] -= bytes;
    }
    this.live++;
    this.usedBytes += bytes;
    if (this.usedBytes > this.peakBytes) this.peakBytes = this.usedBytes;
    const block = new WasmBlock(this, length, at / 4, bytes);
    this.f32.fill(0, at / 4, at / 4 + length);
    return block;
  }

  /** Return a block; freeing it twice, or a block of another heap, throws. */
  free(block: Storage): void {
    if (!(block instanceof WasmBlock) || block.heap !== this)
      throw new Error('wasm heap: free of a block that does not belong to this heap');
    if (block.freed) throw new Error(`wasm heap: double free of the block at ${block.address}`);
    block.freed = true;
    this.live--;
    this.usedBytes -= block.bytes;
    this.insertFree(block.address, block.bytes);
  }

  stats(): HeapStats {
    let free = 0;
    for (const len of this.freeLen) free += len;
    return {
      capacity: this.end - this.start,
      used: this.usedBytes,
      free,
      freeRanges: this.freeAt.length,
      liveBlocks: this.live,
      peak: this.peakBytes,
      limit: this.maximumPages * PAGE - this.start,
    };
  }

  /** Start a new high-water mark (`stats().peak`) at the bytes in use now. */
  resetPeak(): void {
    this.peakBytes = this.usedBytes;
  }

  /** Index of the first free range of at least `bytes`, or −1. */
  private findFit(bytes: number): number {
    const len = this.freeLen;
    for (let i = 0; i < len.length; i++) if (len[i] >= bytes) return i;
    return -1;
  }

  /** Add [at, at + bytes) to the free list, merging with adjacent ranges. */
  private insertFree(at: number, bytes: number): void {
    const starts = this.freeAt,
      lens = this.freeLen;
    let lo = 0,
      hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < at) lo = mid + 1;
      else hi = mid;
    }
    const mergePrev = lo > 0 && starts[lo - 1] + lens[lo - 1] === at;
    const mergeNext = lo < starts.length && at + bytes === starts[lo];
    if (mergePrev && mergeNext) {
      lens[lo - 1] += bytes + lens[lo];
      starts.splice(lo, 1);
      lens.splice(lo, 1);
    } else if (mergePrev) {
      lens[lo - 1] += bytes;
    } else if (mergeNext) {
      starts[lo] = at;
      lens[lo] += bytes;
    } else {
      starts.splice(lo, 0, at);
      lens.splice(lo, 0, bytes);
    }
  }

  /** Grow the memory so that a free range of `bytes` exists at its end. */
  private grow(bytes: number): void {
    const n = this.freeAt.length;
    const tail = n > 0 && this.freeAt[n - 1] + this.freeLen[n - 1] === this.end ? this.freeLen[n - 1] : 0;
    const pages = this.end / PAGE;
    const need = Math.ceil((bytes - tail) / PAGE);
    const delta = Math.min(Math.max(need, Math.ceil(pages / 8)), this.maximumPages - pages);
    if (delta < need) {
      throw new Error(
        `wasm heap: out of memory allocating ${bytes} B (memory ${pages} pages, maximum ${this.maximumPages})`,
      );
    }
    this.memory.grow(delta);
    const oldEnd = this.end;
    this.end = this.memory.buffer.byteLength;
    this.insertFree(oldEnd, this.end - oldEnd);
  }
}
