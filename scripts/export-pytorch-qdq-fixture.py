#!/usr/bin/python3
"""Dev-only: a small CNN quantized by PyTorch itself (eager mode, qnnpack engine, per-tensor) and
exported by torch.onnx as QDQ ONNX, with an input batch and PyTorch's own quantized output, so that
tests can read a QDQ model int8kit did not make and compare with PyTorch's arithmetic.
Run with Debian's PyTorch: /usr/bin/python3 scripts/export-pytorch-qdq-fixture.py"""
import os
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.backends.quantized.engine = 'qnnpack'
out_dir = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'pytorch-qdq')


class SmallQCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.dequant = torch.ao.quantization.DeQuantStub()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 8, 3, stride=2)
        self.fc = nn.Linear(8 * 6 * 6, 10)

    def forward(self, x):
        x = self.relu(self.conv1(self.quant(x)))
        x = torch.flatten(self.conv2(x), 1)  # torch.onnx in 1.13 cannot export reshape on quantized tensors
        return self.dequant(self.fc(x))


model = SmallQCnn().eval()
model.qconfig = torch.ao.quantization.get_default_qconfig('qnnpack')
torch.ao.quantization.fuse_modules(model, [['conv1', 'relu']], inplace=True)
prepared = torch.ao.quantization.prepare(model)
rng = np.random.default_rng(1)
for _ in range(8):
    prepared(torch.from_numpy(rng.random((2, 1, 14, 14), dtype=np.float32)))
quantized = torch.ao.quantization.convert(prepared)
x = torch.from_numpy(rng.random((3, 1, 14, 14), dtype=np.float32))
y = quantized(x)
torch.onnx.export(quantized, x, os.path.join(out_dir, 'small_qcnn.onnx'), opset_version=13,
                  input_names=['input'], output_names=['logits'])
np.save(os.path.join(out_dir, 'input.npy'), x.numpy())
np.save(os.path.join(out_dir, 'logits_pytorch.npy'), y.detach().numpy())
# The output's quantization step: agreement is judged in steps of it.
np.save(os.path.join(out_dir, 'logits_scale.npy'), np.array([quantized.fc.scale], dtype=np.float32))
print('torch', torch.__version__, 'wrote', out_dir)
