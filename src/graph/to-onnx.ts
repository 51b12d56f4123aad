// The graph IR written back as an ONNX model object (src/onnx writeModel turns it into bytes):
// for handing models to onnxruntime and, later, exporting quantized models.
import type { OnnxAttribute, OnnxModel, OnnxTensor, OnnxType } from '../onnx';
import { UnsupportedOpError } from '../errors';
import type { AttrValue, Graph, TensorData, ValueType } from './ir';

const tensor = (name: string, t: TensorData): OnnxTensor => ({ name, dtype: t.dtype, dims: t.dims, data: t.data as OnnxTensor['data'] });
const type = (t: ValueType | undefined): OnnxType | null =>
  t ? { kind: 'tensor', dtype: t.dtype, shape: t.shape ?? null } : null;

function attribute(v: AttrValue, where: string): OnnxAttribute {
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { type: 'strings', value: v as string[] };
    return (v as number[]).every(Number.isInteger) ? { type: 'ints', value: v as number[] } : { type: 'floats', value: v as number[] };
  }
  if ('dtype' in v) return { type: 'tensor', value: tensor('', v) };
  throw new UnsupportedOpError(`Expected ${where} to be a number, string, tensor or list but received a subgraph: graphToOnnx does not write subgraph attributes`);
}

/** For graphs built by hand (no floatAttrs): attribute names that are floats in ONNX. */
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'gamma', 'bias', 'lambd', 'min', 'max', 'ratio', 'value_float', 'extrapolation_value', 'cubic_coeff_a']);

/**
 * Converts the graph IR back to an ONNX model object, for {@link writeModel}.
 * @param g The graph.
 * @param producerName Written as producer_name.
 * @throws {@link UnsupportedOpError} for a node with a subgraph attribute (If, Loop, Scan: never in
 * graphs from {@link graphFromOnnx}, which does not read them), naming the node and attribute.
 */
export function graphToOnnx(g: Graph, producerName = 'int8kit'): OnnxModel {
  return {
    irVersion: 8,
    // Contrib domains (com.microsoft QLinearAdd, DynamicQuantizeMatMul, ...) are at version 1.
    opsetImports: [{ domain: '', version: g.opset }, ...[...new Set(g.nodes.map((n) => n.domain).filter((d) => d && d !== 'ai.onnx'))].map((domain) => ({ domain, version: 1 }))],
    producerName,
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    metadataProps: [],
    graph: {
      name: 'graph',
      nodes: g.nodes.map((n) => ({
        opType: n.opType,
        domain: n.domain,
        name: n.name,
        inputs: n.inputs,
        outputs: n.outputs,
        attributes: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => {
          const a = attribute(v, `attribute ${k} of node ${n.name} (${n.opType})`);
          const float = n.floatAttrs ? n.floatAttrs.includes(k) : FLOAT_ATTRS.has(k);
          if (float && a.type === 'int') return [k, { type: 'float', value: a.value as number }];
          if (float && a.type === 'ints') return [k, { type: 'floats', value: a.value as number[] }];
          return [k, a];
        })),
      })),
      initializers: [...g.initializers].map(([name, t]) => tensor(name, t)),
      inputs: g.inputs.map((i) => ({ name: i.name, type: type(i.type) })),
      outputs: g.outputs.map((o) => ({ name: o.name, type: type(o.type) })),
      valueInfo: [],
    },
  };
}
