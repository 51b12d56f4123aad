// The WebAssembly backend: the same C++ plan code built with Emscripten (wasm/build.sh). The built
// module is committed in wasm/dist, so it loads on any machine without a compiler. It runs on the
// calling thread.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BackendUnavailableError, fromBackend, ReleasedError } from '../errors';
import { DTYPES, type PlanTypedArray } from '../plan/types';
import type { Backend, BackendInfo, BackendLoader, BackendPlan, CreatePlanOptions, IsaStatus, OutputSpec, PlanMemory } from './backend';
import { packageRoot } from './package-root';

interface WasmModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _i8k_plan_create(bytes: number, size: number, isa: number): number;
  _i8k_plan_run(handle: number, inputs: number, nIn: number, outputs: number, nOut: number): number;
  _i8k_plan_release(handle: number): void;
  _i8k_plan_memory(handle: number, out: number): number;
  _i8k_error_code(): number;
  _i8k_error_message(): number;
  _i8k_isa_info(): number;
  UTF8ToString(p: number): string;
}


function lastError(m: WasmModule): Error {
  return fromBackend({ code: m.UTF8ToString(m._i8k_error_code()), message: m.UTF8ToString(m._i8k_error_message()) });
}

/** A fresh heap block of n bytes; the caller frees it. */
function alloc(m: WasmModule, n: number): number {
  const p = m._malloc(Math.max(n, 1));
  if (!p) throw fromBackend({ code: 'OUT_OF_MEMORY', message: 'the wasm heap cannot grow' });
  return p;
}

/** Copies bytes into a fresh heap block; the caller frees it. */
function toHeap(m: WasmModule, bytes: Uint8Array): number {
  const p = alloc(m, bytes.length);
  m.HEAPU8.set(bytes, p); // read HEAPU8 after malloc: growth replaces the view
  return p;
}

function asBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

// A plan the caller drops without release() would hold its packed weights in the wasm heap for
// good (wasm memory is not garbage collected): free it when its WasmPlan is collected.
const unreleased = new FinalizationRegistry<{ m: WasmModule; handle: number }>(({ m, handle }) => m._i8k_plan_release(handle));

class WasmPlan implements BackendPlan {
  private handle: number;
  constructor(private readonly m: WasmModule, handle: number, readonly isa: string, private readonly outputs: OutputSpec) {
    this.handle = handle;
    unreleased.register(this, { m, handle }, this);
  }

  async run(inputs: readonly PlanTypedArray[]): Promise<PlanTypedArray[]> {
    const m = this.m;
    if (!this.handle) throw new ReleasedError('the plan was released');
    const blocks: number[] = [];
    try {
      const inPtrs = inputs.map((a) => toHeap(m, asBytes(a)));
      blocks.push(...inPtrs);
      const outBytes = this.outputs.map((o) => o.elements * DTYPES[o.dtype].bytes);
      const outPtrs = outBytes.map((n) => alloc(m, n));
      blocks.push(...outPtrs);
      const table = (ptrs: number[], sizes: number[]) =>
        toHeap(m, asBytes(new Uint32Array(ptrs.flatMap((p, i) => [p, sizes[i]]))));
      const inTable = table(inPtrs, inputs.map((a) => a.byteLength));
      const outTable = table(outPtrs, outBytes);
      blocks.push(inTable, outTable);
      if (!m._i8k_plan_run(this.handle, inTable, inputs.length, outTable, outPtrs.length)) throw lastError(m);
      return this.outputs.map((o, i) => {
        const copy = m.HEAPU8.slice(outPtrs[i], outPtrs[i] + outBytes[i]);
        return new DTYPES[o.dtype].array(copy.buffer);
      });
    } finally {
      blocks.forEach((p) => m._free(p));
    }
  }

  memory(): PlanMemory {
    const m = this.m;
    if (!this.handle) throw new ReleasedError('the plan was released');
    if (typeof m._i8k_plan_memory !== 'function')
      throw new BackendUnavailableError('this wasm build has no memory report (built before it existed). To fix: run `npm run build:wasm`');
    const out = alloc(m, 3 * 8); // malloc aligns to 8: a Float64 slot
    try {
      if (!m._i8k_plan_memory(this.handle, out)) throw lastError(m);
      const [arenaBytes, workspaceBytes, weightBytes] = new Float64Array(m.HEAPU8.buffer, out, 3);
      return { arenaBytes, workspaceBytes, weightBytes };
    } finally {
      m._free(out);
    }
  }

  release(): void {
    if (this.handle) this.m._i8k_plan_release(this.handle);
    this.handle = 0;
    unreleased.unregister(this);
  }
}

class WasmBackend implements Backend {
  constructor(private readonly m: WasmModule) {}

  /** The wasm heap's size in bytes (it grows, never shrinks): what leak tests watch. */
  heapBytes(): number {
    return this.m.HEAPU8.length;
  }

  info(): BackendInfo {
    const isas: IsaStatus[] = this.m
      .UTF8ToString(this.m._i8k_isa_info())
      .trim()
      .split('\n')
      .map((line) => {
        const [isa, ok, a, b] = line.split('\t');
        return ok === '1' ? { isa, available: true, kernels: { f32Gemm: a, u8s8Gemm: b } } : { isa, available: false, reason: a };
      });
    return { defaultIsa: 'wasmsimd', isas };
  }

  /** options.threads is ignored: this build has no threads. */
  createPlan(bytes: Uint8Array, outputs: OutputSpec, options: CreatePlanOptions = {}): BackendPlan {
    const isa = options.isa ?? 'wasmsimd';
    const m = this.m;
    const planPtr = toHeap(m, bytes);
    const isaPtr = toHeap(m, Buffer.from(`${isa}\0`, 'utf8'));
    try {
      const handle = m._i8k_plan_create(planPtr, bytes.length, isaPtr);
      if (!handle) throw lastError(m);
      return new WasmPlan(m, handle, isa, outputs);
    } finally {
      m._free(planPtr);
      m._free(isaPtr);
    }
  }
}

export const wasmLoader: BackendLoader = {
  async load() {
    const dist = join(packageRoot(), 'wasm', 'dist');
    try {
      const factory = createRequire(__filename)(join(dist, 'int8kit-wasm.js')) as (o: object) => Promise<WasmModule>;
      const module = await factory({ wasmBinary: readFileSync(join(dist, 'int8kit-wasm.wasm')) });
      return new WasmBackend(module);
    } catch (e) {
      throw new BackendUnavailableError(
        `the wasm backend did not load (${(e as Error).message}). To fix: reinstall int8kit, or run \`npm run build:wasm\` in a checkout (needs emscripten).`,
      );
    }
  },
};
