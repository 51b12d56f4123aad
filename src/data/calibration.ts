/**
 * Calibration data for `int8kit quantize --calib DATA`: one .npy file (axis 0 is the sample axis), a
 * folder of .npy files (one sample each) or a folder of images (decoded and preprocessed with sharp),
 * streamed one sample at a time as input feeds. Folders are read file by file as iteration reaches
 * them, so a folder of any size never sits in memory at once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InvalidArgumentError, invalid } from '../errors';
import type { DType } from '../plan/types';
import type { Dim } from '../graph/ir';
import { readNpy } from '../io/npy';
import { Tensor } from '../runtime/tensor';
import { IMAGE_EXTENSIONS, PREPROCESS_NAMES, preprocessChannels, preprocessImage, type PreprocessName } from './preprocess';

export type Feeds = Record<string, Tensor>;

/** The part of a model (e.g. a graph IR Graph) that calibration data is checked against. */
export interface CalibrationModel {
  inputs: { name: string; type: { dtype: DType; shape?: Dim[] } }[];
}

export interface CalibrationOptions {
  /** At most this many samples (the first ones, files in name order). */
  samples?: number;
  /** For image folders (default imagenet). */
  preprocess?: PreprocessName;
}

export type CalibrationSourceKind = 'npy' | 'npy-folder' | 'images';

/** The samples of a calibration source, streamed; `count` is known before the first one is read. */
export interface CalibrationFeeds extends AsyncIterable<Feeds> {
  readonly kind: CalibrationSourceKind;
  /** How many samples iteration yields. */
  readonly count: number;
}

const shapeText = (s: readonly Dim[]) => `[${s.map((d) => (typeof d === 'number' ? d : (d ?? '?'))).join(', ')}]`;

/** Dims of one sample as the model input wants them: as is, or with a leading batch dim of 1 added. */
function sampleDims(dims: readonly number[], expected: Dim[] | undefined, what: string): number[] {
  if (!expected) return [...dims];
  const fits = (d: readonly number[]) => d.length === expected.length && d.every((v, i) => typeof expected[i] !== 'number' || expected[i] === v);
  if (fits(dims)) return [...dims];
  if (expected[0] !== undefined && (typeof expected[0] !== 'number' || expected[0] === 1) && fits([1, ...dims])) return [1, ...dims];
  throw new InvalidArgumentError(`Expected a sample of shape ${shapeText(expected)} for ${what} but received shape ${shapeText(dims)}`);
}

function checkFinite(t: Tensor, what: string): void {
  if (t.type !== 'float32') return;
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++)
    if (!Number.isFinite(d[i])) throw new InvalidArgumentError(`Expected finite values for ${what} but received ${d[i]} at index ${i}`);
}

function checkDType(t: Tensor, dtype: DType, what: string): void {
  if (t.type !== dtype) throw new InvalidArgumentError(`Expected dtype ${dtype} for ${what} but received ${t.type}`);
}

function limit(total: number, samples: number | undefined): number {
  return samples === undefined ? total : Math.min(total, samples);
}

/**
 * The calibration samples in `source` as feeds for `model`'s (single) input.
 * @throws {InvalidArgumentError} at once for a missing source, a folder with no usable files, a
 * model with several inputs, samples < 1, an unknown preprocess, or a single .npy file whose sample
 * shape or dtype does not fit; during iteration for a folder file that does not fit or data holding
 * NaN or infinity (naming the file and the index).
 */
export function calibrationFeeds(source: string, model: CalibrationModel, opts: CalibrationOptions = {}): CalibrationFeeds {
  const { samples } = opts;
  if (samples !== undefined && !(Number.isSafeInteger(samples) && samples >= 1)) throw invalid('the number of calibration samples', 'an integer >= 1', samples);
  const preprocess = opts.preprocess ?? 'imagenet';
  if (!PREPROCESS_NAMES.includes(preprocess)) throw invalid('--preprocess', `one of ${PREPROCESS_NAMES.join(', ')}`, preprocess);
  if (typeof source !== 'string' || !existsSync(source)) throw invalid('--calib', 'an existing .npy file or folder', source);
  if (!model?.inputs?.length) throw invalid('the model inputs', 'at least one input', model?.inputs);
  const input = model.inputs[0];
  const several = model.inputs.length > 1
    ? new InvalidArgumentError(`Expected a model with one input for calibration data ${source} but received one with ${model.inputs.length} (${model.inputs.map((i) => i.name).join(', ')})`)
    : undefined;

  const stat = statSync(source);
  if (!stat.isFile() && !stat.isDirectory()) throw invalid('--calib', 'a .npy file or a folder', source);
  if (stat.isFile()) {
    if (several) throw several;
    if (extname(source).toLowerCase() !== '.npy') throw invalid('--calib', 'a .npy file or a folder', source);
    const all = readNpy(readFileSync(source), source);
    checkDType(all, input.type.dtype, `input "${input.name}" in ${source}`);
    if (all.dims.length === 0) throw new InvalidArgumentError(`Expected an array with a sample axis for ${source} but received a scalar`);
    const per = all.dims.slice(1), n = all.dims[0], step = per.reduce((a, b) => a * b, 1);
    const dims = sampleDims(per, input.type.shape, `input "${input.name}" in ${source} (axis 0 is the sample axis)`);
    if (n === 0) throw new InvalidArgumentError(`Expected at least one sample in ${source} but received shape ${shapeText(all.dims)}`);
    const count = limit(n, samples);
    return {
      kind: 'npy',
      count,
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < count; i++) {
          const data = (all.data as Float32Array).slice(i * step, (i + 1) * step);
          const t = new Tensor(all.type, data as never, dims);
          checkFinite(t, `sample ${i} of ${source}`);
          yield { [input.name]: t };
        }
      },
    };
  }

  const entries = readdirSync(source).filter((f) => !f.startsWith('.')).sort();
  const npys = entries.filter((f) => extname(f).toLowerCase() === '.npy');
  const images = entries.filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()));
  if (npys.length === 0 && images.length === 0)
    throw new InvalidArgumentError(`Expected .npy files or images (${[...IMAGE_EXTENSIONS].join(', ')}) in --calib folder ${source} but received ${entries.length === 0 ? 'an empty folder' : `${entries.length} other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''})`}`);
  if (npys.length > 0 && images.length > 0)
    throw new InvalidArgumentError(`Expected only .npy files or only images in --calib folder ${source} but received ${npys.length} .npy files and ${images.length} images`);
  if (several) throw several;

  if (npys.length > 0) {
    const files = npys.slice(0, limit(npys.length, samples)).map((f) => join(source, f));
    return {
      kind: 'npy-folder',
      count: files.length,
      async *[Symbol.asyncIterator]() {
        for (const file of files) {
          if (!existsSync(file)) throw invalid('a calibration .npy file', 'an existing file', file);
          const t = readNpy(readFileSync(file), file);
          checkDType(t, input.type.dtype, `input "${input.name}" in ${file}`);
          const sample = new Tensor(t.type, t.data as never, sampleDims(t.dims, input.type.shape, `input "${input.name}" in ${file}`));
          checkFinite(sample, file);
          yield { [input.name]: sample };
        }
      },
    };
  }

  const shape = input.type.shape;
  if (input.type.dtype !== 'float32') throw new InvalidArgumentError(`Expected a float32 model input for image calibration data but received input "${input.name}" of dtype ${input.type.dtype}`);
  if (shape && shape.length !== 4) throw new InvalidArgumentError(`Expected a model input of rank 4 (NCHW) for image calibration data but received input "${input.name}" of shape ${shapeText(shape)}`);
  const fixed = (d: Dim | undefined) => (typeof d === 'number' ? d : undefined);
  const target = { channels: fixed(shape?.[1]), height: fixed(shape?.[2]), width: fixed(shape?.[3]) };
  if (target.channels !== undefined && target.channels !== preprocessChannels(preprocess))
    throw new InvalidArgumentError(`Expected a model input with ${preprocessChannels(preprocess)} channel(s) for --preprocess ${preprocess} but received input "${input.name}" with ${target.channels}`);
  const files = images.slice(0, limit(images.length, samples)).map((f) => join(source, f));
  return {
    kind: 'images',
    count: files.length,
    async *[Symbol.asyncIterator]() {
      for (const file of files) {
        if (!existsSync(file)) throw invalid('a calibration image', 'an existing file', file);
        const t = await preprocessImage(file, preprocess, target);
        sampleDims(t.dims, shape, `input "${input.name}" from ${file}`);
        checkFinite(t, file);
        yield { [input.name]: t };
      }
    },
  };
}
