import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import {
  authorityKeyId,
  basicConstraints,
  extension,
  extKeyUsage,
  keyUsage,
  subjectKeyId,
} from '../src/certificate/extensions.js';
import { certFromDer } from '../src/certificate/parse.js';
import { OID } from '../src/engine.js';
import { validateCertificatePath } from '../src/index.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy } from './helpers/hierarchy.js';

/*
 * Extension readings are remembered per extension object. What a caller does to what it got must not reach the
 * next caller, and an extension changed in place must be read again, not answered from memory.
 */

const h = await createHierarchy();

/** A private parse of `der`, so changing it cannot disturb the shared certificate cache other tests use. */
function ownCopy(der: Uint8Array): pkijs.Certificate {
  return new pkijs.Certificate({ schema: asn1js.fromBER(Uint8Array.from(der)).result });
}

describe('remembered extension readings', () => {
  it('hand every caller its own copy', () => {
    const ca = certFromDer(h.ca.cert).pkijs;
    const aki = authorityKeyId(ca) as Buffer;
    const ski = subjectKeyId(ca) as Buffer;
    const bc = basicConstraints(ca) as { ca: boolean };
    const ku = keyUsage(ca) as Set<string>;
    expect(aki.length).toBeGreaterThan(0);
    expect(bc.ca).toBe(true);
    expect(ku.has('keyCertSign')).toBe(true);
    const before = { aki: Buffer.from(aki), ski: Buffer.from(ski) };
    aki.fill(0);
    ski.fill(0);
    bc.ca = false;
    ku.clear();
    expect(authorityKeyId(ca)?.equals(before.aki)).toBe(true);
    expect(subjectKeyId(ca)?.equals(before.ski)).toBe(true);
    expect(basicConstraints(ca)?.ca).toBe(true);
    expect(keyUsage(ca)?.has('keyCertSign')).toBe(true);

    const signer = certFromDer(h.signer.cert).pkijs;
    const eku = extKeyUsage(signer);
    if (eku) {
      const oids = [...eku.oids];
      eku.oids.length = 0;
      expect(extKeyUsage(signer)?.oids).toEqual(oids);
    }
  });

  it('read an extension again after its bytes or its criticality changed in place', () => {
    const ca = ownCopy(h.ca.cert);
    expect(basicConstraints(ca)?.ca).toBe(true);
    const bc = extension(ca, OID.basicConstraints) as pkijs.Extension;
    // Same extension object, new value: basicConstraints with cA absent (false).
    bc.extnValue = new asn1js.OctetString({ valueHex: new asn1js.Sequence({ value: [] }).toBER(false) });
    expect(basicConstraints(ca)).toEqual({ ca: false });
    // The value's bytes changed in place (cA TRUE again, then garbage).
    bc.extnValue = new asn1js.OctetString({
      valueHex: new pkijs.BasicConstraints({ cA: true }).toSchema().toBER(false),
    });
    expect(basicConstraints(ca)?.ca).toBe(true);
    const view = bc.extnValue.valueBlock.valueHexView;
    view.fill(0xff);
    expect(basicConstraints(ca)).toEqual({ ca: false, malformed: true });

    const ku = extension(ca, OID.keyUsage) as pkijs.Extension;
    const first = extKeyUsage(ca);
    expect(keyUsage(ca)?.has('keyCertSign')).toBe(true);
    ku.extnValue.valueBlock.valueHexView.fill(0);
    expect(keyUsage(ca)?.has('keyCertSign')).toBe(false);
    expect(extKeyUsage(ca)).toEqual(first);
  });

  it('a path check still refuses a CA whose shared parse lost its CA flag', async () => {
    // The shared parse is what the path validator reads; turning its basicConstraints off must be seen.
    const ok = await validateCertificatePath(h.signer.cert, {
      trustAnchors: h.root.cert,
      intermediates: [h.ca.cert],
      revocation: false,
    });
    expectOutcome(ok, 'PASSED');
    const shared = certFromDer(h.ca.cert).pkijs;
    const bc = extension(shared, OID.basicConstraints) as pkijs.Extension;
    const saved = bc.extnValue;
    try {
      bc.extnValue = new asn1js.OctetString({ valueHex: new asn1js.Sequence({ value: [] }).toBER(false) });
      const refused = await validateCertificatePath(h.signer.cert, {
        trustAnchors: h.root.cert,
        intermediates: [h.ca.cert],
        revocation: false,
      });
      expect(refused.indication).not.toBe('PASSED');
    } finally {
      bc.extnValue = saved;
    }
    expectOutcome(
      await validateCertificatePath(h.signer.cert, {
        trustAnchors: h.root.cert,
        intermediates: [h.ca.cert],
        revocation: false,
      }),
      'PASSED',
    );
  });
});
