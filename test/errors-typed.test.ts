// The last two paths that threw a plain Error: each now throws the typed error its docs name.
import { describe, expect, it } from 'vitest';
import { graphToOnnx, InvalidArgumentError, UnsupportedOpError, type Graph } from '../src';
import { RangeHistogram } from '../src/quant/observers/range-histogram';

describe('typed errors', () => {
  it('graphToOnnx refuses a subgraph attribute, naming the node and attribute', () => {
    const g: Graph = {
      opset: 17, initializers: new Map(), valueInfo: new Map(),
      inputs: [{ name: 'c', type: { dtype: 'bool', shape: [] } }], outputs: [{ name: 'y' }],
      nodes: [{ name: 'branch', opType: 'If', domain: '', inputs: ['c'], outputs: ['y'], attrs: { then_branch: { type: 'graph' } as never } }],
    };
    expect(() => graphToOnnx(g)).toThrow(UnsupportedOpError);
    expect(() => graphToOnnx(g)).toThrow(/attribute then_branch of node branch \(If\).*received a subgraph/);
  });

  it('RangeHistogram refuses an odd bin count', () => {
    expect(() => new RangeHistogram(3)).toThrow(InvalidArgumentError);
    expect(() => new RangeHistogram(3)).toThrow(/Expected an even number .* but received 3/);
    expect(new RangeHistogram(4).counts.length).toBe(4);
  });
});
