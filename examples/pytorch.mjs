// Load a PyTorch nn.LSTM state dict (safetensors) and run it: outputs match PyTorch's.
//   node examples/pytorch.mjs [file]   (default: a committed parity fixture written by PyTorch 1.13)
import { modelFromTorchStateDict, predict, readSafetensorsFile, referenceBackend } from 'recur';

const file =
  process.argv[2] ?? new URL('../test/fixtures/torch/lstm_l2_bi_i4_h6_t8_b3.safetensors', import.meta.url).pathname;
const { tensors, metadata } = readSafetensorsFile(file);
const model = modelFromTorchStateDict(tensors, 'LSTM', referenceBackend, { outputSize: 1, target: 'all' });
const [T, B] = [Number(metadata.seq_len), Number(metadata.batch)];
const h0 = tensors.h0.data,
  c0 = tensors.c0.data,
  H = model.layers[0].cells[0].outputSize;
const initial = Array.from({ length: model.layers.length * model.directions }, (_, i) => [
  h0.subarray(i * B * H, (i + 1) * B * H),
  c0.subarray(i * B * H, (i + 1) * B * H),
]);
const out = predict(model, { x: tensors.input.data, T, B, initial });
let maxDiff = 0;
out.sequence.forEach((v, i) => {
  maxDiff = Math.max(maxDiff, Math.abs(v - tensors.output.data[i]));
});
console.log(
  `nn.LSTM(${model.config.inputSize}, ${H}, num_layers=${model.layers.length}, bidirectional=${model.directions === 2}) from ${file.split('/').pop()}`,
);
console.log(`output [${T}, ${B}, ${model.directions * H}]: max |recur − torch| = ${maxDiff.toExponential(2)}`);
