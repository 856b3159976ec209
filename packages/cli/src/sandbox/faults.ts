import type { FaultProfile } from '@thgov/sandbox';

/** Fault profiles for `thgov sandbox --faults`, applied to the GDX gateway and the e-CMS nodes. */
export const SANDBOX_FAULT_PROFILES = {
  none: { rules: [] },
  // The GDX resilience scenario: 10% 503, 5% connection resets, 2% 429 with Retry-After, a little latency.
  flaky: {
    seed: 42,
    rules: [{ unavailable: 0.1, reset: 0.05, rateLimited: 0.02, retryAfterSeconds: 1, latencyInMs: [0, 3] }],
  },
  // A slow upstream: 200–800 ms before each answer and bodies trickling in small chunks.
  slow: { rules: [{ latencyInMs: [200, 800], slowBodyChunkDelayInMs: 20 }] },
} as const satisfies Record<string, FaultProfile>;

/** The name of a `--faults` profile: `none`, `flaky`, `slow`. */
export type SandboxFaultProfileName = keyof typeof SANDBOX_FAULT_PROFILES;

/** True for a name of `SANDBOX_FAULT_PROFILES`. */
export function isFaultProfileName(name: string): name is SandboxFaultProfileName {
  return Object.hasOwn(SANDBOX_FAULT_PROFILES, name);
}

/** A mutable copy: the injector keeps the rules it is given. */
export function faultProfile(name: SandboxFaultProfileName): FaultProfile {
  return structuredClone(SANDBOX_FAULT_PROFILES[name]) as unknown as FaultProfile;
}
