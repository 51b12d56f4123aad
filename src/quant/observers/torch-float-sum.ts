import { f32 } from '../float32';

/**
 * `torch.sum` of a contiguous float32 vector as PyTorch 1.13's CPU kernel computes it (SumKernel.cpp, cascade_sum
 * with the AVX2 build: 8-lane vectors, 4 vectors per row, 4 levels of partial sums), every add in float32.
 * HistogramObserver compares sums of float32 error terms against each other to decide when its search stops, so an
 * exact reproduction of the summation order is what makes its search_min/search_max bit-exact.
 */
const LANES = 8;
const ILP = 4;
const LEVELS = 4;

export function torchSumFloat32(x: ArrayLike<number>): number {
  const n = x.length;
  const vectors = Math.floor(n / LANES);
  const rows = Math.floor(vectors / ILP); // each row: ILP consecutive vectors
  const levelPower = Math.max(4, Math.floor(ceilLog2(rows) / LEVELS));
  const levelStep = 1 << levelPower;
  const levelMask = levelStep - 1;
  // acc[level][k][lane]
  const acc = Array.from({ length: LEVELS }, () => Array.from({ length: ILP }, () => new Float64Array(LANES)));
  const addRow = (row: number) => {
    for (let k = 0; k < ILP; k++) {
      const base = (row * ILP + k) * LANES;
      const a = acc[0][k];
      for (let l = 0; l < LANES; l++) a[l] = f32(a[l] + x[base + l]);
    }
  };
  let i = 0;
  while (i + levelStep <= rows) {
    for (let j = 0; j < levelStep; j++, i++) addRow(i);
    for (let j = 1; j < LEVELS; j++) {
      for (let k = 0; k < ILP; k++) {
        for (let l = 0; l < LANES; l++) {
          acc[j][k][l] = f32(acc[j][k][l] + acc[j - 1][k][l]);
          acc[j - 1][k][l] = 0;
        }
      }
      if ((i & (levelMask << (j * levelPower))) !== 0) break;
    }
  }
  for (; i < rows; i++) addRow(i);
  for (let j = 1; j < LEVELS; j++) {
    for (let k = 0; k < ILP; k++) for (let l = 0; l < LANES; l++) acc[0][k][l] = f32(acc[0][k][l] + acc[j][k][l]);
  }
  const partial = acc[0].map((a) => Float64Array.from(a));
  for (let v = rows * ILP; v < vectors; v++) {
    for (let l = 0; l < LANES; l++) partial[0][l] = f32(partial[0][l] + x[v * LANES + l]);
  }
  for (let k = 1; k < ILP; k++) for (let l = 0; l < LANES; l++) partial[0][l] = f32(partial[0][l] + partial[k][l]);
  let total = 0;
  for (let t = vectors * LANES; t < n; t++) total = f32(total + x[t]);
  for (let l = 0; l < LANES; l++) total = f32(total + partial[0][l]);
  return total;
}

/** c10::utils::CeilLog2 for the sizes used here. */
function ceilLog2(x: number): number {
  return x <= 2 ? x - 1 : Math.ceil(Math.log2(x));
}
