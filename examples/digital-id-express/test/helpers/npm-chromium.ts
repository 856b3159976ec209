import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

/** A browser unpacked from npm, with the environment it needs (bundled NSS libraries, bundled fonts). */
export interface NpmBrowser {
  executablePath: string;
  env: Record<string, string>;
  description: string;
}

/**
 * Where unpacked browsers live: `THGOV_CACHE_DIR`, else `$XDG_CACHE_HOME/thgov` or `~/.cache/thgov`; the
 * system temp dir when the home is not writable. Never the repository.
 */
export function cacheRoot(): string {
  const explicit = process.env.THGOV_CACHE_DIR;
  const candidates = explicit
    ? [explicit]
    : [join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'thgov'), join(tmpdir(), 'thgov-cache')];
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // Not writable (a read-only HOME in a container): try the next place.
    }
  }
  throw new Error(`No writable cache directory among ${candidates.join(', ')}`);
}

/** The installed @sparticuz/chromium package: its folder and version, or undefined when not installed. */
function sparticuz(): { dir: string; version: string } | undefined {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  } catch {
    return undefined;
  }
  // Its exports hide package.json: walk up from the entry point to it.
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (!existsSync(pkg)) continue;
    const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
    if (json.name === '@sparticuz/chromium' && json.version) return { dir, version: json.version };
  }
  return undefined;
}

/**
 * Minimal ustar reader for the package's own archives (regular files and folders only). A name that is
 * absolute or climbs out with `..` is refused rather than written.
 */
export function extractTar(tar: Uint8Array, into: string): void {
  const text = (at: number, len: number) => {
    const raw = Buffer.from(tar.subarray(at, at + len)).toString('latin1');
    const nul = raw.indexOf('\0');
    return nul === -1 ? raw : raw.slice(0, nul);
  };
  for (let off = 0; off + 512 <= tar.length; ) {
    if (tar.subarray(off, off + 512).every((b) => b === 0)) break;
    const name = text(off + 345, 155) ? `${text(off + 345, 155)}/${text(off, 100)}` : text(off, 100);
    const size = Number.parseInt(text(off + 124, 12).trim() || '0', 8);
    const mode = Number.parseInt(text(off + 100, 8).trim() || '644', 8);
    const type = String.fromCharCode(tar[off + 156] ?? 0);
    if (!Number.isSafeInteger(size) || size < 0 || off + 512 + size > tar.length) {
      throw new Error('Corrupt tar archive');
    }
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    const rel = normalize(name);
    if (isAbsolute(rel) || rel.split(sep).includes('..')) throw new Error(`Unsafe path in tar: ${name}`);
    const target = join(into, rel);
    if (type === '5') mkdirSync(target, { recursive: true });
    else if (type === '0' || type === '\0') {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data, { mode: mode & 0o755 });
    }
    // Other entry types (links, pax headers) do not occur in these archives and are skipped.
  }
}

/** Our own fontconfig file: only the fonts shipped with the browser, so no machine's fonts leak in. */
function fontsConf(dir: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>${join(dir, 'fonts')}</dir>
  <cachedir>${join(dir, 'fontconfig-cache')}</cachedir>
</fontconfig>
`;
}

function unpack(pkgDir: string, target: string): void {
  const bin = join(pkgDir, 'bin');
  const work = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(work, { recursive: true });
  try {
    writeFileSync(join(work, 'chromium'), brotliDecompressSync(readFileSync(join(bin, 'chromium.br'))), {
      mode: 0o755,
    });
    // NSS, NSPR and expat for machines without them (a bare container); the browser's own fonts.
    for (const archive of ['al2023.tar.br', 'fonts.tar.br']) {
      extractTar(brotliDecompressSync(readFileSync(join(bin, archive))), work);
    }
    writeFileSync(join(work, 'thgov-fonts.conf'), fontsConf(target));
    writeFileSync(join(work, '.complete'), '');
    try {
      renameSync(work, target);
    } catch (err) {
      // Another process finished first: use its copy.
      if (!existsSync(join(target, '.complete'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Chromium from the `@sparticuz/chromium` npm package (x64 Linux only), unpacked once per version into
 * the cache. The unpacking happens in a private folder renamed into place, so parallel test processes
 * never see half a binary.
 */
export function npmChromium(): NpmBrowser | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const pkg = sparticuz();
  if (!pkg) return undefined;
  const dir = join(cacheRoot(), `sparticuz-chromium-${pkg.version}`);
  if (!existsSync(join(dir, '.complete'))) unpack(pkg.dir, dir);
  const libs = join(dir, 'lib');
  return {
    executablePath: join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: join(dir, 'thgov-fonts.conf'),
    },
    description: `@sparticuz/chromium ${pkg.version} (unpacked in ${dir})`,
  };
}
