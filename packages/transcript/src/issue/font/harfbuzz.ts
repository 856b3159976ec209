import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * harfbuzzjs instantiates its WebAssembly with a top-level await, which `require(esm)` cannot load: it is
 * imported on first use, so verifiers and CommonJS callers never pay for (or trip over) the shaper.
 */
export type HarfBuzz = typeof import('harfbuzzjs');

let shaper: Promise<HarfBuzz> | undefined;

/** The HarfBuzz shaping module (harfbuzzjs), loaded once. */
export function loadHarfBuzz(): Promise<HarfBuzz> {
  shaper ??= import('harfbuzzjs').catch((err: unknown) => {
    shaper = undefined;
    throw err;
  });
  return shaper;
}

/** The raw exports of harfbuzzjs's `hb-subset` build (no JavaScript wrapper ships for it). */
export interface SubsetExports {
  memory: { buffer: ArrayBuffer };
  malloc(size: number): number;
  free(ptr: number): void;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_length(blob: number): number;
  hb_blob_get_data(blob: number, length: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_set_flags(input: number, flags: number): void;
  hb_subset_or_fail(face: number, input: number): number;
  _initialize?: () => void;
}

/** Node's global WebAssembly; the package compiles without the DOM library that declares it. */
const wasm = (
  globalThis as unknown as {
    WebAssembly: { instantiate(bytes: Uint8Array): Promise<{ instance: { exports: unknown } }> };
  }
).WebAssembly;

let subsetter: Promise<SubsetExports> | undefined;

/** HarfBuzz's subsetter, instantiated once from the wasm file harfbuzzjs ships beside its shaper. */
export function loadSubsetter(): Promise<SubsetExports> {
  subsetter ??= (async () => {
    const path = createRequire(import.meta.url).resolve('harfbuzzjs/dist/harfbuzz-subset.wasm');
    const { instance } = await wasm.instantiate(await readFile(path));
    const exports = instance.exports as unknown as SubsetExports;
    exports._initialize?.();
    return exports;
  })().catch((err: unknown) => {
    subsetter = undefined;
    throw err;
  });
  return subsetter;
}
