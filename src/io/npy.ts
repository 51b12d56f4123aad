// NumPy .npy files (format versions 1-3, C order, little-endian) <-> Tensor.
import { InvalidArgumentError } from '../errors';
import type { DType } from '../plan/types';
import { Tensor } from '../runtime/tensor';

const DESCR: Record<string, DType> = {
  '<f4': 'float32', '|u1': 'uint8', '|i1': 'int8', '<i4': 'int32', '<i8': 'int64', '|b1': 'bool',
};
const DESCR_OF = Object.fromEntries(Object.entries(DESCR).map(([k, v]) => [v, k])) as Record<DType, string>;

function bad(what: string, rule: string): InvalidArgumentError {
  return new InvalidArgumentError(`Invalid .npy ${what}: ${rule}`);
}

/**
 * Parses a .npy file (format versions 1-3, C order, little-endian float32, uint8, int8, int32, int64, bool).
 * @param bytes The file's bytes.
 * @param what Names the file in error messages.
 * @throws {@link InvalidArgumentError} naming what is malformed or unsupported.
 */
export function readNpy(bytes: Uint8Array, what = 'file'): Tensor {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY')
    throw bad(what, 'expected the \\x93NUMPY magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [headerLen, start] = major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  if (major < 1 || major > 3 || start + headerLen > bytes.length) throw bad(what, `unsupported version ${major} or truncated header`);
  const header = Buffer.from(bytes.subarray(start, start + headerLen)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw bad(what, `cannot parse the header ${header.trim()}`);
  const dtype = DESCR[descr];
  if (!dtype) throw bad(what, `expected dtype one of ${Object.keys(DESCR).join(', ')} but received ${descr}`);
  if (fortran === 'True') throw bad(what, 'expected C order but received fortran_order True');
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(what, `bad shape (${shapeText})`);
  const body = bytes.subarray(start + headerLen);
  const n = dims.reduce((a, b) => a * b, 1);
  const size = { float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1 }[dtype];
  if (body.length !== n * size) throw bad(what, `expected ${n * size} data bytes for shape (${dims}) but received ${body.length}`);
  const copy = new Uint8Array(body.length); // aligned and owned (a Buffer.slice would be a view into its pool)
  copy.set(body);
  const data = {
    float32: () => new Float32Array(copy.buffer), uint8: () => copy, int8: () => new Int8Array(copy.buffer),
    int32: () => new Int32Array(copy.buffer), int64: () => new BigInt64Array(copy.buffer), bool: () => copy,
  }[dtype]();
  return new Tensor(dtype, data as never, dims);
}

/**
 * Serialises a tensor as a version 1.0 .npy file.
 * @param t Any tensor; its dtype maps to the NumPy descr (`<f4`, `|u1`, `|i1`, `<i4`, `<i8`, `|b1`).
 * @returns The file's bytes.
 * @throws Never: every {@link Tensor} dtype has a .npy descr.
 */
export function writeNpy(t: Tensor): Uint8Array {
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${DESCR_OF[t.type]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so that the data starts on a 64-byte boundary, ending with a newline (as NumPy does).
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), 10 + header.length);
  return out;
}
