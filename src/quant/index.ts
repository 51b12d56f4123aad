// The quantization math (issue 4): dtypes, schemes, qparams, quantize/dequantize/fake-quantize, observers.
export { type QuantDType, QUANT_DTYPES, dtypeRange, toQuantDType } from './dtypes';
export { type QScheme, QSCHEMES, type QuantRangeOptions, type QuantRange, resolveQuantRange, isPerChannel, isSymmetric } from './qscheme';
export { calculateQParams, FLOAT32_EPS, type QParams, type QParamsOptions } from './qparams';
export { roundHalfEven, float32Bits, float32FromBits } from './float32';
export {
  quantize, dequantize, quantizePerChannel, dequantizePerChannel, fakeQuantize, fakeQuantizeWithMask, fakeQuantizePerChannel,
  fakeQuantizePerChannelWithMask, quantizeWith, fakeQuantizeWith, type QuantizedArray, type FakeQuantizeResult,
} from './quantize';
export { Observer, type ObserverOptions, type UniformObserverOptions } from './observers/observer';
export { MinMaxObserver, MovingAverageMinMaxObserver } from './observers/min-max';
export { PerChannelMinMaxObserver, PerChannelMovingAverageMinMaxObserver, type PerChannelObserverOptions } from './observers/per-channel-min-max';
export { HistogramObserver, type HistogramObserverOptions } from './observers/histogram';
export { PercentileObserver, type PercentileObserverOptions } from './observers/percentile';
export { EntropyObserver, type EntropyObserverOptions, klDivergenceForThreshold } from './observers/entropy';
export { MseObserver, type MseObserverOptions } from './observers/mse';
export { PowerOfTwoObserver, type PowerOfTwoObserverOptions } from './observers/power-of-two';
export { FixedQParamsObserver, type FixedQParamsOptions } from './observers/fixed-qparams';
export { RangeHistogram } from './observers/range-histogram';
export { ClippingObserver, type ClippingObserverOptions } from './observers/clipping-observer';
export { powerOfTwoPosition, powerOfTwoQParams, POW2_MIN_POSITION, POW2_MAX_POSITION } from './power-of-two';
export { FakeQuantize } from './fake-quantize-module';
// The flow on the graph IR and the high-level API.
export { prepare, QUANTIZED_OPS, PASS_THROUGH_OPS, type PrepareOptions, type PreparedModel, type ActivationObserver } from './prepare';
export { calibrate, CalibrationAbortedError, type CalibrateOptions, type Feeds } from './calibrate';
export { convert, type ConvertOptions, type WeightOptions } from './convert';
export { qconfig, QCONFIG_NAMES, OBSERVER_NAMES, type QConfig, type QConfigName, type ObserverName, type QConfigOverride, type WeightConfig } from './qconfig';
export { float32ToFloat16Bits, float16BitsToFloat32 } from './float16';
export { qoperatorToQdq } from './qoperator';
export { quantizeStatic, quantizeDynamic, convertFloat16, readQuantizedModel, QuantizedModel, type QuantizeStaticOptions, type QuantizeDynamicOptions, type SizeReport, type ModelSource } from './api';
