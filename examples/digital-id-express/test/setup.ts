import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  generatePopulation,
  type SandboxPerson,
  startThaidProvider,
  type ThaidProvider,
} from '@thgov/sandbox';
import { createApp } from '../src/app.js';
import { sandboxThaidClient } from '../src/sandbox-client.js';

export interface Running {
  baseUrl: string;
  thaid: ThaidProvider;
  citizen: SandboxPerson;
  close(): Promise<void>;
}

/** The example app and the sandbox ThaID-like provider, both on 127.0.0.1 ephemeral ports. */
export async function startExample(options: { production?: boolean } = {}): Promise<Running> {
  const population = generatePopulation({ seed: 2026, people: 30, companies: 2 });
  const sockets = new Set<Socket>();
  const server: Server = createServer();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const thaid = await startThaidProvider({
    population,
    redirectUris: [`${baseUrl}/auth/callback`],
    postLogoutRedirectUris: [`${baseUrl}/?signedOut`],
  });
  const client = sandboxThaidClient(thaid, baseUrl);
  server.on('request', createApp({ client, baseUrl, production: options.production ?? false }));
  return {
    baseUrl,
    thaid,
    citizen: population.people[4]!,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await client.close();
      await thaid.close();
    },
  };
}
