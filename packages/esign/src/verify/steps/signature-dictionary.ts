import { isName, PdfString, repeatedKeys } from '../../pdf/objects.js';
import type { SignatureStep } from '../context.js';
import { type CheckResult, check, failed, indeterminate } from '../report.js';

/** Adobe's handlers; any other /Filter name (Entrust.PPKEF, CICI.SignIt, VeriSign.PPKVS …) is only a preference. */
const ADOBE_FILTERS = new Set(['Adobe.PPKLite', 'Adobe.PPKMS']);
const SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);
const WEAK_SUBFILTERS = new Set(['adbe.pkcs7.sha1', 'adbe.x509.rsa_sha1']);

/**
 * Step 4: the dictionary's shape — no repeated key, a /Filter name (the signer's preferred handler: ISO 32000-1
 * §12.8.1 lets any handler that reads the /SubFilter verify), an allowed SubFilter (no SHA-1 ones), a direct four-integer
 * `/ByteRange`, a direct non-empty hex `/Contents`, and not inside an object stream (its bytes must be signed).
 */
export const signatureDictionary: SignatureStep = (state, ctx) => {
  const { found, report } = state;
  const filter = found.sig.get('Filter');
  const sub = found.sig.get('SubFilter');
  const filterName = isName(filter) ? filter.name : '';
  const subName = isName(sub) ? sub.name : '';
  if (filterName) report.filter = filterName;
  if (subName) report.subFilter = subName;
  const evidence = { filter: filterName, subFilter: subName };
  const fail = (message: string): boolean => {
    report.checks.push(failed('signature-dictionary', 'FORMAT_FAILURE', message, { evidence }));
    return false;
  };
  // Readers disagree on a repeated key (the first or the last /ByteRange, /Contents …): never guess which was signed.
  const repeated = [...new Set(repeatedKeys(found.sig))];
  if (repeated.length)
    return fail(`The signature dictionary repeats ${repeated.map((k) => `/${k}`).join(', ')}`);
  if (!filterName) return fail('/Filter is missing or not a name');
  if (WEAK_SUBFILTERS.has(subName)) {
    const message = `SubFilter /${subName} relies on SHA-1`;
    const weak: CheckResult = indeterminate('signature-dictionary', 'CRYPTO_CONSTRAINTS_FAILURE', message, {
      evidence,
    });
    report.checks.push(weak);
    return false;
  }
  const okSub = found.kind === 'document-timestamp' ? subName === 'ETSI.RFC3161' : SUBFILTERS.has(subName);
  if (!okSub) return fail(`SubFilter /${subName || '?'} is not allowed`);
  if (ctx.doc.entry(found.containerNum, ctx.doc.last)?.kind !== 'offset')
    return fail('The signature dictionary is inside an object stream');
  const br = found.sig.get('ByteRange');
  if (
    !Array.isArray(br) ||
    br.length !== 4 ||
    !br.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)
  )
    return fail('/ByteRange is not a direct array of four non-negative integers');
  const contents = found.sig.get('Contents');
  if (!(contents instanceof PdfString) || !contents.hex) return fail('/Contents is not a direct hex string');
  if (contents.bytes.length === 0 || contents.bytes.every((b) => b === 0)) return fail('/Contents is empty');
  report.checks.push(
    check('signature-dictionary', 'PASSED', 'Filter, SubFilter, /ByteRange and /Contents are well-formed', {
      evidence,
      warnings: ADOBE_FILTERS.has(filterName)
        ? []
        : [`/Filter /${filterName} names another signature handler; verified by its /SubFilter`],
    }),
  );
  state.geometry = {
    byteRange: br as [number, number, number, number],
    contents,
    subFilter: subName,
    filter: filterName,
  };
  report.byteRange = [...state.geometry.byteRange];
  return true;
};
