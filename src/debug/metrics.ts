// Error and range statistics of a tensor against its FP32 reference, accumulated sample by sample
// (nothing is kept per sample): SQNR, MSE, min/max, the count outside a clipping range, histogram.
// Sums run in float64.

/** Running sums of a reference x and a test y, over any number of chunks (samples). */
export class ErrorSum {
  signal = 0;
  noise = 0;
  count = 0;
  add(ref: ArrayLike<number>, test: ArrayLike<number>): this {
    for (let i = 0; i < ref.length; i++) {
      const d = ref[i] - test[i];
      this.signal += ref[i] * ref[i];
      this.noise += d * d;
    }
    this.count += ref.length;
    return this;
  }
  /** 10 log10(sum x^2 / sum (x - y)^2) in dB; Infinity when y equals x exactly. */
  get sqnr(): number {
    return this.noise === 0 ? Infinity : 10 * Math.log10(this.signal / this.noise);
  }
  /** Mean of (x - y)^2. */
  get mse(): number {
    return this.count ? this.noise / this.count : 0;
  }
}

/** Min, max and the count outside a clipping range, over chunks. */
export class RangeSum {
  min = Infinity;
  max = -Infinity;
  outside = 0;
  count = 0;
  constructor(private readonly clip?: [number, number]) {}
  add(x: ArrayLike<number>): this {
    const [lo, hi] = this.clip ?? [-Infinity, Infinity];
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if (v < lo || v > hi) this.outside++;
    }
    this.count += x.length;
    return this;
  }
}

/**
 * Equal-width bins over a range: bin i counts the values in [edges[i], edges[i + 1]) (the last bin is closed).
 * @inline
 */
export interface Histogram {
  /** bins + 1 edges, ascending. */
  edges: number[];
  /** The count of values in each bin. */
  counts: number[];
}

/** `bins` equal bins over [lo, hi] (the last one closed), filled chunk by chunk; a constant tensor gets one bin of width 1. */
export class HistogramSum {
  readonly counts: number[];
  private readonly lo: number;
  private readonly width: number;
  constructor(lo: number, hi: number, bins = 128) {
    if (!(hi > lo)) {
      hi = lo + 1;
      bins = 1;
    }
    this.lo = lo;
    this.width = (hi - lo) / bins;
    this.counts = new Array<number>(bins).fill(0);
  }
  add(x: ArrayLike<number>): this {
    const bins = this.counts.length;
    for (let i = 0; i < x.length; i++) {
      const b = Math.floor((x[i] - this.lo) / this.width);
      if (b >= 0 && b <= bins) this.counts[Math.min(b, bins - 1)]++;
    }
    return this;
  }
  get histogram(): Histogram {
    return { edges: Array.from({ length: this.counts.length + 1 }, (_, i) => this.lo + i * this.width), counts: [...this.counts] };
  }
}
