// Independent JavaScript oracles for the conv family (ONNX semantics, NCHW): plain loops over the
// definitions in the ONNX operator docs, float64 sums, and for float results an error bound.
// Shapes are given as arrays; spatial rank 1 or 2.

const EPS = 2 ** -24;

export interface Windowed {
  kernel: number[]; strides?: number[]; dilations?: number[]; pads?: number[];
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID'; ceilMode?: boolean;
}

/** Output sizes and begin/end pads of a sliding window (Conv, MaxPool, AveragePool). */
export function windowGeometry(input: number[], w: Windowed) {
  const r = input.length;
  const strides = w.strides ?? Array(r).fill(1), dil = w.dilations ?? Array(r).fill(1);
  const pads = w.pads ?? Array(2 * r).fill(0);
  const out: number[] = [], begin: number[] = [], end: number[] = [];
  for (let i = 0; i < r; i++) {
    const dk = (w.kernel[i] - 1) * dil[i] + 1;
    let pb = pads[i], pe = pads[r + i], o: number;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      o = Math.ceil(input[i] / strides[i]);
      const total = Math.max(0, (o - 1) * strides[i] + dk - input[i]);
      pb = w.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      pe = total - pb;
    } else {
      if (w.autoPad === 'VALID') pb = pe = 0;
      const q = (input[i] + pb + pe - dk) / strides[i];
      o = (w.ceilMode ? Math.ceil(q) : Math.floor(q)) + 1;
      if (w.ceilMode && (o - 1) * strides[i] >= input[i] + pb) o--;
    }
    out.push(o); begin.push(pb); end.push(pe);
  }
  return { out, begin, end, strides, dil };
}

export type ActivationName = 'Relu' | 'Clip' | 'LeakyRelu' | 'HardSigmoid' | 'HardSwish' | 'Sigmoid';

export function activate(name: ActivationName | undefined, p: number[], v: number): number {
  switch (name) {
    case undefined: return v;
    case 'Relu': return Math.max(0, v);
    case 'Clip': return Math.min(p[1], Math.max(p[0], v));
    case 'LeakyRelu': return v < 0 ? p[0] * v : v;
    case 'HardSigmoid': return Math.min(1, Math.max(0, p[0] * v + p[1]));
    case 'HardSwish': return v * Math.min(1, Math.max(0, v / 6 + 0.5));
    case 'Sigmoid': return 1 / (1 + Math.exp(-v));
  }
}

/** How much an activation can amplify an input error (its Lipschitz constant, >= 1). */
function slope(name: ActivationName | undefined, p: number[], v: number): number {
  if (name === 'LeakyRelu') return Math.max(1, Math.abs(p[0]));
  if (name === 'HardSigmoid') return Math.max(1, Math.abs(p[0]));
  if (name === 'HardSwish') return Math.max(1, Math.abs(v) / 3 + 1);
  return 1;
}

export interface ConvArgs extends Windowed {
  x: Float32Array; xShape: number[]; w: Float32Array; wShape: number[]; b?: Float32Array; group?: number;
  activation?: ActivationName; activationParams?: number[];
}

/** Conv; the bound is 2(K+2)eps * sum|terms| (float32 accumulation) through the activation. */
export function convReference(a: ConvArgs) {
  const [n, cin] = a.xShape, cout = a.wShape[0], g = a.group ?? 1;
  const inS = a.xShape.slice(2), ks = a.wShape.slice(2);
  const geo = windowGeometry(inS, { ...a, kernel: ks });
  const H = inS.length === 2 ? inS[0] : 1, W = inS[inS.length - 1];
  const OH = geo.out.length === 2 ? geo.out[0] : 1, OW = geo.out[geo.out.length - 1];
  const KH = ks.length === 2 ? ks[0] : 1, KW = ks[ks.length - 1];
  const two = inS.length === 2;
  const [sh, sw] = two ? geo.strides : [1, geo.strides[0]];
  const [dh, dw] = two ? geo.dil : [1, geo.dil[0]];
  const [pt, pl] = two ? geo.begin : [0, geo.begin[0]];
  const cinG = cin / g, coutG = cout / g, K = cinG * KH * KW;
  const value = new Float64Array(n * cout * OH * OW), bound = new Float64Array(value.length);
  const p = a.activationParams ?? [];
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < cout; oc++) {
      const grp = Math.floor(oc / coutG);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = a.b ? a.b[oc] : 0, mag = Math.abs(s);
          for (let ic = 0; ic < cinG; ic++)
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= W) continue;
                const t = a.x[((b * cin + grp * cinG + ic) * H + iy) * W + ix] * a.w[((oc * cinG + ic) * KH + ky) * KW + kx];
                s += t; mag += Math.abs(t);
              }
            }
          const o = ((b * cout + oc) * OH + oy) * OW + ox;
          value[o] = activate(a.activation, p, s);
          bound[o] = 2 * (K + 2) * EPS * mag * slope(a.activation, p, s) + 4 * EPS * Math.abs(value[o]) + 1e-30;
        }
    }
  return { value, bound, shape: [n, cout, ...geo.out] };
}

export interface ConvTransposeArgs {
  x: Float32Array; xShape: number[]; w: Float32Array; wShape: number[]; b?: Float32Array; group?: number;
  strides?: number[]; dilations?: number[]; pads?: number[]; outputPadding?: number[]; outputShape?: number[];
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
}

/** ConvTranspose by its definition: every input pixel scatters into the output window it maps to. */
export function convTransposeReference(a: ConvTransposeArgs) {
  const [n, cin] = a.xShape, g = a.group ?? 1, coutG = a.wShape[1], cout = coutG * g, cinG = cin / g;
  const inS = a.xShape.slice(2), ks = a.wShape.slice(2), r = inS.length;
  const strides = a.strides ?? Array(r).fill(1), dil = a.dilations ?? Array(r).fill(1);
  const pads = a.pads ?? Array(2 * r).fill(0), op = a.outputPadding ?? Array(r).fill(0);
  const out: number[] = [], pb: number[] = [];
  for (let i = 0; i < r; i++) {
    const full = strides[i] * (inS[i] - 1) + op[i] + (ks[i] - 1) * dil[i] + 1;
    if (a.outputShape || a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      out.push(a.outputShape ? a.outputShape[i] : inS[i] * strides[i]);
      const total = Math.max(0, full - out[i]);
      pb.push(a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
    } else {
      const p0 = a.autoPad === 'VALID' ? 0 : pads[i], p1 = a.autoPad === 'VALID' ? 0 : pads[r + i];
      out.push(full - p0 - p1); pb.push(p0);
    }
  }
  const two = r === 2;
  const [H, W] = two ? inS : [1, inS[0]], [OH, OW] = two ? out : [1, out[0]], [KH, KW] = two ? ks : [1, ks[0]];
  const [sh, sw] = two ? strides : [1, strides[0]], [dh, dw] = two ? dil : [1, dil[0]], [pt, pl] = two ? pb : [0, pb[0]];
  const value = new Float64Array(n * cout * OH * OW), mag = new Float64Array(value.length);
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < cout; oc++) {
      const base = (b * cout + oc) * OH * OW;
      for (let i = 0; i < OH * OW; i++) { value[base + i] = a.b ? a.b[oc] : 0; mag[base + i] = Math.abs(value[base + i]); }
    }
  for (let b = 0; b < n; b++)
    for (let ic = 0; ic < cin; ic++) {
      const grp = Math.floor(ic / cinG);
      for (let ocg = 0; ocg < coutG; ocg++) {
        const oc = grp * coutG + ocg;
        for (let iy = 0; iy < H; iy++)
          for (let ix = 0; ix < W; ix++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const oy = iy * sh - pt + ky * dh, ox = ix * sw - pl + kx * dw;
                if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
                const t = a.x[((b * cin + ic) * H + iy) * W + ix] * a.w[((ic * coutG + ocg) * KH + ky) * KW + kx];
                const o = ((b * cout + oc) * OH + oy) * OW + ox;
                value[o] += t; mag[o] += Math.abs(t);
              }
      }
    }
  const K = cinG * KH * KW + 2;
  const bound = mag.map((m) => 2 * K * EPS * m + 1e-30);
  return { value, bound, shape: [n, cout, ...out] };
}

export interface PoolArgs extends Windowed {
  x: Float32Array; xShape: number[]; kind: 'max' | 'average'; countIncludePad?: boolean;
}

/** MaxPool / AveragePool; max is exact, the mean is bounded by (k+2)eps * mean|x|. */
export function poolReference(a: PoolArgs) {
  const [n, c] = a.xShape, inS = a.xShape.slice(2);
  const geo = windowGeometry(inS, a);
  const two = inS.length === 2;
  const [H, W] = two ? inS : [1, inS[0]], [OH, OW] = two ? geo.out : [1, geo.out[0]];
  const [KH, KW] = two ? a.kernel : [1, a.kernel[0]];
  const [sh, sw] = two ? geo.strides : [1, geo.strides[0]], [dh, dw] = two ? geo.dil : [1, geo.dil[0]];
  const [pt, pl] = two ? geo.begin : [0, geo.begin[0]], [pb, pr] = two ? geo.end : [0, geo.end[0]];
  const value = new Float64Array(n * c * OH * OW), bound = new Float64Array(value.length);
  for (let p = 0; p < n * c; p++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        let mx = -Infinity, sum = 0, mag = 0, inside = 0, padded = 0;
        for (let ky = 0; ky < KH; ky++)
          for (let kx = 0; kx < KW; kx++) {
            const iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw;
            if (iy >= -pt && iy < H + pb && ix >= -pl && ix < W + pr) padded++;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            const v = a.x[(p * H + iy) * W + ix];
            mx = Math.max(mx, v); sum += v; mag += Math.abs(v); inside++;
          }
        const o = (p * OH + oy) * OW + ox, cnt = a.countIncludePad ? padded : inside;
        value[o] = a.kind === 'max' ? mx : sum / cnt;
        bound[o] = a.kind === 'max' ? 0 : (KH * KW + 2) * EPS * (mag / cnt) + 1e-30;
      }
  return { value, bound, shape: [n, c, ...geo.out] };
}

/** numpy matmul: 1-D promotion and broadcast batch dims. */
export function matmulReference(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[]) {
  const ad = aShape.length === 1 ? [1, aShape[0]] : aShape, bd = bShape.length === 1 ? [bShape[0], 1] : bShape;
  const M = ad[ad.length - 2], K = ad[ad.length - 1], N = bd[bd.length - 1];
  const ab = ad.slice(0, -2), bb = bd.slice(0, -2), nb = Math.max(ab.length, bb.length);
  const pa = [...Array(nb - ab.length).fill(1), ...ab], pbb = [...Array(nb - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pbb[i]));
  const count = batch.reduce((x, y) => x * y, 1);
  const value = new Float64Array(count * M * N), bound = new Float64Array(value.length);
  for (let t = 0; t < count; t++) {
    let rem = t, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let i = nb - 1; i >= 0; i--) {
      const idx = rem % batch[i]; rem = Math.floor(rem / batch[i]);
      ia += (pa[i] === 1 ? 0 : idx) * sa; sa *= pa[i];
      ib += (pbb[i] === 1 ? 0 : idx) * sb; sb *= pbb[i];
    }
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0, mag = 0;
        for (let k = 0; k < K; k++) {
          const v = a[(ia * M + i) * K + k] * b[(ib * K + k) * N + j];
          s += v; mag += Math.abs(v);
        }
        value[(t * M + i) * N + j] = s;
        bound[(t * M + i) * N + j] = 2 * (K + 1) * EPS * mag + 1e-30;
      }
  }
  const shape = [...batch, ...(aShape.length === 1 ? [] : [M]), ...(bShape.length === 1 ? [] : [N])];
  return { value, bound, shape };
}

/** ONNX Gemm: alpha * op(A) op(B) + beta * C (C unidirectionally broadcast). */
export function gemmOnnxReference(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[],
  c: Float32Array | null, cShape: number[], o: { transA?: number; transB?: number; alpha?: number; beta?: number }) {
  const tA = o.transA ?? 0, tB = o.transB ?? 0, alpha = o.alpha ?? 1, beta = o.beta ?? 1;
  const M = aShape[tA], K = aShape[1 - tA], N = bShape[1 - tB];
  const cm = cShape.length === 2 ? cShape[0] : 1, cn = cShape.length ? cShape[cShape.length - 1] : 1;
  const value = new Float64Array(M * N), bound = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0, mag = 0;
      for (let k = 0; k < K; k++) {
        const v = (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
        s += v; mag += Math.abs(v);
      }
      const cv = c ? beta * c[(cm === 1 ? 0 : i) * cn + (cn === 1 ? 0 : j)] : 0;
      value[i * N + j] = alpha * s + cv;
      bound[i * N + j] = 2 * (K + 3) * EPS * (Math.abs(alpha) * mag + Math.abs(cv)) + 1e-30;
    }
  return { value, bound, shape: [M, N] };
}
