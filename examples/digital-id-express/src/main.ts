import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startThaidProvider } from '@thgov/sandbox';
import { createApp } from './app.js';
import { sandboxThaidClient } from './sandbox-client.js';

/**
 * Demo: the app against the sandbox's ThaID-like provider, both on 127.0.0.1.
 * `pnpm --filter @thgov-examples/digital-id-express start`, then open the printed URL.
 */
const port = Number(process.env.PORT ?? 3000);
const baseUrl = `http://127.0.0.1:${port}`;
const thaid = await startThaidProvider({
  redirectUris: [`${baseUrl}/auth/callback`],
  postLogoutRedirectUris: [`${baseUrl}/?signedOut`],
});
const client = sandboxThaidClient(thaid, baseUrl);
const server = createServer(createApp({ client, baseUrl }));
server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as AddressInfo;
  process.stdout.write(`e-service on http://127.0.0.1:${bound}  (ThaID sandbox at ${thaid.issuer})\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void client.close();
    void thaid.close();
  });
}
