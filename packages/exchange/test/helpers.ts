import { type Sandbox, type SandboxOptions, startSandbox } from '@thgov/sandbox';
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
