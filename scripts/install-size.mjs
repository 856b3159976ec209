#!/usr/bin/env node
/**
 * What installing a package costs its users: packs the workspace packages (pnpm pack, so workspace:* becomes
 * a version), installs each named one alone into a temporary project with npm (optional peers are not
 * installed, as for a user who only verifies), and prints one JSON line per package: size of node_modules in
 * MB, number of packages, and whether pdf-lib, fontkit or harfbuzzjs came along.
 *
 *   node scripts/install-size.mjs @thgov/transcript @thgov/esign      (after pnpm build)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const wanted = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), 'thgov-install-size-'));

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

/** Every workspace package by name, packed once. */
const tarballs = new Map();
for (const dir of readdirSync(join(root, 'packages'))) {
  const manifest = join(root, 'packages', dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const { name, private: isPrivate } = JSON.parse(readFileSync(manifest, 'utf8'));
  if (isPrivate || !name?.startsWith('@thgov/')) continue;
  const out = run('pnpm', ['pack', '--pack-destination', work], join(root, 'packages', dir));
  tarballs.set(name, out.trim().split('\n').pop());
}

function du(dir) {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += du(p);
    else if (e.isFile()) bytes += statSync(p).size;
  }
  return bytes;
}

function packagesIn(nodeModules) {
  const names = [];
  for (const e of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    if (e.name.startsWith('@'))
      for (const s of readdirSync(join(nodeModules, e.name))) names.push(`${e.name}/${s}`);
    else names.push(e.name);
  }
  return names;
}

try {
  for (const name of wanted) {
    const project = mkdtempSync(join(work, 'project-'));
    const overrides = Object.fromEntries([...tarballs].map(([n, t]) => [n, `file:${t}`]));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'size-probe',
        private: true,
        dependencies: { [name]: `file:${tarballs.get(name)}` },
        overrides,
      }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional'], project);
    const nm = join(project, 'node_modules');
    const names = packagesIn(nm);
    process.stdout.write(
      `${JSON.stringify({
        bench: `install-size-${name}`,
        unit: 'MB',
        value: Number((du(nm) / 1e6).toFixed(2)),
        packages: names.length,
        heavy: ['pdf-lib', '@pdf-lib/fontkit', 'harfbuzzjs', '@expo-google-fonts/sarabun'].filter((n) =>
          names.includes(n),
        ),
      })}\n`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
