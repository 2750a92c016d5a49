#!/usr/bin/python3
"""Generate PyTorch parity fixtures for recur's recurrent layers.

    /usr/bin/python3 scripts/torch-fixtures.py [outdir]     # default: test/fixtures/torch

Writes one safetensors file per case (nn.RNN tanh/relu, nn.GRU, nn.LSTM; 1-2 layers; uni/bidirectional;
time-major input [T, B, I]) plus README.md describing them. Uses only torch and the standard library; the
safetensors files are written by hand in the layout of the reference implementation (compact JSON header,
"__metadata__" first, names sorted, header padded with spaces to a multiple of 8 bytes).

Parameters, inputs, initial states and loss weights are drawn in float32 (so every stored value is exact);
the forward and backward passes then run in float64 on those same values and the results are rounded to
float32. The fixtures are therefore the float64 truth for float32 inputs, not float32 PyTorch's own
rounding. Each case is also recomputed by a plain loop (`reference`) that states the exact semantics; the
script fails if it disagrees with nn.RNN/GRU/LSTM. For RNN_RELU the seed is advanced until no
pre-activation lies within RELU_MARGIN of 0, so that float32 rounding cannot flip a ReLU's derivative.
"""
import copy
import json
import os
import struct
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'test', 'fixtures', 'torch')
INIT = 0.5  # parameters ~ uniform(-INIT, INIT): larger than PyTorch's 1/sqrt(H) so gradients are not tiny
RELU_MARGIN = 1e-4

# (mode, input_size, hidden_size, seq_len, batch, num_layers, bidirectional)
CASES = [
    ('RNN_TANH', 3, 4, 1, 1, 1, False),
    ('RNN_TANH', 5, 7, 6, 3, 1, False),
    ('RNN_TANH', 4, 5, 5, 3, 2, True),
    ('RNN_TANH', 7, 9, 8, 1, 1, True),
    ('RNN_RELU', 3, 5, 7, 3, 1, False),
    ('RNN_RELU', 6, 4, 5, 1, 2, False),
    ('RNN_RELU', 5, 6, 1, 3, 1, True),
    ('RNN_RELU', 7, 7, 6, 3, 2, True),
    ('GRU', 3, 4, 1, 1, 1, False),
    ('GRU', 7, 6, 8, 3, 1, False),
    ('GRU', 4, 9, 5, 3, 2, False),
    ('GRU', 5, 5, 6, 1, 1, True),
    ('GRU', 6, 7, 7, 3, 2, True),
    ('GRU', 4, 8, 5, 3, 1, False),
    ('LSTM', 3, 4, 1, 1, 1, False),
    ('LSTM', 6, 5, 7, 3, 1, False),
    ('LSTM', 5, 7, 5, 1, 2, False),
    ('LSTM', 7, 9, 6, 3, 1, True),
    ('LSTM', 4, 6, 8, 3, 2, True),
    ('LSTM', 3, 8, 1, 3, 2, True),
    ('LSTM', 4, 8, 5, 3, 1, False),
]


def case_name(mode, i, h, t, b, layers, bidir):
    return f"{mode.lower()}_l{layers}_{'bi' if bidir else 'uni'}_i{i}_h{h}_t{t}_b{b}"


def build(mode, i, h, layers, bidir):
    kw = dict(input_size=i, hidden_size=h, num_layers=layers, bidirectional=bidir, batch_first=False)
    if mode == 'GRU':
        return torch.nn.GRU(**kw)
    if mode == 'LSTM':
        return torch.nn.LSTM(**kw)
    return torch.nn.RNN(nonlinearity='tanh' if mode == 'RNN_TANH' else 'relu', **kw)


def reference(mode, p, x, h0, c0, layers, dirs):
    """Plain-loop forward pass: the semantics the fixtures pin down. Returns output, h_n, c_n, min |relu pre|."""
    T = x.shape[0]
    layer_in, hn, cn, margin = x, [], [], float('inf')
    for l in range(layers):
        outs = []
        for d in range(dirs):
            sfx = f'_l{l}' + ('_reverse' if d == 1 else '')
            wi, wh, bi, bh = p['weight_ih' + sfx], p['weight_hh' + sfx], p['bias_ih' + sfx], p['bias_hh' + sfx]
            h = h0[l * dirs + d]
            c = c0[l * dirs + d] if c0 is not None else None
            ys = [None] * T
            for t in (range(T) if d == 0 else reversed(range(T))):
                gi, gh = layer_in[t] @ wi.T + bi, h @ wh.T + bh  # (B, G·H)
                if mode == 'GRU':  # gate rows [r; z; n]
                    (ir, iz, inn), (hr, hz, hnn) = gi.chunk(3, 1), gh.chunk(3, 1)
                    r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
                    h = (1 - z) * torch.tanh(inn + r * hnn) + z * h
                elif mode == 'LSTM':  # gate rows [i; f; g; o]
                    ig, fg, gg, og = (gi + gh).chunk(4, 1)
                    c = torch.sigmoid(fg) * c + torch.sigmoid(ig) * torch.tanh(gg)
                    h = torch.sigmoid(og) * torch.tanh(c)
                elif mode == 'RNN_TANH':
                    h = torch.tanh(gi + gh)
                else:
                    margin = min(margin, (gi + gh).abs().min().item())
                    h = torch.relu(gi + gh)
                ys[t] = h
            outs.append(torch.stack(ys))
            hn.append(h)
            cn.append(c)
        layer_in = torch.cat(outs, dim=2)
    return layer_in, torch.stack(hn), (torch.stack(cn) if c0 is not None else None), margin


def uniform(shape, bound):
    return (torch.rand(shape) * 2 - 1) * bound


def generate(mode, i, h, t, b, layers, bidir, seed):
    """One case in float32 inputs / float64 arithmetic. Returns (tensors, metadata) or None to reseed."""
    torch.manual_seed(seed)
    dirs, lstm = (2 if bidir else 1), mode == 'LSTM'
    module = build(mode, i, h, layers, bidir)
    with torch.no_grad():
        for prm in module.parameters():
            prm.uniform_(-INIT, INIT)
    x, h0 = uniform((t, b, i), 1.0), uniform((layers * dirs, b, h), 1.0)
    c0 = uniform((layers * dirs, b, h), 1.0) if lstm else None
    w_output, w_h_n = torch.randn(t, b, dirs * h), torch.randn(layers * dirs, b, h)
    w_c_n = torch.randn(layers * dirs, b, h) if lstm else None

    m64 = copy.deepcopy(module).double()
    x64, h064 = x.double().requires_grad_(), h0.double().requires_grad_()
    c064 = c0.double().requires_grad_() if lstm else None
    if lstm:
        output, (h_n, c_n) = m64(x64, (h064, c064))
    else:
        output, h_n = m64(x64, h064)
        c_n = None
    loss = (output * w_output.double()).sum() + (h_n * w_h_n.double()).sum()
    if lstm:
        loss = loss + (c_n * w_c_n.double()).sum()
    loss.backward()

    params = dict(m64.named_parameters())
    with torch.no_grad():
        ref_out, ref_hn, ref_cn, margin = reference(mode, params, x64, h064, c064, layers, dirs)
        if mode == 'RNN_RELU' and margin < RELU_MARGIN:
            return None
        worst = max((ref_out - output).abs().max().item(), (ref_hn - h_n).abs().max().item(),
                    (ref_cn - c_n).abs().max().item() if lstm else 0.0)
        assert worst < 1e-12, f'reference loop disagrees with torch.nn ({worst})'
        out32 = module(x, (h0, c0))[0] if lstm else module(x, h0)[0]  # float32 PyTorch, for the record
        f32_err = (out32.double() - output).abs().max().item()
        assert f32_err < 1e-4, f'float32 and float64 outputs differ by {f32_err}'

    tensors = {name: prm.detach() for name, prm in module.state_dict().items()}
    tensors.update(input=x, h0=h0, output=output, h_n=h_n, w_output=w_output, w_h_n=w_h_n)
    tensors.update({'grad.' + name: prm.grad for name, prm in params.items()})
    tensors.update({'grad.input': x64.grad, 'grad.h0': h064.grad})
    if lstm:
        tensors.update(c0=c0, c_n=c_n, w_c_n=w_c_n, **{'grad.c0': c064.grad})
    tensors = {k: v.detach().float().contiguous() for k, v in tensors.items()}
    metadata = dict(mode=mode, input_size=str(i), hidden_size=str(h), num_layers=str(layers),
                    bidirectional='true' if bidir else 'false', seq_len=str(t), batch=str(b),
                    torch_version=torch.__version__, seed=str(seed), batch_first='false',
                    compute_dtype='float64', init=f'uniform(-{INIT},{INIT})', loss=f'{loss.item():.9g}',
                    float32_max_abs_err=f'{f32_err:.3g}')
    return tensors, metadata


def encode(tensors, metadata):
    """safetensors bytes: 8-byte LE header length, compact JSON header padded with spaces, F32 LE data."""
    parts = ['"__metadata__":' + json.dumps(dict(sorted(metadata.items())), separators=(',', ':'))]
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        data = struct.pack(f'<{t.numel()}f', *t.flatten().tolist())
        shape = ','.join(str(d) for d in t.shape)
        parts.append(f'{json.dumps(name)}:{{"dtype":"F32","shape":[{shape}],"data_offsets":[{offset},{offset + len(data)}]}}')
        chunks.append(data)
        offset += len(data)
    header = ('{' + ','.join(parts) + '}').encode('utf-8')
    header += b' ' * (-len(header) % 8)
    return struct.pack('<Q', len(header)) + header + b''.join(chunks)


def write_readme(rows):
    lines = [
        '# PyTorch parity fixtures',
        '',
        'Generated by `scripts/torch-fixtures.py` (do not edit by hand):',
        '',
        '```sh',
        '/usr/bin/python3 scripts/torch-fixtures.py   # Debian python3-torch ' + torch.__version__ + ', CPU',
        '```',
        '',
        'One safetensors file per case, all tensors float32, time-major (`batch_first=False`). Parameters are',
        f'`uniform(-{INIT}, {INIT})`, `input`, `h0`, `c0` are `uniform(-1, 1)`, the loss weights `w_*` standard normal,',
        'all drawn in float32 after `torch.manual_seed(seed)`. The forward and backward passes run in **float64** on',
        'those exact values and the results are rounded to float32, so `output`, `h_n`, `c_n` and `grad.*` are the',
        'float64 truth for the stored inputs (metadata `float32_max_abs_err` records how far float32 PyTorch is from',
        "it). The script checks nn.RNN/GRU/LSTM against a plain loop (`reference()`) that states the semantics.",
        f'For `RNN_RELU` no pre-activation lies within {RELU_MARGIN} of zero.',
        '',
        '## Tensors (L = num_layers, D = 2 if bidirectional else 1, T = seq_len, B = batch, I = input_size, H = hidden_size)',
        '',
        '| name | shape | meaning |',
        '|---|---|---|',
        '| `weight_ih_l{k}` | [G·H, I or D·H] | input weights of layer k, G = 1 (RNN), 3 (GRU rows r,z,n), 4 (LSTM rows i,f,g,o) |',
        '| `weight_hh_l{k}` | [G·H, H] | recurrent weights |',
        '| `bias_ih_l{k}`, `bias_hh_l{k}` | [G·H] | both biases, as PyTorch keeps them (GRU: `bias_hh` n-part is inside r⊙(·)) |',
        '| `..._reverse` | | the same for the backward direction (bidirectional only) |',
        '| `input` | [T, B, I] | the input sequence |',
        '| `h0`, `c0` | [L·D, B, H] | initial states, index `layer·D + direction` (`c0` LSTM only) |',
        '| `output` | [T, B, D·H] | last layer outputs; forward half first, then reverse |',
        '| `h_n`, `c_n` | [L·D, B, H] | final states (the reverse direction\'s final state is at t = 0) |',
        '| `w_output`, `w_h_n`, `w_c_n` | as above | fixed weights of the loss L = Σ output⊙w_output + Σ h_n⊙w_h_n (+ Σ c_n⊙w_c_n) |',
        '| `grad.<param>` | as the parameter | dL/dparameter, PyTorch names (`grad.weight_ih_l0`, ...) |',
        '| `grad.input`, `grad.h0`, `grad.c0` | as the tensor | dL/dinput, dL/dh0, dL/dc0 |',
        '',
        '`__metadata__` (all strings): `mode` (RNN_TANH, RNN_RELU, GRU, LSTM), `input_size`, `hidden_size`, `num_layers`,',
        '`bidirectional` ("true"/"false"), `seq_len`, `batch`, `torch_version`, and for the record `seed`, `batch_first`,',
        '`compute_dtype`, `init`, `loss` (the value of L), `float32_max_abs_err`.',
        '',
        '## Cases',
        '',
        '| file | mode | I | H | T | B | layers | bidirectional | seed |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    lines += [f'| `{n}.safetensors` | {m["mode"]} | {m["input_size"]} | {m["hidden_size"]} | {m["seq_len"]} | '
              f'{m["batch"]} | {m["num_layers"]} | {m["bidirectional"]} | {m["seed"]} |' for n, m in rows]
    with open(os.path.join(OUT, 'README.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith('.safetensors'):
            os.remove(os.path.join(OUT, f))
    rows, total = [], 0
    for index, case in enumerate(CASES):
        for attempt in range(1000):
            result = generate(*case, seed=1000 * (index + 1) + attempt)
            if result is not None:
                break
        else:
            raise RuntimeError(f'no seed found for {case}')
        tensors, metadata = result
        name = case_name(*case)
        data = encode(tensors, metadata)
        with open(os.path.join(OUT, name + '.safetensors'), 'wb') as f:
            f.write(data)
        rows.append((name, metadata))
        total += len(data)
        print(f'{name}.safetensors  {len(data):6d} bytes  loss={metadata["loss"]}  f32err={metadata["float32_max_abs_err"]}')
    write_readme(rows)
    print(f'{len(rows)} fixtures, {total} bytes in {OUT}')


if __name__ == '__main__':
    main()
