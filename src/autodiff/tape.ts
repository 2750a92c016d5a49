/**
 * Reverse-mode autodiff on a replayable tape. Record once, then replay closures:
 *
 *   1. record   model.forward(tape, x) runs the model's code once: scan loops over t, each cell step calls
 *               ops, and each op computes its output now and appends a node {forward, backward} — closures
 *               over buffers it allocated for exactly this shape (outputs, saved activations, gradients).
 *   2. replay   for the next batch of that shape, train/graph.ts writes new values into the input tensors
 *               and calls tape.forward(): the nodes' forward closures run in recording order. models/,
 *               cells/ and scan are not entered again — a breakpoint there is hit once per batch shape (use
 *               fit's `eager: true` to run the model's code every step, with the same numbers).
 *   3. backward tape.backward(loss) zeroes every gradient on the tape and of the parameters it reads, then
 *               runs the backward closures in reverse order: this is where a training step's gradients start.
 * Every buffer is allocated once, at record time: replays allocate nothing (no objects per time step).
 *
 * backward(root, seed) computes vector–Jacobian products: seed defaults to 1 for a scalar root, and any
 * cotangent of root's shape gives vᵀ·∂root/∂x for every tensor x that requires a gradient. Gradients of
 * every intermediate tensor stay readable after backward (`t.grad`), which is how ∂L/∂h_t is read at
 * every time step.
 *
 * jvp(inputs, tangents) is forward mode on the same recording: with ẋ = v for the given inputs (every other
 * leaf, parameters included, has ẋ = 0), each node's optional `jvp` computes its outputs' tangents
 * ẏ = (∂y/∂x)·ẋ in recording order, so afterwards t.tangent = (∂t/∂inputs)·v for every tensor t downstream
 * (null = zero: t does not depend on the inputs). Jacobian–vector products, no dense Jacobian: the
 * diagnostics combine them with backward's vector–Jacobian products (power iteration on JᵀJ, QR iterations).
 * Call forward() (or record) first: jvp linearises at the values the tape currently holds.
 * Gradient buffers live in a few large arena blocks: zeroing them is one fill per block, not per tensor.
 * Anomaly mode (`detectAnomaly: true`, like PyTorch's detect_anomaly) checks every node's outputs after its
 * forward and its gradients after its backward, naming the first op to make a non-finite value (anomaly.ts).
 */
import type { Backend, Storage } from '../kernels/backend.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape, shapeSize, type Shape } from '../tensor/shape.js';
import { checkBackward, checkForward, checkSeed } from './anomaly.js';
import type { TapeNode, TapeOptions } from './tape-node.js';

export { AnomalyError } from './anomaly.js';
export type { TapeNode, TapeOptions } from './tape-node.js';

/** Gradient arena blocks: the first holds 4096 elements, each next one twice the last, up to 2²⁰ (or one gradient). */
const [ARENA_FIRST, ARENA_MAX] = [1 << 12, 1 << 20];

export class Tape {
  readonly nodes: TapeNode[] = [];
  /** Whether this tape computes gradients. */
  readonly grad: boolean;
  /** Anomaly mode: check every op's outputs and gradients (see the header). */
  readonly detectAnomaly: boolean;
  /** Anomaly mode: the tensors each node allocated (outputs, saved values), and how many were assigned. */
  private readonly nodeOwned: Tensor[][] = [];
  private ownedAssigned = 0;
  private readonly owned: Tensor[] = [];
  private leaves: Tensor[] | null = null;
  private disposed = false;
  /** Arena blocks holding the gradients of owned tensors, and how many elements of each are in use. */
  private readonly arena: { storage: Storage; used: number }[] = [];
  private readonly arenaStorages = new Set<Storage>();
  /** Owned tensors whose gradient lives outside the arena (made later by ensureGrad), rebuilt when stale. */
  private strayGrads: Tensor[] | null = null;

  constructor(
    readonly backend: Backend,
    options: TapeOptions = {},
  ) {
    this.grad = options.grad ?? true;
    this.detectAnomaly = options.detectAnomaly ?? false;
  }

  /** True when an op on `inputs` must record gradients. */
  needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
    return this.grad && inputs.some((t) => t?.requiresGrad === true);
  }

  /** Allocate a tensor owned by the tape (freed by dispose); with a gradient buffer when requiresGrad. */
  tensor(shape: Shape, requiresGrad = false): Tensor {
    this.checkAlive();
    const t = new Tensor(this.backend, shape, this.backend.alloc(shapeSize(shape)));
    this.owned.push(t); // owned before its gradient is carved: if that runs out of memory, dispose still frees t
    if (requiresGrad && this.grad) {
      t.requiresGrad = true;
      t.grad = this.arenaTensor(shape);
    }
    this.tangentRoots = null;
    this.strayGrads = null;
    return t;
  }

  /** A zero tensor carved from the gradient arena (16-byte aligned; a new block when the last one is full). */
  private arenaTensor(shape: Shape): Tensor {
    const n = shapeSize(shape),
      padded = Math.ceil(n / 4) * 4;
    let block = this.arena[this.arena.length - 1];
    if (!block || block.used + n > block.storage.length) {
      const size = block ? Math.min(ARENA_MAX, 2 * block.storage.length) : ARENA_FIRST;
      block = { storage: this.backend.alloc(Math.max(n, size)), used: 0 };
      this.arena.push(block);
      this.arenaStorages.add(block.storage);
    }
    const g = new Tensor(this.backend, shape, block.storage, block.used);
    block.used += padded;
    return g;
  }

  /**
   * Whether `node` (recorded on this tape) may overwrite t's gradient in its backward instead of adding to
   * it: t is a root tensor this tape allocated (backward zeroes its gradient first) and no node recorded
   * after `node` reads t or a view of it (their backward runs earlier and adds to t's gradient). Nodes
   * recorded before `node` may read t: their backward runs later and adds on top. The answer holds for the
   * recording as it stands; ask again after more nodes were recorded.
   */
  soleLateReader(node: TapeNode, t: Tensor): boolean {
    if (t.viewOf || !t.grad || !this.owned.includes(t)) return false;
    const i = this.nodes.lastIndexOf(node);
    if (i < 0) return false;
    for (let j = i + 1; j < this.nodes.length; j++) {
      for (const x of this.nodeInputs[j]) if ((x.viewOf ?? x) === t) return false;
    }
    return true;
  }

  /** A leaf input owned by the tape: the caller writes data into it before each replay. */
  input(shape: Shape, name = 'input'): Tensor {
    const t = this.tensor(shape);
    t.name = name;
    return t;
  }

  /** Append a node, after checking that its inputs live on this tape's backend. */
  record(node: TapeNode, inputs: readonly Tensor[]): void {
    this.checkAlive();
    for (const t of inputs) {
      if (t.backend !== this.backend) {
        throw new Error(
          `${node.op}: tensor ${formatShape(t.shape)} is on backend '${t.backend.name}', the tape on '${this.backend.name}'`,
        );
      }
    }
    this.nodes.push(node);
    this.nodeInputs.push(inputs);
    if (this.detectAnomaly) {
      // the tensors allocated since the last node are this one's; the op has computed them already
      this.nodeOwned.push(this.owned.slice(this.ownedAssigned));
      this.ownedAssigned = this.owned.length;
      checkForward(node.op, this.nodes.length - 1, this.nodeOwned[this.nodes.length - 1], inputs);
    }
    this.leaves = null;
    this.tangentRoots = null;
    this.strayGrads = null;
    this.leafInputs.push(...inputs);
  }
  private leafInputs: Tensor[] = [];
  private readonly nodeInputs: (readonly Tensor[])[] = [];
  private tangentRoots: Tensor[] | null = null;

  /** Replay every node's forward computation (after new values were written into the inputs). */
  forward(): void {
    this.checkAlive();
    const nodes = this.nodes;
    if (!this.detectAnomaly) {
      for (let i = 0; i < nodes.length; i++) nodes[i].forward();
      return;
    }
    for (let i = 0; i < nodes.length; i++) {
      nodes[i].forward();
      checkForward(nodes[i].op, i, this.nodeOwned[i], this.nodeInputs[i]);
    }
  }

  /**
   * Backpropagate from `root`. Zeroes every gradient on the tape, and the gradients of the leaves the tape
   * reads (parameters, marked inputs) unless `accumulate`; seeds ∂root with `seed` (default 1, which needs a
   * one-element root); runs every node's backward in reverse order.
   */
  backward(root: Tensor, options: { seed?: Tensor; accumulate?: boolean } = {}): void {
    this.checkAlive();
    if (!this.grad) throw new Error('backward: this tape was recorded without gradients (grad: false)');
    if (!root.requiresGrad)
      throw new Error(
        `backward: root ${formatShape(root.shape)} does not depend on any tensor that requires a gradient`,
      );
    const b = this.backend;
    for (const block of this.arena) b.fill(block.used, 0, { storage: block.storage, offset: 0 });
    this.strayGrads ??= this.owned.filter((t) => t.grad && !this.arenaStorages.has(t.grad.storage));
    for (const t of this.strayGrads) if (t.grad) b.fill(t.size, 0, t.grad);
    if (!options.accumulate) for (const t of this.leafTensors()) if (t.grad) b.fill(t.size, 0, t.grad);
    const g = root.ensureGrad();
    if (options.seed) {
      if (!sameShape(options.seed.shape, root.shape) && options.seed.size !== root.size) {
        throw new Error(
          `backward: seed ${formatShape(options.seed.shape)} does not match root ${formatShape(root.shape)}`,
        );
      }
      g.copyFrom(options.seed);
    } else {
      if (root.size !== 1) throw new Error(`backward: root ${formatShape(root.shape)} is not a scalar; pass a seed`);
      b.fill(1, 1, g);
    }
    const nodes = this.nodes;
    if (!this.detectAnomaly) {
      for (let i = nodes.length - 1; i >= 0; i--) nodes[i].backward();
      return;
    }
    checkSeed(g, nodes.length);
    for (let i = nodes.length - 1; i >= 0; i--) {
      nodes[i].backward();
      checkBackward(nodes[i].op, i, this.nodeInputs[i]);
    }
  }

  /**
   * Forward-mode pass: set the tangent of each `inputs[i]` to `tangents[i]` (same size; any backend), every
   * other tangent on the tape to zero, and run every node's jvp in recording order. Read the results from
   * `t.tangent` (null = zero). Inputs may be leaves or intermediate tensors (nodes before an intermediate
   * input see no tangent and leave it alone). Throws, naming the op, when a node without a forward-mode rule
   * reads a tensor that carries a tangent (whole-sequence ops, losses: record a cell's step, or scan per step).
   */
  jvp(inputs: readonly Tensor[], tangents: readonly Tensor[]): void {
    this.checkAlive();
    if (inputs.length !== tangents.length)
      throw new Error(`jvp: ${inputs.length} inputs but ${tangents.length} tangents`);
    for (const t of this.tangentTensors()) t.tangentActive = false;
    inputs.forEach((x, i) => {
      if (tangents[i].size !== x.size) {
        throw new Error(
          `jvp: tangent ${i} ${formatShape(tangents[i].shape)} does not match input ${formatShape(x.shape)}`,
        );
      }
      const root = x.viewOf ?? x;
      if (root !== x && !root.tangentActive) root.ensureTangent().fill(0); // the rest of a view's root: zero
      root.tangentActive = true;
    });
    inputs.forEach((x, i) => x.ensureTangent().copyFrom(tangents[i]));
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      if (node.jvp) node.jvp();
      else if (this.nodeInputs[i].some((t) => (t.viewOf ?? t).tangentActive)) {
        throw new Error(
          `jvp: op '${node.op}' (node ${i} of ${nodes.length}) has no forward-mode rule but depends on the tangent inputs` +
            " (whole-sequence ops and losses have none: record the cell's step, scan with perStep: true, or stop" +
            ' the tape before the loss)',
        );
      }
    }
  }

  /** Every root tensor the tape owns or reads (whose tangents a jvp pass resets). */
  private tangentTensors(): Tensor[] {
    if (this.tangentRoots) return this.tangentRoots;
    const set = new Set<Tensor>(this.owned);
    for (const inputs of this.nodeInputs) for (const t of inputs) set.add(t.viewOf ?? t);
    this.tangentRoots = [...set];
    return this.tangentRoots;
  }

  /** Root tensors read by nodes that are not owned by the tape and need gradients (parameters, inputs). */
  private leafTensors(): Tensor[] {
    if (this.leaves) return this.leaves;
    const owned = new Set(this.owned);
    const set = new Set<Tensor>();
    for (const t of this.leafInputs) {
      const root = t.viewOf ?? t;
      if (root.requiresGrad && !owned.has(root)) set.add(root);
    }
    this.leaves = [...set];
    this.leafInputs = this.leaves.slice();
    return this.leaves;
  }

  /** Bytes of backend memory held by the tape (values and gradients). */
  get bytes(): number {
    const width = this.backend.dtype === 'float64' ? 8 : 4;
    let n = 0;
    for (const t of this.owned) n += t.size + (t.grad && !this.arenaStorages.has(t.grad.storage) ? t.size : 0);
    for (const block of this.arena) n += block.storage.length;
    return n * width;
  }

  /** Free every tensor the tape allocated. The tape cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    for (const t of this.owned) {
      if (t.grad && this.arenaStorages.has(t.grad.storage)) t.grad = null; // freed with the arena below
      t.dispose();
    }
    for (const block of this.arena) this.backend.free(block.storage);
    this.arena.length = 0;
    this.arenaStorages.clear();
    this.owned.length = 0;
    this.nodes.length = 0;
    this.nodeInputs.length = 0;
    this.nodeOwned.length = 0;
    this.tangentRoots = null;
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('tape: used after dispose()');
  }
}
