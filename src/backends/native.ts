// The native backend: the Node-API addon (native/napi), loaded through node-gyp-build, which finds
// a local build or a matching prebuild.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BackendUnavailableError, fromBackend } from '../errors';
import type { PlanTypedArray } from '../plan/types';
import type { Backend, BackendInfo, BackendLoader, BackendPlan, CreatePlanOptions, IsaStatus, OutputSpec, PlanMemory } from './backend';
import { packageRoot } from './package-root';

interface NativePlanHandle {
  readonly isa: string;
  run(inputs: readonly PlanTypedArray[]): Promise<PlanTypedArray[]>;
  memory(): PlanMemory;
  release(): void;
}
interface Addon {
  cpuFeatures(): string[];
  isaInfo(): { isas: IsaStatus[]; default: string; forcedIsaError?: string };
  NativePlan: new (bytes: Uint8Array, isa?: string, threads?: number) => NativePlanHandle;
}

let addon: Addon | undefined;

function loadAddon(): Addon {
  if (addon) return addon;
  const require = createRequire(__filename);
  const root = packageRoot();
  try {
    // INT8KIT_ADDON: an explicit addon file (a development build in another directory).
    const explicit = process.env.INT8KIT_ADDON;
    addon = (explicit ? require(resolve(explicit)) : require('node-gyp-build')(root)) as Addon;
    return addon;
  } catch (e) {
    throw new BackendUnavailableError(
      `the native addon did not load (${(e as Error).message.split('\n')[0]}). ` +
        'To fix: install CMake and a C++17 compiler, then run `npm rebuild int8kit`.',
    );
  }
}

/** CPU features as the native addon detects them, or [] when it does not load. */
export function nativeCpuFeatures(): string[] {
  try {
    return loadAddon().cpuFeatures();
  } catch {
    return [];
  }
}

class NativePlan implements BackendPlan {
  constructor(private readonly handle: NativePlanHandle) {}
  get isa(): string {
    return this.handle.isa;
  }
  async run(inputs: readonly PlanTypedArray[]): Promise<PlanTypedArray[]> {
    try {
      return await this.handle.run(inputs);
    } catch (e) {
      throw fromBackend(e);
    }
  }
  memory(): PlanMemory {
    try {
      return this.handle.memory();
    } catch (e) {
      throw fromBackend(e);
    }
  }
  release(): void {
    this.handle.release();
  }
}

class NativeBackend implements Backend {
  constructor(private readonly addon: Addon) {}
  info(): BackendInfo {
    const i = this.addon.isaInfo();
    return { defaultIsa: i.default, isas: i.isas, forcedIsaError: i.forcedIsaError };
  }
  createPlan(bytes: Uint8Array, _outputs: OutputSpec, options: CreatePlanOptions = {}): BackendPlan {
    try {
      return new NativePlan(new this.addon.NativePlan(bytes, options.isa, options.threads));
    } catch (e) {
      throw fromBackend(e);
    }
  }
}

export const nativeLoader: BackendLoader = {
  async load() {
    return new NativeBackend(loadAddon());
  },
};
