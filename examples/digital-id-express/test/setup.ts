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
import type { SessionData } from '../src/session.js';
import { SessionStore, type SessionStoreOptions } from '../src/session-store.js';

export interface Running {
  /** Where the app listens (always plain http on 127.0.0.1). */
  baseUrl: string;
  /** The public URL the app was configured with (`baseUrl` unless one was given). */
  publicBaseUrl: string;
  sessionStore: SessionStore<SessionData>;
  thaid: ThaidProvider;
  citizen: SandboxPerson;
  close(): Promise<void>;
}

/**
 * The example app and the sandbox ThaID-like provider, both on 127.0.0.1 ephemeral ports. `publicBaseUrl` stands
 * for a deployment behind a TLS-terminating proxy: the app is configured with that https URL and reached here
 * over http, as the proxy reaches it.
 */
export async function startExample(
  options: { publicBaseUrl?: string; sessions?: SessionStoreOptions } = {},
): Promise<Running> {
  const population = generatePopulation({ seed: 2026, people: 30, companies: 2 });
  const sockets = new Set<Socket>();
  const server: Server = createServer();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publicBaseUrl = options.publicBaseUrl ?? baseUrl;
  const thaid = await startThaidProvider({
    population,
    redirectUris: [`${publicBaseUrl}/auth/callback`],
    postLogoutRedirectUris: [`${publicBaseUrl}/?signedOut`],
  });
  const client = sandboxThaidClient(thaid, publicBaseUrl);
  const sessionStore = new SessionStore<SessionData>(options.sessions);
  server.on('request', createApp({ client, baseUrl: publicBaseUrl, sessionStore }));
  return {
    baseUrl,
    publicBaseUrl,
    sessionStore,
    thaid,
    citizen: population.people[4]!,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await client.close();
      await thaid.close();
      sessionStore.close();
    },
  };
}
