import { expect } from 'vitest';
import type { PathValidationResult } from '../../src/index.js';

/** Asserts the ETSI outcome and shows the message when it differs (the message says why). */
export function expectOutcome(r: PathValidationResult, indication: string, subIndication?: string): void {
  expect({ indication: r.indication, subIndication: r.subIndication }, r.message).toEqual({
    indication,
    subIndication,
  });
}
