import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IsaStatus } from '../backends/backend';
import { nativeCpuFeatures } from '../backends/native';
import { packageRoot } from '../backends/package-root';
import { backendNames, loadBackend } from '../backends/registry';
import '../backends/default-backends';

export interface BackendReport {
  name: string;
  available: boolean;
  /** Why it did not load, and how to fix it. */
  reason?: string;
  /** The ISA plans get by default and the kernel each family uses with it. */
  isa?: { selected: string; kernels: Record<string, string>; forcedIsaError?: string };
  /** Every ISA the backend knows, with availability and the reason when unavailable. */
  isas?: IsaStatus[];
}

export interface Info {
  version: string;
  cpu: { features: string[]; model?: string; arch: string };
  backends: BackendReport[];
}

export function version(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}

/** What `int8kit info` prints: version, CPU features, and each backend's status and kernels. */
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
