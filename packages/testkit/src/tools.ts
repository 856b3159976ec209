import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { describe, it } from 'vitest';

/**
 * The system tools some tests ask for a second opinion: each with the commands it needs on PATH and the
 * Debian packages that bring them. Tools that only generate test inputs are not here on purpose: their
 * outputs are committed fixtures (see each package's `fixtures:regen` script).
 */
export const SYSTEM_TOOLS = {
  /** poppler's signature checker, with the NSS tools (and openssl for the PKCS#12) its database needs. */
  pdfsig: {
    commands: ['pdfsig', 'certutil', 'pk12util', 'openssl'],
    debian: ['poppler-utils', 'libnss3-tools', 'openssl'],
  },
  /** poppler's font and text extraction (pdffonts, pdftotext). */
  'poppler-text': { commands: ['pdffonts', 'pdftotext'], debian: ['poppler-utils'] },
  /** poppler's renderer. */
  pdftoppm: { commands: ['pdftoppm'], debian: ['poppler-utils'] },
  /** qpdf's structural check (`qpdf --check`). */
  qpdf: { commands: ['qpdf'], debian: ['qpdf'] },
  /** libxml2's validator. */
  xmllint: { commands: ['xmllint'], debian: ['libxml2-utils'] },
  /** SoftHSM2, a PKCS#11 token in software. */
  softhsm2: { commands: ['softhsm2-util'], debian: ['softhsm2'] },
} as const satisfies Record<string, { commands: readonly string[]; debian: readonly string[] }>;

/** A tool of {@link SYSTEM_TOOLS}. */
export type SystemToolName = keyof typeof SYSTEM_TOOLS;

/** Where a skipped suite is recorded for the closing summary of `pnpm test`. */
export interface SkipRecord {
  tool: SystemToolName;
  /** Commands of the tool that were not found on PATH. */
  missing: string[];
  debian: string[];
  why: string;
  suite: string;
  /** The package whose tests skipped (the working directory's package.json name). */
  package: string;
}

/** The environment variable that names the folder skip records go to (set by scripts/test.mjs). */
export const SKIP_DIR_ENV = 'THGOV_SKIP_DIR';
/** Set to `1` to let a CI run pass with missing tools (their suites are then skipped and listed). */
export const ALLOW_MISSING_TOOLS_ENV = 'THGOV_ALLOW_MISSING_TOOLS';

function onPath(command: string, path: string | undefined): boolean {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return true;
    } catch {
      // Not in this folder; look in the next one.
    }
  }
  return false;
}

/**
 * The commands of `tool` that are not on PATH (empty when the tool is there).
 *
 * @example
 * ```ts
 * missingCommands('pdfsig'); // ['certutil', 'pk12util'] on a machine with poppler but no NSS tools
 * ```
 */
export function missingCommands(tool: SystemToolName, env: NodeJS.ProcessEnv = process.env): string[] {
  return SYSTEM_TOOLS[tool].commands.filter((c) => !onPath(c, env.PATH));
}

/**
 * True when every command `tool` needs is on PATH.
 *
 * @example
 * ```ts
 * if (hasTool('xmllint')) console.log('xmllint will give a second opinion');
 * ```
 */
export function hasTool(tool: SystemToolName, env: NodeJS.ProcessEnv = process.env): boolean {
  return missingCommands(tool, env).length === 0;
}

/**
 * The one command that installs the Debian packages behind `tools`.
 *
 * @example
 * ```ts
 * installCommand(['pdfsig', 'xmllint']); // 'sudo apt-get install libnss3-tools libxml2-utils openssl poppler-utils'
 * ```
 */
export function installCommand(tools: Iterable<SystemToolName>): string {
  const packages = new Set<string>();
  for (const t of tools) for (const p of SYSTEM_TOOLS[t].debian) packages.add(p);
  return `sudo apt-get install ${[...packages].sort().join(' ')}`;
}

/**
 * True under CI (CI=true or 1), where a missing tool fails the run unless explicitly allowed.
 *
 * @example
 * ```ts
 * missingToolsFail({ CI: 'true', THGOV_ALLOW_MISSING_TOOLS: '1' }); // false: skip and list instead
 * ```
 */
export function missingToolsFail(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env.CI ?? '').toLowerCase();
  const onCi = ci !== '' && ci !== '0' && ci !== 'false';
  return onCi && env[ALLOW_MISSING_TOOLS_ENV] !== '1';
}

function workspaceRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The folder skip records go to: $THGOV_SKIP_DIR, else node_modules/.cache/thgov-skips at the workspace root.
 *
 * @example
 * ```ts
 * readdirSync(skipDir()); // one JSON record per skipped suite or test
 * ```
 */
export function skipDir(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[SKIP_DIR_ENV];
  if (given) return given;
  const root = workspaceRoot(process.cwd()) ?? process.cwd();
  return join(root, 'node_modules', '.cache', 'thgov-skips');
}

function packageName(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { name?: string };
    return pkg.name ?? process.cwd();
  } catch {
    return process.cwd();
  }
}

function recordSkip(record: SkipRecord): void {
  const dir = skipDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${record.tool}-${process.pid}-${randomUUID()}.json`),
    `${JSON.stringify(record)}\n`,
  );
}

type SuiteFn = () => void;
type TestFn = () => unknown;

/** What {@link requireTool} returns: `describe` and `it` that run only where the tool is installed. */
export interface ToolGate {
  readonly tool: SystemToolName;
  /** True when every command the tool needs is on PATH. */
  readonly available: boolean;
  /** A suite that needs the tool: runs, is skipped and recorded, or (under CI) fails naming the tool. */
  describe(name: string, fn: SuiteFn): void;
  /** A single test that needs the tool, with the same three outcomes. */
  it(name: string, fn: TestFn, timeoutInMs?: number): void;
}

function missingMessage(tool: SystemToolName, missing: string[], why: string): string {
  return (
    `${missing.join(', ')} not found on PATH: the ${tool} check (${why}) cannot run. ` +
    `Install it with: ${installCommand([tool])} (or set ${ALLOW_MISSING_TOOLS_ENV}=1 to skip it under CI)`
  );
}

/**
 * Gate tests whose point is a second opinion from a system tool. Where the tool is on PATH they run as
 * usual. Where it is not, they are skipped and recorded, and `pnpm test` closes with one line listing what
 * was skipped and the command that installs the tools; under `CI=true` they fail instead, naming the tool,
 * unless `THGOV_ALLOW_MISSING_TOOLS=1`.
 *
 * @example
 * ```ts
 * const pdfsig = requireTool('pdfsig', { why: 'poppler as a second opinion on our signatures' });
 * pdfsig.describe('pdfsig cross-check', () => {
 *   it('agrees on every good file', () => { … });
 * });
 * ```
 */
export function requireTool(tool: SystemToolName, options: { why: string }): ToolGate {
  const missing = missingCommands(tool);
  const available = missing.length === 0;
  const label = (name: string) => `${name} [needs ${tool}]`;
  const skipped = (suite: string) =>
    recordSkip({
      tool,
      missing,
      debian: [...SYSTEM_TOOLS[tool].debian],
      why: options.why,
      suite,
      package: packageName(),
    });
  const fail = () => {
    throw new Error(missingMessage(tool, missing, options.why));
  };
  return {
    tool,
    available,
    describe(name, fn) {
      if (available) return describe(name, fn);
      if (missingToolsFail()) return describe(label(name), () => it(`needs ${tool}`, fail));
      skipped(name);
      return describe.skip(label(name), fn);
    },
    it(name, fn, timeoutInMs) {
      if (available) return it(name, fn, timeoutInMs);
      if (missingToolsFail()) return it(label(name), fail);
      skipped(name);
      return it.skip(label(name), fn);
    },
  };
}
