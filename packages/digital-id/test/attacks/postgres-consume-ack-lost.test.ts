// Quirk: the connection drops after PostgreSQL committed the statement that consumes a login state, before its
// answer reaches the app (a failover, a proxy or NAT cutting the idle-looking socket, a pod network blip). The
// store retries the statement on a fresh connection, as it should for a lost connection; the row is already
// gone, so the retry found the tombstone and reported `consumed`: the legitimate user's one callback failed as
// ERR_DIGITAL_ID_STATE_REPLAYED. The store must tell its own consume from another's (a receipt that only the
// consuming call can read) and finish the login, while a real replay still reads `consumed`.
//
// The cut is real: a TCP relay between the pool and the run's PostgreSQL forwards the consuming statement,
// waits for the server's ReadyForQuery (sent after the commit), then closes the app's socket instead of
// passing the answer on.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { requirePostgres, testDatabase } from '@thgov/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStateStore } from '../../src/postgres.js';
import { loginRecord } from '../login-record.js';

const postgres = requirePostgres({ why: 'a consume whose answer is lost after the commit' });

/** A relay that, when armed, lets the next consuming statement commit and then cuts the app's socket. */
async function cuttingRelay(target: URL) {
  const sockets = new Set<Socket>();
  let armed = false;
  let cuts = 0;
  const server: Server = createServer((app) => {
    const db = connect(Number(target.port), target.hostname);
    sockets.add(app).add(db);
    let cutting = false;
    app.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes('DELETE FROM') && chunk.includes('digital_id_states')) {
        armed = false;
        cutting = true;
      }
      db.write(chunk);
    });
    db.on('data', (chunk: Buffer) => {
      if (!cutting) return void app.write(chunk);
      // ReadyForQuery ('Z', length 5): the implicit transaction has committed. The answer is dropped.
      const z = chunk.lastIndexOf(0x5a);
      if (z >= 0 && z === chunk.length - 6 && chunk.readInt32BE(z + 1) === 5) {
        cuts++;
        app.destroy();
        db.destroy();
      }
    });
    for (const [a, b] of [
      [app, db],
      [db, app],
    ] as const) {
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.on('error', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target.href);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.href,
    arm: () => {
      armed = true;
    },
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const record = (state: string) =>
  loginRecord(state, 60_000, {
    nonce: 'nonce-ack',
    codeVerifier: 'verifier-ack',
    data: { returnTo: '/inbox' },
  });

postgres.describe('a consume whose answer is lost after PostgreSQL committed it', () => {
  let relay: Awaited<ReturnType<typeof cuttingRelay>>;
  let store: PostgresStateStore;
  let direct: PostgresStateStore;
  let url = '';
  beforeAll(async () => {
    url = (await testDatabase('digital_id_ack')).url;
    relay = await cuttingRelay(new URL(url));
    direct = new PostgresStateStore({ connectionString: url, migrate: true });
    await direct.migrate();
    store = new PostgresStateStore({ connectionString: relay.url, poolSize: 2 });
  });
  afterAll(async () => {
    await store?.close();
    await direct?.close();
    await relay?.close();
  });

  it('the retry returns the login to the one callback that consumed it; a replay still reads consumed', async () => {
    const saved = record('state-ack-lost-1');
    await store.save(saved);
    relay.arm();
    const first = await store.consume(saved.state);
    expect(relay.cuts()).toBe(1);
    expect(first).toEqual({ status: 'ok', record: saved });
    // Another callback with the same state (from this replica or another) is a replay.
    expect(await store.consume(saved.state)).toEqual({ status: 'consumed' });
    expect(await direct.consume(saved.state)).toEqual({ status: 'consumed' });
  });

  it('an expired login whose consume lost its answer still reads expired, not as a replay', async () => {
    const saved = { ...record('state-ack-lost-2'), expiresAt: Date.now() - 1 };
    await store.save(saved);
    relay.arm();
    const cutsBefore = relay.cuts();
    expect(await store.consume(saved.state)).toEqual({ status: 'expired' });
    expect(relay.cuts()).toBe(cutsBefore + 1);
  });

  it('the receipt left for the retry holds nothing in clear, answers no state, and is swept within minutes', async () => {
    const saved = record('state-ack-receipt-3');
    await store.save(saved);
    expect((await store.consume(saved.state)).status).toBe('ok');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const rows = await admin.query<{ text: string; late: boolean }>(
        `SELECT record::text AS text,
                expires_at > now() - interval '30 minutes' + interval '150 seconds' AS late
           FROM thgov.digital_id_states`,
      );
      expect(rows.rows.length).toBeGreaterThan(0);
      for (const row of rows.rows) {
        expect(row.late).toBe(false);
        expect(row.text).not.toMatch(/state-ack|verifier-ack|nonce-ack|inbox/);
      }
    } finally {
      await admin.end();
    }
    expect(await direct.consume(saved.state)).toEqual({ status: 'consumed' });
  });
});
