// Attack class: a signature whose failure costs the square of its size. xml-crypto reports a wrong signature as
// "the signature value <the letter's SignatureValue text> is incorrect", and the verifier classified it with
// `/signature value .* is incorrect/`: a SignatureValue of "signature value " repeated and then a line separator
// (U+2028, kept in XML text) made that expression rescan the rest of the line from each repeat. Half a megabyte
// in an inbound letter (any sender) held the inbox worker for minutes in synchronous code. The case runs in its
// own process with a time limit, so a hang fails the test instead of blocking the run.
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

/** The failure of verifying a signed letter whose SignatureValue `expression` builds, in a fresh process. */
function verifyWithSignatureValue(expression: string): string | undefined {
  const script = `
    const { encodeGovernmentDocument, signGovernmentDocument, verifyLetterSignature } = await import('./src/index.ts');
    const { standardChain } = await import('./test/helpers/certs.ts');
    const { sampleLetter } = await import('./test/helpers/letters.ts');
    const chain = standardChain();
    const doc = signGovernmentDocument(encodeGovernmentDocument(sampleLetter(), { withSignatureBlock: true }), {
      privateKey: chain.signer.key.privatePem,
      certificate: chain.signer.pem + chain.ca.pem,
    });
    const value = ${expression};
    const text = doc.toString('utf8').replace(/<ds:SignatureValue>[^<]*/, () => '<ds:SignatureValue>' + value);
    try {
      await verifyLetterSignature(Buffer.from(text), { policy: 'require', trustAnchors: [chain.root.pem] });
      console.log(JSON.stringify('no error'));
    } catch (e) {
      console.log(JSON.stringify(e.code + ':' + e.reason));
    }
  `;
  return runScriptInChild(script, { cwd: packageDir }) as string | undefined;
}

describe('a SignatureValue built to make the failure message expensive', () => {
  it('"signature value " repeated, then a line separator: verification ends', () => {
    const reason = verifyWithSignatureValue(`'signature value '.repeat(60_000) + '\\u2028'`);
    expect(reason, 'verification did not end within 30 s').toBeDefined();
    expect(reason).toMatch(/^ERR_ECMS_SIGNATURE:/);
  });

  it('an altered value on one line is still "signature-invalid"', () => {
    expect(verifyWithSignatureValue(`'signature value AAAA'`)).toBe('ERR_ECMS_SIGNATURE:signature-invalid');
  });
});
