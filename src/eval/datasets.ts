/**
 * Labelled evaluation data for `int8kit eval --data DATA`, in three layouts told apart by what DATA is:
 * - ImageFolder: a folder of class subfolders holding images (torchvision's layout). A class's index
 *   is the line of its folder name in --classes FILE (the first token of each non-empty line, e.g.
 *   the 1,000 ImageNet synsets "n01440764 tench"), else its position among the sorted folder names.
 * - A flat folder of images plus --labels FILE: lines "file.png 3" or "file.png,3" (a header line is
 *   tolerated; with --classes the label may also be a class key). Entries for files not in the folder
 *   are ignored, so one labels file serves subsets of a folder.
 * - A .npy file of inputs (axis 0 = samples) plus --labels labels.npy (N integers).
 * Samples are streamed: images are decoded only as iteration reaches them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { InvalidArgumentError, invalid } from '../errors';
import { readNpy } from '../io/npy';
import { Tensor } from '../runtime/tensor';
import { IMAGE_EXTENSIONS, preprocessImage, type ImageTarget, type PreprocessCustom, type PreprocessName } from '../data/preprocess';

/** The layout of DATA (see {@link datasetKind}): class subfolders of images, a flat folder of images with a labels file, or a .npy file of inputs. */
export type DatasetKind = 'image-folder' | 'images-labels' | 'npy';

/** One input sample with its leading batch axis of 1 ([1, ...]) and its class index. */
export interface LabeledSample {
  /** The preprocessed input, [1, ...]. */
  input: Tensor<'float32'>;
  /** The class index (an integer >= 0). */
  label: number;
  /** Where it came from, for messages: a file, or "data.npy[12]". */
  source: string;
}

/** Labelled samples, counted before the first one is read. */
export interface EvalDataset {
  /** Its layout; `tensor` for {@link tensorDataset}. */
  readonly kind: DatasetKind | 'tensor';
  /** How many samples {@link EvalDataset.samples} yields (after the limit). */
  readonly count: number;
  /** Display names by class index when the layout gives them (ImageFolder, --classes). */
  readonly classNames?: string[];
  /**
   * The samples in a fixed order; images are decoded as iteration reaches them.
   * @param target The model input's channels, height and width where it fixes them: images are sized for it.
   * @returns A new iteration over the samples each call.
   * @throws {@link InvalidArgumentError} during iteration, naming the file or sample: an image that cannot
   *   be decoded, an unknown preset or changes that do not fit (a custom size that contradicts `target`, a
   *   mean or std of the wrong length, a zero std), a model wanting another channel count than the preset
   *   gives, or NaN/infinity in a .npy input.
   * @throws `Error` from sharp when an image's header reads but its pixels do not (e.g. a truncated file).
   */
  samples(target?: ImageTarget): AsyncIterable<LabeledSample>;
}

/** Options of {@link openDataset}. */
export interface OpenDatasetOptions {
  /** A labels file: text for a flat image folder, .npy for a .npy input file. */
  labels?: string;
  /** Class list, one per line, the first token the key (ImageFolder names, or labels given as keys). */
  classes?: string;
  /** Preprocessing preset for images (default imagenet). */
  preset?: PreprocessName;
  /** Changes to the preset for images: output size, resize, mean and std. */
  custom?: PreprocessCustom;
  /** At most this many samples (the first ones in the dataset's order). */
  limit?: number;
}

const isImage = (f: string) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase());
const visible = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
const lines = (file: string) => readFileSync(file, 'utf8').split(/\r?\n/).map((text, i) => ({ text: text.trim(), line: i + 1 })).filter((l) => l.text && !l.text.startsWith('#'));

interface ClassList {
  keys: string[];
  names: string[];
  index: Map<string, number>;
}

/** --classes FILE: class i is the i-th non-empty line; its first token is the key, the rest its name. */
function readClasses(file: string): ClassList {
  if (!existsSync(file) || !statSync(file).isFile()) throw invalid('--classes', 'an existing text file', file);
  const keys: string[] = [], names: string[] = [], index = new Map<string, number>();
  for (const { text, line } of lines(file)) {
    const [key, ...rest] = text.split(/\s+/);
    if (index.has(key)) throw new InvalidArgumentError(`Expected each class once in ${file} but received "${key}" again at line ${line}`);
    index.set(key, keys.length);
    keys.push(key);
    names.push(rest.length ? `${key} ${rest.join(' ')}` : key);
  }
  if (keys.length === 0) throw new InvalidArgumentError(`Expected one class per line in --classes ${file} but received no classes`);
  return { keys, names, index };
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) throw invalid('--limit', 'an integer >= 1', limit);
}

function imageSamples(items: { file: string; label: number }[], opts: OpenDatasetOptions) {
  const preset = opts.preset ?? 'imagenet';
  return async function* (target: ImageTarget = {}): AsyncIterable<LabeledSample> {
    for (const { file, label } of items) yield { input: await preprocessImage(file, preset, target, opts.custom), label, source: file };
  };
}

/** Class folders, read round-robin (one image per class in turn) so any prefix (--limit) covers every class. */
function imageFolder(dir: string, classDirs: string[], opts: OpenDatasetOptions): EvalDataset {
  if (opts.labels !== undefined)
    throw new InvalidArgumentError(`Expected no --labels for the ImageFolder ${dir} (its class subfolders are the labels) but received --labels ${opts.labels}`);
  const list = opts.classes !== undefined ? readClasses(opts.classes) : undefined;
  const perClass = classDirs.map((name, k) => {
    const label = list ? list.index.get(name) : k;
    if (label === undefined)
      throw new InvalidArgumentError(`Expected class folder "${name}" of ${dir} to be a class listed in --classes ${opts.classes} but received a name absent from its ${list!.keys.length} classes`);
    return visible(join(dir, name)).filter(isImage).map((f) => ({ file: join(dir, name, f), label }));
  });
  const items: { file: string; label: number }[] = [];
  for (let i = 0, longest = Math.max(...perClass.map((p) => p.length)); i < longest; i++)
    for (const p of perClass) if (i < p.length) items.push(p[i]);
  const chosen = items.slice(0, opts.limit ?? items.length);
  return { kind: 'image-folder', count: chosen.length, classNames: list?.names ?? classDirs, samples: imageSamples(chosen, opts) };
}

/** A label token: an integer >= 0, or a class key of --classes. */
function labelOf(token: string, list: ClassList | undefined): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  return list?.index.get(token);
}

/** Lines "name label" or "name,label"; the first line may be a header. */
function readLabelsFile(file: string, list: ClassList | undefined): Map<string, number> {
  if (!existsSync(file) || !statSync(file).isFile()) throw invalid('--labels', 'an existing text file', file);
  const labels = new Map<string, number>();
  lines(file).forEach(({ text, line }, k) => {
    const m = /^(.*?)\s*(?:,|\s)\s*([^,\s]+)$/.exec(text);
    const label = m ? labelOf(m[2], list) : undefined;
    if (!m || label === undefined) {
      if (k === 0) return; // a header such as "file,label"
      throw new InvalidArgumentError(`Expected "file label" or "file,label" with an integer label${list ? ' or a class of --classes' : ''} at ${file}:${line} but received ${JSON.stringify(text)}`);
    }
    const name = basename(m[1].replace(/^"(.*)"$/, '$1')); // CSV may quote the file name
    if (labels.has(name) && labels.get(name) !== label)
      throw new InvalidArgumentError(`Expected one label per file in ${file} but received ${name} again at line ${line} with another label (${labels.get(name)} then ${label})`);
    labels.set(name, label);
  });
  return labels;
}

function labelledImages(dir: string, images: string[], opts: OpenDatasetOptions): EvalDataset {
  if (opts.labels === undefined)
    throw new InvalidArgumentError(`Expected --labels FILE (lines "file.png 3") for the flat image folder ${dir} but received no --labels`);
  const list = opts.classes !== undefined ? readClasses(opts.classes) : undefined;
  const labels = readLabelsFile(opts.labels, list);
  const items = images.slice(0, opts.limit ?? images.length).map((f) => {
    const label = labels.get(f);
    if (label === undefined) throw new InvalidArgumentError(`Expected a label for image ${join(dir, f)} in --labels ${opts.labels} but received none for "${f}"`);
    return { file: join(dir, f), label };
  });
  return { kind: 'images-labels', count: items.length, classNames: list?.names, samples: imageSamples(items, opts) };
}

/** N integer labels from a .npy file. */
function readNpyLabels(file: string, n: number, inputs: string): Int32Array {
  if (!existsSync(file) || extname(file).toLowerCase() !== '.npy') throw invalid('--labels', `an existing .npy file (N integer labels for ${inputs})`, file);
  const t = readNpy(readFileSync(file), file);
  if (!['int32', 'int64', 'uint8', 'int8'].includes(t.type)) throw new InvalidArgumentError(`Expected integer labels (int32, int64, uint8) in ${file} but received dtype ${t.type}`);
  const count = t.dims.length === 0 ? 1 : t.dims[0];
  if (!(t.dims.length === 1 || (t.dims.length === 2 && t.dims[1] === 1)) || count !== n)
    throw new InvalidArgumentError(`Expected ${n} labels (shape [${n}]: one per sample of ${inputs}) in ${file} but received shape [${t.dims}]`);
  const out = Int32Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
  const bad = out.findIndex((v) => v < 0);
  if (bad >= 0) throw new InvalidArgumentError(`Expected labels >= 0 in ${file} but received ${out[bad]} at index ${bad}`);
  return out;
}

function npyDataset(file: string, opts: OpenDatasetOptions): EvalDataset {
  if (opts.labels === undefined) throw new InvalidArgumentError(`Expected --labels labels.npy (N integers) for the inputs ${file} but received no --labels`);
  const all = readNpy(readFileSync(file), file);
  if (all.type !== 'float32') throw new InvalidArgumentError(`Expected float32 inputs in ${file} but received dtype ${all.type}`);
  if (all.dims.length < 2 || all.dims[0] === 0) throw new InvalidArgumentError(`Expected inputs of shape [N, ...] with N >= 1 in ${file} but received shape [${all.dims}]`);
  const n = all.dims[0], per = all.dims.slice(1), step = per.reduce((a, b) => a * b, 1);
  const labels = readNpyLabels(opts.labels, n, file);
  const count = Math.min(n, opts.limit ?? n);
  const data = all.data as Float32Array;
  return {
    kind: 'npy',
    count,
    classNames: opts.classes !== undefined ? readClasses(opts.classes).names : undefined,
    async *samples() {
      for (let i = 0; i < count; i++) {
        const x = data.subarray(i * step, (i + 1) * step);
        const bad = x.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) throw new InvalidArgumentError(`Expected finite inputs in ${file} but received ${x[bad]} in sample ${i} at index ${bad}`);
        yield { input: new Tensor('float32', x.slice(), [1, ...per]), label: labels[i], source: `${file}[${i}]` };
      }
    },
  };
}

/**
 * Which layout DATA is, from what it holds: a .npy file is `npy`, a folder of images
 * `images-labels`, a folder of class subfolders holding images `image-folder`.
 * @param path The file or folder.
 * @returns Its layout.
 * @throws {@link InvalidArgumentError} for a missing path, a file other than .npy, a folder with neither
 *   images nor class subfolders of images, or one holding both (ambiguous).
 * @throws `Error` from node:fs when the folder or a subfolder cannot be read (EACCES, ...).
 */
export function datasetKind(path: string): DatasetKind {
  if (typeof path !== 'string' || !existsSync(path)) throw invalid('--data', 'an existing folder or .npy file', path);
  if (statSync(path).isFile()) {
    if (extname(path).toLowerCase() !== '.npy') throw invalid('--data', 'a folder of images or a .npy file of inputs', path);
    return 'npy';
  }
  const entries = visible(path);
  const images = entries.filter(isImage).length;
  const withImages = entries.filter((f) => statSync(join(path, f)).isDirectory() && visible(join(path, f)).some(isImage)).length;
  if (images > 0 && withImages > 0)
    throw new InvalidArgumentError(`Expected either images (with --labels) or class subfolders of images (ImageFolder) in ${path} but received both: ${images} images and ${withImages} subfolders with images`);
  if (images > 0) return 'images-labels';
  if (withImages > 0) return 'image-folder';
  throw new InvalidArgumentError(`Expected images (${[...IMAGE_EXTENSIONS].join(', ')}) or class subfolders of images in --data ${path} but received ${entries.length === 0 ? 'an empty folder' : `no images among ${entries.length} entries`}`);
}

/**
 * Opens DATA in one of the three layouts, told apart by {@link datasetKind}:
 * - ImageFolder: a folder of class subfolders holding images (torchvision's layout). A class's index
 *   is the line of its folder name in `classes` (the first token of each non-empty line), else its
 *   position among the sorted folder names. Images are read round-robin across classes, so any
 *   `limit` covers every class.
 * - A flat folder of images plus a `labels` text file: lines "file.png 3" or "file.png,3" (a header
 *   line is tolerated; with `classes` the label may also be a class key).
 * - A .npy file of float32 inputs (axis 0 = samples) plus a `labels` .npy of N integers.
 *
 * Files are listed and labels read here; images are decoded only as iteration reaches them, so an
 * unreadable image is reported by {@link EvalDataset.samples}, naming the file.
 * @param path The folder or .npy file (`--data`).
 * @param opts Labels and classes files, preprocessing preset and changes, sample limit.
 * @returns The dataset, its count known.
 * @throws {@link InvalidArgumentError} for what {@link datasetKind} refuses, a limit that is not an integer
 *   >= 1, `labels` missing where the layout needs it or given where it does not, a missing labels or
 *   classes file, an ImageFolder class absent from `classes`, a malformed labels or classes line (naming
 *   file and line), a class listed twice, an image without a label, a malformed .npy file, .npy inputs
 *   that are not float32 [N, ...] or labels that are not N integers >= 0.
 * @throws `Error` from node:fs when a folder or file exists but cannot be read (EACCES, EISDIR, ...).
 */
export function openDataset(path: string, opts: OpenDatasetOptions = {}): EvalDataset {
  checkLimit(opts.limit);
  const kind = datasetKind(path);
  if (kind === 'npy') return npyDataset(path, opts);
  const entries = visible(path);
  if (kind === 'images-labels') return labelledImages(path, entries.filter(isImage), opts);
  return imageFolder(path, entries.filter((f) => statSync(join(path, f)).isDirectory()), opts);
}

/**
 * In-memory samples: `inputs` is [N, ...] float32, `labels` N class indices (e.g. the demo's MNIST digits).
 * @param inputs The samples stacked along axis 0.
 * @param labels One class index per sample.
 * @param classNames Display names by class index.
 * @returns The dataset (its samples are copies of the rows of `inputs`).
 * @throws {@link InvalidArgumentError} when `inputs` has fewer than 2 dims, the counts differ or a label is
 *   not an integer >= 0.
 */
export function tensorDataset(inputs: Tensor<'float32'>, labels: ArrayLike<number>, classNames?: string[]): EvalDataset {
  const n = inputs.dims[0] ?? 0, per = inputs.dims.slice(1), step = per.reduce((a, b) => a * b, 1);
  if (inputs.dims.length < 2 || labels.length !== n) throw invalid('labels', `${n} labels (one per input of dims [${inputs.dims}])`, labels);
  for (let i = 0; i < n; i++) if (!(Number.isSafeInteger(labels[i]) && labels[i] >= 0)) throw invalid(`label ${i}`, 'an integer >= 0', labels[i]);
  return {
    kind: 'tensor',
    count: n,
    classNames,
    async *samples() {
      for (let i = 0; i < n; i++) yield { input: new Tensor('float32', inputs.data.slice(i * step, (i + 1) * step), [1, ...per]), label: labels[i], source: `input ${i}` };
    },
  };
}
