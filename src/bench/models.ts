// Seeded random models (for tests and `int8kit bench`) shaped like the ones users bring (ResNet-18, MobileNetV2, a BERT encoder),
// built in the graph IR as PyTorch exports them (Conv + BatchNormalization + Relu/Clip, Gemm,
// MatMul + Add, LayerNormalization, Softmax, Erf-based GELU, Reshape/Transpose for heads).
import type { Graph, Node, TensorData } from '../graph/ir';
import { rng } from './random';

class Builder {
  nodes: Node[] = [];
  init = new Map<string, TensorData>();
  private n = 0;
  private r;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  name(prefix: string) {
    return `${prefix}_${this.n++}`;
  }
  weight(dims: number[], scale: number, offset = 0): string {
    const name = this.name('w');
    const size = dims.reduce((a, b) => a * b, 1);
    this.init.set(name, { dtype: 'float32', dims, data: Float32Array.from({ length: size }, () => offset + this.r.float(-scale, scale)) });
    return name;
  }
  ints(values: number[]): string {
    const name = this.name('c');
    this.init.set(name, { dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }
  scalar(v: number): string {
    const name = this.name('s');
    this.init.set(name, { dtype: 'float32', dims: [], data: Float32Array.of(v) });
    return name;
  }
  op(opType: string, inputs: string[], attrs: Node['attrs'] = {}): string {
    const out = this.name(opType.toLowerCase());
    this.nodes.push({ name: out, opType, domain: '', inputs, outputs: [out], attrs });
    return out;
  }
  conv(x: string, cin: number, cout: number, k: number, stride = 1, group = 1): string {
    const w = this.weight([cout, cin / group, k, k], Math.sqrt(2 / ((cin / group) * k * k)));
    const p = (k - 1) >> 1;
    return this.op('Conv', [x, w], { kernel_shape: [k, k], strides: [stride, stride], pads: [p, p, p, p], group });
  }
  bn(x: string, c: number): string {
    return this.op('BatchNormalization', [x, this.weight([c], 0.2, 1), this.weight([c], 0.1), this.weight([c], 0.1), this.weight([c], 0.2, 1)], { epsilon: 1e-5 });
  }
  graph(input: string, inputType: Graph['inputs'][0]['type'], output: string): Graph {
    return { opset: 17, nodes: this.nodes, initializers: this.init, valueInfo: new Map(), inputs: [{ name: input, type: inputType }], outputs: [{ name: output }] };
  }
}

/** ResNet-18's layer shapes (basic blocks 2-2-2-2, widths 64-512) at `size` x `size` input. */
export function resnet18Like(seed = 1, size = 224, classes = 1000): Graph {
  const b = new Builder(seed);
  let x = b.op('MaxPool', [b.op('Relu', [b.bn(b.conv('input', 3, 64, 7, 2), 64)])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let c = 64;
  for (const [width, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]])
    for (let block = 0; block < 2; block++) {
      const s = block === 0 ? stride : 1;
      const y = b.bn(b.conv(b.op('Relu', [b.bn(b.conv(x, c, width, 3, s), width)]), width, width, 3), width);
      const shortcut = s !== 1 || c !== width ? b.bn(b.conv(x, c, width, 1, s), width) : x;
      x = b.op('Relu', [b.op('Add', [y, shortcut])]);
      c = width;
    }
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [x])], { axis: 1 });
  const out = b.op('Gemm', [pooled, b.weight([classes, 512], 0.05), b.weight([classes], 0.01)], { transB: 1 });
  return b.graph('input', { dtype: 'float32', shape: ['batch', 3, size, size] }, out);
}

/** MobileNetV2's inverted residual blocks (expand 1x1 + ReLU6, depthwise 3x3 + ReLU6, project 1x1). */
export function mobilenetV2Like(seed = 2, size = 224, classes = 1000): Graph {
  const b = new Builder(seed);
  const relu6 = (t: string) => b.op('Clip', [t, b.scalar(0), b.scalar(6)]);
  let x = relu6(b.bn(b.conv('input', 3, 32, 3, 2), 32));
  let c = 32;
  const settings = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  for (const [t, width, n, stride] of settings)
    for (let i = 0; i < n; i++) {
      const s = i === 0 ? stride : 1, hidden = c * t;
      let y = t === 1 ? x : relu6(b.bn(b.conv(x, c, hidden, 1), hidden));
      y = relu6(b.bn(b.conv(y, hidden, hidden, 3, s, hidden), hidden));
      y = b.bn(b.conv(y, hidden, width, 1), width);
      x = s === 1 && c === width ? b.op('Add', [x, y]) : y;
      c = width;
    }
  x = relu6(b.bn(b.conv(x, c, 1280, 1), 1280));
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [x])], { axis: 1 });
  const out = b.op('Gemm', [pooled, b.weight([classes, 1280], 0.05), b.weight([classes], 0.01)], { transB: 1 });
  return b.graph('input', { dtype: 'float32', shape: ['batch', 3, size, size] }, out);
}

/** A BERT encoder: token embeddings + LayerNorm, then `layers` of self-attention and GELU FFN. */
export function bertLike(seed = 3, layers = 4, d = 256, heads = 4, vocab = 1000): Graph {
  const b = new Builder(seed);
  const dh = d / heads;
  const ln = (t: string) => b.op('LayerNormalization', [t, b.weight([d], 0.1, 1), b.weight([d], 0.1)], { axis: -1, epsilon: 1e-12 });
  const linear = (t: string, i: number, o: number) => b.op('Add', [b.op('MatMul', [t, b.weight([i, o], 1 / Math.sqrt(i))]), b.weight([o], 0.02)]);
  const heads4 = (t: string) => b.op('Transpose', [b.op('Reshape', [t, b.ints([1, -1, heads, dh])])], { perm: [0, 2, 1, 3] });
  let x = ln(b.op('Gather', [b.weight([vocab, d], 0.5), 'input_ids'], { axis: 0 }));
  for (let l = 0; l < layers; l++) {
    const q = heads4(linear(x, d, d)), k = heads4(linear(x, d, d)), v = heads4(linear(x, d, d));
    const scores = b.op('Div', [b.op('MatMul', [q, b.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), b.scalar(Math.sqrt(dh))]);
    const ctx = b.op('Reshape', [b.op('Transpose', [b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }), v])], { perm: [0, 2, 1, 3] }), b.ints([1, -1, d])]);
    x = ln(b.op('Add', [x, linear(ctx, d, d)]));
    const h = linear(x, d, 4 * d);
    const gelu = b.op('Mul', [b.op('Mul', [h, b.op('Add', [b.op('Erf', [b.op('Div', [h, b.scalar(Math.SQRT2)])]), b.scalar(1)])]), b.scalar(0.5)]);
    x = ln(b.op('Add', [x, linear(gelu, 4 * d, d)]));
  }
  return b.graph('input_ids', { dtype: 'int64', shape: [1, 'sequence'] }, x);
}
