#!/usr/bin/env node
/**
 * Installs every publishable package as an agency would get it, and checks that it loads and type-checks.
 *
 * Each non-private package under packages/ is packed as it will be published (`pnpm pack`, which turns
 * `workspace:*` into real versions the way `pnpm publish` does; `npm pack` would leave them unresolvable),
 * then the tarballs are installed with npm into one fresh project outside the workspace, together with the
 * oldest TypeScript and @types/node the docs promise and the current TypeScript. Then:
 *   - runtime: every entry point loads with `import()` from an ES module and with `require()` from a
 *     CommonJS module (Node >= 20.19 loads ES modules through require), and loads none of the CommonJS-only
 *     dependencies that the build defers to first use (which then load from the installed tree);
 *   - types (tsc --noEmit, strict, exactOptionalPropertyTypes, skipLibCheck OFF so our .d.ts are checked):
 *     ES-module consumers under module node16, nodenext and bundler resolution, with the floor and the current
 *     TypeScript; CommonJS consumers under nodenext (the 5.8 floor and current) and node20 (current, >= 5.9);
 *   - the documented limit: a CommonJS consumer on `module: node16` cannot import an ESM-only package (TS1479).
 *     If that ever starts to pass, the docs are wrong and this check says so.
 *
 *   node scripts/check-install.mjs [--keep]     needs `pnpm build`; --keep leaves the project for inspection
 *
 * Third-party dependencies come from npm's cache when they are there (--prefer-offline), else the registry.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The floor the docs promise (docs/getting-started/installing-from-npm.md): keep both in step. */
const TYPESCRIPT_FLOOR = '5.7.3';
/** CommonJS projects need TypeScript >= 5.8 (`module: nodenext` allows require() of ESM from 5.8 on). */
const TYPESCRIPT_CJS_FLOOR = '5.8.3';
const TYPESCRIPT_CURRENT = '~5.9.3';
const TYPES_NODE_FLOOR = '20.17.0';

const root = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'thgov-install-'));
const started = performance.now();
let failures = 0;

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout ?? '', output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function fail(what, output = '') {
  failures++;
  console.error(`✗ ${what}${output ? `\n${output.trim().replace(/^/gm, '    ')}` : ''}`);
}

/** Publishable packages and their entry points (the `exports` keys but package.json). */
function publishable() {
  const list = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    if (manifest.private) continue;
    if (!existsSync(join(root, 'packages', dir, 'dist')))
      throw new Error(`${manifest.name} is not built: run pnpm build`);
    const pkgDir = join(root, 'packages', dir);
    const keys = Object.keys(manifest.exports ?? { '.': null }).filter((k) => k !== './package.json');
    const entries = keys.map((k) => (k === '.' ? manifest.name : `${manifest.name}/${k.slice(2)}`));
    // An entry whose built JavaScript exports nothing is types only (a contract such as esign's Signer):
    // loading it must work, and an empty module is then what it should be.
    const typeOnly = keys
      .filter((k) => {
        const js = manifest.exports?.[k]?.default;
        return js && !/\bexport\b/.test(readFileSync(join(pkgDir, js), 'utf8'));
      })
      .map((k) => (k === '.' ? manifest.name : `${manifest.name}/${k.slice(2)}`));
    const optionalPeers = Object.keys(manifest.peerDependenciesMeta ?? {}).filter(
      (p) => manifest.peerDependenciesMeta[p].optional,
    );
    list.push({ dir: pkgDir, name: manifest.name, entries, typeOnly, optionalPeers });
  }
  return list;
}

function pack(pkgs) {
  const dest = join(work, 'tarballs');
  mkdirSync(dest);
  for (const p of pkgs) {
    const r = run('pnpm', ['pack', '--pack-destination', dest], { cwd: p.dir });
    if (r.status !== 0) throw new Error(`pnpm pack failed for ${p.name}:\n${r.output}`);
  }
  return readdirSync(dest).map((f) => join(dest, f));
}

function install(project, tarballs) {
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'install-check', private: true }, null, 2)}\n`,
  );
  const r = run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...tarballs,
      `typescript@${TYPESCRIPT_CURRENT}`,
      `typescript-floor@npm:typescript@${TYPESCRIPT_FLOOR}`,
      `typescript-cjs-floor@npm:typescript@${TYPESCRIPT_CJS_FLOOR}`,
      `@types/node@${TYPES_NODE_FLOOR}`,
    ],
    { cwd: project },
  );
  if (r.status !== 0) throw new Error(`npm install failed:\n${r.output}`);
}

function checkRuntime(project, pkgs) {
  const all = pkgs.flatMap((p) =>
    p.entries.map((entry) => ({ entry, peers: p.optionalPeers, typeOnly: p.typeOnly.includes(entry) })),
  );
  const probe = (load) => `
const specs = ${JSON.stringify(all)};
const results = [];
for (const { entry, peers, typeOnly } of specs) {
  try {
    const mod = ${load};
    const names = Object.keys(mod).filter((k) => k !== 'default' && k !== 'module.exports');
    results.push({ entry, ok: names.length > 0 || typeOnly, detail: typeOnly ? 'types only' : names.length + ' exports' });
  } catch (err) {
    const message = String(err && err.message);
    const peer = peers.find((p) => message.includes("'" + p + "'") || message.includes('"' + p + '"'));
    results.push({ entry, ok: Boolean(peer), detail: peer ? 'needs optional peer ' + peer : message.split('\\n')[0] });
  }
}
console.log(JSON.stringify(results));
`;
  writeFileSync(join(project, 'probe.mjs'), `${probe('await import(entry)')}`);
  writeFileSync(join(project, 'probe.cjs'), `(async () => {${probe('require(entry)')}})();`);
  for (const [file, how] of [
    ['probe.mjs', 'import()'],
    ['probe.cjs', 'require()'],
  ]) {
    const r = run(process.execPath, [file], { cwd: project });
    let results;
    try {
      results = JSON.parse(r.stdout.trim().split('\n').pop());
    } catch {
      fail(`${how} probe did not finish`, r.output);
      continue;
    }
    for (const res of results) {
      if (res.ok) console.log(`✓ ${how} ${res.entry}: ${res.detail}`);
      else fail(`${how} ${res.entry}: ${res.detail}`);
    }
  }
}

/**
 * The CommonJS-only dependencies (scripts/commonjs-only-dependencies.json) are loaded on first use, not at
 * import (scripts/tsup-shared.ts): each entry point, imported alone in a fresh process, must leave none of them
 * in the module cache. Then one is used for real, to show that the deferred require() resolves from the
 * installed package: a test certificate is issued and summarised, which needs pkijs and asn1js.
 */
function checkDeferredDependencies(project, pkgs) {
  const deferred = JSON.parse(readFileSync(join(root, 'scripts', 'commonjs-only-dependencies.json'), 'utf8'));
  const loadedNames = `Object.keys(createRequire(import.meta.url).cache).map((f) => f.replaceAll('\\\\', '/')).flatMap((f) => ${JSON.stringify(deferred)}.filter((d) => f.includes('/node_modules/' + d + '/')))`;
  const entries = pkgs.flatMap((p) =>
    p.entries.filter((e) => !p.typeOnly.includes(e)).map((entry) => ({ entry, peers: p.optionalPeers })),
  );
  for (const { entry, peers } of entries) {
    const r = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module'; await import(${JSON.stringify(entry)}); console.log(JSON.stringify([...new Set(${loadedNames})]));`,
      ],
      { cwd: project },
    );
    const loaded = r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()) : undefined;
    // As in checkRuntime: an entry that binds an optional peer (better-sqlite3, pg) loads only beside it.
    const peer = loaded ? undefined : peers.find((p) => r.output.includes(`'${p}'`));
    if (peer) console.log(`✓ import ${entry}: needs optional peer ${peer}`);
    else if (loaded?.length === 0) console.log(`✓ import ${entry} loads none of ${deferred.join(', ')}`);
    else
      fail(
        `import ${entry} ${loaded ? `loads ${loaded.join(', ')} at import` : 'failed'}`,
        loaded ? '' : r.output,
      );
  }
  const use = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      [
        `import { createRequire } from 'node:module';`,
        `import { summarizeCertificate } from '@thgov/pki';`,
        `import { issueTestIdentity } from '@thgov/pki/testing';`,
        `const id = await issueTestIdentity(new Date(), 'Deferred Load Check', 7, undefined);`,
        `const summary = summarizeCertificate(id.cert);`,
        `const files = Object.keys(createRequire(import.meta.url).cache).filter((f) => /[\\/]node_modules[\\/](pkijs|asn1js)[\\/]/.test(f));`,
        `console.log(JSON.stringify({ subject: summary.subject, files }));`,
      ].join('\n'),
    ],
    { cwd: project },
  );
  let used;
  try {
    used = JSON.parse(use.stdout.trim().split('\n').pop());
  } catch {
    fail('a certificate could not be issued and summarised after a deferred load', use.output);
    return;
  }
  const fromProject = used.files.length >= 2 && used.files.every((f) => f.startsWith(project));
  if (String(used.subject).includes('Deferred Load Check') && fromProject)
    console.log(`✓ pkijs and asn1js load on first use, from the installed tree (${used.files.length} files)`);
  else fail('deferred load of pkijs/asn1js', JSON.stringify(used));
}

/** A consumer file that imports every entry point and uses a few types the way an agency's code would. */
function consumerSource(pkgs) {
  // `/internal` entries serve sibling thgov packages only (not documented, not semver): their declarations may
  // name pkijs types, whose .d.ts needs the DOM library. No public entry may reach them, which is what this
  // file checks with skipLibCheck off; they still load at runtime above.
  const entries = pkgs.flatMap((p) =>
    p.entries.filter((e) => (!p.optionalPeers.length || e === p.name) && !e.endsWith('/internal')),
  );
  const lines = entries.map((e, i) => `import * as m${i} from '${e}';`);
  lines.push(`export const loaded: object[] = [${entries.map((_, i) => `m${i}`).join(', ')}];`);
  const names = new Set(pkgs.map((p) => p.name));
  if (names.has('@thgov/core'))
    lines.push(
      "import { isThGovError, ThGovError } from '@thgov/core';",
      "export const coded: string | undefined = isThGovError(new ThGovError('ERR_HTTP', 'x'), 'ERR_HTTP') ? 'ERR_HTTP' : undefined;",
    );
  if (names.has('@thgov/exchange'))
    lines.push(
      "import { isGdxError } from '@thgov/exchange';",
      "export function providerCode(err: unknown): string | undefined { return isGdxError(err, 'ERR_GDX_BUSINESS') ? err.providerCode : undefined; }",
    );
  return `${lines.join('\n')}\n`;
}

function tsconfig(project, name, compilerOptions, file) {
  const options = {
    target: 'es2022',
    lib: ['es2023'],
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
    ...compilerOptions,
  };
  writeFileSync(
    join(project, name),
    `${JSON.stringify({ compilerOptions: options, files: [file] }, null, 2)}\n`,
  );
  return name;
}

function checkTypes(project, pkgs) {
  writeFileSync(join(project, 'consumer.mts'), consumerSource(pkgs));
  writeFileSync(join(project, 'consumer.cts'), consumerSource(pkgs));
  const tsc = {
    floor: join(project, 'node_modules', 'typescript-floor', 'bin', 'tsc'),
    cjsFloor: join(project, 'node_modules', 'typescript-cjs-floor', 'bin', 'tsc'),
    current: join(project, 'node_modules', 'typescript', 'bin', 'tsc'),
  };
  const variants = [
    [
      'ESM, module node16',
      { module: 'node16', moduleResolution: 'node16' },
      'consumer.mts',
      ['floor', 'current'],
    ],
    [
      'ESM, module nodenext',
      { module: 'nodenext', moduleResolution: 'nodenext' },
      'consumer.mts',
      ['floor', 'current'],
    ],
    [
      'ESM, bundler resolution',
      { module: 'esnext', moduleResolution: 'bundler' },
      'consumer.mts',
      ['floor', 'current'],
    ],
    [
      'CommonJS, module nodenext',
      { module: 'nodenext', moduleResolution: 'nodenext' },
      'consumer.cts',
      ['cjsFloor', 'current'],
    ],
    ['CommonJS, module node20', { module: 'node20' }, 'consumer.cts', ['current']],
  ];
  let n = 0;
  for (const [label, options, file, versions] of variants) {
    const config = tsconfig(project, `tsconfig.${++n}.json`, options, file);
    for (const v of versions) {
      const r = run(process.execPath, [tsc[v], '-p', config], { cwd: project });
      const version = { floor: TYPESCRIPT_FLOOR, cjsFloor: TYPESCRIPT_CJS_FLOOR, current: 'current' }[v];
      if (r.status === 0) console.log(`✓ tsc (TypeScript ${version}) ${label}`);
      else fail(`tsc (TypeScript ${version}) ${label}`, r.output);
    }
  }
  // The documented limit: CommonJS on module node16 compiles imports to require() of ESM, which TS refuses.
  const limit = tsconfig(
    project,
    'tsconfig.cjs-node16.json',
    { module: 'node16', moduleResolution: 'node16' },
    'consumer.cts',
  );
  const r = run(process.execPath, [tsc.current, '-p', limit], { cwd: project });
  if (r.status !== 0 && r.output.includes('TS1479'))
    console.log('✓ CommonJS on module node16 is refused (TS1479), as the docs say');
  else
    fail(
      'CommonJS on module node16: expected TS1479 (the docs say it cannot import ESM-only packages)',
      r.output,
    );
}

try {
  const pkgs = publishable();
  const tarballs = pack(pkgs);
  console.log(`packed ${tarballs.length} packages in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const project = join(work, 'consumer');
  install(project, tarballs);
  console.log(`installed with npm in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  checkRuntime(project, pkgs);
  checkDeferredDependencies(project, pkgs);
  checkTypes(project, pkgs);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failures > 0) {
  console.error(`${failures} install check(s) failed (${seconds} s)`);
  process.exit(1);
}
console.log(`every package installs, loads and type-checks from its tarball (${seconds} s)`);
