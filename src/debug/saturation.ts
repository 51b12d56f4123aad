// The saturation report: how many int16 pair sums a plain vpmaddubsw kernel would overflow on a
// layer's real activations. vpmaddubsw multiplies u8 x s8 bytes and adds each two adjacent products
// (k = 2i, 2i + 1 of the GEMM's K order) into an int16 with saturation, so 255 * 127 * 2 = 64770
// cannot be represented and the result silently depends on the data. int8kit's own kernels never
// saturate: VNNI (vpdpbusd) sums into int32, the AVX2 4x16c2 kernel widens to int16 and uses exact
// vpmaddwd, and the AVX2 vpmaddubsw path (6x16c4-avx2-rr) only takes 7-bit weights, for which a
// pair is at most 255 * 64 * 2 = 32640. This counts what the plain kernel of some other runtimes
// would hit. K order: GEMM rows as written (MatMul/Gemm), and for Conv the im2col row int8kit's
// conv GEMM builds, (kh, kw, input channel of the group), with padding holding the zero point.
import { roundHalfEven } from '../quant/float32';

/** The int16 saturation a plain vpmaddubsw kernel would hit on one layer ({@link LayerReport.saturation}). */
export interface Saturation {
  /** Pair sums computed (output elements x ceil(K / 2)). */
  pairs: number;
  /** Pair sums outside [-32768, 32767]. */
  saturating: number;
  /** saturating / pairs. */
  fraction: number;
  /** Output channels by their count of saturating pairs, worst first (those with any, at most 5). */
  worstChannels: {
    /** The output channel. */
    channel: number;
    /** Its saturating pair sums. */
    count: number;
  }[];
}

const I16_MIN = -32768, I16_MAX = 32767;

/**
 * Adds to `perChannel[n]` the saturating pair sums of rows `a` (m x k, u8 codes) against weight
 * rows `w` (n x k, s8 codes, one row per output channel, same K order). Returns the count.
 */
export function countSaturatingPairs(a: ArrayLike<number>, m: number, k: number, w: ArrayLike<number>, n: number, perChannel: Float64Array, channel0 = 0): number {
  let total = 0;
  const risky = new Int32Array(Math.ceil(k / 2));
  for (let j = 0; j < n; j++) {
    const wo = j * k;
    // One product fits in int16 (255 * -128 = -32640), so only a pair of same-sign weights with
    // 255 (|w0| + |w1|) > 32767 can saturate: the others are skipped for every row.
    let r = 0;
    for (let p = 0; p + 1 < k; p += 2) {
      const w0 = w[wo + p], w1 = w[wo + p + 1];
      if (w0 * w1 > 0 && 255 * (Math.abs(w0) + Math.abs(w1)) > I16_MAX) risky[r++] = p;
    }
    let count = 0;
    for (let i = 0; i < m && r > 0; i++) {
      const ao = i * k;
      for (let t = 0; t < r; t++) {
        const p = risky[t];
        const s = a[ao + p] * w[wo + p] + a[ao + p + 1] * w[wo + p + 1];
        if (s > I16_MAX || s < I16_MIN) count++;
      }
      // An odd K's last product pairs with a zero pad: one u8 x s8 product always fits in int16.
    }
    perChannel[channel0 + j] += count;
    total += count;
  }
  return total;
}

/** u8 codes of float activations: saturate(round_half_even(x / s) + zp), as QuantizeLinear. */
export function quantizeU8(x: ArrayLike<number>, scale: number, zeroPoint: number): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(0, Math.min(255, roundHalfEven(Math.fround(x[i] / scale)) + zeroPoint));
  return out;
}

export interface ConvGeometry {
  /** Input [N, C, H, W] (a 1-D conv as H = 1). */
  inDims: number[];
  /** Weight [OC, C / group, kh, kw]. */
  wDims: number[];
  group: number;
  strides: number[];
  dilations: number[];
  /** [top, left, bottom, right]. */
  pads: number[];
}

/** Conv geometry from ONNX attributes (auto_pad included) for 1-D and 2-D convs. */
export function convGeometry(attrs: Record<string, unknown>, inDims: number[], wDims: number[]): ConvGeometry {
  const twoD = (d: number[]) => (d.length === 3 ? [d[0], d[1], 1, d[2]] : d);
  const x = twoD(inDims), w = twoD(wDims);
  const r = inDims.length - 2;
  const lift = (v: number[] | undefined, def: number) => (r === 1 ? [def, v?.[0] ?? def] : [v?.[0] ?? def, v?.[1] ?? def]);
  const strides = lift(attrs.strides as number[] | undefined, 1), dilations = lift(attrs.dilations as number[] | undefined, 1);
  const p = attrs.pads as number[] | undefined;
  let pads = r === 1 ? [0, p?.[0] ?? 0, 0, p?.[1] ?? 0] : [p?.[0] ?? 0, p?.[1] ?? 0, p?.[2] ?? 0, p?.[3] ?? 0];
  const auto = (attrs.auto_pad as string | undefined) ?? 'NOTSET';
  if (auto === 'VALID') pads = [0, 0, 0, 0];
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    pads = [0, 0, 0, 0];
    for (const ax of [0, 1]) {
      const n = x[2 + ax], span = dilations[ax] * (w[2 + ax] - 1) + 1;
      const total = Math.max(0, (Math.ceil(n / strides[ax]) - 1) * strides[ax] + span - n);
      const small = Math.floor(total / 2);
      pads[ax] = auto === 'SAME_UPPER' ? small : total - small;
      pads[ax + 2] = total - pads[ax];
    }
  }
  return { inDims: x, wDims: w, group: (attrs.group as number | undefined) ?? 1, strides, dilations, pads };
}

/** Saturating pairs of a Conv on u8 input codes (NCHW) with s8 weight codes, through im2col. */
export function convSaturation(x: Uint8Array, zeroPoint: number, w: ArrayLike<number>, geo: ConvGeometry, perChannel: Float64Array): { pairs: number; saturating: number } {
  const [batch, c, h, wd] = geo.inDims, [oc, cg, kh, kw] = geo.wDims;
  const g = geo.group, ocg = oc / g, k = kh * kw * cg;
  const oh = Math.floor((h + geo.pads[0] + geo.pads[2] - (geo.dilations[0] * (kh - 1) + 1)) / geo.strides[0]) + 1;
  const ow = Math.floor((wd + geo.pads[1] + geo.pads[3] - (geo.dilations[1] * (kw - 1) + 1)) / geo.strides[1]) + 1;
  if (cg * g !== c || !Number.isInteger(ocg) || oh < 1 || ow < 1) return { pairs: 0, saturating: 0 };
  // Weights of a group as rows in the same (kh, kw, c) order.
  const rows = new Int16Array(oc * k);
  for (let o = 0; o < oc; o++)
    for (let ci = 0; ci < cg; ci++)
      for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) rows[o * k + (y * kw + xx) * cg + ci] = Number(w[((o * cg + ci) * kh + y) * kw + xx]);
  const a = new Uint8Array(oh * ow * k);
  let saturating = 0;
  for (let n = 0; n < batch; n++)
    for (let gi = 0; gi < g; gi++) {
      a.fill(zeroPoint);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const row = (oy * ow + ox) * k;
          for (let y = 0; y < kh; y++) {
            const iy = oy * geo.strides[0] - geo.pads[0] + y * geo.dilations[0];
            if (iy < 0 || iy >= h) continue;
            for (let xx = 0; xx < kw; xx++) {
              const ix = ox * geo.strides[1] - geo.pads[1] + xx * geo.dilations[1];
              if (ix < 0 || ix >= wd) continue;
              for (let ci = 0; ci < cg; ci++) a[row + (y * kw + xx) * cg + ci] = x[((n * c + gi * cg + ci) * h + iy) * wd + ix];
            }
          }
        }
      saturating += countSaturatingPairs(a, oh * ow, k, rows.subarray(gi * ocg * k, (gi + 1) * ocg * k), ocg, perChannel, gi * ocg);
    }
  return { pairs: batch * oh * ow * oc * Math.ceil(k / 2), saturating };
}

/** Saturating pairs of rows (m x k u8 codes) against a [k, n] (or [n, k] when transposed) s8 weight. */
export function matrixSaturation(a: Uint8Array, m: number, k: number, w: ArrayLike<number>, n: number, wTransposed: boolean, perChannel: Float64Array): { pairs: number; saturating: number } {
  const rows = wTransposed ? w : Int16Array.from({ length: n * k }, (_, i) => Number(w[(i % k) * n + Math.floor(i / k)]));
  return { pairs: m * n * Math.ceil(k / 2), saturating: countSaturatingPairs(a, m, k, rows, n, perChannel) };
}

/** A u8 x s8 layer's counts, sample by sample. */
export interface LayerGemm {
  opType: string;
  attrs: Record<string, unknown>;
  /** s8 weight codes and dims as the ONNX op reads them. */
  weight: Int8Array;
  wDims: number[];
  /** The u8 input's quantization parameters. */
  scale: number;
  zeroPoint: number;
}

export class SaturationSum {
  private pairs = 0;
  private saturating = 0;
  private readonly perChannel: Float64Array;
  private readonly gemmK?: number;

  /** Undefined when the layer's GEMM is not modelled (ConvTranspose, Gemm with transA, MatMul of a computed or >2-D B). */
  static for(l: LayerGemm): SaturationSum | undefined {
    const conv = l.opType === 'Conv' && (l.wDims.length === 3 || l.wDims.length === 4);
    const gemm = l.opType === 'Gemm' && !l.attrs.transA && l.wDims.length === 2;
    const matmul = l.opType === 'MatMul' && l.wDims.length === 2;
    return conv || gemm || matmul ? new SaturationSum(l) : undefined;
  }

  private constructor(private readonly l: LayerGemm) {
    const transB = l.opType === 'Gemm' && !!l.attrs.transB;
    const channels = l.opType === 'Conv' || transB ? l.wDims[0] : l.wDims[1];
    this.perChannel = new Float64Array(channels);
    if (l.opType !== 'Conv') this.gemmK = transB ? l.wDims[1] : l.wDims[0];
  }

  /** One sample's float input to the layer (quantized here with the layer's input parameters). */
  add(x: Float32Array, dims: readonly number[]): void {
    const { l } = this;
    const a = quantizeU8(x, l.scale, l.zeroPoint);
    let r: { pairs: number; saturating: number };
    if (this.gemmK === undefined) {
      if (dims.length !== l.wDims.length) return;
      r = convSaturation(a, l.zeroPoint, l.weight, convGeometry(l.attrs, [...dims], l.wDims), this.perChannel);
    } else {
      const k = this.gemmK;
      if (a.length % k !== 0) return;
      r = matrixSaturation(a, a.length / k, k, l.weight, this.perChannel.length, l.opType === 'Gemm' && !!l.attrs.transB, this.perChannel);
    }
    this.pairs += r.pairs;
    this.saturating += r.saturating;
  }

  get result(): Saturation {
    const worstChannels = Array.from(this.perChannel, (count, channel) => ({ channel, count }))
      .filter((c) => c.count > 0)
      .sort((x, y) => y.count - x.count || x.channel - y.channel)
      .slice(0, 5);
    return { pairs: this.pairs, saturating: this.saturating, fraction: this.pairs ? this.saturating / this.pairs : 0, worstChannels };
  }
}
