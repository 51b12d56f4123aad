import { invalid } from '../errors';
import { DTYPES, type DType, type TypedArrayOf } from '../plan/types';
import { elementCount } from '../plan/validate';

/**
 * A typed n-dimensional array, as in onnxruntime-node: `new Tensor('float32', data, [1, 3, 224, 224])`.
 * `data` is used as is (no copy) when it is the dtype's typed array; a plain number array (or
 * bigint array for int64) is converted.
 */
export class Tensor<T extends DType = DType> {
  /** Element type. */
  readonly type: T;
  /** The elements in row-major order. */
  readonly data: TypedArrayOf[T];
  /** Dims, outermost first (frozen). */
  readonly dims: readonly number[];

  /**
   * @param type Element type: float32, uint8, int8, int32, int64 or bool.
   * @param data The dtype's typed array (kept, not copied), or plain numbers (bigints for int64) to convert.
   * @param dims Dims; default one dim of data's length.
   * @throws {@link InvalidArgumentError} when the type is unknown, dims are not non-negative integers, or data does not hold exactly prod(dims) elements of the type.
   */
  constructor(type: T, data: TypedArrayOf[T] | readonly number[] | readonly bigint[], dims?: readonly number[]) {
    const spec = DTYPES[type];
    if (!spec) throw invalid('Tensor type', `one of ${Object.keys(DTYPES).join(', ')}`, type);
    const shape = dims ?? [(data as ArrayLike<unknown>).length];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw invalid('Tensor dims', 'an array of integers >= 0', dims);
    let array: TypedArrayOf[T];
    if (data instanceof spec.array) array = data as TypedArrayOf[T];
    else if (Array.isArray(data)) {
      array = (type === 'int64'
        ? BigInt64Array.from(data as (number | bigint)[], (x) => BigInt(x))
        : (spec.array as unknown as { from(a: ArrayLike<number>): TypedArrayOf[T] }).from(data as number[])) as TypedArrayOf[T];
    } else throw invalid(`Tensor data of type ${type}`, `a ${spec.array.name} or an array of numbers`, data);
    const n = elementCount(shape);
    if (array.length !== n) throw invalid('Tensor data', `${n} elements for dims [${shape}]`, array);
    this.type = type;
    this.data = array;
    this.dims = Object.freeze([...shape]);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
}
