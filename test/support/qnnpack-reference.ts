// An independent JavaScript definition of the QNNPACK-like u8 x u8 ops (QnnpackConv, QnnpackMatMul):
// exact integer accumulation, the real multiplier f32(f32(x_scale * w_scale) * f32(1 / y_scale)),
// and both requantizations written from their definitions (fp32: one float32 product, round half
// to even; q31: gemmlowp's SaturatingRoundingDoublingHighMul and RoundingDivideByPOT in BigInt).
import { opPlan } from './elementwise-reference';

export type Mode = 'fp32' | 'q31';

export const realScale = (xs: number, ws: number, ys: number) => Math.fround(Math.fround(xs * ws) * Math.fround(1 / ys));

const halfEven = (v: number) => {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
};

/** multiplier * 2^-(31 + shift) === s, multiplier in [2^30, 2^31). */
export function q31(s: number): { m: bigint; shift: number } {
  let f = s, e = 0;
  while (f >= 1) f /= 2, e++;
  while (f < 0.5) f *= 2, e--;
  return { m: BigInt(f * 2 ** 31), shift: -e };
}

function srdhm(a: bigint, b: bigint): bigint {
  const min = -(2n ** 31n);
  if (a === min && b === min) return 2n ** 31n - 1n;
  const ab = a * b;
  const nudge = ab >= 0n ? 2n ** 30n : 1n - 2n ** 30n;
  return (ab + nudge) / 2n ** 31n; // BigInt division truncates toward zero, as C's
}

function rdbp(x: bigint, e: number): bigint {
  const mask = (1n << BigInt(e)) - 1n;
  const rem = x & mask; // two's complement bits, as C's x & mask
  const threshold = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return (x >> BigInt(e)) + (rem > threshold ? 1n : 0n);
}

export function requantize(acc: number, s: number, zp: number, mode: Mode): number {
  let v: number;
  if (mode === 'q31') {
    const { m, shift } = q31(s);
    v = Number(rdbp(srdhm(BigInt(acc), m), shift));
  } else {
    v = halfEven(Math.min(Math.max(Math.fround(Math.fround(acc) * s), -zp), 255 - zp));
  }
  return Math.min(255, Math.max(0, v + zp));
}

export interface ConvCase {
  n: number; c: number; h: number; w: number; oc: number; kh: number; kw: number; group: number;
  strides: [number, number]; dilations: [number, number]; pads: [number, number, number, number];
  x: Uint8Array; xScale: number; xZp: number; wq: Uint8Array; wScale: number[]; wZp: number | number[];
  yScale: number; yZp: number; bias?: Int32Array; mode: Mode; autoPad?: string;
}

export function convOutSize(k: ConvCase): [number, number] {
  if (k.autoPad === 'SAME_UPPER' || k.autoPad === 'SAME_LOWER')
    return [Math.ceil(k.h / k.strides[0]), Math.ceil(k.w / k.strides[1])];
  const pads = k.autoPad === 'VALID' ? [0, 0, 0, 0] : k.pads;
  const o = (i: number, n: number, kk: number) => Math.floor((n + pads[i] + pads[i + 2] - ((kk - 1) * k.dilations[i] + 1)) / k.strides[i]) + 1;
  return [o(0, k.h, k.kh), o(1, k.w, k.kw)];
}

function beginPads(k: ConvCase): [number, number] {
  if (k.autoPad === 'VALID') return [0, 0];
  if (k.autoPad !== 'SAME_UPPER' && k.autoPad !== 'SAME_LOWER') return [k.pads[0], k.pads[1]];
  const [oh, ow] = convOutSize(k);
  const total = (o: number, n: number, kk: number, i: number) => Math.max(0, (o - 1) * k.strides[i] + (kk - 1) * k.dilations[i] + 1 - n);
  const tb = total(oh, k.h, k.kh, 0), tl = total(ow, k.w, k.kw, 1);
  return k.autoPad === 'SAME_UPPER' ? [Math.floor(tb / 2), Math.floor(tl / 2)] : [tb - Math.floor(tb / 2), tl - Math.floor(tl / 2)];
}

export function convReference(k: ConvCase): Uint8Array {
  const [oh, ow] = convOutSize(k), [pt, pl] = beginPads(k);
  const cpg = k.c / k.group, opg = k.oc / k.group;
  const y = new Uint8Array(k.n * k.oc * oh * ow);
  for (let b = 0; b < k.n; b++)
    for (let o = 0; o < k.oc; o++) {
      const g = Math.floor(o / opg), s = realScale(k.xScale, k.wScale.length === 1 ? k.wScale[0] : k.wScale[o], k.yScale);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = k.bias ? k.bias[o] : 0;
          const wZp = typeof k.wZp === 'number' ? k.wZp : k.wZp[o];
          for (let c = 0; c < cpg; c++)
            for (let ky = 0; ky < k.kh; ky++)
              for (let kx = 0; kx < k.kw; kx++) {
                const iy = oy * k.strides[0] + ky * k.dilations[0] - pt, ix = ox * k.strides[1] + kx * k.dilations[1] - pl;
                if (iy < 0 || ix < 0 || iy >= k.h || ix >= k.w) continue; // padding holds the zero point: adds 0
                acc += (k.x[((b * k.c + g * cpg + c) * k.h + iy) * k.w + ix] - k.xZp) * (k.wq[((o * cpg + c) * k.kh + ky) * k.kw + kx] - wZp);
              }
          y[((b * k.oc + o) * oh + oy) * ow + ox] = requantize(acc, s, k.yZp, k.mode);
        }
    }
  return y;
}

export function convPlan(k: ConvCase) {
  const [oh, ow] = convOutSize(k);
  const f = (v: number) => ({ dtype: 'float32' as const, shape: [], data: Float32Array.of(v) });
  const u = (v: number) => ({ dtype: 'uint8' as const, shape: [], data: Uint8Array.of(v) });
  const attrs: Record<string, number[] | number | string> = { group: k.group, strides: k.strides, dilations: k.dilations, requantization: k.mode };
  if (k.autoPad) attrs.auto_pad = k.autoPad;
  else attrs.pads = k.pads;
  return opPlan('QnnpackConv', [
    { dtype: 'uint8', shape: [k.n, k.c, k.h, k.w] }, f(k.xScale), u(k.xZp),
    { dtype: 'uint8', shape: [k.oc, k.c / k.group, k.kh, k.kw], data: k.wq },
    { dtype: 'float32', shape: [k.wScale.length], data: Float32Array.from(k.wScale) }, typeof k.wZp === 'number' ? u(k.wZp) : { dtype: 'uint8' as const, shape: [k.oc], data: Uint8Array.from(k.wZp) }, f(k.yScale), u(k.yZp),
    ...(k.bias ? [{ dtype: 'int32' as const, shape: [k.oc], data: k.bias }] : []),
  ], [{ dtype: 'uint8', shape: [k.n, k.oc, oh, ow] }], attrs);
}
