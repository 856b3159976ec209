/**
 * GET throughput at 64 concurrent requests against a local HTTP server (in a child process, so client and
 * server do not share an event loop): thgov's Transport vs raw `undici.request` on an equally configured
 * Agent (same connections, keep-alive and timeouts), in the same run, interleaved rounds, medians and spread
 * of throughput and of the client process's CPU time per request. Target: CPU/op ≤ 1.15× raw undici.request.
 */
import { spawn } from 'node:child_process';
import { Transport } from '@thgov/core';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import { Agent, request } from 'undici';

const CONCURRENCY = 64;
const REQUESTS_PER_ROUND = sized(8_000, 400);
const ROUNDS = sized(7, 2);

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

/** REQUESTS_PER_ROUND requests, CONCURRENCY in flight. */
async function burst(one: () => Promise<unknown>): Promise<void> {
  let issued = 0;
  const worker = async () => {
    while (issued < REQUESTS_PER_ROUND) {
      issued++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
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

const line = await compareRounds({
  bench: 'core.transport.get-throughput.c64',
  kind: 'throughput',
  unit: 'req/s',
  baseline: 'undici.request (same Agent options)',
  opsPerRound: REQUESTS_PER_ROUND,
  rounds: ROUNDS,
  thgov: () => burst(thgovOnce),
  baselineSide: () => burst(rawOnce),
  target: 'cpuRatio <= 1.15',
});
await transport.close();
await rawAgent.close();
server.stop();
emitBenchLine(line);
