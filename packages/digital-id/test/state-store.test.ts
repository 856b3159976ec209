import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../src/index.js';
import { loginRecord } from './login-record.js';

const record = loginRecord;

describe('MemoryStateStore', () => {
  it('consumes a state once, then reports it consumed', async () => {
    const store = new MemoryStateStore();
    await store.save(record('s1'));
    const first = await store.consume('s1');
    expect(first.status).toBe('ok');
    expect(first.status === 'ok' && first.record.state).toBe('s1');
    expect((await store.consume('s1')).status).toBe('consumed');
  });

  it('reports an unknown state', async () => {
    expect((await new MemoryStateStore().consume('never-saved')).status).toBe('unknown');
  });

  it('reports an expired state, and a replay of it as consumed', async () => {
    const store = new MemoryStateStore();
    await store.save(record('old', -1));
    expect((await store.consume('old')).status).toBe('expired');
    expect((await store.consume('old')).status).toBe('consumed');
  });

  it('forgets consumed states after the tombstone period', async () => {
    const store = new MemoryStateStore({ tombstoneInMs: 1 });
    await store.save(record('t'));
    await store.consume('t');
    await new Promise((r) => setTimeout(r, 5));
    expect((await store.consume('t')).status).toBe('unknown');
  });

  it('keeps at most maxEntries, refusing a new login rather than drop a pending one', async () => {
    const store = new MemoryStateStore({ maxEntries: 3 });
    for (const s of ['a', 'b', 'c']) await store.save(record(s));
    await expect(store.save(record('d'))).rejects.toMatchObject({ code: 'ERR_DIGITAL_ID_STATE_STORE_FULL' });
    expect(store.size).toBe(3);
    expect((await store.consume('a')).status).toBe('ok');
    expect((await store.consume('d')).status).toBe('unknown');
  });

  it('at capacity drops a used state before a pending login, however old the login', async () => {
    // A remembered (used) state only turns a replay's answer from "unknown" into "consumed"; a pending login
    // dropped is a user whose sign-in fails.
    const store = new MemoryStateStore({ maxEntries: 3 });
    await store.save(record('pending'));
    await store.save(record('used'));
    expect((await store.consume('used')).status).toBe('ok');
    await store.save(record('c'));
    await store.save(record('d'));
    expect(store.size).toBe(3);
    expect((await store.consume('pending')).status).toBe('ok');
    expect((await store.consume('used')).status).toBe('unknown');
    expect((await store.consume('d')).status).toBe('ok');
  });

  it('stores a copy: later changes by the caller do not leak in', async () => {
    const store = new MemoryStateStore();
    const r = record('copy');
    await store.save(r);
    r.nonce = 'changed';
    const got = await store.consume('copy');
    expect(got.status === 'ok' && got.record.nonce).toBe('n');
  });
});
