// Several signers on one PKCS#11 module sign at once: pkcs11js runs each C_Sign on a worker thread while the
// main thread keeps calling the module. A module initialised without CKF_OS_LOCKING_OK may drop its locks
// (SoftHSM2 does) and then corrupts its state or crashes the process; this test catches that on a real module
// (on the unlocked code it crashed the test process in about one run of three, so it is repeated many rounds).
import { constants, createHash, generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { pkcs11Signer, type SignatureAlgorithm, type Signer } from '../src/index.js';
import { issueCertificate } from './helpers/certificate.js';
import { softhsm } from './helpers/softhsm.js';
import { createSoftHsmSlots, type SoftHsmSlots } from './helpers/softhsm-slots.js';

const PIN = '604417';
const DATA = Buffer.from('คำสั่ง ที่ 44/2569');
const DIGEST = new Uint8Array(createHash('sha256').update(DATA).digest());
const ALGORITHMS: SignatureAlgorithm[] = [
  { scheme: 'RSA-PSS', digest: 'SHA-256' },
  { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' },
];

softhsm.describe('concurrent signers on one PKCS#11 module', () => {
  let hsm: SoftHsmSlots | undefined;
  const signers: Signer[] = [];
  afterAll(async () => {
    for (const s of signers.splice(0)) await s.close?.();
    hsm?.remove();
  });

  it('eight signers, two signatures each at a time, forty rounds: every signature verifies', async () => {
    hsm = createSoftHsmSlots();
    const slot = hsm.addToken('busy', PIN);
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = issueCertificate({
      subject: 'Busy officer',
      publicKey: pair.publicKey,
      signingKey: pair.privateKey,
      serial: 3,
    });
    hsm.importKey(slot, PIN, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'k', '01');
    const open = { library: hsm.library, slot, pin: PIN, keyLabel: 'k', certificateChain: [cert.der] };
    for (let i = 0; i < 8; i++) signers.push(await pkcs11Signer(open));
    let verified = 0;
    for (let round = 0; round < 40; round++) {
      const signatures = await Promise.all(
        signers.flatMap((s) => ALGORITHMS.map(async (a) => [a, await s.sign(DIGEST, a)] as const)),
      );
      for (const [a, signature] of signatures) {
        const key =
          a.scheme === 'RSA-PSS'
            ? { key: pair.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
            : pair.publicKey;
        if (verify('sha256', DATA, key, signature)) verified++;
      }
    }
    expect(verified).toBe(40 * 8 * ALGORITHMS.length);
  }, 120_000);
});
