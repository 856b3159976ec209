import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Sandbox } from '@thgov/sandbox';
import { DEFAULT_CONFIG_FILE } from '../config/load.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { faultProfile, isFaultProfileName, SANDBOX_FAULT_PROFILES } from './faults.js';
import { SANDBOX_CONFIG_MARK, sandboxConfig } from './sandbox-config.js';

export const SANDBOX_USAGE = `Usage: thgov sandbox [options]

Starts every emulated platform on 127.0.0.1 (GDX gateway, ThaID- and DGA-like OpenID providers, e-CMS nodes),
prints URLs, test credentials and test people, writes a thgov.config.json that points at them, and runs until
Ctrl-C / SIGTERM. Synthetic data only.

Options:
  --port N           GDX on N, ThaID on N+1, DGA Digital ID on N+2 (default: free ports); e-CMS nodes use free ports
  --config-out FILE  where to write the configuration (default: ./${DEFAULT_CONFIG_FILE}; an existing file is
                     only replaced when thgov sandbox wrote it)
  --faults PROFILE   ${Object.keys(SANDBOX_FAULT_PROFILES).join(' | ')} (default none): injected on GDX and e-CMS
  --seed N           seed for people, companies and credentials (default 2026)
  -h, --help         show this help
`;

export interface SandboxCommandOptions {
  /** Stops the sandbox (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
}

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65533)
    throw new UsageError(`${name} must be a port number (1-65533)`);
  return n;
}

async function refuseForeignFile(file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return;
  }
  let mark: unknown;
  try {
    mark = (JSON.parse(text) as { $comment?: unknown }).$comment;
  } catch {
    mark = undefined;
  }
  if (typeof mark !== 'string' || !mark.startsWith(SANDBOX_CONFIG_MARK)) {
    throw new UsageError(
      `${file} exists and was not written by thgov sandbox; pass --config-out FILE to write elsewhere`,
    );
  }
}

/** The sandbox university's root: what a transcript verifier configures as its trust anchor. */
async function writeTrustAnchor(dir: string, sb: Sandbox): Promise<string> {
  const file = join(dir, 'thgov-sandbox-root.pem');
  await writeFile(file, sb.pki.rootPem);
  return file;
}

export async function sandboxCommand(
  args: string[],
  io: CliIo,
  options: SandboxCommandOptions = {},
): Promise<number> {
  let values: { port?: string; 'config-out'?: string; faults?: string; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'config-out': { type: 'string' },
        faults: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    io.stdout.write(SANDBOX_USAGE);
    return EXIT.OK;
  }
  const base = port(values.port, '--port');
  const faults = values.faults ?? 'none';
  if (!isFaultProfileName(faults)) {
    throw new UsageError(`--faults must be one of ${Object.keys(SANDBOX_FAULT_PROFILES).join(', ')}`);
  }
  const seed = values.seed === undefined ? 2026 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');
  const configOut = resolve(values['config-out'] ?? DEFAULT_CONFIG_FILE);
  await refuseForeignFile(configOut);

  // Loaded here so other commands do not pay for (or warn about) the emulators' dependencies.
  const { startSandbox, thaiFullName } = await import('@thgov/sandbox');
  const sb = await startSandbox({
    seed,
    gdx: { ...(base ? { port: base } : {}), faults: faultProfile(faults) },
    thaid: base ? { port: base + 1 } : {},
    dga: base ? { port: base + 2 } : {},
    ecms: { faults: faultProfile(faults) },
  });
  // Handlers before anything is printed: whoever reads the banner may signal at once.
  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((r) => {
    stop = r;
  });
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  const onAbort = () => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const dir = dirname(configOut);
    await mkdir(dir, { recursive: true });
    const root = await writeTrustAnchor(dir, sb);
    const config = sandboxConfig(sb, {
      trustAnchor: relative(dir, root) || root,
      auditLog: join('audit', 'thgov-sandbox.jsonl'),
    });
    await writeFile(configOut, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    io.stdout.write(banner(sb, configOut, root, faults, thaiFullName));
    const signal = await stopped;
    io.stdout.write(`\n${signal === 'abort' ? 'stopping' : `${signal}: stopping`} the sandbox\n`);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    options.signal?.removeEventListener('abort', onAbort);
    await sb.close();
  }
  return EXIT.OK;
}

function banner(
  sb: Sandbox,
  configOut: string,
  trustAnchor: string,
  faults: string,
  thaiFullName: (p: Sandbox['population']['people'][number]) => string,
): string {
  const { gdx, thaid, dga, ecms, population } = sb;
  const out = [
    'thgov sandbox is running (synthetic data only; nothing here is real).',
    '',
    `GDX gateway       ${gdx.url}   (X-Road REST under ${gdx.url}/r1/)`,
    `ThaID (OIDC)      ${thaid.issuer}`,
    `DGA Digital ID    ${dga.issuer}`,
    ...ecms.nodes.map((n) => `e-CMS node        ${n.url}   ${n.organizationId} ${n.nameEn}`),
    `Faults            ${faults}`,
    '',
    'GDX consumers (Consumer-Key / Consumer-Secret):',
    ...gdx.consumers.map(
      (c) =>
        `  ${c.name.padEnd(18)} ${c.consumerKey} / ${c.consumerSecret}  services: ${c.services.join(', ')}`,
    ),
    `Officers with a DOPA session (AgentID): ${gdx.officers.join(', ')}`,
    '',
    'Digital ID clients (client_id / client_secret):',
    `  ThaID             ${thaid.clients.default.clientId} / ${thaid.clients.default.clientSecret}   API key ${thaid.apiKey}`,
    `  DGA Digital ID    ${dga.clients.default.clientId} / ${dga.clients.default.clientSecret}`,
    `  redirect URIs     ${thaid.clients.default.redirectUris.join(', ')}`,
    '',
    'A few test people (citizen ID, name, BE birth date, laser code):',
    ...population.people
      .slice(2, 7)
      .map((p) => `  ${p.citizenId}  ${thaiFullName(p)}  ${p.birthDateBe}  ${p.laserCode}`),
    `A test company: ${population.companies[0]?.juristicId ?? ''}  ${population.companies[0]?.name.th ?? ''}`,
    '',
    `Configuration written to ${configOut}`,
    `Transcript trust anchor (sandbox university root): ${trustAnchor}`,
    `Test PKI (CRL, OCSP, time-stamps): ${sb.pki.url}`,
    `Try: thgov doctor --config ${configOut}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  return out.join('\n');
}
