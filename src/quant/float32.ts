/**
 * Float32 arithmetic helpers. PyTorch computes quantization parameters and quantized values in float32;
 * JavaScript computes in float64. Rounding with `Math.fround` after every single operation reproduces the
 * float32 result exactly (one float64 operation on float32 inputs followed by fround is correctly rounded
 * for + - * / because float64 has more than twice float32's precision).
 */
export const f32 = Math.fround;

/**
 * Round half to even, like C's `nearbyint` / `std::rint` under the default rounding mode and `torch.round`.
 * @throws Never: pure arithmetic.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // rounds half up (towards +Infinity)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const view = new DataView(new ArrayBuffer(4));

/**
 * The IEEE-754 binary32 bit pattern of a number (rounded to float32 first).
 * @throws Never: pure arithmetic.
 */
export function float32Bits(x: number): number {
  view.setFloat32(0, x);
  return view.getUint32(0);
}

/**
 * The float32 whose bit pattern is `bits`.
 * @throws Never: pure arithmetic.
 */
export function float32FromBits(bits: number): number {
  view.setUint32(0, bits >>> 0);
  return view.getFloat32(0);
}
