import { registerSecret, unregisterSecret } from '@thgov/core';

/**
 * Opens a signer with `secret` (a PIN, a fixed service token) masked from the start, since a refused option or
 * a failed login may quote it. On success the signer holds it until its `close()` unregisters it; on failure
 * it is released at once, so a process that retries opening does not pin one copy per attempt.
 */
export async function openHolding<T>(secret: unknown, open: () => Promise<T>): Promise<T> {
  const held = typeof secret === 'string' ? secret : undefined;
  if (held !== undefined) registerSecret(held);
  try {
    return await open();
  } catch (err) {
    if (held !== undefined) unregisterSecret(held);
    throw err;
  }
}
