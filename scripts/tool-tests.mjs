#!/usr/bin/env node
/**
 * The test files of a package that can depend on a system tool: those naming one of the tools CI's tools-less
 * pass hides (or testkit's `requireTool`), and every test file that imports such a file, directly or through
 * other local modules of the test folder. CI's tools-less pass runs these files only: a test file that names no
 * tool and imports nothing that does cannot behave differently without the tools, and rerunning it would add
 * minutes.
 *
 *   node scripts/tool-tests.mjs <package folder>   one path per line, relative to the package folder
 *
 * The search is textual on purpose (a tool's name in a string, a comment or an import): it may take a file that
 * does not need a tool, never leave out one that does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const TOOLS = [
  'requireTool',
  'hasTool',
  'missingCommands',
  'SYSTEM_TOOLS',
  'pdfsig',
  'pdftoppm',
  'pdffonts',
  'pdftotext',
  'qpdf',
  'xmllint',
  'softhsm2-util',
  'certutil',
  'pk12util',
  'openssl',
  'chromium',
];
const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;
const TEST = /\.test\.(?:[cm]?[jt]s|tsx)$/;

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (SOURCE.test(name)) out.push(path);
  }
  return out;
}

/** Relative imports of a module, resolved to files of the test folder (TypeScript's `.js` for `.ts` included). */
function localImports(file, known) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const base = resolve(dirname(file), m[1]);
    const stem = base.replace(/\.[cm]?js$/, '');
    for (const candidate of [
      base,
      `${stem}.ts`,
      `${stem}.mts`,
      `${stem}.cts`,
      `${stem}.tsx`,
      join(base, 'index.ts'),
    ]) {
      if (known.has(candidate)) {
        found.push(candidate);
        break;
      }
    }
  }
  return found;
}

const pkg = resolve(process.argv[2] ?? '.');
const testDir = join(pkg, 'test');
const files = walk(testDir);
const known = new Set(files);
/**
 * Whether a file names a tool. A line may excuse one tool name it holds with a trailing comment saying why no
 * tool runs there, e.g. `expect(out).toContain('openssl pkcs7'); // tool-tests: ignore "openssl" (fix text)`;
 * the name still counts everywhere else in the file.
 */
function namesTool(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.some((line) => {
    const excused = /tool-tests: ignore "([^"]+)"/.exec(line)?.[1];
    const text = excused ? line.split(excused).join('') : line;
    return TOOLS.some((t) => text.includes(t));
  });
}
const needsTool = new Map(files.map((f) => [f, namesTool(f)]));
const imports = new Map(files.map((f) => [f, localImports(f, known)]));
// Propagate "needs a tool" to importers until nothing changes (the test folder is small).
let changed = true;
while (changed) {
  changed = false;
  for (const f of files) {
    if (!needsTool.get(f) && imports.get(f).some((i) => needsTool.get(i))) {
      needsTool.set(f, true);
      changed = true;
    }
  }
}
for (const f of files) if (TEST.test(f) && needsTool.get(f)) console.log(relative(pkg, f));
