#!/usr/bin/python3
# Dev-only: exports small PyTorch models with torch.onnx.export so the tests cover what the real
# exporter writes (Shape/Gather/Concat shape arithmetic, BatchNorm in eval mode, Erf-GELU, ...).
#
#   apt-get install python3-torch python3-onnx   # Debian 12: PyTorch 1.13, system /usr/bin/python3
#   /usr/bin/python3 scripts/export-pytorch-fixtures.py
#
# Its outputs are COMMITTED (test/fixtures/pytorch/<name>/model.onnx plus, per input set k,
# set_<k>/input_<i>.npy and set_<k>/output_<i>.npy numbered in the model's input and output order,
# the outputs being PyTorch's), so neither CI nor users need PyTorch; test/pytorch-fixtures.test.ts
# runs them. Re-run only when adding or changing a fixture; seeds are fixed, but the bytes may
# still differ across PyTorch versions.
import os
import shutil
import sys

import numpy as np
import torch
from torch import nn

OPSET = 14
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'pytorch')


class SmallCnn(nn.Module):
    """Conv+BN+ReLU, depthwise conv+ReLU6, MaxPool, residual Add, global average pool, Linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.block = nn.Sequential(
            nn.Conv2d(16, 16, 3, padding=1, groups=16, bias=False), nn.BatchNorm2d(16), nn.ReLU6(),
            nn.Conv2d(16, 16, 1), nn.BatchNorm2d(16),
        )
        self.down = nn.Sequential(nn.Conv2d(16, 24, 3, stride=2, padding=1), nn.ReLU())
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = self.pool(self.stem(x))
        x = torch.relu(x + self.block(x))
        x = self.gap(self.down(x))
        return self.fc(torch.flatten(x, 1))


class TinyTransformer(nn.Module):
    """Embedding + 2 post-norm TransformerEncoderLayers (GELU) + LayerNorm over int64 token ids."""

    def __init__(self, vocab=50, d=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, 16, d) * 0.1)
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=4, dim_feedforward=64, dropout=0.0,
                                           activation='gelu', batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)

    def forward(self, ids):
        x = self.embed(ids) + self.pos[:, : ids.shape[1]]
        return self.norm(self.encoder(x))


class Mlp(nn.Module):
    """Linear/Sigmoid/Tanh, a Reshape + Transpose, Softmax; two outputs."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 24)
        self.fc2 = nn.Linear(24, 24)
        self.fc3 = nn.Linear(6, 5)

    def forward(self, x):
        h = torch.sigmoid(self.fc1(x))
        h = torch.tanh(self.fc2(h))
        h = h.reshape(h.shape[0], 4, 6).transpose(1, 2)  # [N, 6, 4]
        logits = self.fc3(h.transpose(1, 2))  # [N, 4, 5]
        return torch.softmax(logits, dim=-1), h


class UpsampleNet(nn.Module):
    """Nearest and bilinear Upsample (Resize), ConvTranspose2d, Concat."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU())
        self.up_nearest = nn.Upsample(scale_factor=2, mode='nearest')
        self.up_bilinear = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False)
        self.deconv = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.head = nn.Conv2d(8 + 8 + 4 + 3, 2, 1)

    def forward(self, x):
        e = self.enc(x)
        y = torch.cat([self.up_nearest(e), self.up_bilinear(e), self.deconv(e), x], dim=1)
        return torch.sigmoid(self.head(y))


def randomise_bn(model):
    # Non-trivial running statistics, so that folding BatchNorm actually changes the weights.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)


def export(name, model, input_sets, input_names, output_names, dynamic_axes, training=torch.onnx.TrainingMode.EVAL):
    out = os.path.join(ROOT, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    model.eval()
    # Outside no_grad: under no_grad, TransformerEncoderLayer takes its fused fast path
    # (aten::_transformer_encoder_layer_fwd), which PyTorch 1.13 cannot export.
    torch.onnx.export(model, tuple(input_sets[0]), os.path.join(out, 'model.onnx'), opset_version=OPSET,
                      input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes,
                      do_constant_folding=True, training=training)
    with torch.no_grad():
        for k, inputs in enumerate(input_sets):
            outputs = model(*inputs)
            if isinstance(outputs, torch.Tensor):
                outputs = (outputs,)
            os.makedirs(os.path.join(out, f'set_{k}'))
            for i, t in enumerate(inputs):
                np.save(os.path.join(out, f'set_{k}', f'input_{i}.npy'), np.ascontiguousarray(t.numpy()))
            for i, t in enumerate(outputs):
                np.save(os.path.join(out, f'set_{k}', f'output_{i}.npy'), np.ascontiguousarray(t.numpy()))
    import onnx
    m = onnx.load(os.path.join(out, 'model.onnx'))
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(out) for f in files)
    print(f'{name}: {size} bytes, ops {" ".join(ops)}')


def main():
    print(f'torch {torch.__version__}', file=sys.stderr)

    torch.manual_seed(0)
    cnn = SmallCnn()
    randomise_bn(cnn)
    export('small_cnn', cnn, [[torch.randn(2, 3, 32, 32)], [torch.randn(1, 3, 32, 32)]],
           ['image'], ['logits'], {'image': {0: 'batch'}, 'logits': {0: 'batch'}},
           # PRESERVE (the model is in eval mode) skips the exporter's own Conv+BatchNorm fusion,
           # so the model keeps its BatchNormalization nodes for int8kit's folding pass.
           training=torch.onnx.TrainingMode.PRESERVE)

    torch.manual_seed(1)
    tr = TinyTransformer()
    export('tiny_transformer', tr, [[torch.randint(0, 50, (2, 12), dtype=torch.int64)],
                                    [torch.randint(0, 50, (1, 7), dtype=torch.int64)]],
           ['input_ids'], ['hidden'], {'input_ids': {0: 'batch', 1: 'sequence'}, 'hidden': {0: 'batch', 1: 'sequence'}})

    torch.manual_seed(2)
    export('mlp', Mlp(), [[torch.randn(3, 12)], [torch.randn(1, 12)]],
           ['x'], ['probs', 'features'], {'x': {0: 'batch'}, 'probs': {0: 'batch'}, 'features': {0: 'batch'}})

    torch.manual_seed(3)
    export('upsample', UpsampleNet(), [[torch.randn(2, 3, 16, 16)], [torch.randn(1, 3, 16, 16)]],
           ['image'], ['mask'], {'image': {0: 'batch'}, 'mask': {0: 'batch'}})


if __name__ == '__main__':
    main()
