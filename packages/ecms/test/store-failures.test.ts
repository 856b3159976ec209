// The journal failing at each step of the inbox and the outbox, in-process (no crash: the worker goes on with
// the next poll). Every store call is failed in turn, once before it reaches the store (nothing written) and
// once after (written, but the caller hears an error, as a commit whose answer is lost). Whatever step fails,
// the letter is neither lost nor handled twice: one journal record, one registration number, the queue empty,
// one send at the node.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ecmsError } from '../src/errors.js';
import {
  EcmsClient,
  EcmsInboxWorker,
  EcmsOutbox,
  type LetterStore,
  MemoryLetterStore,
} from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';

type Mode = 'before' | 'after';

/** `inner` with its `fail`-th call (counted from 1 once armed) failing as ERR_ECMS_STORE, before or after it runs. */
function failingStore(inner: LetterStore, fail: number, mode: Mode) {
  const state = { calls: 0, armed: true, failed: false };
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const v = Reflect.get(target, name, receiver);
      if (typeof v !== 'function' || name === 'close') return v;
      return async (...args: unknown[]) => {
        const hit = state.armed && ++state.calls === fail;
        if (hit) state.failed = true;
        if (hit && mode === 'before') throw ecmsError('ERR_ECMS_STORE', 'injected store failure');
        const result = await v.apply(target, args);
        if (hit) throw ecmsError('ERR_ECMS_STORE', 'injected store failure');
        return result;
      };
    },
  });
  return { store, state };
}

let net: EcmsNetwork;
let sender: EcmsClient;
let receiver: EcmsClient;
beforeAll(async () => {
  net = await startEcmsNetwork({ seed: 53 });
  const [a, b] = net.nodes;
  sender = new EcmsClient({ nodeUrl: a!.url, organizationId: a!.organizationId, retry: { maxRetries: 0 } });
  receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: b!.organizationId, retry: { maxRetries: 0 } });
});
afterAll(async () => {
  await Promise.all([sender.close(), receiver.close()]);
  await net.close();
});

const letterTo = (id: string) =>
  sampleLetter({
    id,
    sender: { ...sampleLetter().sender, departmentId: net.nodes[0]!.organizationId },
    receiver: { departmentId: net.nodes[1]!.organizationId },
  });

/** Runs `step` until `done` (the failure disarmed after the first run); a lease left held expires meanwhile. */
async function settle(step: () => Promise<unknown>, done: () => Promise<boolean>, disarm: () => void) {
  await step().catch(() => undefined);
  disarm();
  for (let round = 0; round < 40 && !(await done()); round++) {
    await step().catch(() => undefined);
    if (!(await done())) await new Promise((r) => setTimeout(r, 60));
  }
}

it('inbox: a store failure at any step loses no letter and registers it once', async () => {
  const [a, b] = [net.nodes[0]!.organizationId, net.nodes[1]!.organizationId];
  for (const mode of ['before', 'after'] as const) {
    for (let fail = 1; fail < 80; fail++) {
      const id = `สพร 0105/ร${mode}${fail}`;
      await sender.sendLetter(letterTo(id));
      const inner = new MemoryLetterStore();
      const { store, state } = failingStore(inner, fail, mode);
      const dispatched: string[] = [];
      const worker = new EcmsInboxWorker({
        client: receiver,
        store,
        autoRegister: { register: 'central' },
        leaseInMs: 100,
        onLetter: ({ record }) => {
          dispatched.push(record.journalId);
        },
      });
      const records = async () =>
        (await inner.list({ direction: 'inbound' })).filter((r) => r.letterId === id);
      await settle(
        () => worker.runOnce(),
        async () => (await records())[0]?.state === 'registered' && net.queue(b).pending.length === 0,
        () => {
          state.armed = false;
        },
      );
      const where = `${mode} call ${fail}`;
      const [record, ...more] = await records();
      expect(more, where).toEqual([]);
      expect(record?.state, where).toBe('registered');
      expect(record?.registrationNumber, where).toBe(1);
      expect(net.queue(b).pending, where).toEqual([]);
      const accepts = net.queue(a).all.filter((i) => i.kind === 'accept' && i.letterId === id);
      expect(new Set(accepts.map((i) => i.acceptId)), where).toEqual(new Set([record?.acceptId]));
      expect(new Set(dispatched), where).toEqual(new Set([record?.journalId]));
      await inner.close();
      if (!state.failed) break; // every call of a full run has been failed once // every call of a full run has been failed once
    }
  }
});

it('outbox: a store failure at any step sends the letter once and loses none', async () => {
  const a = net.nodes[0]!.organizationId;
  for (const mode of ['before', 'after'] as const) {
    for (let fail = 1; fail < 80; fail++) {
      const id = `สพร 0105/ส${mode}${fail}`;
      const inner = new MemoryLetterStore();
      const { store, state } = failingStore(inner, fail, mode);
      const outbox = new EcmsOutbox({ client: sender, store, leaseInMs: 100, absenceRecheckDelayInMs: 0 });
      const records = async () =>
        (await inner.list({ direction: 'outbound' })).filter((r) => r.letterId === id);
      let submitted = false;
      await settle(
        async () => {
          if (!submitted) {
            // Until the letter is journalled, the application submits it again (its transaction failed).
            if ((await records()).length === 0) await outbox.submit(letterTo(id));
            submitted = true;
          }
          await outbox.runOnce();
        },
        async () => (await records())[0]?.state === 'submitted',
        () => {
          state.armed = false;
        },
      );
      const where = `${mode} call ${fail}`;
      const [record, ...more] = await records();
      expect(more, where).toEqual([]);
      expect(record?.state, where).toBe('submitted');
      const sends = net.outbound(a).filter((o) => o.letterId === id);
      expect(
        sends.map((o) => o.processId),
        where,
      ).toEqual([record?.processId]);
      await inner.close();
      if (!state.failed) break; // every call of a full run has been failed once
    }
  }
});
