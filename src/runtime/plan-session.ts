import type { BackendPlan, PlanMemory } from '../backends/backend';
import { resolveBackend } from '../backends/registry';
import { invalid, ReleasedError } from '../errors';
import { encodePlan } from '../plan/encode';
import type { Plan, PlanTypedArray } from '../plan/types';
import { elementCount, validateInputs, validatePlan } from '../plan/validate';
import '../backends/default-backends';

/** Options of {@link PlanSession.create}. */
export interface PlanSessionOptions {
  /** `native` or `wasm`; by default the highest-priority backend that loads (native, then wasm). */
  backend?: string;
  /**
   * Force an instruction set: `scalar`, `avx2`, `avxvnni`, `avxvnni-evex`, `avx512vnni`, `neon`
   * (native) or `wasmsimd`, `scalar` (wasm). By default the best this CPU supports, or the INT8KIT_ISA environment variable.
   */
  isa?: string;
  /** Intra-op threads on the native backend (default 1); the wasm backend runs on one. */
  threads?: number;
  /**
   * Called with each plan once created. Session passes its options through to the plans it
   * creates (one per set of input shapes), so this is how `int8kit bench` sees their memory().
   */
  onPlanCreated?: (plan: PlanSession) => void;
}

export type { PlanMemory } from '../backends/backend';

/** The memory of several plans added up (a Session's specialisations; undefined ones skipped). */
export function totalPlanMemory(plans: readonly (PlanSession | undefined)[]): PlanMemory {
  const total: PlanMemory = { arenaBytes: 0, workspaceBytes: 0, weightBytes: 0 };
  for (const p of plans) {
    if (!p) continue;
    const m = p.memory();
    total.arenaBytes += m.arenaBytes;
    total.workspaceBytes += m.workspaceBytes;
    total.weightBytes += m.weightBytes;
  }
  return total;
}

/** A plan created on a backend: weights packed once, run many times, concurrently if wanted. */
export class PlanSession {
  private constructor(
    private readonly plan: Plan,
    private handle: BackendPlan | undefined,
    /** The backend that runs this plan. */
    readonly backend: string,
    /** The instruction set its kernels use. */
    readonly isa: string,
  ) {}

  /**
   * Validates, encodes and creates a plan on a backend.
   * @throws {@link InvalidArgumentError} when the plan's JavaScript shape is malformed.
   * @throws {@link InvalidPlanError} when an op's rules are broken (shapes that disagree, bad qparams).
   * @throws {@link BackendUnavailableError} when the requested backend (or none) can load.
   * @throws {@link UnsupportedIsaError} when the ISA is unknown or this CPU lacks it.
   */
  static async create(plan: Plan, options: PlanSessionOptions = {}): Promise<PlanSession> {
    if (options.isa !== undefined && typeof options.isa !== 'string') throw invalid('options.isa', 'a string', options.isa);
    if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1 && options.threads <= 256))
      throw invalid('options.threads', 'an integer in [1, 256]', options.threads);
    if (options.onPlanCreated !== undefined && typeof options.onPlanCreated !== 'function')
      throw invalid('options.onPlanCreated', 'a function', options.onPlanCreated);
    validatePlan(plan);
    const { name, backend } = await resolveBackend(options.backend);
    const outputs = plan.outputs.map((id) => ({ dtype: plan.values[id].dtype, elements: elementCount(plan.values[id].shape) }));
    const handle = backend.createPlan(encodePlan(plan), outputs, { isa: options.isa, threads: options.threads });
    const session = new PlanSession(plan, handle, name, handle.isa);
    options.onPlanCreated?.(session);
    return session;
  }

  /**
   * Runs the plan off the JavaScript thread (native backend). Resolves with one typed array per
   * plan output, in order.
   * @throws {@link InvalidArgumentError} when inputs do not match the plan's inputs in count, dtype or length.
   * @throws {@link ReleasedError} after release().
   * @throws {@link InvalidPlanError} when an op rejects the input data (e.g. an index out of range).
   * @throws {@link OutOfMemoryError} when the run's memory cannot be allocated.
   */
  async run(inputs: readonly PlanTypedArray[]): Promise<PlanTypedArray[]> {
    if (!this.handle) throw new ReleasedError('the plan session was released');
    return this.handle.run(validateInputs(this.plan, inputs));
  }

  /**
   * Bytes the plan holds: packed weights, plus the arena and workspace each run in flight leases.
   * @throws {@link ReleasedError} after release().
   */
  memory(): PlanMemory {
    if (!this.handle) throw new ReleasedError('the plan session was released');
    return this.handle.memory();
  }

  /**
   * Frees packed weights; runs already in flight finish normally. Releasing twice is harmless.
   * @throws Never.
   */
  release(): void {
    this.handle?.release();
    this.handle = undefined;
  }
}
