// The FakeQuantize module: observe, refresh qparams, fake-quantize; each step can be switched off.
import { describe, expect, it } from 'vitest';
import { FakeQuantize, calculateQParams, MinMaxObserver, PerChannelMinMaxObserver, fakeQuantize, fakeQuantizePerChannel } from '../src';

describe('FakeQuantize', () => {
  const a = Float32Array.of(-1, 0.3, 2.2, 0.7);
  const b = Float32Array.of(-4, 0.3, 2.2, 8);

  it('fake-quantizes each batch with the qparams of everything observed so far', () => {
    const fq = new FakeQuantize(new MinMaxObserver({ dtype: 'quint8' }));
    const first = calculateQParams(-1, 2.2, { dtype: 'quint8' });
    expect(Array.from(fq.forward(a, [4]))).toEqual(Array.from(fakeQuantize(a, first.scale[0], first.zeroPoint[0], 0, 255)));
    fq.forward(b, [4]);
    const q = fq.calculateQParams();
    expect(q.scale[0]).toBe(Math.fround(12 / 255));
    expect(Array.from(fq.forward(a, [4]))).toEqual(Array.from(fakeQuantize(a, q.scale[0], q.zeroPoint[0], 0, 255)));
  });

  it('freezes the qparams when observing is disabled, and passes data through when fake quantization is', () => {
    const fq = new FakeQuantize(new MinMaxObserver());
    fq.forward(a, [4]);
    const frozen = fq.calculateQParams();
    fq.enableObserver(false).forward(b, [4]);
    expect(fq.calculateQParams()).toEqual(frozen);
    expect(Array.from(fq.enableFakeQuant(false).forward(b, [4]))).toEqual(Array.from(b));
  });

  it('follows a per-channel observer', () => {
    const fq = new FakeQuantize(new PerChannelMinMaxObserver({ dtype: 'qint8', qscheme: 'per_channel_symmetric' }));
    const y = fq.forward(b, [2, 2]);
    const q = fq.calculateQParams();
    expect(Array.from(q.scale)).toEqual([Math.fround(4 / 127.5), Math.fround(8 / 127.5)]);
    expect(Array.from(y)).toEqual(Array.from(fakeQuantizePerChannel(b, { shape: [2, 2], axis: 0, scales: q.scale, zeroPoints: q.zeroPoint, quantMin: -128, quantMax: 127 })));
  });
});
