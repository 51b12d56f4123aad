// The built-in backends. WASM has the lowest priority: it is the fallback when the addon is missing.
import { nativeLoader } from './native';
import { registerBackend } from './registry';
import { wasmLoader } from './wasm';

registerBackend('native', nativeLoader, 100);
registerBackend('wasm', wasmLoader, 10);
