/**
 * GET throughput at 64 concurrent requests against a local HTTP server (in a child process, so client and
 * server do not share an event loop): thgov's Transport vs raw `undici.request` on an equally configured
 * Agent (same connections, keep-alive and timeouts), in the same run, interleaved rounds, best of each.
 * Target: ratio ≥ 0.85.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'undici';
import { Transport } from '../src/index.js';

const CONCURRENCY = 64;
const REQUESTS_PER_ROUND = 8_000;
const ROUNDS = 5;

const serverSource = `
const http = require('node:http');
const body = JSON.stringify({ Result: 'ok', citizen: { firstName: 'สมชาย', lastName: 'ใจดี' }, items: [1, 2, 3] });
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

async function startServer(): Promise<{ url: string; stop(): void }> {
  const proc = spawn(process.execPath, ['-e', serverSource], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('message', (m) => resolve(Number(m)));
    proc.once('error', reject);
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => proc.kill() };
}

/** CPU (user + system, this process: the client) per request of the last round of each side. */
const cpuPerRequest = new Map<string, number[]>();

async function run(label: string, one: () => Promise<unknown>): Promise<number> {
  let issued = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (issued < REQUESTS_PER_ROUND) {
      issued++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const side = label.split(' ')[0] as string;
  cpuPerRequest.set(side, [...(cpuPerRequest.get(side) ?? []), (cpu.user + cpu.system) / REQUESTS_PER_ROUND]);
  const rps = REQUESTS_PER_ROUND / seconds;
  process.stderr.write(`  ${label}: ${Math.round(rps)} req/s\n`);
  return rps;
}

const server = await startServer();
const agentOptions = {
  connections: CONCURRENCY,
  keepAliveTimeout: 30_000,
  headersTimeout: 30_000,
  bodyTimeout: 30_000,
  connect: { timeout: 10_000 },
};
const rawAgent = new Agent(agentOptions);
const transport = new Transport(
  { baseUrl: server.url, connections: CONCURRENCY, keepAliveTimeoutInMs: 30_000 },
  { name: '@thgov/bench', version: '0.0.0' },
);

const rawOnce = async () => {
  const res = await request(`${server.url}/ws/item?id=1`, {
    dispatcher: rawAgent,
    headers: { 'user-agent': 'bench', 'x-request-id': crypto.randomUUID() },
  });
  return res.body.json();
};
const thgovOnce = () => transport.request({ method: 'GET', path: '/ws/item', query: { id: 1 } });

// Warm up both (connections, JIT).
await run('warm-up raw', rawOnce);
await run('warm-up thgov', thgovOnce);
const raw: number[] = [];
const ours: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  raw.push(await run(`raw round ${i + 1}`, rawOnce));
  ours.push(await run(`thgov round ${i + 1}`, thgovOnce));
}
await transport.close();
await rawAgent.close();
server.stop();

const best = (xs: number[]) => Math.max(...xs);
// CPU per request is steadier than wall-clock throughput on a shared machine: the median round of each side.
const median = (xs: number[] = []) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const cpuOurs = median(cpuPerRequest.get('thgov'));
const cpuRaw = median(cpuPerRequest.get('raw'));
const value = best(ours);
const baselineValue = best(raw);
console.log(
  JSON.stringify({
    bench: 'core.transport.get-throughput.c64',
    unit: 'req/s',
    value: Math.round(value),
    baseline: 'undici.request (same Agent options)',
    baselineValue: Math.round(baselineValue),
    ratio: Number((value / baselineValue).toFixed(3)),
    cpuPerOpInUs: Number(cpuOurs.toFixed(1)),
    baselineCpuPerOpInUs: Number(cpuRaw.toFixed(1)),
    cpuRatio: Number((cpuRaw / cpuOurs).toFixed(3)),
  }),
);
