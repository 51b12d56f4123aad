import type { Observer } from './observers/observer';
import type { QParams } from './qparams';
import { fakeQuantizeWith } from './quantize';

/**
 * PyTorch's FakeQuantize module: during calibration or quantization-aware training, `forward` lets the observer see
 * the batch (when observing is enabled), refreshes the qparams from it, and returns the batch quantized and
 * dequantized with them (when fake quantization is enabled), so the float model sees the rounding and clipping that
 * the integer model will have. Per tensor or per channel, following the observer.
 */
export class FakeQuantize {
  /** The observer that supplies the qparams. */
  readonly observer: Observer;
  /** Whether forward() observes batches. */
  observerEnabled = true;
  /** Whether forward() fake-quantizes (else it returns a copy). */
  fakeQuantEnabled = true;
  private qparams: QParams | null = null;

  /** @throws Never. */
  constructor(observer: Observer) {
    this.observer = observer;
  }

  /**
   * Observes the batch (when enabled) and returns it fake-quantized with the current qparams.
   * @throws {@link InvalidArgumentError} as the observer's `observe` does (non-Float32Array, wrong shape, NaN or Infinity).
   */
  forward(x: Float32Array, shape: readonly number[]): Float32Array {
    if (this.observerEnabled) {
      this.observer.observe(x, shape);
      this.qparams = this.observer.calculateQParams();
    }
    if (!this.fakeQuantEnabled) return x.slice();
    return fakeQuantizeWith(x, shape, this.calculateQParams());
  }

  /**
   * The qparams in use: those of the last observed batch, or the observer's current ones if none was observed yet.
   * @throws Never.
   */
  calculateQParams(): QParams {
    return this.qparams ?? (this.qparams = this.observer.calculateQParams());
  }

  /**
   * Turns observation on or off; returns this for chaining.
   * @throws Never.
   */
  enableObserver(enabled = true): this {
    this.observerEnabled = enabled;
    return this;
  }

  /**
   * Turns fake quantization on or off; returns this for chaining.
   * @throws Never.
   */
  enableFakeQuant(enabled = true): this {
    this.fakeQuantEnabled = enabled;
    return this;
  }
}
