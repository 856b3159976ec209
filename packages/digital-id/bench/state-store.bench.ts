import { performance } from 'node:perf_hooks';
import { type LoginState, MemoryStateStore } from '../src/index.js';

/**
 * MemoryStateStore save + one-time consume, against a bare Map doing set + get + delete (the floor for
 * any in-memory store). Prints one JSON line.
 */
const N = 50_000;

function record(i: number): LoginState {
  const now = Date.now();
  return {
    state: `state-${i}-abcdefghijklmnopqrstuvwxyz0123456789`,
    nonce: 'nonce-value-abcdefghijklmnopqrstuvwxyz',
    codeVerifier: 'verifier-abcdefghijklmnopqrstuvwxyz0123456789abcdefgh',
    redirectUri: 'https://eservice.agency.go.th/auth/callback',
    issuer: 'https://imauth.bora.dopa.go.th',
    clientId: 'client-id=',
    scopes: ['openid', 'pid', 'given_name', 'family_name'],
    createdAt: now,
    expiresAt: now + 900_000,
  };
}

async function store(): Promise<number> {
  const s = new MemoryStateStore({ maxEntries: N * 2, tombstoneInMs: 60_000 });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await s.save(record(i));
  for (let i = 0; i < N; i++) await s.consume(`state-${i}-abcdefghijklmnopqrstuvwxyz0123456789`);
  return (N / (performance.now() - t0)) * 1000;
}

async function bareMap(): Promise<number> {
  const m = new Map<string, LoginState>();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = record(i);
    m.set(r.state, structuredClone(r));
  }
  for (let i = 0; i < N; i++) {
    const k = `state-${i}-abcdefghijklmnopqrstuvwxyz0123456789`;
    m.get(k);
    m.delete(k);
  }
  return (N / (performance.now() - t0)) * 1000;
}

export async function benchStateStore(): Promise<void> {
  await store();
  await bareMap();
  const value = await store();
  const baselineValue = await bareMap();
  process.stdout.write(
    `${JSON.stringify({
      bench: 'digital-id.state-store.save-consume',
      unit: 'logins/s',
      value: Math.round(value),
      baseline: 'Map set+get+delete with structuredClone',
      baselineValue: Math.round(baselineValue),
      ratio: Number((value / baselineValue).toFixed(3)),
    })}\n`,
  );
}
