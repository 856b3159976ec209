import { samplePeopleLines } from './people.js';
import { startSandbox } from './sandbox.js';

/**
 * `pnpm sandbox`: starts every platform in the foreground, prints where they are and how to log in,
 * and runs until Ctrl-C / SIGTERM. Ports are ephemeral unless THGOV_SANDBOX_GDX_PORT is set.
 */
function portFromEnv(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RangeError(`${name} must be a port number`);
  return n;
}

const seed = process.env.THGOV_SANDBOX_SEED ? Number(process.env.THGOV_SANDBOX_SEED) : undefined;
const sandbox = await startSandbox({
  seed,
  host: process.env.THGOV_SANDBOX_HOST || undefined,
  gdx: { port: portFromEnv('THGOV_SANDBOX_GDX_PORT') },
});

// Handlers first: whoever reads the banner may signal us right away.
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping the sandbox\n`);
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

const { gdx, thaid, dga, ecms, population, csc, catalog } = sandbox;
const client = (label: string, c: { clientId: string; clientSecret: string; scope: string }) =>
  `  ${label.padEnd(18)} client_id ${c.clientId}  secret ${c.clientSecret}  scopes: ${c.scope}`;
const out: string[] = [
  'thgov sandbox is running (synthetic data only; nothing here is real).',
  '',
  `GDX gateway     ${gdx.url}/ws/...   (X-Road REST: ${gdx.url}/r1/...)`,
  `ThaID-like      ${thaid.issuer}   (API key for x-imauth-apikey: ${thaid.apiKey})`,
  client('ThaID client', thaid.clients.default),
  `DGA-like        ${dga.issuer}`,
  client('DGA client', dga.clients.default),
  `Agency catalog  ${catalog.url}/api/3/action/...   (CKAN ${catalog.settings.ckanVersion}, thai_gdc ${catalog.settings.thaiGdcVersion})`,
  `  API token (editor ${catalog.accounts.editor.name}): ${catalog.accounts.editor.token}`,
  `GD Catalog harvester ${catalog.harvester?.url ?? '(off)'}`,
  'e-CMS nodes (organisation ID, name, node URL):',
  ...ecms.nodes.map((n) => `  ${n.organizationId}  ${n.nameTh.padEnd(40)} ${n.url}`),
  '',
  'GDX consumers (Consumer-Key / Consumer-Secret):',
  ...gdx.consumers.map(
    (c) =>
      `  ${c.name.padEnd(18)} ${c.consumerKey} / ${c.consumerSecret}  services: ${c.services.join(', ')}`,
  ),
  '',
  `Officers with a DOPA session (use as AgentID): ${gdx.officers.join(', ')}`,
  `X-Road client: ${gdx.xroad.clients[0] ?? ''}`,
  'X-Road services:',
  ...Object.entries(gdx.xroad.services).map(([k, v]) => `  ${k.padEnd(18)} ${v}`),
  '',
  `Remote signing    ${csc.url}   (CSC v2; tokens from the DGA-like provider, OTPs at ${csc.url}/sandbox/otp/<credentialID>)`,
  client('Signing app', csc.signingClient),
  'Officers (citizen ID, PIN for explicit credentials, credential IDs):',
  ...csc.officers.map((o) => `  ${o.person.citizenId}  PIN ${o.pin}  ${o.credentialIds.join(', ')}`),
  '',
  ...samplePeopleLines(population),
  '',
  'Press Ctrl-C to stop.',
];
process.stdout.write(`${out.join('\n')}\n`);
