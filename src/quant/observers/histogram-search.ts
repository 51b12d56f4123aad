import { f32 } from '../float32';
import { torchSumFloat32 } from './torch-float-sum';

/**
 * PyTorch 1.13's HistogramObserver._non_linear_param_search (after caffe2's NormMinimization): starting from the
 * whole histogram, repeatedly move whichever end (start bin or end bin) crosses more of the next 1e-5 quantile step,
 * and stop at the first move that makes the L2 quantization-error estimate larger. Returns the chosen [min, max].
 * The float32/float64 mix follows PyTorch's code step by step (see the comments), so the result is bit-exact.
 */
export function nonLinearParamSearch(histogram: Float32Array, minVal: number, maxVal: number, dstBins: number): [number, number] {
  const bins = histogram.length;
  const binWidth32 = f32(f32(maxVal - minVal) / bins); // a float32 tensor op
  const total = torchSumFloat32(histogram); // torch.sum(...).item()
  // torch.cumsum on float32 accumulates in double and stores float32
  const cSum = new Float32Array(bins);
  let running = 0;
  for (let i = 0; i < bins; i++) cSum[i] = running += histogram[i];

  const stepsize = 1e-5;
  let alpha = 0;
  let beta = 1;
  let startBin = 0;
  let endBin = bins - 1;
  let normMin = Infinity;
  while (alpha < beta) {
    const nextAlpha = alpha + stepsize;
    const nextBeta = beta - stepsize;
    // A float32 tensor compared with a Python float: the float is rounded to float32 first.
    const lowTarget = f32(nextAlpha * total);
    const highTarget = f32(nextBeta * total);
    let l = startBin;
    let r = endBin;
    while (l < endBin && cSum[l] < lowTarget) l++;
    while (r > startBin && cSum[r] > highTarget) r--;
    let nextStart = startBin;
    let nextEnd = endBin;
    if (l - startBin > endBin - r) {
      nextStart = l;
      alpha = nextAlpha;
    } else {
      nextEnd = r;
      beta = nextBeta;
    }
    if (nextStart === startBin && nextEnd === endBin) continue;
    const norm = quantizationError(histogram, minVal, maxVal, nextStart, nextEnd, dstBins);
    if (norm > normMin) break;
    normMin = norm;
    startBin = nextStart;
    endBin = nextEnd;
  }
  return [f32(minVal + f32(binWidth32 * startBin)), f32(minVal + f32(binWidth32 * (endBin + 1)))];
}

/** L2 norm of values spread uniformly over [begin, end] with the given density: density * (end^3 - begin^3) / 3. */
function l2Norm(begin: number, end: number, density: number): number {
  return f32(density * f32(f32(f32(f32(end * end) * end) - f32(f32(begin * begin) * begin)) / 3));
}

/** Python-style floor division of float32 values (c10::div_floor_floating). */
function divFloor(a: number, b: number): number {
  const mod = a % b; // fmod: exact
  let div = f32(f32(a - mod) / b);
  if (mod !== 0 && (b < 0) !== (mod < 0)) div = f32(div - 1);
  if (div === 0) return 0;
  let floored = Math.floor(div);
  if (div - floored > 0.5) floored += 1;
  return floored;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/**
 * HistogramObserver._compute_quantization_error(start, end): the L2 error of quantizing the histogram to `dstBins`
 * levels spanning source bins [start, end]. bin_width and dst_bin_width are Python floats (float64); every tensor
 * expression is float32, with those Python floats rounded to float32 where they meet a tensor.
 */
export function quantizationError(histogram: Float32Array, minVal: number, maxVal: number, start: number, end: number, dstBins: number): number {
  const bins = histogram.length;
  const binWidth = (maxVal - minVal) / bins;
  const dstBinWidth = (binWidth * (end - start + 1)) / dstBins;
  if (dstBinWidth === 0) return 0;
  const bw = f32(binWidth);
  const dbw = f32(dstBinWidth);
  const half = f32(dstBinWidth / 2);
  const negHalf = f32(-dstBinWidth / 2);
  const norm = new Float32Array(bins);
  for (let i = 0; i < bins; i++) {
    const srcBegin = f32(f32(i - start) * bw);
    const srcEnd = f32(srcBegin + bw);
    const dstOfBegin = clamp(divFloor(srcBegin, dbw), 0, dstBins - 1);
    const dstOfBeginCenter = f32(f32(dstOfBegin + 0.5) * dbw);
    const dstOfEnd = clamp(divFloor(srcEnd, dbw), 0, dstBins - 1);
    const density = f32(histogram[i] / bw);
    let n = l2Norm(f32(srcBegin - dstOfBeginCenter), half, density);
    n = f32(n + f32(f32(f32(dstOfEnd - dstOfBegin) - 1) * l2Norm(negHalf, half, density)));
    const dstOfEndCenter = f32(f32(dstOfEnd * dbw) + half);
    n = f32(n + l2Norm(negHalf, f32(srcEnd - dstOfEndCenter), density));
    norm[i] = n;
  }
  return torchSumFloat32(norm);
}
