#!/usr/bin/env node
/**
 * The public surface of every package (issue 19): for each entry point in a package's `exports` map, the
 * number of names it exports (values and types, counted by the TypeScript checker on the source entry point),
 * then the typedoc run of the root typedoc.json (JSON model to a temporary file, no HTML) and the TSDoc coverage of
 * every exported declaration. Exits 1 when typedoc reports an error or a warning (an invalid {@link}, a link to a
 * symbol that is not exported, ...) or when an exported declaration has no TSDoc.
 *
 *   node scripts/api-report.mjs               the counts, then typedoc (fails on its warnings)
 *   node scripts/api-report.mjs --no-typedoc  the counts only
 *
 * `/internal` entry points are for sibling packages only (not semver) and are listed apart.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runTypedoc = !process.argv.includes('--no-typedoc');

/** Entry points of a package: subpath → source file (dist/<name>.js is built from src/<name>.ts). */
function entryPoints(pkgDir) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const out = [];
  // A private package (testkit) is not published: it has no public surface.
  if (manifest.private) return out;
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (subpath === './package.json') continue;
    const dist = typeof target === 'string' ? target : (target.default ?? target.import ?? target.types);
    const match = /^\.\/dist\/(.+)\.(?:js|mjs|cjs|d\.ts)$/.exec(dist ?? '');
    if (!match) throw new Error(`${manifest.name}: cannot map export ${subpath} (${dist}) to a source file`);
    const src = join(pkgDir, 'src', `${match[1]}.ts`);
    if (!existsSync(src)) throw new Error(`${manifest.name}: ${subpath} has no source file ${src}`);
    out.push({ name: manifest.name, subpath, src });
  }
  return out;
}

const entries = [];
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkgDir = join(root, 'packages', dir);
  if (existsSync(join(pkgDir, 'package.json'))) entries.push(...entryPoints(pkgDir));
}

const program = ts.createProgram(
  entries.map((e) => e.src),
  {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
  },
);
const checker = program.getTypeChecker();
let total = 0;
let width = 0;
const rows = [];
for (const e of entries) {
  const sf = program.getSourceFile(e.src);
  const symbol = sf && checker.getSymbolAtLocation(sf);
  if (!symbol) throw new Error(`${e.name}${e.subpath.slice(1)}: ${e.src} is not a module`);
  let values = 0;
  let types = 0;
  for (const exported of checker.getExportsOfModule(symbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (target.flags & ts.SymbolFlags.Value) values++;
    else types++;
  }
  const label = `${e.name}${e.subpath === '.' ? '' : e.subpath.slice(1)}`;
  width = Math.max(width, label.length);
  rows.push({ label, values, types, internal: e.subpath.endsWith('/internal') });
  if (!e.subpath.endsWith('/internal')) total += values + types;
}
console.log('Public exports per entry point (values + types = total):');
for (const r of rows) {
  const note = r.internal ? '  (internal: sibling packages only, not semver)' : '';
  console.log(
    `  ${r.label.padEnd(width)}  ${String(r.values).padStart(4)} + ${String(r.types).padStart(4)} = ${String(r.values + r.types).padStart(4)}${note}`,
  );
}
console.log(`  ${'all public entry points'.padEnd(width)}  ${String(total).padStart(18)}`);

if (runTypedoc) {
  console.log('\ntypedoc (typedoc.json; the JSON model to a temporary file, no HTML):');
  const jsonOut = join(mkdtempSync(join(tmpdir(), 'thgov-api-')), 'api.json');
  const run = spawnSync('pnpm', ['exec', 'typedoc', '--json', jsonOut, '--logLevel', 'Warn'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const text = `${run.stdout ?? ''}${run.stderr ?? ''}`.replace(ANSI, '');
  process.stdout.write(text);
  const warnings = text
    .split('\n')
    .filter((l) => /^\[(warning|error)\]/.test(l) && !/Found \d+ errors/.test(l));
  if (run.status !== 0 || warnings.length > 0) {
    console.error(`typedoc: ${warnings.length} warning(s) or error(s), exit ${run.status}`);
    process.exit(1);
  }
  console.log('typedoc: no warnings');
  if (!docCoverage(JSON.parse(readFileSync(jsonOut, 'utf8')))) process.exit(1);
}

/**
 * Every exported declaration (function, class, variable, interface, type alias, enum) has TSDoc with a summary
 * (a deprecated alias may carry only `@deprecated`): the count per package, how many carry an `@example`, and
 * the undocumented ones by name. Members are not counted.
 */
function docCoverage(project) {
  const TOP_LEVEL = new Set([8, 32, 64, 128, 256, 2097152]);
  const rows = [];
  const missing = [];
  const walk = (node, pkg, row) => {
    if (TOP_LEVEL.has(node.kind)) {
      const comment = node.comment ?? node.signatures?.[0]?.comment;
      const tags = comment?.blockTags ?? [];
      row.total++;
      if (comment?.summary?.length || tags.some((t) => t.tag === '@deprecated')) row.documented++;
      else missing.push(`${pkg} ${node.name}`);
      if (tags.some((t) => t.tag === '@example')) row.examples++;
      return;
    }
    for (const child of node.children ?? []) walk(child, pkg, row);
  };
  for (const pkg of project.children ?? []) {
    const row = { name: pkg.name, total: 0, documented: 0, examples: 0 };
    walk(pkg, pkg.name, row);
    rows.push(row);
  }
  console.log('\nTSDoc on exported declarations (typedoc entry points):');
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(20)} ${r.documented}/${r.total} documented, ${r.examples} with @example`);
  }
  if (missing.length > 0) {
    console.error(`undocumented exports (${missing.length}):\n  ${missing.join('\n  ')}`);
    return false;
  }
  return true;
}
