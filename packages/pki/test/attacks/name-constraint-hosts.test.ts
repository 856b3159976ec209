// Attack class: a host or mailbox that escapes its CA's name constraints by its spelling. An excluded URI or
// rfc822Name subtree must hold however the host is written (a trailing dot, percent-encoding, a URI no parser
// agrees on), and an internationalised mailbox (SmtpUTF8Mailbox, RFC 8398 §6: rfc822Name constraints apply to it,
// its domain compared in A-labels) may not step around rfc822Name constraints: Thai addresses under .ไทย are such.
import { domainToASCII } from 'node:url';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { validateCertificatePath } from '../../src/index.js';
import type { GeneralNameSpec } from '../../src/testing/names.js';
import { expectOutcome } from '../helpers/expect.js';
import { CA_USAGE, DAY, issue, SIGNER_USAGE } from '../helpers/hierarchy.js';

const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const root = await issue(now, 'Host NC Root', 1, undefined, {
  ...CA_USAGE,
  notAfter: new Date(now.getTime() + 3650 * DAY),
});
const THAI_DOMAIN = 'ตัวอย่าง.ไทย';
const thaiAce = domainToASCII(THAI_DOMAIN);
const excludedCa = await issue(now, 'Excluding CA', 2, root, {
  ...CA_USAGE,
  nameConstraints: {
    excluded: [
      { uri: '.bad.example' },
      { uri: 'bad.example' },
      { email: 'bad.example' },
      { email: thaiAce },
      { dns: 'bad.example' },
    ],
  },
});
const permittedCa = await issue(now, 'Permitting CA', 3, root, {
  ...CA_USAGE,
  nameConstraints: { permitted: [{ uri: '.good.example' }, { email: 'good.example' }, { email: thaiAce }] },
});

const SMTP_UTF8_MAILBOX = '1.3.6.1.5.5.7.8.9';

/** A subjectAltName extension value holding one SmtpUTF8Mailbox otherName (RFC 8398 §3). */
function smtpUtf8San(mailbox: string): Uint8Array {
  const otherName = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 0 },
    value: [
      new asn1js.ObjectIdentifier({ value: SMTP_UTF8_MAILBOX }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Utf8String({ value: mailbox })],
      }),
    ],
  });
  return new Uint8Array(new asn1js.Sequence({ value: [otherName] }).toBER(false));
}

let serial = 10;
async function check(ca: typeof excludedCa, san: GeneralNameSpec[] | { smtpUtf8: string }) {
  const names = Array.isArray(san)
    ? { subjectAltName: san }
    : { extensions: [{ oid: '2.5.29.17', value: smtpUtf8San(san.smtpUtf8) }] };
  const leaf = await issue(now, 'Leaf', serial++, ca, { ...SIGNER_USAGE, ...names });
  return validateCertificatePath(leaf.cert, {
    trustAnchors: root.cert,
    intermediates: [ca.cert],
    revocation: false,
  });
}

async function expectRefused(ca: typeof excludedCa, san: Parameters<typeof check>[1]) {
  const r = await check(ca, san);
  expectOutcome(r, 'INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
  expect(r.failure?.check).toBe('name-constraints');
}

describe('excluded URI subtrees hold however the host is written', () => {
  it('a host with a trailing dot (the same DNS name) is excluded', async () => {
    await expectRefused(excludedCa, [{ uri: 'https://www.bad.example./' }]);
    await expectRefused(excludedCa, [{ uri: 'https://bad.example./x' }]);
  });

  it('a percent-encoded host of a non-web scheme (ldap) is excluded', async () => {
    await expectRefused(excludedCa, [{ uri: 'ldap://www%2Ebad%2Eexample/o=x' }]);
    await expectRefused(excludedCa, [{ uri: 'ldap://BAD.example/o=x' }]);
  });

  it('a URI whose host cannot be read is taken as excluded (fail closed)', async () => {
    await expectRefused(excludedCa, [{ uri: 'https://www.bad.example:99999/' }]);
    await expectRefused(excludedCa, [{ uri: 'https://[www.bad.example]/' }]);
    // No host to compare at all (as Go's crypto/x509 refuses it under URI constraints).
    await expectRefused(excludedCa, [{ uri: 'urn:uuid:5f1c0f4e-0000-4000-8000-000000000000' }]);
  });

  it('guard: other hosts pass', async () => {
    expectOutcome(await check(excludedCa, [{ uri: 'https://www.good.example./' }]), 'PASSED');
    expectOutcome(await check(excludedCa, [{ uri: 'ldap://notbad.example/o=x' }]), 'PASSED');
  });
});

describe('excluded DNS subtrees hold however the name is written', () => {
  it('a dNSName with a NUL or another character no host name holds is taken as excluded', async () => {
    // A C-string reader stops at the NUL and sees www.bad.example.
    await expectRefused(excludedCa, [{ dns: 'www.bad.example\u0000.good.example' }]);
    await expectRefused(excludedCa, [{ dns: 'www.bad.example/.good.example' }]);
    await expectRefused(excludedCa, [{ dns: 'www.bad.example .good.example' }]);
  });

  it('guard: other names, a wildcard and a trailing dot read as before', async () => {
    expectOutcome(await check(excludedCa, [{ dns: '*.good.example' }]), 'PASSED');
    await expectRefused(excludedCa, [{ dns: '*.bad.example.' }]);
  });
});

describe('excluded rfc822Name subtrees hold however the mailbox is written', () => {
  it('a domain with a trailing dot is excluded', async () => {
    await expectRefused(excludedCa, [{ email: 'someone@bad.example.' }]);
  });

  it('an address that cannot be read (no @) is taken as excluded', async () => {
    await expectRefused(excludedCa, [{ email: 'someone.bad.example' }]);
  });

  it('guard: another domain passes', async () => {
    expectOutcome(await check(excludedCa, [{ email: 'someone@good.example' }]), 'PASSED');
  });
});

describe('SmtpUTF8Mailbox names are rfc822Name-constrained (RFC 8398 §6)', () => {
  it('a Thai mailbox in an excluded .ไทย domain is refused', async () => {
    await expectRefused(excludedCa, { smtpUtf8: `ผู้ใช้@${THAI_DOMAIN}` });
  });

  it('a Thai mailbox outside the permitted domains is refused', async () => {
    await expectRefused(permittedCa, { smtpUtf8: 'ผู้ใช้@evil.example' });
    await expectRefused(permittedCa, { smtpUtf8: 'no-at-sign' });
  });

  it('guard: a Thai mailbox inside a permitted domain (U-labels or A-labels) passes', async () => {
    expectOutcome(await check(permittedCa, { smtpUtf8: `ผู้ใช้@${THAI_DOMAIN}` }), 'PASSED');
    expectOutcome(await check(permittedCa, { smtpUtf8: 'ผู้ใช้@good.example' }), 'PASSED');
  });
});

describe('permitted subtrees, written as they may be (guards)', () => {
  it('a permitted host with a trailing dot, and a permitted mailbox domain in capitals, pass', async () => {
    expectOutcome(await check(permittedCa, [{ uri: 'https://www.good.example./' }]), 'PASSED');
    expectOutcome(await check(permittedCa, [{ email: 'someone@GOOD.example' }]), 'PASSED');
  });

  it('a host outside the permitted subtree is still refused', async () => {
    await expectRefused(permittedCa, [{ uri: 'https://good.example.evil.example/' }]);
    await expectRefused(permittedCa, [{ email: 'someone@good.example.evil.example' }]);
  });
});
