/**
 * The accuracy loop: labelled samples in, batched through an FP32 and an INT8 model, top-1 / top-k,
 * their agreement and per-class accuracy out. Any object with Session's inputMetadata, outputNames
 * and run() can be evaluated (a Session, or a wrapper around another engine).
 *
 * Ranking rule (shared by top-1 and top-k): classes are ordered by logit, highest first, ties by
 * lower class index (a stable descending sort, as numpy.argsort(-x, kind='stable')); a sample is a
 * top-k hit when its label is among the first k. NaN logits never rank above a number.
 */
import { InvalidArgumentError, invalid } from '../errors';
import type { ValueMetadata } from '../runtime/session';
import { Tensor } from '../runtime/tensor';
import type { ImageTarget } from '../data/preprocess';
import type { EvalDataset, LabeledSample } from './datasets';

/** What evaluate() needs of a model: Session has it. */
export interface EvalModel {
  /** The model's inputs; evaluation needs exactly one, float32 (its dims fix the batch size and image size where static). */
  readonly inputMetadata: ValueMetadata[];
  /** The model's outputs; the first is read as [N, classes] logits or probabilities. */
  readonly outputNames: string[];
  /**
   * Runs one batch.
   * @param feeds The batch, under the input's name.
   * @returns The outputs by name.
   * @throws {@link InvalidArgumentError}, {@link ReleasedError}, {@link UnsupportedOpError}, {@link InvalidGraphError},
   *   {@link InvalidPlanError} or {@link OutOfMemoryError} as {@link Session.run} does, for a Session; another
   *   implementation throws what it documents, and {@link evaluate} passes it on.
   */
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** k of top-k (default 5; capped at the class count). */
  topk?: number;
  /** Samples per run (default 32). A model whose batch dim is fixed runs batches of that size, the last padded with zeros. */
  batch?: number;
  /** Called after each batch with the samples done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Keep each sample's label and predicted classes in the result. */
  keepPredictions?: boolean;
}

/** One model's accuracy and speed in an {@link EvalResult}. */
export interface ModelMetrics {
  /** Samples whose label is the top class. */
  top1Correct: number;
  /** Samples whose label is among the top k classes. */
  topkCorrect: number;
  /** top1Correct as a percentage of all samples. */
  top1: number;
  /** topkCorrect as a percentage of all samples. */
  topk: number;
  /**
   * Samples per second of run() time alone: preprocessing is excluded, and so is the one-time
   * preparation of each new batch shape (its first batch runs once untimed, then timed).
   */
  imagesPerSecond: number;
}

/** Top-1 accuracy on one class's samples, in {@link EvalResult.perClass}. */
export interface ClassMetrics {
  /** The class index. */
  index: number;
  /** Its display name (from the dataset's class names), else the index as text. */
  name: string;
  /** Its samples. */
  count: number;
  /** Top-1 accuracy on this class's samples, %. */
  fp32: number;
  /** The same for the INT8 model, when evaluated. */
  int8?: number;
  /** fp32 - int8 in percentage points (positive: INT8 lost accuracy). */
  drop?: number;
}

/** What {@link evaluate} measured. */
export interface EvalResult {
  /** Samples evaluated. */
  count: number;
  /** The k used (the requested k capped at the class count). */
  topk: number;
  /** The models' class count (their output's second dim). */
  classes: number;
  /** The FP32 model's accuracy and speed. */
  fp32: ModelMetrics;
  /** The INT8 model's, when one was given. */
  int8?: ModelMetrics;
  /** Samples whose INT8 top-1 class equals the FP32 one, right or wrong. */
  agreementCount?: number;
  /** agreementCount as a percentage of all samples. */
  agreement?: number;
  /** Classes with at least one sample, by class index. */
  perClass: ClassMetrics[];
  /** Each sample's label and top-1 classes, in dataset order (with {@link EvaluateOptions.keepPredictions}). */
  predictions?: {
    /** The labels. */
    labels: Int32Array;
    /** The FP32 model's top-1 classes. */
    fp32: Int32Array;
    /** The INT8 model's top-1 classes, when one was given. */
    int8?: Int32Array;
  };
}

/**
 * The position of `label` in the stable descending order of the logits: 0 for a top-1 hit, below k
 * for a top-k hit. Ties rank the lower class index first; NaN ranks below every number.
 * @param logits One sample's scores, one per class.
 * @param label The class index.
 * @returns How many classes rank above `label`.
 * @throws Never: it only compares numbers.
 */
export function rankOf(logits: ArrayLike<number>, label: number): number {
  const v = logits[label];
  let rank = 0;
  for (let c = 0; c < logits.length; c++) {
    const x = logits[c];
    if (Number.isNaN(v) ? !Number.isNaN(x) || c < label : x > v || (x === v && c < label)) rank++;
  }
  return rank;
}

/**
 * The top class (the lowest index among equal maxima; NaN never wins over a number).
 * @param logits One sample's scores, one per class.
 * @returns The class index (0 for an empty array).
 * @throws Never: it only compares numbers.
 */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best] || (Number.isNaN(logits[best]) && !Number.isNaN(logits[c]))) best = c;
  return best;
}

interface Counter {
  model: EvalModel;
  what: string;
  input: string;
  top1: number;
  topk: number;
  seconds: number;
  perClass: Map<number, number>;
  predictions: Int32Array;
  /** Batch shapes run so far (a Session specialises itself on the first run of each). */
  warm: Set<number>;
}

function counter(model: EvalModel, what: string, n: number): Counter {
  if (!model || typeof model.run !== 'function') throw invalid(`the ${what} model`, 'a Session (or an object with inputMetadata, outputNames and run)', model);
  if (model.inputMetadata.length !== 1)
    throw new InvalidArgumentError(`Expected a model with one input for evaluation (${what}) but received one with ${model.inputMetadata.length} (${model.inputMetadata.map((i) => i.name).join(', ')})`);
  if (model.inputMetadata[0].type !== 'float32')
    throw new InvalidArgumentError(`Expected a float32 input for evaluation (${what}) but received input "${model.inputMetadata[0].name}" of dtype ${model.inputMetadata[0].type}`);
  return { model, what, input: model.inputMetadata[0].name, top1: 0, topk: 0, seconds: 0, perClass: new Map(), predictions: new Int32Array(n), warm: new Set() };
}

/** The batch size both models accept: a fixed batch dim wins over the requested size. */
function batchSize(models: Counter[], requested: number): number {
  const fixed = models.map((m) => m.model.inputMetadata[0].shape?.[0]).filter((d): d is number => typeof d === 'number');
  if (fixed.length === 2 && fixed[0] !== fixed[1])
    throw new InvalidArgumentError(`Expected the FP32 and INT8 models to agree on a fixed batch size but received ${fixed[0]} and ${fixed[1]}`);
  return fixed[0] ?? requested;
}

/** The model input's C, H, W where it fixes them (images are resized to them). */
function imageTarget(m: EvalModel): ImageTarget {
  const s = m.inputMetadata[0].shape;
  const fixed = (d: unknown) => (typeof d === 'number' ? d : undefined);
  return s?.length === 4 ? { channels: fixed(s[1]), height: fixed(s[2]), width: fixed(s[3]) } : {};
}

/** [b, ...sample dims] from samples of [1, ...sample dims], zero-padded to `size` rows. */
function stack(samples: LabeledSample[], size: number): Tensor<'float32'> {
  const per = samples[0].input.dims.slice(1), step = samples[0].input.data.length;
  const data = new Float32Array(size * step);
  samples.forEach((s, i) => {
    if (s.input.dims.length !== per.length + 1 || s.input.dims.slice(1).some((d, k) => d !== per[k]))
      throw new InvalidArgumentError(`Expected every sample of shape [1, ${per}] (as ${samples[0].source}) but received [${s.input.dims}] for ${s.source}`);
    data.set(s.input.data, i * step);
  });
  return new Tensor('float32', data, [size, ...per]);
}

async function score(c: Counter, batch: LabeledSample[], x: Tensor<'float32'>, first: number, topk: number, classes: { n?: number }): Promise<void> {
  const feeds = { [c.input]: x };
  if (!c.warm.has(x.dims[0])) {
    await c.model.run(feeds);
    c.warm.add(x.dims[0]);
  }
  const t0 = performance.now();
  const out = (await c.model.run(feeds))[c.model.outputNames[0]];
  c.seconds += (performance.now() - t0) / 1000;
  const rows = x.dims[0];
  const n = out.dims.slice(1).reduce((a, b) => a * b, 1);
  if (out.type !== 'float32' || out.dims[0] !== rows || out.dims.length < 2 || out.dims.slice(2).some((d) => d !== 1) || n < 1)
    throw new InvalidArgumentError(`Expected the ${c.what} model's output "${c.model.outputNames[0]}" to be float32 [${rows}, classes] (logits or probabilities) but received ${out.type} [${out.dims}]`);
  if (classes.n === undefined) classes.n = n;
  else if (classes.n !== n) throw new InvalidArgumentError(`Expected ${classes.n} classes from the ${c.what} model (as the other) but received an output of [${out.dims}]`);
  const logits = out.data as Float32Array;
  batch.forEach((s, i) => {
    if (!(s.label < n)) throw new InvalidArgumentError(`Expected a label in [0, ${n}) (the model's output has ${n} classes) for ${s.source} but received ${s.label}`);
    const row = logits.subarray(i * n, (i + 1) * n);
    const rank = rankOf(row, s.label);
    c.predictions[first + i] = argmax(row);
    if (rank === 0) {
      c.top1++;
      c.perClass.set(s.label, (c.perClass.get(s.label) ?? 0) + 1);
    }
    if (rank < topk) c.topk++;
  });
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);

function metrics(c: Counter, count: number): ModelMetrics {
  return { top1Correct: c.top1, topkCorrect: c.topk, top1: pct(c.top1, count), topk: pct(c.topk, count), imagesPerSecond: c.seconds > 0 ? count / c.seconds : 0 };
}

/**
 * Evaluates `fp32` (and `int8` when given) on every sample of `dataset`: top-1 and top-k accuracy,
 * images per second of run time, per-class top-1 accuracy and, with `int8`, the agreement of the two
 * models' top-1 classes. Both models see the same batches.
 * @param fp32 The FP32 model: a {@link Session} or any {@link EvalModel}.
 * @param int8 The INT8 model, or undefined to evaluate `fp32` alone.
 * @param dataset The labelled samples ({@link openDataset}, {@link tensorDataset}).
 * @param opts k, batch size, progress, whether to keep each sample's predictions.
 * @returns The metrics.
 * @throws {@link InvalidArgumentError} for a topk or batch that is not an integer >= 1, a value that is not a
 *   model, a model with other than one float32 input, models with different fixed batch sizes or class
 *   counts, an output that is not float32 [N, classes], a label that is not an integer in [0, classes)
 *   (naming the sample), samples of different shapes, an empty dataset or one that yields fewer samples
 *   than its count, and what {@link EvalDataset.samples} throws (e.g. an undecodable image, naming the file).
 * @throws {@link ReleasedError}, {@link UnsupportedOpError}, {@link InvalidGraphError}, {@link InvalidPlanError} or
 *   {@link OutOfMemoryError} from a Session's {@link Session.run}; another {@link EvalModel} passes on its own
 *   errors, as does `opts.onProgress`.
 * @throws `Error` from sharp for an image whose pixels cannot be decoded (see {@link EvalDataset.samples}).
 */
export async function evaluate(fp32: EvalModel, int8: EvalModel | undefined, dataset: EvalDataset, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const k = opts.topk ?? 5, requested = opts.batch ?? 32;
  if (!(Number.isSafeInteger(k) && k >= 1)) throw invalid('--topk', 'an integer >= 1', opts.topk);
  if (!(Number.isSafeInteger(requested) && requested >= 1)) throw invalid('--batch', 'an integer >= 1', opts.batch);
  if (!dataset || !(dataset.count >= 1) || typeof dataset.samples !== 'function') throw invalid('the dataset', 'at least one labelled sample', dataset?.count);
  const n = dataset.count;
  const counters = [counter(fp32, 'FP32', n), ...(int8 ? [counter(int8, 'INT8', n)] : [])];
  const size = batchSize(counters, requested);
  const labels = new Int32Array(n), counts = new Map<number, number>(), classes: { n?: number } = {};
  let done = 0, pending: LabeledSample[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    const fixed = size !== requested; // a fixed batch dim: pad the last batch
    const x = stack(pending, fixed ? size : pending.length);
    for (const c of counters) await score(c, pending, x, done, Math.min(k, classes.n ?? k), classes);
    pending.forEach((s, i) => {
      labels[done + i] = s.label;
      counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
    });
    done += pending.length;
    pending = [];
    opts.onProgress?.(done, n);
  };
  for await (const s of dataset.samples(imageTarget(fp32))) {
    if (done + pending.length >= n) break;
    if (!Number.isSafeInteger(s.label) || s.label < 0) throw invalid(`the label of ${s.source}`, 'an integer >= 0', s.label);
    pending.push(s);
    if (pending.length === size) await flush();
  }
  await flush();
  if (done !== n) throw new InvalidArgumentError(`Expected ${n} samples from the dataset but received ${done}`);

  const [f, q] = counters;
  const perClass = [...counts.keys()].sort((a, b) => a - b).map((index): ClassMetrics => {
    const count = counts.get(index)!, a = pct(f.perClass.get(index) ?? 0, count);
    const name = dataset.classNames?.[index] ?? String(index);
    if (!q) return { index, name, count, fp32: a };
    const b = pct(q.perClass.get(index) ?? 0, count);
    return { index, name, count, fp32: a, int8: b, drop: a - b };
  });
  const agreementCount = q ? f.predictions.reduce((s, p, i) => s + (p === q.predictions[i] ? 1 : 0), 0) : undefined;
  return {
    count: n,
    topk: Math.min(k, classes.n!),
    classes: classes.n!,
    fp32: metrics(f, n),
    ...(q ? { int8: metrics(q, n), agreementCount, agreement: pct(agreementCount!, n) } : {}),
    perClass,
    ...(opts.keepPredictions ? { predictions: { labels, fp32: f.predictions, ...(q ? { int8: q.predictions } : {}) } } : {}),
  };
}
