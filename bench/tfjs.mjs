/**
 * TensorFlow.js's side of the benchmark, on its `wasm` backend (@tensorflow/tfjs-backend-wasm, XNNPACK,
 * single-threaded: TF.js wasm cannot use threads under Node, and the threaded build is switched off
 * explicitly) or its `cpu` backend (plain JavaScript kernels).
 *
 * Three implementations of the same workloads:
 *   'loop'          (the default: the fastest here) hand-written cells, tf.matMul with fused gate weights
 *                   inside optimizer.minimize (tf.variableGrads underneath): per step x_t·W_ih + b and
 *                   h·W_hh, then the pointwise gate ops. Equations are PyTorch's (LSTM gates i, f, g, o;
 *                   GRU n = tanh(x_n + b_in + r⊙(W_hn·h + b_hn))); the LSTM and RNN fold b_hh into b_ih.
 *   'loop-hoisted'  the same, with x·W_ih hoisted out of the time loop as one GEMM over all T·B rows.
 *                   Slower on the wasm backend: each per-step slice of the big [T, B, G·H] result costs
 *                   milliseconds there (W5 inference measured 368 ms hoisted vs 74 ms per step).
 *   'layers'        the Keras way: tf.sequential([tf.layers.lstm|gru|simpleRNN, tf.layers.dense]) trained
 *                   by model.trainOnBatch (batch-major [B, T, I]; TF.js's GRU supports only reset_after =
 *                   false, r applied before W_hn). Measured as fast as 'loop' or slower (W3 wasm 358 vs 150 ms).
 * On the cpu backend the three were within noise of each other (W1 ≈ 3.0–3.3 s/step).
 * All: the last state → dense → softmax cross-entropy (mean over the batch), Adam(lr 1e-3).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { LR, makeData } from './workloads.mjs';

export const TFJS_IMPLS = ['loop', 'loop-hoisted', 'layers'];

/** Import TF.js and switch to `backend` ('wasm' | 'cpu'); returns the tf namespace. */
export async function loadTfjs(backend) {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dir}/`);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // single-threaded (the SIMD build)
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend '${backend}' failed to initialise`);
  await tf.ready();
  return tf;
}

/** A workload on TF.js: `step()` runs one training (or inference) step and returns the loss. */
export function createTfjsRunner(tf, w, impl = 'loop') {
  if (w.cell === 'deep') throw new Error(`TF.js has no '${w.cell}' cell`);
  const data = makeData(w);
  const labels = tf.oneHot(tf.tensor1d(Array.from(data.y), 'int32'), w.classes).toFloat();
  if (!TFJS_IMPLS.includes(impl))
    throw new Error(`unknown TF.js implementation '${impl}' (expected ${TFJS_IMPLS.join(', ')})`);
  const runner =
    impl === 'layers' ? layersRunner(tf, w, data, labels) : loopRunner(tf, w, data, labels, impl === 'loop-hoisted');
  const flags = tf.env().getFlags();
  const info = { backend: tf.getBackend(), impl, tfjs: tf.version.tfjs, parameters: runner.parameters };
  if (info.backend === 'wasm')
    Object.assign(info, {
      simd: flags.WASM_HAS_SIMD_SUPPORT,
      threads: flags.WASM_HAS_MULTITHREAD_SUPPORT ? 'multi' : 1,
    });
  return { ...runner, info, numTensors: () => tf.memory().numTensors };
}

function loopRunner(tf, w, data, labels, hoist) {
  const { input: I, hidden: H, batch: B, T, classes: C } = w;
  const G = { lstm: 4, gru: 3, rnn: 1 }[w.cell];
  const u = (shape, fanIn) =>
    tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', 7));
  const v = {
    wih: u([I, G * H], H),
    whh: u([H, G * H], H),
    bih: u([G * H], H),
    bhh: w.cell === 'gru' ? u([G * H], H) : null,
    wout: u([H, C], H),
    bout: u([C], H),
  };
  const vars = Object.values(v).filter(Boolean);
  const x = tf.tensor3d(Float32Array.from(data.x), [T, B, I]);
  const xFlat = x.reshape([T * B, I]);
  const zeros = tf.zeros([B, H]);

  const loss = () => {
    // T × [B, G·H]: one GEMM over all T·B rows (hoisted), or x_t·W_ih at each step
    const xp = hoist
      ? tf.unstack(
          tf
            .matMul(xFlat, v.wih)
            .add(v.bih)
            .reshape([T, B, G * H]),
        )
      : null;
    const xs = hoist ? null : tf.unstack(x);
    let h = zeros,
      c = zeros;
    for (let t = 0; t < T; t++) {
      const xpt = hoist ? xp[t] : tf.matMul(xs[t], v.wih).add(v.bih);
      if (w.cell === 'lstm') {
        const [i, f, g, o] = tf.split(xpt.add(tf.matMul(h, v.whh)), 4, 1);
        c = tf
          .sigmoid(f)
          .mul(c)
          .add(tf.sigmoid(i).mul(tf.tanh(g)));
        h = tf.sigmoid(o).mul(tf.tanh(c));
      } else if (w.cell === 'gru') {
        const [xr, xz, xn] = tf.split(xpt, 3, 1);
        const [hr, hz, hn] = tf.split(tf.matMul(h, v.whh).add(v.bhh), 3, 1);
        const r = tf.sigmoid(xr.add(hr)),
          z = tf.sigmoid(xz.add(hz));
        const n = tf.tanh(xn.add(r.mul(hn)));
        h = n.add(z.mul(h.sub(n))); // (1 − z)·n + z·h
      } else {
        h = tf.tanh(xpt.add(tf.matMul(h, v.whh)));
      }
    }
    const logits = tf.matMul(h, v.wout).add(v.bout);
    return tf.losses.softmaxCrossEntropy(labels, logits);
  };
  const optimizer = tf.train.adam(LR);
  const step = w.train
    ? () => {
        const cost = optimizer.minimize(loss, true, vars);
        const value = cost.dataSync()[0];
        cost.dispose();
        return value;
      }
    : () => {
        const cost = tf.tidy(loss);
        const value = cost.dataSync()[0];
        cost.dispose();
        return value;
      };
  return {
    step,
    parameters: vars.reduce((s, t) => s + t.size, 0),
    dispose: () => {
      tf.dispose([...vars, x, xFlat, zeros, labels]);
      optimizer.dispose();
    },
  };
}

function layersRunner(tf, w, data, labels) {
  const { input: I, hidden: H, batch: B, T, classes: C } = w;
  const layer = { lstm: tf.layers.lstm, gru: tf.layers.gru, rnn: tf.layers.simpleRNN }[w.cell];
  const model = tf.sequential({
    layers: [layer({ units: H, inputShape: [T, I], activation: 'tanh' }), tf.layers.dense({ units: C })],
  });
  const lossFn = (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits);
  model.compile({ optimizer: tf.train.adam(LR), loss: lossFn });
  const x = tf.tensor3d(Float32Array.from(data.x), [T, B, I]).transpose([1, 0, 2]); // Keras layers are batch-major
  const step = w.train
    ? () => model.trainOnBatch(x, labels) // a Promise of the loss
    : () => {
        const cost = tf.tidy(() => lossFn(labels, model.predict(x)));
        const value = cost.dataSync()[0];
        cost.dispose();
        return value;
      };
  return {
    step,
    parameters: model.countParams(),
    dispose: () => {
      model.dispose();
      tf.dispose([x, labels]);
    },
  };
}
