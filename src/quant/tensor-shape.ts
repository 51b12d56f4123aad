import { InvalidArgumentError, describe } from '../errors';

/** Checks that `shape` is a list of non-negative integers whose product is `length`; returns the element count. */
export function checkShape(shape: readonly number[], length: number, what: string): number {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InvalidArgumentError(`Expected a list of non-negative integers for the shape of ${what} but received ${describe(shape)}`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== length) throw new InvalidArgumentError(`Expected ${n} elements (shape [${shape.join(', ')}]) for ${what} but received ${length}`);
  return n;
}

/** Resolves a (possibly negative) channel axis against a rank. */
export function checkAxis(axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new InvalidArgumentError(`Expected an integer axis in [${-rank}, ${rank - 1}] for ${what} but received ${describe(axis)}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * The layout of a tensor seen as [outer, channels, inner] around `axis`: element i belongs to channel
 * floor(i / inner) % channels. Per-channel code walks this view instead of permuting the data.
 */
export function channelLayout(shape: readonly number[], axis: number): { channels: number; inner: number } {
  const channels = shape[axis];
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  return { channels, inner };
}
