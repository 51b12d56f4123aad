import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, backendNames, registerBackend, resolveBackend } from '../src';

describe('backend registry', () => {
  afterAll(() => {
    registerBackend('broken', { load: async () => Promise.reject(new Error('never loads')) }, -1);
  });

  it('orders the built-in backends native before wasm', () => {
    const names = backendNames();
    expect(names.indexOf('native')).toBeLessThan(names.indexOf('wasm'));
  });

  it('takes the first backend that loads and warns once about the ones it skipped', async () => {
    registerBackend('broken', { load: async () => Promise.reject(new Error('broken backend: install the frobnicator')) }, 1000);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const first = await resolveBackend();
    const second = await resolveBackend();
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(first.name).toBe('native');
    expect(second.name).toBe('native');
    expect(warnings.filter((w) => w.includes('install the frobnicator'))).toHaveLength(1);
  });

  it('reports why a forced backend cannot load', async () => {
    await expect(resolveBackend('broken')).rejects.toThrow('install the frobnicator');
    await expect(resolveBackend('nope')).rejects.toThrow(/one of .*native.*wasm/);
  });

  it('says what failed for every backend when none loads', async () => {
    const { registerBackend: reg } = await import('../src');
    reg('native', { load: async () => Promise.reject(new Error('no addon here')) }, 100);
    reg('wasm', { load: async () => Promise.reject(new Error('no wasm here')) }, 10);
    reg('broken', { load: async () => Promise.reject(new Error('broken too')) }, -1);
    const err = await resolveBackend().catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toMatch(/no addon here[\s\S]*no wasm here/);
  });
});
