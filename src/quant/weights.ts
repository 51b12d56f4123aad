/**
 * Symmetric s8 weight quantization, shared by the static (QDQ) and dynamic conversions: one scale
 * per output channel along `axis`, or one per tensor (optionally a power of two, 2^-p, the smallest
 * p whose range holds the weights), zero point 0.
 */
import type { TensorData } from '../graph/ir';
import { calculateQParams } from './qparams';
import { quantizePerChannel } from './quantize';
import { channelLayout } from './tensor-shape';
import { powerOfTwoPosition, powerOfTwoQParams } from './power-of-two';

/** How {@link convert} quantizes a node's weights. */
export interface WeightOptions {
  /** One scale per output channel (default) or one per tensor. */
  perChannel?: boolean;
  /** Weights in [-64, 63], for INT8 kernels whose u8 x s8 pair sums must not overflow int16. */
  reduceRange?: boolean;
  /** A per-tensor scale 2^-p. */
  powerOfTwo?: boolean;
}

export interface QuantizedWeights {
  q: Int8Array;
  /** One per channel along the axis (the tensor's scale repeated when per tensor). */
  scales: Float32Array;
  perChannel: boolean;
  /** The ONNX scale and zero point: 1-D per channel, scalars per tensor. */
  scale: TensorData;
  zeroPoint: TensorData;
}

function channelRange(w: Float32Array, dims: readonly number[], axis: number): { min: Float64Array; max: Float64Array } {
  const { channels, inner } = channelLayout(dims, axis);
  const min = new Float64Array(channels).fill(Infinity), max = new Float64Array(channels).fill(-Infinity);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % channels;
    if (w[i] < min[c]) min[c] = w[i];
    if (w[i] > max[c]) max[c] = w[i];
  }
  return { min, max };
}

export function quantizeWeights(w: Float32Array, dims: readonly number[], axis: number, opts: WeightOptions = {}): QuantizedWeights {
  const pow2 = opts.powerOfTwo ?? false;
  const perChannel = !pow2 && (opts.perChannel ?? true);
  const { min, max } = perChannel ? channelRange(w, dims, axis) : channelRange(w, [1, w.length], 0);
  const qp = pow2
    ? powerOfTwoQParams(powerOfTwoPosition(min[0], max[0], 'qint8') ?? 0, 'qint8')
    : calculateQParams(min, max, { dtype: 'qint8', qscheme: perChannel ? 'per_channel_symmetric' : 'per_tensor_symmetric', reduceRange: opts.reduceRange });
  const scales = perChannel ? Float32Array.from(qp.scale) : new Float32Array(dims[axis]).fill(qp.scale[0]);
  const q = quantizePerChannel(w, { shape: dims, axis, scales, zeroPoints: new Int32Array(scales.length), dtype: 'qint8' }) as Int8Array;
  const sDims = perChannel ? [scales.length] : [];
  return {
    q, scales, perChannel,
    scale: { dtype: 'float32', dims: sDims, data: perChannel ? Float32Array.from(scales) : Float32Array.of(scales[0]) },
    zeroPoint: { dtype: 'int8', dims: sDims, data: new Int8Array(perChannel ? scales.length : 1) },
  };
}
