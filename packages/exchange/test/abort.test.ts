import { isThGovError } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, harness, rejection } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('abort and deadlines', () => {
  it('an AbortSignal stops a slow call with ERR_ABORTED', async () => {
    h.sandbox.gdx.faults.setProfile({ rules: [{ route: '/ws/dopa', latencyInMs: [5_000, 5_000] }] });
    try {
      const p = h.sandbox.population.people[10]!;
      const controller = new AbortController();
      const call = h.client.getPerson(
        { citizenId: p.citizenId },
        { agentId: h.officer, abortSignal: controller.signal },
      );
      setTimeout(() => controller.abort(new Error('user left')), 50);
      const err = await rejection(call);
      expect(isThGovError(err, 'ERR_ABORTED')).toBe(true);
    } finally {
      h.sandbox.gdx.faults.setProfile({ rules: [] });
    }
  });

  it('an already aborted signal fails at once, before any request', async () => {
    const n = h.sandbox.gdx.usage.entries().length;
    const p = h.sandbox.population.people[10]!;
    const err = await rejection(
      h.client.getPerson(
        { citizenId: p.citizenId },
        { agentId: 'fresh-agent-abort', abortSignal: AbortSignal.abort() },
      ),
    );
    expect(isThGovError(err, 'ERR_ABORTED')).toBe(true);
    expect(h.sandbox.gdx.usage.entries().length).toBe(n);
  });

  it('aborting while waiting for a shared validate fails only that caller', async () => {
    h.sandbox.gdx.faults.setProfile({ rules: [{ route: '/ws/auth', latencyInMs: [200, 200] }] });
    try {
      const agent = 'shared-validate-agent';
      const controller = new AbortController();
      const impatient = h.client.getJuristicProfile(
        { juristicId: h.sandbox.population.companies[0]!.juristicId },
        { agentId: agent, abortSignal: controller.signal },
      );
      const patient = h.client.getJuristicProfile(
        { juristicId: h.sandbox.population.companies[1]!.juristicId },
        { agentId: agent },
      );
      setTimeout(() => controller.abort(), 20);
      expect(isThGovError(await rejection(impatient), 'ERR_ABORTED')).toBe(true);
      await expect(patient).resolves.toBeTruthy();
      expect(h.sandbox.gdx.usage.entries({ service: 'auth/validate', agentId: agent })).toHaveLength(1);
    } finally {
      h.sandbox.gdx.faults.setProfile({ rules: [] });
    }
  });

  it('timeoutInMs bounds the whole call, retries included → ERR_TIMEOUT', async () => {
    // The answer would take longer than the test may run: only the deadline can end the call (no wall clock
    // read here, which a loaded machine could push past any bound).
    h.sandbox.gdx.faults.setProfile({ rules: [{ route: '/ws/dopa', latencyInMs: [60_000, 60_000] }] });
    try {
      const p = h.sandbox.population.people[10]!;
      const err = await rejection(
        h.client.getPerson({ citizenId: p.citizenId }, { agentId: h.officer, timeoutInMs: 100 }),
      );
      expect(isThGovError(err, 'ERR_TIMEOUT')).toBe(true);
      expect(err).toMatchObject({ phase: 'total', timeoutInMs: 100 });
    } finally {
      h.sandbox.gdx.faults.setProfile({ rules: [] });
    }
  });

  it('a closed client refuses new calls with ERR_CLIENT_CLOSED', async () => {
    const local = await harness();
    await local.client.close();
    const p = local.sandbox.population.people[10]!;
    const err = await rejection(
      local.client.getPerson({ citizenId: p.citizenId }, { agentId: local.officer }),
    );
    expect(isThGovError(err, 'ERR_CLIENT_CLOSED')).toBe(true);
    await local.sandbox.close();
  });
});

describe('deadline while waiting for a token', () => {
  it('timeoutInMs also bounds the wait for a slow validate', async () => {
    const local = await harness({
      // A validate that would outlast the test: only the call's deadline can end the wait for it.
      sandbox: { gdx: { faults: { rules: [{ route: '/ws/auth', latencyInMs: [60_000, 60_000] }] } } },
    });
    try {
      const p = local.sandbox.population.people[10]!;
      const err = await rejection(
        local.client.getPerson({ citizenId: p.citizenId }, { agentId: local.officer, timeoutInMs: 100 }),
      );
      expect(isThGovError(err, 'ERR_TIMEOUT')).toBe(true);
      expect(err).toMatchObject({ phase: 'total', timeoutInMs: 100 });
    } finally {
      await local.close();
    }
  });

  it('close() ends a validate in flight instead of waiting for its answer', async () => {
    // The answer would come after the test's own time limit: close() returning at all is the check.
    const local = await harness({
      sandbox: { gdx: { faults: { rules: [{ route: '/ws/auth', latencyInMs: [60_000, 60_000] }] } } },
    });
    try {
      const p = local.sandbox.population.people[10]!;
      const call = local.client.getPerson({ citizenId: p.citizenId }, { agentId: local.officer });
      // The validate has reached the gateway and is being held there (waitFor's default second is short on a
      // loaded machine: the first request also opens the connection).
      await vi.waitFor(() => expect(local.sandbox.gdx.faults.counters.delayed).toBeGreaterThan(0), {
        timeout: 15_000,
      });
      const failed = rejection(call);
      await local.client.close();
      expect(isThGovError(await failed, 'ERR_ABORTED')).toBe(true);
    } finally {
      await local.sandbox.close();
    }
  });
});
