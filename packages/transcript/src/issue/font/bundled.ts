import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { FontError } from './errors.js';

/**
 * Sarabun (Cadson Demak for Google Fonts, SIL OFL 1.1), the Thai government's standard typeface, as
 * TrueType from `@expo-google-fonts/sarabun` (pinned to one version). Every machine reads the same bytes,
 * checked against these digests: a document never depends on which fonts a machine happens to have.
 */
const FILES = {
  regular: {
    path: '@expo-google-fonts/sarabun/400Regular/Sarabun_400Regular.ttf',
    sha256: 'b8150084e25734e6f31696c57ff009f5564efa09d295848b717d9e2328c0311d',
  },
  bold: {
    path: '@expo-google-fonts/sarabun/700Bold/Sarabun_700Bold.ttf',
    sha256: '5d1fc1ee63ab861fb2022a212b5ff270848582bb9d9cba73b2d2aaabb16d0a18',
  },
} as const;

export type BundledWeight = keyof typeof FILES;

const cache = new Map<BundledWeight, Promise<Uint8Array>>();

/**
 * The bundled Sarabun TrueType bytes (regular or bold).
 * @throws FontError `ERR_FONT_BUNDLED` when the file is missing or not the pinned version.
 * @example
 * ```ts
 * const font = await loadFont(await bundledThaiFont('bold'));
 * ```
 */
export function bundledThaiFont(weight: BundledWeight): Promise<Uint8Array> {
  let bytes = cache.get(weight);
  if (!bytes) {
    bytes = read(weight);
    cache.set(weight, bytes);
    bytes.catch(() => cache.delete(weight));
  }
  return bytes;
}

async function read(weight: BundledWeight): Promise<Uint8Array> {
  const file = FILES[weight];
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(createRequire(import.meta.url).resolve(file.path)));
  } catch (cause) {
    throw new FontError('ERR_FONT_BUNDLED', `The bundled Sarabun font (${weight}) cannot be read`, {
      cause,
      hint: 'Reinstall dependencies: @expo-google-fonts/sarabun is a dependency of this package.',
    });
  }
  if (createHash('sha256').update(bytes).digest('hex') !== file.sha256) {
    throw new FontError(
      'ERR_FONT_BUNDLED',
      `The bundled Sarabun font (${weight}) is not the pinned version: documents would differ between machines`,
      {
        hint: 'Reinstall dependencies from the lockfile (the version of @expo-google-fonts/sarabun is pinned).',
      },
    );
  }
  return bytes;
}
