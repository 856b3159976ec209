// Attack class: the late writer. A worker pauses (GC, SIGSTOP, a hung handler) past its lease; another
// replica takes the letter over and finishes it; then the first one wakes up and carries on. Without
// fencing it would acknowledge and register the letter a second time (a second registration number).
import { randomBytes } from 'node:crypto';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { requirePostgres } from '@thgov/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsInboxWorker } from '../../src/index.js';
import { PostgresLetterStore } from '../../src/postgres.js';
import { sampleLetter } from '../helpers/letters.js';
import { postgresUrl } from '../helpers/stores.js';

const postgres = requirePostgres({ why: 'leases on a shared PostgreSQL journal' });

postgres.describe('late writer on a shared PostgreSQL journal', () => {
  let net: EcmsNetwork;
  let url: string;
  beforeAll(async () => {
    net = await startEcmsNetwork({ seed: 16 });
    url = await postgresUrl();
  });
  afterAll(() => net.close());

  describe('a worker that wakes up after its lease was taken over', () => {
    it('is refused on its next change (ERR_ECMS_LEASE_LOST); the letter is acknowledged and registered once', async () => {
      const schema = `late_${randomBytes(4).toString('hex')}`;
      const [na, nb] = net.nodes;
      const sender = new EcmsClient({ nodeUrl: na!.url, organizationId: na!.organizationId });
      const clients = [0, 1].map(
        () =>
          new EcmsClient({ nodeUrl: nb!.url, organizationId: nb!.organizationId, retry: { maxRetries: 0 } }),
      );
      const stores = [0, 1].map(
        () => new PostgresLetterStore({ connectionString: url, schema, migrate: true }),
      );
      let wake!: () => void;
      const paused = new Promise<void>((resolve) => {
        wake = resolve;
      });
      let entered!: () => void;
      const inHandler = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const sleeper = new EcmsInboxWorker({
        client: clients[0]!,
        store: stores[0]!,
        workerId: 'sleeper',
        leaseInMs: 150,
        autoRegister: { register: 'central' },
        onLetter: async () => {
          entered();
          await paused;
        },
      });
      const dispatchedByTakeover: string[] = [];
      const takeover = new EcmsInboxWorker({
        client: clients[1]!,
        store: stores[1]!,
        workerId: 'takeover',
        autoRegister: { register: 'central' },
        onLetter: ({ letter }) => {
          dispatchedByTakeover.push(letter.id);
        },
      });
      const letterId = 'สพร 0105/late-1';
      await sender.sendLetter(sampleLetter({ id: letterId }));
      const sleeping = sleeper.runOnce();
      await inHandler;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await takeover.recover();
      wake();
      await expect(sleeping).rejects.toMatchObject({ code: 'ERR_ECMS_LEASE_LOST' });

      const [letter] = await stores[1]!.list({ direction: 'inbound' });
      expect(letter).toMatchObject({ state: 'registered', registrationNumber: 1, dispatched: true });
      expect(dispatchedByTakeover).toEqual([letterId]);
      const toSender = net.queue(na!.organizationId).all.filter((i) => i.letterId === letterId);
      expect(toSender.filter((i) => i.kind === 'receive')).toHaveLength(1);
      expect(toSender.filter((i) => i.kind === 'accept')).toHaveLength(1);
      // The sleeper's retry finds nothing to do: the letter is not touched again.
      await sleeper.runOnce();
      expect(net.queue(na!.organizationId).all.filter((i) => i.letterId === letterId)).toHaveLength(2);
      for (const c of [sender, ...clients]) await c.close();
      for (const s of stores) await s.close();
    });
  });
});
