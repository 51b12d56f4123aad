/**
 * Image preprocessing for calibration data: decode and resize with sharp, then normalize into one
 * NCHW float32 sample ([1, C, H, W]) as the usual training pipelines do.
 * - imagenet: shorter side to 256 (bilinear), center crop 224, RGB, /255, minus mean, over std;
 * - imagenet-caffe: the same geometry, BGR, 0-255 minus the Caffe channel means, no std;
 * - mnist: grayscale 28x28, /255;
 * - none: RGB /255 resized to the model input's H and W.
 * The model's H and W replace 224 (imagenet) and 28 (mnist) when its input shape states them.
 * {@link PreprocessCustom} overrides a preset's output size, resize and mean/std (int8kit eval's
 * --size, --resize, --mean, --std).
 */
import { InvalidArgumentError } from '../errors';
import { Tensor } from '../runtime/tensor';

export const PREPROCESS_NAMES = ['imagenet', 'imagenet-caffe', 'mnist', 'none'] as const;
export type PreprocessName = (typeof PREPROCESS_NAMES)[number];

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp']);

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
/** Caffe's ImageNet means in BGR order, on 0-255 pixels. */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

/** What the model wants; undefined where its input shape leaves the dimension open. */
export interface ImageTarget {
  channels?: number;
  height?: number;
  width?: number;
}

/**
 * Changes to a preset. mean and std are in the preset's pixel scale (imagenet, mnist, none: [0, 1];
 * imagenet-caffe: 0-255) and in the output's channel order (BGR for imagenet-caffe).
 */
export interface PreprocessCustom {
  /** Output [height, width]; must agree with the model's input where it fixes them. */
  size?: [number, number];
  /** Resize the shorter side to this many pixels, then center crop to the output size. */
  resize?: number;
  mean?: readonly number[];
  std?: readonly number[];
}

interface Recipe {
  channels: 1 | 3;
  /** Default output size when the model does not fix it. */
  size?: number;
  /** Resize the shorter side to round(crop * resizeRatio) then center crop; otherwise resize to the output size. */
  resizeRatio?: number;
  /** Channel c of the output reads pixel channel order[c]. */
  order: number[];
  /** value = (pixel / divide - mean[c]) / std[c] */
  divide: number;
  mean: readonly number[];
  std: readonly number[];
}

const RECIPES: Record<PreprocessName, Recipe> = {
  imagenet: { channels: 3, size: 224, resizeRatio: 256 / 224, order: [0, 1, 2], divide: 255, mean: IMAGENET_MEAN, std: IMAGENET_STD },
  'imagenet-caffe': { channels: 3, size: 224, resizeRatio: 256 / 224, order: [2, 1, 0], divide: 1, mean: CAFFE_MEAN_BGR, std: [1, 1, 1] },
  mnist: { channels: 1, size: 28, order: [0], divide: 255, mean: [0], std: [1] },
  none: { channels: 3, order: [0, 1, 2], divide: 255, mean: [0, 0, 0], std: [1, 1, 1] },
};

/** How many channels a preprocess mode produces. */
export function preprocessChannels(mode: PreprocessName): 1 | 3 {
  return RECIPES[mode].channels;
}

const positiveInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;

/**
 * The preset with the custom changes applied, checked.
 * @throws {InvalidArgumentError} for an unknown preset, a size or resize that is not a positive
 *   integer, a size the model's fixed H or W contradicts, or a mean/std of the wrong length or a zero std.
 */
function recipeOf(mode: PreprocessName, custom: PreprocessCustom, target: ImageTarget): Recipe {
  const base = RECIPES[mode];
  if (!base) throw new InvalidArgumentError(`Expected one of ${PREPROCESS_NAMES.join(', ')} for --preprocess but received ${JSON.stringify(mode)}`);
  const { size, resize, mean, std } = custom;
  if (size !== undefined) {
    if (!(Array.isArray(size) && size.length === 2 && size.every(positiveInt))) throw new InvalidArgumentError(`Expected [height, width] of positive integers for --size but received ${JSON.stringify(size)}`);
    for (const [k, dim] of [[0, 'height'], [1, 'width']] as const)
      if (target[dim] !== undefined && target[dim] !== size[k])
        throw new InvalidArgumentError(`Expected --size ${dim} ${target[dim]} (the model input fixes it) but received ${size[k]}`);
  }
  if (resize !== undefined && !positiveInt(resize)) throw new InvalidArgumentError(`Expected a positive integer for --resize but received ${JSON.stringify(resize)}`);
  for (const [flag, v] of [['--mean', mean], ['--std', std]] as const)
    if (v !== undefined && !(v.length === base.channels && v.every(Number.isFinite)))
      throw new InvalidArgumentError(`Expected ${base.channels} finite number(s) for ${flag} with --preprocess ${mode} but received ${JSON.stringify(v)}`);
  if (std?.some((v) => v === 0)) throw new InvalidArgumentError(`Expected non-zero values for --std but received ${JSON.stringify(std)}`);
  return { ...base, mean: mean ?? base.mean, std: std ?? base.std };
}

/**
 * Decodes one image file and returns it preprocessed as a [1, C, H, W] float32 tensor.
 * @throws {InvalidArgumentError} for an unknown preset, custom options that do not fit (see
 *   PreprocessCustom), a model wanting another channel count, or a file sharp cannot decode (naming it).
 */
export async function preprocessImage(file: string, mode: PreprocessName, target: ImageTarget = {}, custom: PreprocessCustom = {}): Promise<Tensor<'float32'>> {
  const recipe = recipeOf(mode, custom, target);
  if (target.channels !== undefined && target.channels !== recipe.channels)
    throw new InvalidArgumentError(`Expected a model input with ${recipe.channels} channel(s) for --preprocess ${mode} but received one with ${target.channels}`);

  // Loaded on first use: the other CLI commands and the library never need libvips.
  const { default: sharp } = await import('sharp');
  let image = sharp(file, { failOn: 'error' });
  let meta;
  try {
    meta = await image.metadata();
  } catch (e) {
    throw new InvalidArgumentError(`Expected a decodable image for ${file} but received a file sharp cannot read (${(e as Error).message})`);
  }
  image = image.rotate(); // EXIF orientation, as viewers show the picture
  const oriented = (meta.orientation ?? 1) >= 5;
  const [w0, h0] = oriented ? [meta.height!, meta.width!] : [meta.width!, meta.height!];

  const height = custom.size?.[0] ?? target.height ?? recipe.size ?? h0;
  const width = custom.size?.[1] ?? target.width ?? recipe.size ?? w0;
  if (recipe.resizeRatio || custom.resize) {
    // Shorter side to 256 (for a 224 crop), the other keeping the aspect ratio, then the center crop.
    const short = custom.resize ?? Math.round(Math.max(height, width) * recipe.resizeRatio!);
    const s = short / Math.min(w0, h0);
    const rw = Math.max(width, Math.round(w0 * s)), rh = Math.max(height, Math.round(h0 * s));
    image = image.resize(rw, rh, { fit: 'fill', kernel: 'linear' })
      .extract({ left: Math.floor((rw - width) / 2), top: Math.floor((rh - height) / 2), width, height });
  } else {
    image = image.resize(width, height, { fit: 'fill', kernel: 'linear' });
  }
  image = recipe.channels === 1 ? image.greyscale() : image.toColourspace('srgb');
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== recipe.channels || info.width !== width || info.height !== height)
    throw new InvalidArgumentError(`Expected ${width}x${height} pixels of ${recipe.channels} channel(s) for ${file} but received ${info.width}x${info.height} of ${info.channels}`);

  const plane = width * height, out = new Float32Array(recipe.channels * plane);
  for (let c = 0; c < recipe.channels; c++) {
    const src = recipe.order[c], mean = recipe.mean[c], std = recipe.std[c];
    for (let i = 0; i < plane; i++) out[c * plane + i] = (data[i * recipe.channels + src] / recipe.divide - mean) / std;
  }
  return new Tensor('float32', out, [1, recipe.channels, height, width]);
}
