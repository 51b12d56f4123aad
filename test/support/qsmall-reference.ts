// Independent JavaScript definitions of the quantized small ops (native/kernels/q8-*/ headers,
// native/ops/pool-q8.h, native/plan/op-qsmall.cc): float32 steps spelled out with Math.fround,
// round half to even, saturation with NaN to the lowest code.
const f = Math.fround;

export const range = (signed: boolean) => (signed ? { lo: -128, hi: 127 } : { lo: 0, hi: 255 });

/** nearbyint of a float: round half to even. */
export function halfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** saturate(nearbyint(acc) + zp) for a float32 acc. */
export function store(acc: number, zp: number, signed: boolean): number {
  const { lo, hi } = range(signed);
  const v = halfEven(acc) + zp;
  return Number.isNaN(v) ? lo : Math.min(hi, Math.max(lo, v));
}

export interface QParams { sa: number; za: number; sb: number; zb: number; sy: number; zy: number }

export function qlinearAdd(a: number, b: number, p: QParams, signed: boolean): number {
  const ma = f(p.sa / p.sy), mb = f(p.sb / p.sy);
  return store(f(f((a - p.za) * ma) + f((b - p.zb) * mb)), p.zy, signed);
}

export function qlinearMul(a: number, b: number, p: QParams, signed: boolean): number {
  const m = f(f(p.sa * p.sb) / p.sy);
  return store(f(f((a - p.za) * (b - p.zb)) * m), p.zy, signed);
}

export interface Pool { n: number; c: number; h: number; w: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; pb: number; pr: number; ceil: boolean }

export function poolOut(p: Pool): [number, number] {
  const o = (n: number, k: number, s: number, d: number, pb: number, pe: number) => {
    const span = n + pb + pe - ((k - 1) * d + 1);
    let out = (p.ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (p.ceil && (out - 1) * s >= n + pb) out--;
    return out;
  };
  return [o(p.h, p.kh, p.sh, p.dh, p.pt, p.pb), o(p.w, p.kw, p.sw, p.dw, p.pl, p.pr)];
}

/** Visits every window: the codes inside the image, and how many positions lie inside the padded image. */
function windows(p: Pool, x: ArrayLike<number>, fn: (vals: number[], padded: number) => number): number[] {
  const [oh, ow] = poolOut(p);
  const y: number[] = [];
  for (let plane = 0; plane < p.n * p.c; plane++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const vals: number[] = [];
        let padded = 0;
        for (let ky = 0; ky < p.kh; ky++)
          for (let kx = 0; kx < p.kw; kx++) {
            const iy = oy * p.sh - p.pt + ky * p.dh, ix = ox * p.sw - p.pl + kx * p.dw;
            if (iy >= -p.pt && iy < p.h + p.pb && ix >= -p.pl && ix < p.w + p.pr) padded++;
            if (iy >= 0 && iy < p.h && ix >= 0 && ix < p.w) vals.push(x[plane * p.h * p.w + iy * p.w + ix]);
          }
        y.push(fn(vals, padded));
      }
  return y;
}

export function maxPool(p: Pool, x: ArrayLike<number>, signed: boolean): number[] {
  return windows(p, x, (vals) => Math.max(range(signed).lo, ...vals));
}

export function qlinearAvgPool(p: Pool, x: ArrayLike<number>, includePad: boolean, sx: number, zx: number, sy: number, zy: number, signed: boolean): number[] {
  const ratio = f(sx / sy);
  return windows(p, x, (vals, padded) => {
    const total = vals.reduce((s, v) => s + v - zx, 0);
    const d = includePad ? padded : vals.length;
    return d ? store(f(f(total) * f(ratio / d)), zy, signed) : store(0, zy, signed);
  });
}

export function qlinearGlobalAvgPool(x: ArrayLike<number>, planes: number, size: number, sx: number, zx: number, sy: number, zy: number, signed: boolean): number[] {
  const m = f(f(sx / sy) / size);
  return Array.from({ length: planes }, (_, c) => {
    let s = 0;
    for (let i = 0; i < size; i++) s += x[c * size + i] - zx;
    return store(f(f(s) * m), zy, signed);
  });
}

/** y = quantize(fn(dequantize(x))): the table the elementwise ops build. */
export function lookupFunction(x: number, fn: (v: number) => number, sx: number, zx: number, sy: number, zy: number, signed: boolean): number {
  const v = f(fn(f((x - zx) * sx)));
  return store(f(v / sy), zy, signed);
}

export const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
export const leakyRelu = (alpha: number) => (v: number) => (v >= 0 ? v : f(f(alpha) * v));
