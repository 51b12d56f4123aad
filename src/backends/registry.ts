// Backends register with a priority; the first that loads wins unless the caller names one. Load
// outcomes are cached, and falling back past a failed backend warns once with its reason.
import { BackendUnavailableError, invalid } from '../errors';
import type { Backend, BackendLoader } from './backend';

interface Entry {
  name: string;
  loader: BackendLoader;
  priority: number;
  result?: Promise<Backend>;
  warned?: boolean;
}

const entries: Entry[] = [];

/**
 * Registers (or replaces) a backend; higher priority is tried first.
 * @param name Registry name; an existing entry of that name is replaced.
 * @param loader Loads the backend lazily, once.
 * @param priority Higher is tried first (native 100, wasm 10).
 * @throws Never: loading happens later, in {@link resolveBackend}.
 */
export function registerBackend(name: string, loader: BackendLoader, priority: number): void {
  const i = entries.findIndex((e) => e.name === name);
  if (i >= 0) entries.splice(i, 1);
  entries.push({ name, loader, priority });
  entries.sort((a, b) => b.priority - a.priority);
}

/**
 * Registered backend names, highest priority first.
 * @throws Never.
 */
export function backendNames(): string[] {
  return entries.map((e) => e.name);
}

function load(entry: Entry): Promise<Backend> {
  entry.result ??= entry.loader.load();
  return entry.result;
}

/** Loads one backend by name; rejects with BackendUnavailableError saying why and how to fix. */
export async function loadBackend(name: string): Promise<Backend> {
  const entry = entries.find((e) => e.name === name);
  if (!entry) throw invalid('backend', `one of ${backendNames().join(', ')}`, name);
  return load(entry);
}

/**
 * The named backend, or the highest-priority one that loads.
 * @param name A registered backend name; omitted, the highest-priority backend that loads.
 * @returns The backend and its name.
 * @throws {@link InvalidArgumentError} when the name is not registered.
 * @throws {@link BackendUnavailableError} when the named backend (or, unnamed, every backend) cannot load, with each reason and the fix.
 */
export async function resolveBackend(name?: string): Promise<{
  /** The backend's registry name. */
  name: string;
  /** The loaded backend. */
  backend: Backend;
}> {
  if (name !== undefined) return { name, backend: await loadBackend(name) };
  const failures: string[] = [];
  for (const entry of entries) {
    try {
      const backend = await load(entry);
      for (const skipped of entries) {
        if (skipped === entry) break;
        if (!skipped.warned) {
          skipped.warned = true;
          process.emitWarning(`using the ${entry.name} backend because ${failures.shift()}`, 'Int8kitWarning');
        }
      }
      return { name: entry.name, backend };
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  throw new BackendUnavailableError(`No int8kit backend could be loaded:\n  ${failures.join('\n  ')}`);
}
