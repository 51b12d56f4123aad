// An ONNX model (src/onnx) becomes the graph IR: tensors with the dtypes plans carry, attributes as
// plain values, initializers out of the input list (as onnxruntime does with override disabled).
import { UnsupportedOpError } from '../errors';
import type { OnnxAttribute, OnnxModel, OnnxTensor, OnnxType } from '../onnx';
import { DTYPES, type DType } from '../plan/types';
import type { AttrValue, Graph, TensorData, ValueType } from './ir';

function dtypeOf(d: string, what: string): DType {
  if (d in DTYPES) return d as DType;
  throw new UnsupportedOpError(`Unsupported type: ${what} has element type ${d}; int8kit runs ${Object.keys(DTYPES).join(', ')}`);
}

function tensor(t: OnnxTensor, what: string): TensorData {
  return { dtype: dtypeOf(t.dtype, what), dims: t.dims, data: t.data as TensorData['data'] };
}

function valueType(t: OnnxType | null, what: string): ValueType | undefined {
  if (!t) return undefined;
  if (t.kind !== 'tensor') throw new UnsupportedOpError(`Unsupported type: ${what} is not a tensor`);
  return { dtype: dtypeOf(t.dtype, what), shape: t.shape ?? undefined };
}

function attribute(a: OnnxAttribute, what: string): AttrValue | undefined {
  switch (a.type) {
    case 'float':
    case 'string':
    case 'floats':
    case 'strings':
      return a.value;
    case 'int':
      return Number(a.value);
    case 'ints':
      return a.value.map(Number);
    case 'tensor':
      return tensor(a.value, what);
    default:
      return undefined; // subgraphs and rarer kinds: their ops (If, Loop, Scan) are unsupported anyway
  }
}

/**
 * Converts a model read by {@link readModel} into the graph IR that passes and {@link Session} use.
 * @param model The ONNX model object.
 * @returns Its main graph with initializers as constants and the default-domain opset.
 * @throws {@link UnsupportedOpError} when a tensor or value has an element type plans cannot carry (e.g. float16, string) or is not a tensor.
 */
export function graphFromOnnx(model: OnnxModel): Graph {
  const g = model.graph;
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1;
  const initializers = new Map(g.initializers.map((t) => [t.name, tensor(t, `initializer "${t.name}"`)]));
  return {
    opset,
    initializers,
    inputs: g.inputs
      .filter((i) => !initializers.has(i.name))
      .map((i) => ({ name: i.name, type: valueType(i.type, `input "${i.name}"`) ?? { dtype: 'float32' } })),
    outputs: g.outputs.map((o) => ({ name: o.name, type: valueType(o.type, `output "${o.name}"`) })),
    valueInfo: new Map(g.valueInfo.flatMap((v) => {
      try {
        const t = valueType(v.type, v.name);
        return t ? [[v.name, t] as const] : [];
      } catch {
        return []; // value_info is advisory: an exotic type there must not block the model
      }
    })),
    nodes: g.nodes.map((n) => ({
      name: n.name,
      opType: n.opType,
      domain: n.domain,
      inputs: n.inputs,
      outputs: n.outputs,
      floatAttrs: Object.entries(n.attributes).filter(([, a]) => a.type === 'float' || a.type === 'floats').map(([k]) => k),
      attrs: Object.fromEntries(
        Object.entries(n.attributes).flatMap(([k, a]) => {
          const v = attribute(a, `attribute ${k} of node "${n.name}"`);
          return v === undefined ? [] : [[k, v]];
        }),
      ),
    })),
  };
}
