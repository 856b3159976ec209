import { type Sandbox, type SandboxOptions, startSandbox } from '@thgov/sandbox';
import { ExchangeClient, type ExchangeClientOptions } from '../src/index.js';

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

/** Resolves with the rejection of `p` (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await p;
  } catch (err) {
    return err as Record<string, unknown> & Error;
  }
  throw new Error('expected the promise to reject');
}

/** Captures log lines as `level message {context JSON}` for leak and correlation checks. */
export function captureLogger() {
  const lines: string[] = [];
  const push = (level: string) => (m: string, c?: Record<string, unknown>) =>
    lines.push(`${level} ${m} ${c ? JSON.stringify(c) : ''}`);
  return {
    lines,
    logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') },
  };
}
