import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IsaStatus } from '../backends/backend';
import { nativeCpuFeatures } from '../backends/native';
import { packageRoot } from '../backends/package-root';
import { backendNames, loadBackend } from '../backends/registry';
import '../backends/default-backends';

/** One backend as {@link info} reports it. */
export interface BackendReport {
  /** Registry name (`native`, `wasm`, ...). */
  name: string;
  /** Whether it loads here. */
  available: boolean;
  /** Why it did not load, and how to fix it. */
  reason?: string;
  /** The ISA plans get by default and the kernel each family uses with it. */
  isa?: {
    /** The ISA name. */
    selected: string;
    /** Kernel family to kernel name. */
    kernels: Record<string, string>;
    /** Why INT8KIT_ISA could not be honoured, when it was set. */
    forcedIsaError?: string;
  };
  /** Every ISA the backend knows, with availability and the reason when unavailable. */
  isas?: IsaStatus[];
}

/** What {@link info} returns. */
export interface Info {
  /** The int8kit package version. */
  version: string;
  /** CPU features the addon detected (empty without it), the CPU model and `process.arch`. */
  cpu: {
    /** CPU feature flags the addon detected (empty without the addon). */
    features: string[];
    /** The CPU model name from the OS. */
    model?: string;
    /** `process.arch`. */
    arch: string;
  };
  /** Every registered backend, best first. */
  backends: BackendReport[];
}

/**
 * The int8kit package version, from its package.json.
 * @throws Never in an installed package (package.json is always present).
 */
export function version(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}

/**
 * What `int8kit info` prints: version, CPU features, and each backend's status and kernels.
 * @example
 * ```ts
 * const { backends } = await info();
 * console.log(backends.find((b) => b.available)?.isa?.selected); // e.g. avx512vnni
 * ```
 * @throws Never: a backend that fails to load is reported with `available: false` and the reason.
 */
export async function info(): Promise<Info> {
  const { cpus } = await import('node:os');
  const backends: BackendReport[] = [];
  for (const name of backendNames()) {
    try {
      const b = (await loadBackend(name)).info();
      const selected = b.isas.find((i) => i.isa === b.defaultIsa);
      backends.push({
        name,
        available: true,
        isa: { selected: b.defaultIsa, kernels: selected?.kernels ?? {}, ...(b.forcedIsaError ? { forcedIsaError: b.forcedIsaError } : {}) },
        isas: b.isas,
      });
    } catch (e) {
      backends.push({ name, available: false, reason: (e as Error).message });
    }
  }
  return { version: version(), cpu: { features: nativeCpuFeatures(), model: cpus()[0]?.model, arch: process.arch }, backends };
}
