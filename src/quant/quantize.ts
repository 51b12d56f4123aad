import { InvalidArgumentError, describe } from '../errors';
import { dtypeRange, type QuantDType } from './dtypes';
import { f32, roundHalfEven } from './float32';
import type { QParams } from './qparams';
import { channelLayout, checkAxis, checkShape } from './tensor-shape';

/**
 * quantize / dequantize / fakeQuantize, matching PyTorch 1.13's CPU kernels bit for bit (golden: fake_quant.json,
 * quantize_roundtrip.json):
 *   t = f32(zp + rint(f32(x * f32(1 / scale))))   rint = round half to even; zp is added in float32
 *   q = clamp(int64(t), qmin, qmax)
 * Multiplying by the float32 reciprocal (not dividing) is what PyTorch does, and it differs from true division on
 * near-ties (x = 0.15, scale 0.1). The float -> int64 conversion of NaN, +inf, -inf and anything beyond +-2^63 gives
 * INT64_MIN on x86, so all of those land on the minimum code, +inf included; -0 quantizes to zp.
 */

export type QuantizedArray = Uint8Array | Int8Array | Int32Array;

const INT64_LIMIT = 2 ** 63;

/** One element, with the float32 reciprocal of the scale precomputed. */
export function quantizeValue(x: number, invScale: number, zeroPoint: number, quantMin: number, quantMax: number): number {
  const t = f32(zeroPoint + roundHalfEven(f32(x * invScale)));
  if (!(t > -INT64_LIMIT && t < INT64_LIMIT)) return quantMin; // int64(NaN / inf / huge) = INT64_MIN
  return t < quantMin ? quantMin : t > quantMax ? quantMax : t;
}

/** f32(1 / f32(scale)), after checking that the scale is a positive finite number. */
export function reciprocalScale(scale: number, what = 'scale'): number {
  const s = f32(scale);
  if (!(s > 0) || !Number.isFinite(s)) throw new InvalidArgumentError(`Expected a positive finite float32 number for ${what} but received ${describe(scale)}`);
  return f32(1 / s);
}

function checkZeroPoint(zp: number, quantMin: number, quantMax: number, what = 'zero point'): void {
  if (!Number.isInteger(zp) || zp < quantMin || zp > quantMax) {
    throw new InvalidArgumentError(`Expected an integer in [${quantMin}, ${quantMax}] for ${what} but received ${describe(zp)}`);
  }
}

function output(dtype: QuantDType, n: number): QuantizedArray {
  return dtype === 'quint8' ? new Uint8Array(n) : dtype === 'qint8' ? new Int8Array(n) : new Int32Array(n);
}

function checkInput(x: Float32Array, what: string): void {
  if (!(x instanceof Float32Array)) throw new InvalidArgumentError(`Expected a Float32Array for ${what} but received ${describe(x)}`);
}

/**
 * Per-tensor `torch.quantize_per_tensor(x, scale, zp, dtype).int_repr()`; saturates to the dtype range.
 * @throws {@link InvalidArgumentError} for a non-Float32Array x, a scale that is not positive and finite, or a zero point outside the dtype.
 */
export function quantize(x: Float32Array, scale: number, zeroPoint: number, dtype: QuantDType): QuantizedArray {
  checkInput(x, 'the tensor to quantize');
  const { quantMin, quantMax } = dtypeRange(dtype);
  const inv = reciprocalScale(scale);
  checkZeroPoint(zeroPoint, quantMin, quantMax);
  const q = output(dtype, x.length);
  for (let i = 0; i < x.length; i++) q[i] = quantizeValue(x[i], inv, zeroPoint, quantMin, quantMax);
  return q;
}

/**
 * Per-tensor dequantization: f32(f32(q - zp) * scale). q - zp is an int32 subtraction that wraps, as in PyTorch's
 * kernel: a qint32 code of INT32_MIN with zero point 17 dequantizes to a large positive value (quantize_roundtrip.json).
 * @throws Never: scale and zero point are used as given, unchecked (PyTorch does the same).
 */
export function dequantize(q: ArrayLike<number>, scale: number, zeroPoint: number): Float32Array {
  const s = f32(scale);
  const y = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) y[i] = f32((q[i] - zeroPoint) | 0) * s; // the store rounds the exact product once
  return y;
}

interface PerChannelArgs {
  shape: readonly number[];
  axis: number;
  scales: ArrayLike<number>;
  zeroPoints: ArrayLike<number>;
}

/** Validates per-channel arguments and returns, per channel, the reciprocal scales and the layout. */
function perChannel(length: number, args: PerChannelArgs, quantMin: number, quantMax: number, what: string) {
  checkShape(args.shape as number[], length, what);
  const axis = checkAxis(args.axis, args.shape.length, `the channel axis of ${what}`);
  const { channels, inner } = channelLayout(args.shape, axis);
  for (const [name, list] of [['scales', args.scales], ['zero points', args.zeroPoints]] as const) {
    if (list.length !== channels) {
      throw new InvalidArgumentError(`Expected ${channels} ${name} (dimension ${axis} of [${args.shape.join(', ')}]) for ${what} but received ${list.length}`);
    }
  }
  const inv = Array.from(args.scales, (s, c) => reciprocalScale(s, `scale ${c} of ${what}`));
  Array.from(args.zeroPoints, (z, c) => checkZeroPoint(z, quantMin, quantMax, `zero point ${c} of ${what}`));
  return { inv, channels, inner };
}

/**
 * `torch.quantize_per_channel(x, scales, zps, axis, dtype).int_repr()` on a row-major tensor of `shape`.
 * @throws {@link InvalidArgumentError} for a non-Float32Array x, a shape that does not match it, an axis out of range,
 *   or scales/zero points that are not one per channel or out of range.
 */
export function quantizePerChannel(x: Float32Array, args: PerChannelArgs & { dtype: QuantDType }): QuantizedArray {
  checkInput(x, 'the tensor to quantize');
  const { quantMin, quantMax } = dtypeRange(args.dtype);
  const { inv, channels, inner } = perChannel(x.length, args, quantMin, quantMax, 'the tensor to quantize');
  const q = output(args.dtype, x.length);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / inner) % channels;
    q[i] = quantizeValue(x[i], inv[c], args.zeroPoints[c], quantMin, quantMax);
  }
  return q;
}

/**
 * Per-channel dequantization: f32(f32(q - zp[c]) * scale[c]). The scales are used as given: PyTorch keeps per-channel
 * scales in float64, so passing a Float64Array reproduces torch.dequantize exactly; a Float32Array gives float32 scales.
 * @throws {@link InvalidArgumentError} for a shape that does not match q, an axis out of range, or scales/zero
 *   points that are not one per channel or out of range.
 */
export function dequantizePerChannel(q: ArrayLike<number>, args: PerChannelArgs): Float32Array {
  checkShape(args.shape as number[], q.length, 'the tensor to dequantize');
  const axis = checkAxis(args.axis, args.shape.length, 'the channel axis of the tensor to dequantize');
  const { channels, inner } = channelLayout(args.shape, axis);
  const y = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = Math.floor(i / inner) % channels;
    y[i] = f32((q[i] - args.zeroPoints[c]) | 0) * args.scales[c];
  }
  return y;
}

/** What the `...WithMask` variants return. */
export interface FakeQuantizeResult {
  /** The quantize-dequantize result, float32. */
  y: Float32Array;
  /** The straight-through gradient mask: 1 where f32(zp + rint(x / scale)) lies in [quantMin, quantMax], else 0. */
  mask: Uint8Array;
}

function fakeQuantizeInto(x: Float32Array, channelOf: (i: number) => number, inv: number[], scales: ArrayLike<number>,
  zeroPoints: ArrayLike<number>, quantMin: number, quantMax: number): FakeQuantizeResult {
  const y = new Float32Array(x.length);
  const mask = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = channelOf(i);
    const zp = zeroPoints[c];
    const t = f32(zp + roundHalfEven(f32(x[i] * inv[c])));
    mask[i] = quantMin <= t && t <= quantMax ? 1 : 0;
    y[i] = f32(quantizeValue(x[i], inv[c], zp, quantMin, quantMax) - zp) * f32(scales[c]);
  }
  return { y, mask };
}

function checkFakeRange(quantMin: number, quantMax: number): void {
  if (!Number.isInteger(quantMin) || !Number.isInteger(quantMax) || !(quantMin < quantMax)) {
    throw new InvalidArgumentError(`Expected integers quantMin < quantMax for fakeQuantize but received [${describe(quantMin)}, ${describe(quantMax)}]`);
  }
}

/**
 * `torch.fake_quantize_per_tensor_affine(x, scale, zp, qmin, qmax)` and its gradient mask.
 * @throws {@link InvalidArgumentError} for a non-Float32Array x, a bad scale, quantMin >= quantMax, or a zero point outside it.
 */
export function fakeQuantizeWithMask(x: Float32Array, scale: number, zeroPoint: number, quantMin: number, quantMax: number): FakeQuantizeResult {
  checkInput(x, 'the tensor to fake-quantize');
  checkFakeRange(quantMin, quantMax);
  const inv = reciprocalScale(scale);
  checkZeroPoint(zeroPoint, quantMin, quantMax);
  return fakeQuantizeInto(x, () => 0, [inv], [scale], [zeroPoint], quantMin, quantMax);
}

/**
 * `torch.fake_quantize_per_tensor_affine`: quantize then dequantize, in float32.
 * @throws {@link InvalidArgumentError} for a non-Float32Array x, a bad scale, quantMin >= quantMax, or a zero point outside it.
 */
export function fakeQuantize(x: Float32Array, scale: number, zeroPoint: number, quantMin: number, quantMax: number): Float32Array {
  return fakeQuantizeWithMask(x, scale, zeroPoint, quantMin, quantMax).y;
}

/**
 * `torch.fake_quantize_per_channel_affine(x, scales, zps, axis, qmin, qmax)` and its gradient mask.
 * @throws {@link InvalidArgumentError} as {@link quantizePerChannel} does, or for quantMin >= quantMax.
 */
export function fakeQuantizePerChannelWithMask(x: Float32Array, args: PerChannelArgs & { quantMin: number; quantMax: number }): FakeQuantizeResult {
  checkInput(x, 'the tensor to fake-quantize');
  checkFakeRange(args.quantMin, args.quantMax);
  const { inv, channels, inner } = perChannel(x.length, args, args.quantMin, args.quantMax, 'the tensor to fake-quantize');
  return fakeQuantizeInto(x, (i) => Math.floor(i / inner) % channels, inv, args.scales, args.zeroPoints, args.quantMin, args.quantMax);
}

/**
 * Per-channel fake quantization (`torch.fake_quantize_per_channel_affine`): quantize then dequantize along `axis`.
 * @throws {@link InvalidArgumentError} as {@link quantizePerChannel} does, or for quantMin >= quantMax.
 */
export function fakeQuantizePerChannel(x: Float32Array, args: PerChannelArgs & { quantMin: number; quantMax: number }): Float32Array {
  return fakeQuantizePerChannelWithMask(x, args).y;
}

/**
 * Quantizes with the parameters an observer returned (per tensor, or per channel along `qparams.axis`).
 * @throws {@link InvalidArgumentError} as {@link quantize} or {@link quantizePerChannel} does.
 */
export function quantizeWith(x: Float32Array, shape: readonly number[], qparams: QParams): QuantizedArray {
  if (qparams.axis === undefined) {
    checkShape(shape as number[], x.length, 'the tensor to quantize');
    return quantize(x, qparams.scale[0], qparams.zeroPoint[0], qparams.dtype);
  }
  return quantizePerChannel(x, { shape, axis: qparams.axis, scales: qparams.scale, zeroPoints: qparams.zeroPoint, dtype: qparams.dtype });
}

/**
 * Fake-quantizes with the parameters (and the quantMin/quantMax) an observer returned.
 * @throws {@link InvalidArgumentError} as {@link fakeQuantize} or {@link fakeQuantizePerChannel} does.
 */
export function fakeQuantizeWith(x: Float32Array, shape: readonly number[], qparams: QParams): Float32Array {
  const { quantMin, quantMax } = qparams;
  if (qparams.axis === undefined) {
    checkShape(shape as number[], x.length, 'the tensor to fake-quantize');
    return fakeQuantize(x, qparams.scale[0], qparams.zeroPoint[0], quantMin, quantMax);
  }
  return fakeQuantizePerChannel(x, { shape, axis: qparams.axis, scales: qparams.scale, zeroPoints: qparams.zeroPoint, quantMin, quantMax });
}
