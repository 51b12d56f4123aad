import type { DType, PlanTypedArray } from '../plan/types';

/** Output dtypes and sizes in plan order (backends that copy outputs need them). */
export type OutputSpec = { dtype: DType; elements: number }[];

/** What `int8kit info` shows of a backend's instruction sets. */
export interface IsaStatus {
  isa: string;
  available: boolean;
  /** Why it is unavailable (missing CPU feature, not in this build). */
  reason?: string;
  /** The kernel each family uses with this ISA. */
  kernels?: { f32Gemm: string; u8s8Gemm: string };
}

export interface BackendInfo {
  /** The ISA plans get unless one is forced. */
  defaultIsa: string;
  isas: IsaStatus[];
  /** Set when INT8KIT_ISA names an ISA this backend cannot use. */
  forcedIsaError?: string;
}

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
  readonly isa: string;
  /** @throws {ReleasedError} after release(). */
  memory(): PlanMemory;
  /** Runs the plan; inputs are already validated. Resolves with one array per plan output. */
  run(inputs: readonly PlanTypedArray[]): Promise<PlanTypedArray[]>;
  release(): void;
}

/** The contract every backend implements; loaded lazily by the registry. */
export interface Backend {
  info(): BackendInfo;
  /** Decodes, validates and packs an encoded plan; throws typed errors. */
  createPlan(bytes: Uint8Array, outputs: OutputSpec, options?: CreatePlanOptions): BackendPlan;
}

export interface BackendLoader {
  /** Loads the backend or throws an error whose message says why and how to fix it. */
  load(): Promise<Backend>;
}
