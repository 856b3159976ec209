import { DEFAULT_TIMEOUTS } from '@thgov/core';
import type { ThgovConfig, TransportConfig } from '../config/schema.js';

/** The `doctor` section with its defaults applied. */
export interface DoctorSettings {
  expiryWarningDays: number;
  maxClockSkewInMs: number;
  checkTimeoutInMs: number;
}

/** The doctor settings of a configuration: 30 days of expiry warning, 30 s of clock skew, 15 s per check. */
export function doctorSettings(config: ThgovConfig): DoctorSettings {
  return {
    expiryWarningDays: config.doctor?.expiryWarningDays ?? 30,
    maxClockSkewInMs: config.doctor?.maxClockSkewInMs ?? 30_000,
    checkTimeoutInMs: config.doctor?.checkTimeoutInMs ?? 15_000,
  };
}

type Timeouts = NonNullable<TransportConfig['timeouts']>;

/**
 * The client's time-outs, none longer than one check may take. A check that hits its deadline aborts its calls,
 * but a client may keep work it shares between callers (the GDX token request) running, and `close()` waits
 * for it: bounded like this, nothing a check started outlives it by more than one check's time.
 */
export function withinCheck(timeouts: Timeouts | undefined, checkTimeoutInMs: number): Required<Timeouts> {
  const cap = (v: number | undefined, d: number) => Math.min(v ?? d, checkTimeoutInMs);
  return {
    connectInMs: cap(timeouts?.connectInMs, DEFAULT_TIMEOUTS.connectInMs),
    headersInMs: cap(timeouts?.headersInMs, DEFAULT_TIMEOUTS.headersInMs),
    bodyInMs: cap(timeouts?.bodyInMs, DEFAULT_TIMEOUTS.bodyInMs),
    totalInMs: cap(timeouts?.totalInMs, checkTimeoutInMs),
  };
}
