#!/usr/bin/env node
/**
 * Type-checks every ```ts block of the docs and READMEs against the built packages (their dist .d.ts, as an
 * npm user gets them), strict and with exactOptionalPropertyTypes, so a snippet cannot drift from the API.
 *
 *   node scripts/check-doc-snippets.mjs          needs `pnpm build`
 *
 * Each block is its own module (top-level await allowed). A block that is a fragment on purpose (it uses
 * names defined elsewhere on the page, or elides with …) says so in its info string: ```ts no-check — it is
 * then listed, not compiled. Other languages (```sh, ```json, ```text) are not code to compile.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'node_modules', '.cache', 'thgov-doc-snippets');

function markdownFiles() {
  const files = [join(root, 'README.md')];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'api' && e.name !== 'node_modules') walk(p);
      else if (e.isFile() && e.name.endsWith('.md')) files.push(p);
    }
  };
  walk(join(root, 'docs'));
  for (const group of ['packages', 'examples'])
    for (const d of readdirSync(join(root, group))) {
      const readme = join(root, group, d, 'README.md');
      if (existsSync(readme)) files.push(readme);
    }
  return files;
}

/** The ```ts blocks of a Markdown file, with their line and whether they are marked no-check. */
function blocks(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*```(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    found.push({
      line: start,
      code: lines.slice(start, end).join('\n'),
      check: !/\bno-check\b/.test(open[2]),
    });
    i = end;
  }
  return found;
}

/** `@thgov/<pkg>` and its subpaths to the built declarations, from each package's `exports`. */
function packagePaths() {
  const paths = {};
  for (const dir of readdirSync(join(root, 'packages'))) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    for (const [key, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target !== 'object' || !target.types) continue;
      const spec = key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`;
      paths[spec] = [relative(out, join(root, 'packages', dir, target.types))];
    }
  }
  // Third-party modules a snippet uses (express, zod…) resolve from the packages that depend on them.
  paths['*'] = ['packages', 'examples'].flatMap((group) =>
    readdirSync(join(root, group)).map((d) => relative(out, join(root, group, d, 'node_modules', '*'))),
  );
  return paths;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const compiled = [];
const skipped = [];
for (const file of markdownFiles()) {
  for (const b of blocks(file)) {
    const where = `${relative(root, file)}:${b.line}`;
    if (!b.check) {
      skipped.push(where);
      continue;
    }
    const name = `${relative(root, file).replace(/[^A-Za-z0-9]+/g, '-')}-${b.line}.mts`;
    // `export {}` makes every block a module, so top-level await and repeated names are fine.
    writeFileSync(join(out, name), `${b.code}\nexport {};\n`);
    compiled.push({ name, where, line: b.line });
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        target: 'es2023',
        lib: ['es2023', 'dom'],
        module: 'esnext',
        moduleResolution: 'bundler',
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [relative(out, join(root, 'node_modules', '@types'))],
        paths: packagePaths(),
      },
      files: compiled.map((c) => c.name),
    },
    null,
    2,
  ),
);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', out, '--pretty', 'false'], { encoding: 'utf8' });
// Point each error at the Markdown line it comes from.
const byName = new Map(compiled.map((c) => [c.name, c]));
const errors = `${r.stdout}${r.stderr}`
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    const m = /^([^(]+\.mts)\((\d+),(\d+)\): (.*)$/.exec(l);
    const c = m && byName.get(basename(m[1]));
    return c ? `${c.where.replace(/:\d+$/, '')}:${c.line + Number(m[2])}: ${m[4]}` : l;
  });
if (skipped.length) console.log(`not compiled (marked no-check): ${skipped.join(', ')}`);
if (r.status !== 0) {
  console.error(errors.join('\n'));
  console.error(
    `\n${errors.filter((e) => e.includes('error TS')).length} error(s) in the docs' TypeScript snippets`,
  );
  process.exit(1);
}
console.log(`${compiled.length} TypeScript snippets compile (strict, exactOptionalPropertyTypes)`);
