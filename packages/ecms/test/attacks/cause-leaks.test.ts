import { loggableText } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { decodeGovernmentDocument, verifyLetterSignature } from '../../src/index.js';

/**
 * Cause leaks: the XML parsers' messages quote the document (xmldom: `Opening and ending tag mismatch: "b" !=
 * "สมชาย"`, `Unexpected content outside root element: '…'`; sax: `Unmatched closing tag: สมชาย`), and they
 * went into the error's message and stayed whole in its `cause`. Worse, an error thrown from xmldom's
 * `onError` comes back wrapped in xmldom's own ParseError, whose message quotes xmldom's: the caller got a
 * foreign error (no code) carrying the document. A letter's markup is the sender's content: names in it
 * must reach no log.
 */

const NAME = 'สมชาย';
const CID = '1-2345-67890-12-1';
const TOKEN = 'tk_9Qx7Lw2Vb8Nz4Rj6Hs1Pd3';
const SECRETS = [NAME, CID, '1234567890121', TOKEN];

const everything = loggableText;

async function failure(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

const HOSTILE = [
  `<GovernmentDocument><b x="${NAME} ${CID} ${TOKEN}"></${NAME}></GovernmentDocument>`,
  `<GovernmentDocument>t</GovernmentDocument><x a="${NAME} ${CID} ${TOKEN}">`,
  `<GovernmentDocument><b></b></${NAME}-${TOKEN}></GovernmentDocument>`,
];

describe('attack: the document reaching logs through an XML parser error', () => {
  it('verifyLetterSignature: xmldom quotes nothing of the document, and the error is ERR_ECMS_XML', async () => {
    for (const doc of HOSTILE) {
      const err = await failure(() => verifyLetterSignature(doc, { policy: 'require', trustAnchors: [] }));
      expect(err.code).toBe('ERR_ECMS_XML');
      const text = everything(err);
      for (const s of SECRETS) expect(text).not.toContain(s);
      expect(err.message).toMatch(/^Malformed XML: \S/);
    }
  });

  // The codec's own scan refuses unbalanced markup before sax reads it, and sax's other messages quote no
  // content: this stays so.
  it('decodeGovernmentDocument: the parser message quotes nothing of the document', async () => {
    for (const doc of HOSTILE) {
      const err = await failure(() => decodeGovernmentDocument(doc));
      expect(err.code).toBe('ERR_ECMS_XML');
      const text = everything(err);
      for (const s of SECRETS) expect(text).not.toContain(s);
    }
  });
});
