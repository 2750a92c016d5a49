import type { Storage } from '../backend.js';

/** A float64 block in its own JavaScript buffer (the reference backend's memory). */
export class HostStorage implements Storage {
  readonly base = 0;
  readonly array: Float64Array;
  constructor(readonly length: number) {
    this.array = new Float64Array(length);
  }
}
