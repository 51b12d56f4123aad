/**
 * QConfig: which observer watches activations and how weights are quantized, as PyTorch's presets.
 *   fbgemm (alias x86): u8 affine activations (Histogram), s8 symmetric per-channel weights. No
 *     reduce_range: int8kit's x86 INT8 kernels never saturate u8 x s8 pair sums (VNNI, or exact
 *     int16 products on AVX2).
 *   qnnpack: u8 affine activations (Histogram), s8 symmetric per-tensor weights.
 *   symmetric: s8 symmetric activations and s8 symmetric per-channel weights.
 *   pow2: power-of-two scales (scale = 2^-p) for activations (s8) and weights (s8, per tensor).
 * `observer` swaps the activation observer and keeps the preset's dtype and scheme.
 */
import { InvalidArgumentError, describe } from '../errors';
import type { QScheme } from './qscheme';
import type { Observer } from './observers/observer';
import { MinMaxObserver, MovingAverageMinMaxObserver } from './observers/min-max';
import { HistogramObserver } from './observers/histogram';
import { PercentileObserver } from './observers/percentile';
import { EntropyObserver } from './observers/entropy';
import { MseObserver } from './observers/mse';
import { PowerOfTwoObserver } from './observers/power-of-two';
import { FixedQParamsObserver } from './observers/fixed-qparams';

/** A preset name (see the file comment: fbgemm = x86, qnnpack, symmetric, pow2). */
export type QConfigName = 'fbgemm' | 'x86' | 'qnnpack' | 'symmetric' | 'pow2';
/**
 * An activation observer by name: {@link MinMaxObserver} (minmax), {@link MovingAverageMinMaxObserver}
 * (moving-avg), {@link HistogramObserver}, {@link PercentileObserver}, {@link EntropyObserver},
 * {@link MseObserver}, {@link PowerOfTwoObserver} (pow2).
 */
export type ObserverName = 'minmax' | 'moving-avg' | 'histogram' | 'percentile' | 'entropy' | 'mse' | 'pow2';
/** Every {@link QConfigName}. */
export const QCONFIG_NAMES: readonly QConfigName[] = ['fbgemm', 'x86', 'qnnpack', 'symmetric', 'pow2'];
/** Every {@link ObserverName}. */
export const OBSERVER_NAMES: readonly ObserverName[] = ['minmax', 'moving-avg', 'histogram', 'percentile', 'entropy', 'mse', 'pow2'];

/** How one node's weights are quantized (always s8 symmetric). */
export type WeightConfig = {
  /** One scale per output channel (true) or per tensor. */
  perChannel: boolean;
  /** Weights in [-64, 63] (for kernels whose int16 pair sums could overflow). */
  reduceRange: boolean;
  /** A per-tensor power-of-two scale 2^-p. */
  powerOfTwo: boolean;
};

/**
 * Which observer watches each activation and how each node's weights are quantized; {@link qconfig}
 * builds one from a preset, or write your own.
 */
export interface QConfig {
  /**
   * Makes the observer of one activation value (or group sharing parameters); `owner` is the
   * quantized node that produces it, when one does (for per-node and per-op-type overrides).
   */
  activation: (name: string, owner?: { name: string; opType: string }) => Observer;
  /** Weight quantization, for one node. */
  weight: (node: { name: string; opType: string }) => WeightConfig;
}

/** What can be changed from a preset, globally, per op type or per node (node wins, then op type). */
export interface QConfigOverride {
  /** The activation observer (the preset keeps its dtype and qscheme). */
  observer?: ObserverName;
  /** Weight scales per output channel (true) or one per tensor. */
  perChannel?: boolean;
}

interface ActivationSpec {
  observer: ObserverName;
  dtype: 'quint8' | 'qint8';
  qscheme: QScheme;
}

const PRESETS: Record<QConfigName, { act: ActivationSpec; weight: WeightConfig }> = {
  fbgemm: { act: { observer: 'histogram', dtype: 'quint8', qscheme: 'per_tensor_affine' }, weight: { perChannel: true, reduceRange: false, powerOfTwo: false } },
  x86: { act: { observer: 'histogram', dtype: 'quint8', qscheme: 'per_tensor_affine' }, weight: { perChannel: true, reduceRange: false, powerOfTwo: false } },
  qnnpack: { act: { observer: 'histogram', dtype: 'quint8', qscheme: 'per_tensor_affine' }, weight: { perChannel: false, reduceRange: false, powerOfTwo: false } },
  symmetric: { act: { observer: 'histogram', dtype: 'qint8', qscheme: 'per_tensor_symmetric' }, weight: { perChannel: true, reduceRange: false, powerOfTwo: false } },
  pow2: { act: { observer: 'pow2', dtype: 'qint8', qscheme: 'per_tensor_symmetric' }, weight: { perChannel: false, reduceRange: false, powerOfTwo: true } },
};

function makeObserver(spec: ActivationSpec, name: string, ignoreNonFinite: boolean): Observer {
  const opts = { name, dtype: spec.dtype, qscheme: spec.qscheme, ignoreNonFinite };
  switch (spec.observer) {
    case 'minmax': return new MinMaxObserver(opts);
    case 'moving-avg': return new MovingAverageMinMaxObserver(opts);
    case 'histogram': return new HistogramObserver(opts);
    case 'percentile': return new PercentileObserver(opts);
    case 'entropy': return new EntropyObserver(opts);
    case 'mse': return new MseObserver(opts);
    case 'pow2': return new PowerOfTwoObserver({ name, dtype: spec.dtype, ignoreNonFinite });
  }
}

function checkOverride(o: QConfigOverride | undefined, where: string): void {
  if (o?.observer !== undefined && !OBSERVER_NAMES.includes(o.observer))
    throw new InvalidArgumentError(`Expected one of ${OBSERVER_NAMES.join(', ')} for the observer${where} but received ${describe(o.observer)}`);
}

/**
 * A preset with overrides: global, per op type (`opTypes: { Gemm: {...} }`) and per node name.
 * @param name The preset (default fbgemm).
 * @param overrides Observer and per-channel choices, globally, per op type and per node.
 * @example
 * ```ts
 * const qc = qconfig('fbgemm', { observer: 'entropy', opTypes: { Gemm: { perChannel: false } } });
 * ```
 * @throws {@link InvalidArgumentError} for an unknown preset or observer name (naming the op type or node).
 */
export function qconfig(
  name: QConfigName = 'fbgemm',
  overrides: QConfigOverride & {
    opTypes?: Record<string, QConfigOverride>;
    nodes?: Record<string, QConfigOverride>;
    /** Skip NaN and infinity in calibration data instead of throwing (the error names the tensor). */
    ignoreNonFinite?: boolean;
  } = {},
): QConfig {
  const preset = PRESETS[name];
  if (!preset) throw new InvalidArgumentError(`Expected one of ${QCONFIG_NAMES.join(', ')} for the qconfig but received ${describe(name)}`);
  checkOverride(overrides, '');
  for (const [k, o] of Object.entries(overrides.opTypes ?? {})) checkOverride(o, ` of op type ${k}`);
  for (const [k, o] of Object.entries(overrides.nodes ?? {})) checkOverride(o, ` of node "${k}"`);
  const resolve = (owner?: { name: string; opType: string }): QConfigOverride => ({
    observer: overrides.observer,
    perChannel: overrides.perChannel,
    ...(owner ? overrides.opTypes?.[owner.opType] : undefined),
    ...(owner ? overrides.nodes?.[owner.name] : undefined),
  });
  return {
    activation: (value, owner) => {
      // Outputs with a known range get fixed parameters whatever was observed (PyTorch's
      // FixedQParams): sigmoid and softmax outputs lie in [0, 1].
      if (owner?.opType === 'Sigmoid') return FixedQParamsObserver.sigmoid({ name: value });
      if (owner?.opType === 'Softmax') return FixedQParamsObserver.softmax({ name: value });
      const o = resolve(owner);
      return makeObserver({ ...preset.act, ...(o.observer ? { observer: o.observer } : {}) }, value, overrides.ignoreNonFinite ?? false);
    },
    weight: (node) => {
      const o = resolve(node);
      return { ...preset.weight, ...(o.perChannel !== undefined ? { perChannel: o.perChannel } : {}) };
    },
  };
}
