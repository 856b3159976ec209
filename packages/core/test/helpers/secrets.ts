import { afterEach } from 'vitest';
import { registerSecret, unregisterSecret } from '../../src/redact.js';

/**
 * A `secret(value)` that registers `value` with the process-wide redactor for the current test only: every
 * value registered through it is released after each test of the file that calls this.
 */
export function testSecrets(): (value: string) => string {
  const registered: string[] = [];
  afterEach(() => {
    for (const s of registered.splice(0)) unregisterSecret(s);
  });
  return (value) => {
    registerSecret(value);
    registered.push(value);
    return value;
  };
}
