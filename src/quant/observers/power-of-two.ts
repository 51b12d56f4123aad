import { InvalidArgumentError, describe } from '../../errors';
import type { QuantDType } from '../dtypes';
import { powerOfTwoPosition, powerOfTwoQParams } from '../power-of-two';
import type { QParams } from '../qparams';
import { aminmax } from './min-max';
import { Observer, type ObserverOptions } from './observer';

export interface PowerOfTwoObserverOptions extends ObserverOptions {
  /** qint8 (default) or quint8 (zero point 0: for non-negative activations). */
  dtype?: 'qint8' | 'quint8';
}

/**
 * The darknet19 recipe's calibration: every batch votes for the decimal position p that fits its own range
 * (powerOfTwoPosition), and the result is the mode of the votes. On a tie the smaller p wins: the wider range, which
 * clips less. Batches of zeros do not vote; with no votes the result is p = 0 (scale 1, PyTorch's default).
 * State: one counter per distinct p.
 */
export class PowerOfTwoObserver extends Observer {
  /** qint8 or quint8. */
  readonly dtype: QuantDType;
  /** Votes per decimal position. */
  readonly votes = new Map<number, number>();

  /** @throws {@link InvalidArgumentError} for a dtype other than qint8 or quint8. */
  constructor(opts: PowerOfTwoObserverOptions = {}) {
    super(opts);
    this.dtype = opts.dtype ?? 'qint8';
    if (this.dtype !== 'qint8' && this.dtype !== 'quint8') {
      throw new InvalidArgumentError(`Expected qint8 or quint8 for the dtype of ${new.target.name} but received ${describe(opts.dtype)}`);
    }
  }

  observe(x: Float32Array, shape: readonly number[]): void {
    const values = this.finiteValues(x, shape);
    if (values.length === 0) return;
    const [lo, hi] = aminmax(values);
    const p = powerOfTwoPosition(lo, hi, this.dtype);
    if (p !== null) this.votes.set(p, (this.votes.get(p) ?? 0) + 1);
  }

  /**
   * The mode of the votes (smaller p on ties), 0 without votes.
   * @throws Never.
   */
  position(): number {
    let best = 0;
    let count = 0;
    for (const [p, n] of this.votes) if (n > count || (n === count && p < best)) [best, count] = [p, n];
    return best;
  }

  calculateQParams(): QParams {
    return powerOfTwoQParams(this.position(), this.dtype);
  }
}
