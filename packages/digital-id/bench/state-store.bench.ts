import { type LoginState, MemoryStateStore } from '@thgov/digital-id';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';

/**
 * MemoryStateStore save + one-time consume, against a bare Map doing set + get + delete (the floor for
 * any in-memory store), interleaved rounds. Prints one JSON line.
 */
const N = sized(50_000, 2_000);

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

function store() {
  const s = new MemoryStateStore({ maxEntries: N * 2, tombstoneInMs: 60_000 });
  return {
    run: async () => {
      for (let i = 0; i < N; i++) await s.save(record(i));
      for (let i = 0; i < N; i++) await s.consume(`state-${i}-abcdefghijklmnopqrstuvwxyz0123456789`);
    },
  };
}

async function bareMap(): Promise<void> {
  const m = new Map<string, LoginState>();
  for (let i = 0; i < N; i++) {
    const r = record(i);
    m.set(r.state, structuredClone(r));
  }
  for (let i = 0; i < N; i++) {
    const k = `state-${i}-abcdefghijklmnopqrstuvwxyz0123456789`;
    m.get(k);
    m.delete(k);
  }
}

export async function benchStateStore(): Promise<void> {
  emitBenchLine(
    await compareRounds({
      bench: 'digital-id.state-store.save-consume',
      kind: 'throughput',
      unit: 'logins/s',
      baseline: 'Map set+get+delete with structuredClone',
      opsPerRound: N,
      rounds: sized(6, 2),
      thgov: { prepare: store },
      baselineSide: bareMap,
    }),
  );
}
