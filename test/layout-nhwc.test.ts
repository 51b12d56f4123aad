// Channels-last INT8 activations: after lowering, the convolutions, pools, adds and tables of a CNN
// run on NHWC codes with one conversion at each edge of the chain, and the outputs are bitwise
// those of the NCHW plan on every backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor, graphFromOnnx, quantizeStatic, readModel, type Graph } from '../src';
import { mobilenetV2Like, resnet18Like } from '../src/bench/models';
import { lowerQdq } from '../src/graph/lower-qdq';
import { layoutNhwc } from '../src/graph/layout-nhwc';
import { optimize } from '../src/graph/passes';
import { rng } from './support/random';

const image = (seed: number, size: number) => {
  const r = rng(seed);
  return new Tensor('float32', Float32Array.from({ length: 3 * size * size }, () => r.float(-2, 2)), [1, 3, size, size]);
};

describe.each([
  ['ResNet-18-shaped', () => resnet18Like(1, 48, 10)],
  ['MobileNetV2-shaped', () => mobilenetV2Like(2, 48, 10)],
])('%s (48x48)', (_, build) => {
  let bytes: Uint8Array;
  beforeAll(async () => {
    const q = await quantizeStatic(build(), { calibration: [0, 1, 2].map((i) => ({ input: image(10 + i, 48) })) });
    bytes = q.toBytes();
  }, 60_000);

  it('converts once on the way in and once on the way out', () => {
    const g: Graph = graphFromOnnx(readModel(bytes));
    optimize(g);
    lowerQdq(g);
    const convs = g.nodes.filter((n) => n.opType === 'QLinearConv').length;
    expect(layoutNhwc(g)).toBeGreaterThanOrEqual(convs);
    expect(g.nodes.filter((n) => n.opType === 'QLinearConv' && n.attrs.channels_last !== 1)).toEqual([]);
    // In: the quantized image; out: the pooled features before Flatten.
    expect(g.nodes.filter((n) => n.opType === 'Transpose').map((n) => n.attrs.perm)).toEqual([[0, 2, 3, 1], [0, 3, 1, 2]]);
  });

  it('gives the NCHW plan\'s outputs bitwise on every backend', async () => {
    const x = image(99, 48);
    for (const backend of ['fbgemm', 'qnnpack', 'wasm']) {
      const run = async (channelsLast: boolean) => {
        const s = await Session.create(bytes, { backend, channelsLast });
        const y = (await s.run({ input: x }))[s.outputNames[0]].data as Float32Array;
        s.release();
        return Buffer.from(y.buffer);
      };
      expect([backend, (await run(true)).equals(await run(false))]).toEqual([backend, true]);
    }
  }, 60_000);
});
