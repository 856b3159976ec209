/**
 * Path validation with revocation (root → CA → signer, two CRLs) against a same-run baseline: pkijs's own
 * CertificateChainValidationEngine on the same path, which checks less (no pathLen, EKU, algorithm policy or
 * revocation). Interleaved rounds; one JSON line with wall-clock and CPU time per operation, medians and spread.
 * Run after a build: node --import tsx bench/validate.bench.ts
 */
import { webcrypto } from 'node:crypto';
import { parseCrl, validateCertificatePath } from '@thgov/pki';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';
import * as pkijs from 'pkijs';
import { createHierarchy } from '../test/helpers/hierarchy.js';

pkijs.setEngine('bench', new pkijs.CryptoEngine({ name: 'bench', crypto: webcrypto as never }));

const h = await createHierarchy();
const crls = [parseCrl(await h.crl(h.ca)), parseCrl(await h.crl(h.root))];
const ours = async () => {
  const r = await validateCertificatePath(h.signer.cert, {
    trustAnchors: h.root.cert,
    intermediates: [h.ca.cert],
    revocation: { crls },
  });
  if (r.indication !== 'PASSED') throw new Error(`bench path did not validate: ${r.message}`);
};
const parse = (der: Uint8Array) => pkijs.Certificate.fromBER(Uint8Array.from(der).buffer);
const theirs = async () => {
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [parse(h.root.cert)],
    certs: [parse(h.ca.cert), parse(h.signer.cert)],
    checkDate: h.now,
  });
  const r = await engine.verify();
  if (!r.result) throw new Error('baseline path did not validate');
};
const OPS = sized(40, 5);
const repeat = (op: () => Promise<void>) => async () => {
  for (let i = 0; i < OPS; i++) await op();
};
emitBenchLine(
  await compareRounds({
    bench: 'pki-validate-path-with-crls-median',
    kind: 'time',
    unit: 'ms',
    baseline: 'pkijs-CertificateChainValidationEngine-no-revocation',
    opsPerRound: OPS,
    rounds: sized(5, 2),
    thgov: repeat(ours),
    baselineSide: repeat(theirs),
  }),
);
