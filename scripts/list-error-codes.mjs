#!/usr/bin/env node
/**
 * The error-code reference (docs/errors.md) is generated from the packages themselves, so it cannot drift:
 * every `*ERROR_CODES` object exported by a package's built entry point (packages/<pkg>/dist/index.js) is
 * listed with its meaning, and the advice ("what to do") comes from docs/error-advice.json.
 *
 *   node scripts/list-error-codes.mjs           print the generated Markdown to stdout
 *   node scripts/list-error-codes.mjs --write   replace the generated block in docs/errors.md
 *   node scripts/list-error-codes.mjs --check   exit 1 when docs/errors.md lacks a code or its block is stale
 *
 * Needs the packages built (`pnpm build`): it reads dist, which is what users get.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const docPath = join(root, 'docs', 'errors.md');
const advicePath = join(root, 'docs', 'error-advice.json');
const BEGIN = '<!-- BEGIN GENERATED: node scripts/list-error-codes.mjs --write -->';
const END = '<!-- END GENERATED -->';

/** Order of the reference: core first (its codes appear in every package), then by dependency. */
const PACKAGES = [
  'core',
  'exchange',
  'digital-id',
  'ecms',
  'pki',
  'esign',
  'transcript',
  'catalog',
  'sandbox',
  'cli',
];

async function collect() {
  const found = [];
  const missingDist = [];
  for (const dir of PACKAGES) {
    const pkgJson = join(root, 'packages', dir, 'package.json');
    if (!existsSync(pkgJson)) continue;
    const { name } = JSON.parse(readFileSync(pkgJson, 'utf8'));
    const entry = join(root, 'packages', dir, 'dist', 'index.js');
    if (!existsSync(entry)) {
      missingDist.push(name);
      continue;
    }
    const mod = await import(pathToFileURL(entry).href);
    for (const [exportName, value] of Object.entries(mod)) {
      if (!/(^|_)ERROR_CODES$/.test(exportName) || typeof value !== 'object' || value === null) continue;
      const codes = Object.entries(value).filter(
        ([k, v]) => /^ERR_[A-Z0-9_]+$/.test(k) && typeof v === 'string',
      );
      if (codes.length > 0) found.push({ pkg: name, exportName, codes });
    }
  }
  return { found, missingDist };
}

const cell = (s) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function render(found, advice) {
  const lines = [BEGIN, ''];
  for (const { pkg, exportName, codes } of found) {
    lines.push(`### ${pkg}`, '', `From \`${exportName}\`.`, '');
    lines.push('| code | meaning | what to do |', '| --- | --- | --- |');
    for (const [code, meaning] of codes) {
      const todo = advice[code] ?? '_No advice written yet: see the meaning and the error’s `hint`._';
      lines.push(`| \`${code}\` | ${cell(meaning)} | ${cell(todo)} |`);
    }
    lines.push('');
  }
  lines.push(END);
  return lines.join('\n');
}

const mode = process.argv[2] ?? '--print';
if (!['--print', '--write', '--check'].includes(mode)) {
  process.stderr.write('usage: node scripts/list-error-codes.mjs [--write | --check]\n');
  process.exit(2);
}

const { found, missingDist } = await collect();
if (missingDist.length > 0) {
  process.stderr.write(`not built (run pnpm build first): ${missingDist.join(', ')}\n`);
  process.exit(2);
}
const advice = JSON.parse(readFileSync(advicePath, 'utf8'));
const block = render(found, advice);
const allCodes = found.flatMap((f) => f.codes.map(([code]) => code));

if (mode === '--print') {
  process.stdout.write(`${block}\n`);
  process.exit(0);
}

const doc = readFileSync(docPath, 'utf8');
const start = doc.indexOf(BEGIN);
const end = doc.indexOf(END);
if (start < 0 || end < start) {
  process.stderr.write(`docs/errors.md has no generated block (${BEGIN} … ${END})\n`);
  process.exit(1);
}

if (mode === '--write') {
  writeFileSync(docPath, doc.slice(0, start) + block + doc.slice(end + END.length));
  process.stdout.write(`docs/errors.md: ${allCodes.length} codes from ${found.length} packages\n`);
  process.exit(0);
}

// --check
const problems = [];
for (const code of allCodes) {
  if (!new RegExp(`\`${code}\``).test(doc)) problems.push(`missing code ${code}`);
  if (!(code in advice)) process.stderr.write(`warning: no advice for ${code} in docs/error-advice.json\n`);
}
if (doc.slice(start, end + END.length) !== block) {
  problems.push('the generated block is stale: run node scripts/list-error-codes.mjs --write');
}
for (const stale of Object.keys(advice)) {
  if (!allCodes.includes(stale)) process.stderr.write(`warning: advice for unknown code ${stale}\n`);
}
if (problems.length > 0) {
  process.stderr.write(`docs/errors.md is out of date:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(`docs/errors.md lists all ${allCodes.length} error codes\n`);
