import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { didYouMean } from '../src/args.js';
import { thgovCommand } from '../src/command-name.js';
import { COMMANDS, TOP_LEVEL_COMMANDS } from '../src/index.js';
import { tempDir, thgov } from './doctor-helpers.js';
import { cli } from './helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

const every = [
  ...Object.keys(TOP_LEVEL_COMMANDS),
  ...Object.entries(COMMANDS).flatMap(([g, cmds]) => Object.keys(cmds).map((c) => `${g} ${c}`)),
];

describe('thgov, the command itself', () => {
  it('--version and -v print the package version (as a process)', async () => {
    const r = await thgov(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect((await cli(['-v'])).stdout).toBe(`${VERSION}\n`);
  });

  it.each(every)('"%s": --help, -h and "help <command>" print its usage and exit 0', async (command) => {
    const words = command.split(' ');
    for (const args of [
      [...words, '--help'],
      [...words, '-h'],
      ['help', ...words],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: thgov ${command}`));
      expect(r.stderr).toBe('');
    }
  });

  it('each group has its own help; a group without a command is a usage error naming the commands', async () => {
    for (const group of Object.keys(COMMANDS)) {
      const help = await cli([group, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: thgov ${group} <command>`));
      const bare = await cli([group]);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain(`thgov ${group}: ERR_INVALID_ARG: missing command: `);
    }
  });

  it.each([
    [['doctr'], "unknown command 'doctr' (did you mean 'doctor'?)"],
    [['sandbx', '--port', '1'], "unknown command 'sandbx' (did you mean 'sandbox'?)"],
    [['trnscript', 'verify'], "(did you mean 'transcript verify'?)"],
    [['audit', 'verfiy', 'x'], "unknown command 'audit verfiy' (did you mean 'audit verify'?)"],
    [['doctor', '--strcit'], "unknown option '--strcit' (did you mean --strict?)"],
    [['doctor', '--junti', 'x.xml'], "unknown option '--junti' (did you mean --junit?)"],
    [['sandbox', '--transcript', 'dir'], "unknown option '--transcript' (did you mean --transcripts?)"],
    [
      ['audit', 'verify', '--expect-haed', '1:x', 'f'],
      "unknown option '--expect-haed' (did you mean --expect-head?)",
    ],
    [['--verison'], "unknown option '--verison' (did you mean --version?)"],
    [['completely-different'], "unknown command 'completely-different'\n"],
  ])('%j: usage error (exit 2, ERR_INVALID_ARG) with the closest name', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_INVALID_ARG');
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('didYouMean only suggests near misses', () => {
    expect(didYouMean('--jsn', ['--json', '--junit'])).toBe('--json');
    expect(didYouMean('doctor', ['doctor'])).toBe('doctor');
    expect(didYouMean('x', ['doctor', 'sandbox'])).toBeUndefined();
    expect(didYouMean('--zzzzzz', ['--json', '--junit'])).toBeUndefined();
    expect(didYouMean('a'.repeat(10_000), ['--json'])).toBeUndefined();
  });
});

describe('hints name a command that works', () => {
  it('never a bare "npx thgov" (it would fetch whatever unscoped package bears that name)', async () => {
    const texts = [
      (await cli(['--help'])).stdout,
      (await cli([])).stderr,
      ...(await Promise.all(every.map(async (c) => (await cli([...c.split(' '), '--help'])).stdout))),
      (await cli(['doctor', '--config', join(dir, 'missing.json')])).stderr,
    ];
    for (const t of texts) expect(t).not.toMatch(/npx thgov/);
  });

  it('npx -p @thgov/cli thgov when thgov is not on the PATH or runs under npx; thgov when it is on the PATH', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    expect(thgovCommand({ PATH: '/nonexistent' })).toBe('npx -p @thgov/cli thgov');
    writeFileSync(join(bin, 'thgov'), '#!/bin/sh\n');
    chmodSync(join(bin, 'thgov'), 0o755);
    expect(thgovCommand({ PATH: `/nonexistent:${bin}` })).toBe('thgov');
    expect(thgovCommand({ PATH: bin, npm_command: 'exec' })).toBe('npx -p @thgov/cli thgov');
  });

  it('a missing configuration file suggests the sandbox command in that spelling', async () => {
    const r = await thgov(['doctor', '--config', join(dir, 'missing.json')], {
      PATH: process.env.PATH ?? '',
      npm_command: 'exec',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('npx -p @thgov/cli thgov sandbox --config-out thgov.config.json');
  });
});

describe('cold start', () => {
  it('--help and --version load no platform package (commands load on use)', async () => {
    const hooks = join(dir, 'deny-hooks.mjs');
    writeFileSync(
      hooks,
      `const DENY = ['@thgov/transcript', '@thgov/digital-id', '@thgov/exchange', '@thgov/ecms', '@thgov/sandbox'];
export async function resolve(specifier, context, next) {
  if (DENY.includes(specifier)) throw new Error('loaded at start-up: ' + specifier);
  return next(specifier, context);
}
`,
    );
    const register = join(dir, 'deny.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const BIN = join(import.meta.dirname, '..', 'src', 'bin.ts');
    for (const args of [['--help'], ['--version'], ['help', 'doctor'], ['transcript', '--help']]) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--import', pathToFileURL(register).href, BIN, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.resume();
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(0);
    }
  });
});
