#!/usr/bin/env python3
"""PyTorch's side of recur's benchmark (issue 6): the workloads of bench/workloads.json, float32, on the CPU.

Model: nn.LSTM / nn.GRU / nn.RNN (tanh), batch_first=False (time-major x [T, B, I]), the last step's output
h_T -> nn.Linear -> CrossEntropyLoss (mean over the batch); a training step = zero_grad, forward, backward,
Adam(lr).step(), loss.item(); an inference step = the forward pass and the loss under torch.inference_mode().
PyTorch has no deep-transition cell: 'deep' (plain, depth L) is written out as recur defines it, an explicit
time loop of L Linear+tanh layers per step, the input projection U·x hoisted out of the loop (DeepPlain).

Run by `npm run bench` (bench/run.mjs), one process per (workload, thread count), in PyTorch's fastest
configuration on this machine class (see /work/shared/platform-notes.md): OpenBLAS from
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_CORETYPE=SkylakeX  (AVX-512 CPUs)
    OPENBLAS_NUM_THREADS=<n>, torch.set_num_threads(<n>)
On its own:
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_CORETYPE=SkylakeX \\
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_bench.py --only W1,W3 --threads 1
Prints a line per workload; with --result-line, one `@@result {json}` line per workload, including which
BLAS library the process actually loaded (from /proc/self/maps) and OpenBLAS's core type. With --serve (one
workload, as run.mjs runs it) it warms up, prints `@@ready`, and serves interleaved rounds from stdin
(`run <k> <rewarm>` -> `@@samples {"wall": [ms, ...], "cpu": [ms, ...]}`, then `end`; see bench/timing.mjs), then prints `@@result`.
"""
import argparse
import ctypes
import json
import os
import re
import statistics
import sys
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY = {'warmup': 5, 'minRepeats': 15, 'maxRepeats': 200, 'budgetMs': 6000}


def rss_kb(field):
    """VmRSS / VmHWM (peak) of this process, in kB, from /proc/self/status."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return None


def blas_info():
    """The BLAS the process actually loaded (mapped shared objects) and, for OpenBLAS, its core type."""
    libs = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ''
            name = os.path.basename(path)
            if any(k in name for k in ('blas', 'lapack', 'mkl', 'dnnl', 'gomp', 'omp')):
                libs.add(path)
    info = {'libraries': sorted(libs), 'resolved': sorted({os.path.realpath(p) for p in libs})}
    openblas = next((p for p in info['resolved'] if 'openblas' in os.path.basename(p)), None)
    if openblas:
        lib = ctypes.CDLL(openblas)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        lib.openblas_get_config.restype = ctypes.c_char_p
        info['openblas'] = {
            'path': openblas,
            'corename': lib.openblas_get_corename().decode(),
            'config': lib.openblas_get_config().decode().strip(),
            'threads': lib.openblas_get_num_threads(),
        }
        info['name'] = 'OpenBLAS (%s kernels)' % info['openblas']['corename']
    elif any('libblas.so' in p for p in info['resolved']):
        info['name'] = 'reference BLAS (%s)' % next(p for p in info['resolved'] if 'libblas.so' in p)
    else:
        info['name'] = 'unknown'
    show = torch.__config__.show()  # the build's view (BLAS_INFO=generic: whatever libblas.so.3 resolves to)
    info['torch_config'] = re.findall(r'\b(?:BLAS_INFO|LAPACK_INFO|USE_MKL|USE_MKLDNN|USE_OPENMP)=[^,\s]*', show)
    return info


class DeepPlain(nn.Module):
    """recur's plain deep transition (Pascanu et al. 2014): z_1 = tanh(W_1 h + U x_t + b), z_l = tanh(W_l z_(l-1)
    + b_l), h' = z_L; parameters as recur's (U with bias_ih, W_l with bias_hh_l). Returns (outputs, h_T) as nn.RNN."""

    def __init__(self, input_size, hidden, depth):
        super().__init__()
        self.hidden = hidden
        self.inp = nn.Linear(input_size, hidden)  # U, bias_ih
        self.layers = nn.ModuleList(nn.Linear(hidden, hidden) for _ in range(depth))  # W_l, bias_hh_l

    def forward(self, x):  # x (T, B, I)
        xp = self.inp(x)  # (T, B, H): U x_t + b for every t in one GEMM
        h = x.new_zeros(x.shape[1], self.hidden)
        outs = []
        for t in range(x.shape[0]):
            z = torch.tanh(self.layers[0](h) + xp[t])
            for layer in self.layers[1:]:
                z = torch.tanh(layer(z))
            h = z
            outs.append(h)
        return torch.stack(outs), h


class Net(nn.Module):
    def __init__(self, w):
        super().__init__()
        if w['cell'] == 'deep':
            self.rnn = DeepPlain(w['input'], w['hidden'], w['depth'])
        else:
            kind = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[w['cell']]
            self.rnn = kind(w['input'], w['hidden'], batch_first=False)  # nn.RNN's default nonlinearity is tanh
        self.out = nn.Linear(w['hidden'], w['classes'])

    def forward(self, x):  # x (T, B, I)
        seq, _ = self.rnn(x)  # (T, B, H)
        return self.out(seq[-1])  # (B, classes): the last state h_T


def make_step(w, lr):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1234)
    x = torch.rand(w['T'], w['batch'], w['input'], generator=g) * 2 - 1  # U(-1, 1), as the other frameworks
    y = torch.randint(0, w['classes'], (w['batch'],), generator=g)
    model = Net(w)
    loss_fn = nn.CrossEntropyLoss()
    params = sum(p.numel() for p in model.parameters())
    if not w['train']:
        model.eval()

        def infer():
            with torch.inference_mode():
                return loss_fn(model(x), y).item()
        return infer, params
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def train():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return train, params


def info(w, params, blas):
    env = ('LD_LIBRARY_PATH', 'OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS')
    return {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'parameters': params, 'blas': blas,
            'env': {k: os.environ.get(k) for k in env}}


def time_steps(step, policy):
    """Warm-up, then timed steps (at least minRepeats; more until budgetMs or maxRepeats): median and min."""
    for _ in range(policy['warmup']):
        step()
    samples, total = [], 0.0
    while len(samples) < policy['minRepeats'] or (total < policy['budgetMs'] and len(samples) < policy['maxRepeats']):
        t0 = time.perf_counter()
        step()
        ms = (time.perf_counter() - t0) * 1000
        samples.append(ms)
        total += ms
    return {'medianMs': statistics.median(samples), 'minMs': min(samples), 'repeats': len(samples),
            'warmup': policy['warmup'], 'samples': samples}


def serve(step, warmup):
    """Warm up, print @@ready, then serve `run <k> <rewarm>` lines from stdin until `end` (bench/timing.mjs)."""
    last = None
    for _ in range(max(warmup, 1)):
        t0 = time.perf_counter()
        step()
        last = (time.perf_counter() - t0) * 1000
    print('@@ready ' + json.dumps({'stepMs': last}), flush=True)
    timed = 0
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == 'end':
            break
        if parts[0] != 'run':
            continue
        k = int(parts[1]) if len(parts) > 1 else 1
        for _ in range(int(parts[2]) if len(parts) > 2 else 0):
            step()
        wall, cpu = [], []
        for _ in range(k):
            c0 = time.process_time()
            t0 = time.perf_counter()
            step()
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        timed += k
        print('@@samples ' + json.dumps({'wall': wall, 'cpu': cpu}), flush=True)
    return timed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--only', help='comma-separated workload ids (default: all PyTorch can run)')
    ap.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (set OPENBLAS_NUM_THREADS to match)')
    ap.add_argument('--policy', help='JSON {warmup, minRepeats, maxRepeats, budgetMs} (default %s)' % json.dumps(POLICY))
    ap.add_argument('--result-line', action='store_true', help='print one @@result JSON line per workload')
    ap.add_argument('--serve', action='store_true', help='one workload: serve interleaved rounds from stdin')
    ap.add_argument('--warmup', type=int, default=5, help='untimed steps before serving (with --serve)')
    args = ap.parse_args()
    with open(os.path.join(HERE, 'workloads.json')) as f:
        spec = json.load(f)
    ids = args.only.split(',') if args.only else None
    workloads = [w for w in spec['workloads'] if (ids is None or w['id'] in ids) and 'torch' in w.get('peers', ['torch'])]
    if ids:
        unknown = set(ids) - {w['id'] for w in spec['workloads']}
        if unknown:
            sys.exit('torch_bench: unknown workload(s) %s' % ', '.join(sorted(unknown)))
    policy = json.loads(args.policy) if args.policy else POLICY
    torch.set_num_threads(args.threads)
    base_rss = rss_kb('VmRSS')
    blas = None
    if args.serve and len(workloads) != 1:
        sys.exit('torch_bench: --serve runs exactly one workload (--only <id>)')
    for w in workloads:
        step, params = make_step(w, spec['lr'])
        step()  # the first call loads the BLAS lazily on some builds: inspect the mapped libraries after it
        blas = blas or blas_info()
        if args.serve:
            timed = serve(step, args.warmup)
            loss = step()
            result = {'peer': 'torch', 'workload': w['id'], 'status': 'ok', 'loss': loss, 'timed': timed,
                      'warmup': args.warmup, 'peakRssBytes': rss_kb('VmHWM') * 1024, 'baseRssBytes': base_rss * 1024,
                      'info': info(w, params, blas)}
            print('@@result ' + json.dumps(result), flush=True)
            return
        t = time_steps(step, policy)
        result = {
            'peer': 'torch', 'workload': w['id'], 'status': 'ok', **t,
            'peakRssBytes': rss_kb('VmHWM') * 1024, 'baseRssBytes': base_rss * 1024,
            'info': info(w, params, blas),
        }
        if args.result_line:
            print('@@result ' + json.dumps(result), flush=True)
        else:
            print('%s  %-40s  median %8.2f ms  min %8.2f ms  (%d steps; %d thread(s); %s)' % (
                w['id'], w['title'], t['medianMs'], t['minMs'], t['repeats'], torch.get_num_threads(), blas['name']))


if __name__ == '__main__':
    main()
