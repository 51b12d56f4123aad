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

export type QConfigName = 'fbgemm' | 'x86' | 'qnnpack' | 'symmetric' | 'pow2';
export type ObserverName = 'minmax' | 'moving-avg' | 'histogram' | 'percentile' | 'entropy' | 'mse' | 'pow2';
export const QCONFIG_NAMES: readonly QConfigName[] = ['fbgemm', 'x86', 'qnnpack', 'symmetric', 'pow2'];
export const OBSERVER_NAMES: readonly ObserverName[] = ['minmax', 'moving-avg', 'histogram', 'percentile', 'entropy', 'mse', 'pow2'];

export type WeightConfig = { perChannel: boolean; reduceRange: boolean; powerOfTwo: boolean };

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
  observer?: ObserverName;
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

/** A preset with overrides: global, per op type (`opTypes: { Gemm: {...} }`) and per node name. */
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
      const o = resolve(owner);
      return makeObserver({ ...preset.act, ...(o.observer ? { observer: o.observer } : {}) }, value, overrides.ignoreNonFinite ?? false);
    },
    weight: (node) => {
      const o = resolve(node);
      return { ...preset.weight, ...(o.perChannel !== undefined ? { perChannel: o.perChannel } : {}) };
    },
  };
}
