import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, type SandboxOptions, startSandbox } from '@thgov/sandbox';
import { afterAll, beforeAll } from 'vitest';
import { ExchangeClient, type ExchangeClientOptions } from '../src/index.js';

export { caught as rejection } from '@thgov/testkit';

export interface Harness {
  sandbox: Sandbox;
  client: ExchangeClient;
  /** An AgentID with a DOPA officer session. */
  officer: string;
  close(): Promise<void>;
}

/** A sandbox on an ephemeral port and a client for its first (all-services) consumer, with fast retries. */
export async function harness(
  options: { sandbox?: SandboxOptions; client?: Partial<ExchangeClientOptions>; consumer?: number } = {},
): Promise<Harness> {
  const sandbox = await startSandbox(options.sandbox);
  const consumer = sandbox.gdx.consumers[options.consumer ?? 0];
  if (!consumer) throw new Error('sandbox has no consumer');
  const client = new ExchangeClient({
    baseUrl: sandbox.gdx.url,
    consumerKey: consumer.consumerKey,
    consumerSecret: consumer.consumerSecret,
    retry: { baseDelayInMs: 1, maxDelayInMs: 20 },
    ...options.client,
  });
  const officer = sandbox.gdx.officers[0];
  if (!officer) throw new Error('sandbox has no officer');
  return {
    sandbox,
    client,
    officer,
    close: async () => {
      await client.close();
      await sandbox.close();
    },
  };
}

/** Made-up credentials of the clients {@link withRawClient} makes (tests check that they never leak). */
export const RAW_CREDENTIALS = {
  consumerKey: 'raw-test-key-0000000001',
  consumerSecret: 'raw-test-secret-0000000001',
} as const;

/**
 * Runs `run` with a client of a raw test server (a node:http server answering as a quirky gateway) at `baseUrl`:
 * made-up credentials, fast retries, `options` on top; the client is closed afterwards.
 */
export async function withRawClient<T>(
  baseUrl: string,
  run: (c: ExchangeClient) => Promise<T>,
  options: Partial<ExchangeClientOptions> = {},
): Promise<T> {
  const c = new ExchangeClient({
    baseUrl,
    ...RAW_CREDENTIALS,
    retry: { baseDelayInMs: 1, maxDelayInMs: 5 },
    ...options,
  });
  try {
    return await run(c);
  } finally {
    await c.close();
  }
}

/** What {@link useScriptedGateway}'s data calls answer (set it before each call). */
export interface ScriptedAnswer {
  status: number;
  body: string;
}

/**
 * A raw gateway on 127.0.0.1 for the file's tests, started before them and closed after: validate issues one fixed
 * token; every data call gets `answer` (JSON content type). `url()` is its base URL once started.
 */
export function useScriptedGateway(): { answer: ScriptedAnswer; url: () => string } {
  const answer: ScriptedAnswer = { status: 200, body: '' };
  const server = createServer((req, res) => {
    req.resume();
    if ((req.url ?? '').startsWith('/ws/auth/validate')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Result: '6f1c2b8e-0000-4000-8000-000000000002' }));
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(answer.body);
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { answer, url: () => url };
}
