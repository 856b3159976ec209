import { describe, expect, it } from 'vitest';
import { parseCrl, validateCertificatePath } from '../src/index.js';
import { expectOutcome } from './helpers/expect.js';
import { createHierarchy } from './helpers/hierarchy.js';

/*
 * A CRL's reading is kept by SHA-256 and shared by every parse of the same bytes. What one result or one
 * caller does to its bytes or dates must not reach another, and a caller reusing its buffer after parsing
 * must not change what the parsed CRL says.
 */

const h = await createHierarchy();
const revoking = await h.crl(h.ca, { revoked: [{ serialNumber: h.signer.serial, date: h.now }] });
const rootCrl = await h.crl(h.root);
const base = { trustAnchors: h.root.cert, intermediates: [h.ca.cert] };

describe('CRL readings shared by SHA-256', () => {
  it('gives each parse its own DER copy, dates and source', () => {
    const a = parseCrl(revoking, { source: 'supplied' });
    const b = parseCrl(revoking, { source: 'dss' });
    expect(a).not.toBe(b);
    expect(a.sha256).toBe(b.sha256);
    expect([a.source, b.source]).toEqual(['supplied', 'dss']);
    expect(a.der).not.toBe(b.der);
    a.der.fill(0);
    a.thisUpdate.setTime(0);
    expect(Buffer.from(b.der).equals(Buffer.from(revoking))).toBe(true);
    expect(b.thisUpdate.getTime()).toBe(h.now.getTime() - 86_400_000);
    expect(parseCrl(revoking).thisUpdate.getTime()).toBe(h.now.getTime() - 86_400_000);
    expect(b.entries).toBe(1);
  });

  it('a revocation is still found through a shared reading, after the first result was tampered with', async () => {
    const first = parseCrl(revoking);
    first.der.fill(0);
    const r = await validateCertificatePath(h.signer.cert, {
      ...base,
      revocation: { crls: [parseCrl(revoking), rootCrl] },
    });
    expectOutcome(r, 'INDETERMINATE', 'REVOKED_NO_POE');
  });

  it('a caller that reuses its buffer after parsing does not change the parsed CRL', async () => {
    const buffer = Uint8Array.from(rootCrl);
    const good = await h.crl(h.ca);
    const goodBuffer = Uint8Array.from(good);
    const crls = [parseCrl(goodBuffer), parseCrl(buffer)];
    goodBuffer.fill(0x41);
    buffer.fill(0x41);
    const r = await validateCertificatePath(h.signer.cert, { ...base, revocation: { crls } });
    expectOutcome(r, 'PASSED');
    expect(r.revocation.map((s) => s.status)).toEqual(['good', 'good']);
  });

  it('malformed bytes are refused every time, never cached as a reading', () => {
    const broken = Uint8Array.from(revoking);
    broken[10] = 0xff;
    for (let i = 0; i < 2; i++) expect(() => parseCrl(broken)).toThrow(/CRL/);
  });
});
