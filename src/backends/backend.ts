import type { DType, PlanTypedArray } from '../plan/types';

/** Output dtypes and sizes in plan order (backends that copy outputs need them). */
export type OutputSpec = {
  /** Element type of the output. */
  dtype: DType;
  /** Element count of the output. */
  elements: number;
}[];

/** What `int8kit info` shows of a backend's instruction sets. */
export interface IsaStatus {
  /** The ISA name (`avx512vnni`, `avx2`, `neon`, `wasmsimd`, `scalar`, ...). */
  isa: string;
  /** Whether plans can use it here. */
  available: boolean;
  /** Why it is unavailable (missing CPU feature, not in this build). */
  reason?: string;
  /** The kernel each family uses with this ISA. */
  kernels?: {
    /** The float32 GEMM microkernel. */
    f32Gemm: string;
    /** The u8 x s8 GEMM microkernel. */
    u8s8Gemm: string;
  };
}

/** What a backend says about itself. */
export interface BackendInfo {
  /** The ISA plans get unless one is forced. */
  defaultIsa: string;
  /** Every ISA it knows, best first. */
  isas: IsaStatus[];
  /** Set when INT8KIT_ISA names an ISA this backend cannot use. */
  forcedIsaError?: string;
}

/** Options of {@link Backend.createPlan}. */
export interface CreatePlanOptions {
  /** An ISA name from info().isas; default: the backend's best (or INT8KIT_ISA). */
  isa?: string;
  /** Intra-op threads (native); default 1. */
  threads?: number;
}

/**
 * Bytes a created plan holds (native/plan/plan.h PlanMemory). The arena and the workspace are per
 * run: each run in flight at once leases its own.
 */
export interface PlanMemory {
  /** Intermediate values of one run, sharing memory where their lifetimes do not overlap. */
  arenaBytes: number;
  /** The largest scratch an op of one run needs. */
  workspaceBytes: number;
  /** Constants the ops keep (packed weights, folded biases). */
  weightBytes: number;
}

/** A plan created on one backend, weights packed for one ISA. */
export interface BackendPlan {
  /** The ISA its kernels use. */
  readonly isa: string;
  /** @throws {@link ReleasedError} after release(). */
  memory(): PlanMemory;
  /**
   * Runs the plan; inputs are already validated. Resolves with one array per plan output.
   * @throws {@link InvalidPlanError} when an op rejects the run (e.g. an index out of range in the data).
   * @throws {@link OutOfMemoryError} when the run's arena cannot be allocated.
   * @throws {@link ReleasedError} after release().
   */
  run(inputs: readonly PlanTypedArray[]): Promise<PlanTypedArray[]>;
  /**
   * Frees the packed weights; runs in flight finish.
   * @throws Never.
   */
  release(): void;
}

/** The contract every backend implements; loaded lazily by the registry. */
export interface Backend {
  /**
   * Its ISAs and the default one.
   * @throws Never once loaded.
   */
  info(): BackendInfo;
  /**
   * Decodes, validates and packs an encoded plan; throws typed errors.
   * @throws {@link InvalidPlanError} when the plan breaks a rule of the format or of an op.
   * @throws {@link UnsupportedIsaError} when options.isa is unknown or unavailable here.
   * @throws {@link OutOfMemoryError} when the weights cannot be packed.
   */
  createPlan(bytes: Uint8Array, outputs: OutputSpec, options?: CreatePlanOptions): BackendPlan;
}

/** Registered with {@link registerBackend}. */
export interface BackendLoader {
  /**
   * Loads the backend or throws an error whose message says why and how to fix it.
   * @throws {@link BackendUnavailableError} when it cannot load here.
   */
  load(): Promise<Backend>;
}
