/**
 * DOPA person lookups per second through ExchangeClient (token cache, envelope checks, zod schema, mapping)
 * vs raw `undici.request` with the same headers and a JSON parse, against the same sandbox GDX gateway (in
 * a child process, so client and server do not share an event loop), same run, interleaved rounds, medians
 * and spread of throughput and of the client process's CPU time per lookup. Target: CPU/op ≤ 1.25× raw undici.
 */
import { spawn } from 'node:child_process';
import { ExchangeClient } from '@thgov/exchange';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import { Agent, request } from 'undici';

const CONCURRENCY = 32;
const LOOKUPS_PER_ROUND = sized(2_000, 200);
const ROUNDS = sized(8, 2);

interface SandboxInfo {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  officer: string;
  citizenIds: string[];
}

const childSource = `
import { startSandbox } from '@thgov/sandbox';
const sb = await startSandbox();
const c = sb.gdx.consumers[0];
process.send({ url: sb.gdx.url, consumerKey: c.consumerKey, consumerSecret: c.consumerSecret,
  officer: sb.gdx.officers[0], citizenIds: sb.population.people.map((p) => p.citizenId) });
process.on('disconnect', () => sb.close().then(() => process.exit(0)));
`;

async function startSandboxProcess(): Promise<{ info: SandboxInfo; stop(): void }> {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', childSource], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: new URL('..', import.meta.url),
  });
  const info = await new Promise<SandboxInfo>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as SandboxInfo));
    proc.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  return { info, stop: () => proc.disconnect() };
}

async function run(lookup: (citizenId: string) => Promise<unknown>, ids: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < LOOKUPS_PER_ROUND) {
      const i = next++;
      await lookup(ids[i % ids.length] as string);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const { info, stop } = await startSandboxProcess();
try {
  const client = new ExchangeClient({
    baseUrl: info.url,
    consumerKey: info.consumerKey,
    consumerSecret: info.consumerSecret,
    agentId: info.officer,
  });
  const viaClient = (citizenId: string) => client.getPerson({ citizenId });

  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const validate = await request(
    `${info.url}/ws/auth/validate?ConsumerSecret=${encodeURIComponent(info.consumerSecret)}&AgentID=${info.officer}`,
    { dispatcher: agent, headers: { 'consumer-key': info.consumerKey } },
  );
  const token = ((await validate.body.json()) as { Result: string }).Result;
  const headers = {
    'consumer-key': info.consumerKey,
    token,
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  };
  const viaUndici = async (citizenId: string) => {
    const res = await request(
      `${info.url}/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=${citizenId}`,
      { dispatcher: agent, headers },
    );
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    return res.body.json();
  };

  const line = await compareRounds({
    bench: 'exchange.person-lookup',
    kind: 'throughput',
    unit: 'lookups/s',
    baseline: 'undici.request (same headers, JSON parse)',
    opsPerRound: LOOKUPS_PER_ROUND,
    rounds: ROUNDS,
    thgov: () => run(viaClient, info.citizenIds),
    baselineSide: () => run(viaUndici, info.citizenIds),
    target: 'cpuRatio <= 1.25',
  });
  await client.close();
  await agent.close();
  emitBenchLine(line);
} finally {
  stop();
}
