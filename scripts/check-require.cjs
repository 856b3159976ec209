// Proves that a CommonJS consumer can require() every publishable package on this Node (20.19+ loads
// ESM through require() without a flag). Each package is resolved by name from a throw-away folder,
// exactly as an agency's CommonJS service would, and must expose its documented exports.
'use strict';
const {
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  existsSync,
  rmSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const consumer = mkdtempSync(join(tmpdir(), 'thgov-cjs-'));
mkdirSync(join(consumer, 'node_modules', '@thgov'), { recursive: true });
let failures = 0;
let checked = 0;
try {
  for (const dir of readdirSync(join(root, 'packages'))) {
    const pkgDir = join(root, 'packages', dir);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    if (!existsSync(join(pkgDir, 'dist'))) {
      console.error(`✗ ${manifest.name}: not built (run pnpm build)`);
      failures++;
      continue;
    }
    symlinkSync(pkgDir, join(consumer, 'node_modules', manifest.name), 'dir');
    const entries = Object.keys(manifest.exports).filter((k) => k !== './package.json');
    for (const entry of entries) {
      const specifier = entry === '.' ? manifest.name : `${manifest.name}/${entry.replace(/^\.\//, '')}`;
      try {
        const mod = require(require.resolve(specifier, { paths: [consumer] }));
        const names = Object.keys(mod);
        if (names.length === 0) throw new Error('no exports');
        console.log(`✓ require('${specifier}') → ${names.length} exports`);
        checked++;
      } catch (err) {
        // An optional peer dependency that is not installed is a documented condition, not a failure.
        if (err && err.code === 'MODULE_NOT_FOUND' && manifest.peerDependenciesMeta) {
          const peers = Object.keys(manifest.peerDependenciesMeta);
          if (peers.some((p) => String(err.message).includes(`'${p}'`))) {
            console.log(`✓ require('${specifier}') needs optional peer (${peers.join(', ')}): ${err.code}`);
            checked++;
            continue;
          }
        }
        console.error(`✗ require('${specifier}') failed: ${err?.message}`);
        failures++;
      }
    }
  }
} finally {
  rmSync(consumer, { recursive: true, force: true });
}
if (failures > 0 || checked === 0) {
  console.error(`${failures} CommonJS require() check(s) failed`);
  process.exit(1);
}
console.log(`${checked} entry points load with require()`);
