import { f32 } from '../float32';

/**
 * `torch.histc(x, bins, min, max)` as PyTorch 1.13 computes it on the CPU: if min == max the data's own extremes are
 * used (and widened by 1 each way if still equal); values outside [min, max] are dropped; the bin of v is
 * trunc(f32(f32(f32(v - min) * bins) / f32(max - min))) in float32, and v == max falls into the last bin.
 * Counts are added (in float32) to `out`.
 */
export function torchHistc(x: Float32Array, bins: number, min: number, max: number, dataMin: number, dataMax: number, out: Float32Array): void {
  let lo = min;
  let hi = max;
  if (lo === hi && x.length > 0) {
    lo = dataMin;
    hi = dataMax;
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const left = f32(lo);
  const right = f32(hi);
  const width = f32(right - left);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!(v >= left && v <= right)) continue;
    let pos = Math.trunc(f32(f32(f32(v - left) * bins) / width));
    if (pos === bins) pos -= 1;
    out[pos] = f32(out[pos] + 1);
  }
}
