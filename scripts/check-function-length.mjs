#!/usr/bin/env node
/**
 * Functions longer than 80 lines in packages/<pkg>/src (issue 19, STYLE.md §3): long functions are cut into
 * named stages. A function that must stay whole says why on the line above it (or above its statement):
 *
 *   // length-ok: the state machine's cases read best side by side
 *
 *   node scripts/check-function-length.mjs          exit 1 when a function over the limit has no length-ok
 *   node scripts/check-function-length.mjs --list   print every function over the limit (exit 0)
 *   node scripts/check-function-length.mjs --max=N  another limit (default 80)
 *
 * A function's length is the number of lines from its first to its last (the signature and the closing
 * brace included); a nested function counts inside its parent and is measured on its own as well.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const listOnly = args.includes('--list');
const maxArg = args.find((a) => a.startsWith('--max='));
const MAX = maxArg ? Number(maxArg.slice('--max='.length)) : 80;
if (!Number.isInteger(MAX) || MAX < 1) {
  console.error(`--max must be a positive integer, not ${maxArg}`);
  process.exit(2);
}
const LENGTH_OK = /\/\/\s*length-ok:\s*\S/;

/** Every .ts file (not .d.ts) under dir, sorted so the report is stable. */
function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** A readable name for a function node: `Class.method`, `name`, or the variable it is assigned to. */
function nameOf(node, sf) {
  const own = node.name ? node.name.getText(sf) : undefined;
  const cls = ts.isClassLike(node.parent) ? (node.parent.name?.getText(sf) ?? '(class)') : undefined;
  if (own) return cls ? `${cls}.${own}` : own;
  if (ts.isConstructorDeclaration(node)) return `${cls ?? '(class)'}.constructor`;
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)))
    return p.name.getText(sf);
  return '(anonymous)';
}

/** Whether a `// length-ok: reason` comment sits right above the function or above its statement. */
function allowed(node, sf, lines) {
  let anchor = node;
  while (
    anchor.parent &&
    !ts.isSourceFile(anchor.parent) &&
    !ts.isBlock(anchor.parent) &&
    !ts.isClassLike(anchor.parent) &&
    !ts.isModuleBlock(anchor.parent) &&
    !ts.isObjectLiteralExpression(anchor.parent)
  ) {
    anchor = anchor.parent;
  }
  const start = sf.getLineAndCharacterOfPosition(anchor.getStart(sf, true)).line;
  // Look up through the comment block directly above (JSDoc included), stopping at code or a blank line.
  for (let i = start; i >= 0 && i >= start - 40; i--) {
    const text = lines[i] ?? '';
    if (LENGTH_OK.test(text)) return true;
    if (i < start && text.trim() === '') return false;
    if (i < start && !/^\s*(\/\/|\/\*|\*|@)/.test(text)) return false;
  }
  return false;
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

const found = [];
const packagesDir = join(root, 'packages');
for (const pkg of readdirSync(packagesDir).sort()) {
  const src = join(packagesDir, pkg, 'src');
  try {
    if (!statSync(src).isDirectory()) continue;
  } catch {
    continue;
  }
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const lines = text.split('\n');
    const visit = (node) => {
      if (isFunctionLike(node) && node.body) {
        const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const length = last - first + 1;
        if (length > MAX) {
          found.push({
            pkg,
            file: relative(root, file),
            line: first + 1,
            name: nameOf(node, sf),
            length,
            ok: allowed(node, sf, lines),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
}

found.sort((a, b) => b.length - a.length);
const failing = found.filter((f) => !f.ok);
for (const f of found) {
  console.log(
    `${String(f.length).padStart(4)}  ${f.file}:${f.line}  ${f.name}${f.ok ? '  (length-ok)' : ''}`,
  );
}
const byPkg = {};
for (const f of failing) byPkg[f.pkg] = (byPkg[f.pkg] ?? 0) + 1;
const summary = Object.entries(byPkg)
  .map(([p, n]) => `${p} ${n}`)
  .join(', ');
console.log(
  `\n${found.length} function(s) over ${MAX} lines in packages/*/src; ${failing.length} without a length-ok comment` +
    (summary ? ` (${summary})` : ''),
);
if (!listOnly && failing.length > 0) process.exit(1);
