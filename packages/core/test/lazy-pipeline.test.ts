import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

// Cold start: importing @thgov/core (or requiring it) must not compile the transport's request pipeline nor the
// signature verification steps; the first request, and a verifier's first verification, load them. Each check runs
// in a fresh process, since vitest itself has everything loaded.
const cwd = join(import.meta.dirname, '..');

/** Source modules only a request or a verification needs. */
const onUse =
  /[\\/]core[\\/]src[\\/](transport-run|content-coding|sensitive-values|signing[\\/]verify-run)\.ts$/;
/** The chunks the build makes of them. */
const onUseChunk = /[\\/]core[\\/]dist[\\/](transport|verify)-run-[\w-]+\.js$/;

// A request to a local server (a JSON answer) through a Transport made from the imported package, bound to `pkg`.
const request = `
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.end('{"ok":true}'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const t = new pkg.Transport({ baseUrl: 'http://127.0.0.1:' + server.address().port }, { name: 't', version: '1' });
  const res = await t.request({ method: 'GET', path: '/x' });
  await t.close();
  server.close();
  if (res.body?.ok !== true) throw new Error('unexpected ' + JSON.stringify(res.body));
`;

// An unsigned request refused by a verifier (the verification steps ran).
const verification = `
  const { generateKeyPairSync } = await import('node:crypto');
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const verifier = pkg.createSignatureVerifier({ keys: [{ kid: 'k1', key: publicKey }] });
  const err = await verifier
    .verify({ method: 'GET', target: '/x', headers: { 'x-request-id': 'req-00000001' } })
    .then(() => undefined, (e) => e);
  if (err?.code !== 'ERR_JWS_INVALID') throw new Error('not refused: ' + err);
`;

const built = join(cwd, 'dist', 'index.js');

/**
 * The ES modules a fresh plain `node` compiles while it requires the built package and then runs `code` with it as
 * `pkg`: Node's ES loader names each module it translates in its NODE_DEBUG=esm output, for `require()` of an ES
 * module as for `import()` (a resolve hook does not see what `require` loads).
 */
function requiredBy(code: string): string[] {
  expect(existsSync(built), 'the test runs on the built package: run the build first').toBe(true);
  const script = `
    const pkg = require(${JSON.stringify(built)});
    (async () => { ${code} })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_DEBUG: 'esm' },
  });
  expect(run.status, run.stderr).toBe(0);
  return [...run.stderr.matchAll(/Translating StandardModule (file:\S+)/g)].map((m) => m[1] as string);
}

describe('lazy pipeline', () => {
  it('importing the sources loads neither the request pipeline nor the verification steps', () => {
    const atImport = modulesResolvedBy({ cwd, entry: './src/index.ts' });
    expect(atImport.some((url) => /[\\/]core[\\/]src[\\/]transport\.ts$/.test(url))).toBe(true);
    expect(atImport.filter((url) => onUse.test(url))).toEqual([]);
  });

  it('a request loads the pipeline and is answered; a verification loads its steps and refuses', () => {
    const requested = modulesResolvedBy({ cwd, entry: './src/index.ts', code: request });
    expect(requested.some((url) => /[\\/]src[\\/]transport-run\.ts$/.test(url))).toBe(true);
    expect(requested.some((url) => /[\\/]src[\\/]signing[\\/]verify-run\.ts$/.test(url))).toBe(false);
    const verified = modulesResolvedBy({ cwd, entry: './src/index.ts', code: verification });
    expect(verified.some((url) => /[\\/]src[\\/]signing[\\/]verify-run\.ts$/.test(url))).toBe(true);
    expect(verified.some((url) => /[\\/]src[\\/]transport-run\.ts$/.test(url))).toBe(false);
  });

  it('the built package, imported, loads neither chunk until a request and a verification', () => {
    expect(existsSync(built), 'the test runs on the built package: run the build first').toBe(true);
    const atImport = modulesResolvedBy({ cwd, entry: './dist/index.js' });
    expect(atImport.filter((url) => onUseChunk.test(url))).toEqual([]);
    const used = modulesResolvedBy({ cwd, entry: './dist/index.js', code: request + verification });
    expect(new Set(used.filter((url) => onUseChunk.test(url))).size).toBe(2);
  });

  it('the built package, required (CommonJS), stays lazy; a request and a verification load the chunks', () => {
    const atRequire = requiredBy('');
    expect(atRequire.some((url) => /[\\/]core[\\/]dist[\\/]chunk-[\w-]+\.js$/.test(url))).toBe(true);
    expect(atRequire.filter((url) => onUseChunk.test(url))).toEqual([]);
    expect(new Set(requiredBy(request + verification).filter((url) => onUseChunk.test(url))).size).toBe(2);
  });
});
