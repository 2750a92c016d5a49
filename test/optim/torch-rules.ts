/**
 * Hand-written float64 transcriptions of PyTorch's single-tensor optimizer steps
 * (torch/optim/{sgd,adam,adamw,rmsprop}.py, `_single_tensor_*`, maximize = False, amsgrad = False,
 * capturable = False), op for op in PyTorch's order, over plain Float64Arrays. The oracle for test/optim.
 */

type Vec = Float64Array;
const map = (n: number, f: (i: number) => number): Vec => Float64Array.from({ length: n }, (_, i) => f(i));
/** torch.add(a, b, alpha) = a + alpha·b */
const add = (a: Vec, b: Vec, alpha = 1): Vec => map(a.length, (i) => a[i] + alpha * b[i]);
/** a.lerp_(b, w): PyTorch's two-sided formula */
const lerp = (a: Vec, b: Vec, w: number): Vec =>
  map(a.length, (i) => (w < 0.5 ? a[i] + w * (b[i] - a[i]) : b[i] - (b[i] - a[i]) * (1 - w)));
/** a.addcmul(t1, t2, value) = a + value·t1·t2 */
const addcmul = (a: Vec, t1: Vec, t2: Vec, value: number): Vec => map(a.length, (i) => a[i] + value * t1[i] * t2[i]);
/** a.addcdiv(t1, t2, value) = a + value·t1/t2 */
const addcdiv = (a: Vec, t1: Vec, t2: Vec, value: number): Vec => map(a.length, (i) => a[i] + value * (t1[i] / t2[i]));
const mul = (a: Vec, s: number): Vec => map(a.length, (i) => a[i] * s);

export interface TorchOptimizer {
  /** One step; params are updated in place; grads[i] null = no gradient (skipped). */
  step(params: Vec[], grads: Array<Vec | null>, lr: number): void;
}

export function torchSgd(o: {
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}): TorchOptimizer {
  const { momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = o;
  const buf: Array<Vec | null> = [];
  return {
    step(params, grads, lr) {
      params.forEach((param, i) => {
        let grad = grads[i];
        if (grad === null) return;
        if (weightDecay !== 0) grad = add(grad, param, weightDecay);
        if (momentum !== 0) {
          let b = buf[i] ?? null;
          if (b === null) b = Float64Array.from(grad);
          else b = add(mul(b, momentum), grad, 1 - dampening);
          buf[i] = b;
          grad = nesterov ? add(grad, b, momentum) : b;
        }
        param.set(add(param, grad, -lr));
      });
    },
  };
}

export function torchAdam(o: {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  decoupled?: boolean;
}): TorchOptimizer {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, decoupled = false } = o;
  const st: Array<{ step: number; m: Vec; v: Vec }> = [];
  return {
    step(params, grads, lr) {
      params.forEach((param, i) => {
        let grad = grads[i];
        if (grad === null) return;
        const s = (st[i] ??= { step: 0, m: new Float64Array(param.length), v: new Float64Array(param.length) });
        s.step += 1;
        if (decoupled)
          param.set(mul(param, 1 - lr * weightDecay)); // AdamW
        else if (weightDecay !== 0) grad = add(grad, param, weightDecay); // Adam (L2)
        s.m = lerp(s.m, grad, 1 - beta1);
        s.v = addcmul(mul(s.v, beta2), grad, grad, 1 - beta2);
        const bc1 = 1 - beta1 ** s.step,
          bc2 = 1 - beta2 ** s.step;
        const stepSize = lr / bc1,
          bc2Sqrt = Math.sqrt(bc2);
        const denom = map(param.length, (k) => Math.sqrt(s.v[k]) / bc2Sqrt + eps);
        param.set(addcdiv(param, s.m, denom, -stepSize));
      });
    },
  };
}

export function torchRmsprop(o: {
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}): TorchOptimizer {
  const { alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = o;
  const st: Array<{ sq: Vec; ga: Vec; buf: Vec }> = [];
  return {
    step(params, grads, lr) {
      params.forEach((param, i) => {
        let grad = grads[i];
        if (grad === null) return;
        const n = param.length;
        const s = (st[i] ??= { sq: new Float64Array(n), ga: new Float64Array(n), buf: new Float64Array(n) });
        if (weightDecay !== 0) grad = add(grad, param, weightDecay);
        s.sq = addcmul(mul(s.sq, alpha), grad, grad, 1 - alpha);
        let avg: Vec;
        if (centered) {
          s.ga = lerp(s.ga, grad, 1 - alpha);
          avg = map(n, (k) => Math.sqrt(addcmul(s.sq, s.ga, s.ga, -1)[k]));
        } else avg = map(n, (k) => Math.sqrt(s.sq[k]));
        avg = map(n, (k) => avg[k] + eps);
        if (momentum > 0) {
          s.buf = addcdiv(mul(s.buf, momentum), grad, avg, 1);
          param.set(add(param, s.buf, -lr));
        } else param.set(addcdiv(param, grad, avg, -lr));
      });
    },
  };
}
