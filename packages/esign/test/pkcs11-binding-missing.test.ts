import { expect, it, vi } from 'vitest';
import { isEsignError, pkcs11Signer } from '../src/index.js';

// What a machine without a C++ toolchain has: pkcs11js failed to build, so it cannot be imported.
vi.mock('pkcs11js', () => {
  throw new Error("Cannot find module 'pkcs11js'");
});

it('without the optional pkcs11js binding, pkcs11Signer says what to install (ERR_ESIGN_PKCS11_MODULE)', async () => {
  const err = await pkcs11Signer({
    library: '/usr/lib/softhsm/libsofthsm2.so',
    tokenLabel: 't',
    pin: '1234',
    keyLabel: 'k',
  }).catch((e: unknown) => e);
  expect(isEsignError(err, 'ERR_ESIGN_PKCS11_MODULE')).toBe(true);
  expect((err as { hint?: string }).hint).toMatch(/npm install pkcs11js/);
});
