import { AbortError, invalidArgument, isThGovError } from '@thgov/core';
import { certDer, certFromDer, fromPkijs, summarizeCert } from '@thgov/pki/internal';
import { addCrl, addOcsp, type EvidencePool, emptyPool } from '../cms/evidence.js';
import { verifyCmsSignature } from '../cms/verify-cms.js';
import { TranscriptError } from '../errors.js';
import { PdfDocument, type Revision } from '../pdf/document.js';
import { decodeStream } from '../pdf/filters.js';
import { Budget } from '../pdf/limits.js';
import { dictOf, isName, PdfRef, PdfStream } from '../pdf/objects.js';
import { checkXml } from '../xml/check-xml.js';
import {
  ALLOWED_RELATIONSHIPS,
  isXmlAttachment,
  listEmbeddedFiles,
  readXmp,
  unchangedSince,
} from './attachment.js';
import { modificationsCheck } from './modifications.js';
import { type NormalizedOptions, normalizeOptions, type VerifyOptions } from './options.js';
import {
  aggregate,
  type CheckResult,
  check,
  failed,
  indeterminate,
  type SignatureReport,
  type SubIndication,
  type VerificationReport,
} from './report.js';
import { shadowCheck, shadowSignals } from './shadow.js';
import {
  checkByteRange,
  checkCoverage,
  checkSignatureDictionary,
  discoverSignatures,
  docMdpLevel,
  type FoundSignature,
} from './signatures.js';
import { documentTimeStampStep, type ProvenTimes, signatureTimeStep } from './time.js';
import {
  chainCheck,
  checkSignerPath,
  createTrustContext,
  revocationEvidence,
  type TrustContext,
} from './trust.js';

const MAX_SIGNATURES = 64;

/** Verifies every signature of any PDF (e-CMS letters, certificates…) under the generic policy by default. */
export async function verifyPdfSignatures(
  pdf: Uint8Array,
  options?: VerifyOptions,
): Promise<VerificationReport> {
  return run(pdf, normalizeOptions(options, 'pdf'), false);
}

/** Verifies a signed PDF/A-3 transcript: signatures, strict update policy, the attachment and its XML. */
export async function verifyTranscript(
  pdf: Uint8Array,
  options?: VerifyOptions,
): Promise<VerificationReport> {
  return run(pdf, normalizeOptions(options, 'transcript'), true);
}

function baseReport(o: NormalizedOptions, size: number): VerificationReport {
  return {
    indication: 'INDETERMINATE',
    policy: o.policy,
    validationTime: o.validationTime.toISOString(),
    fileSize: size,
    revisions: 0,
    anomalies: [],
    checks: [],
    signatures: [],
  };
}

function abortIfNeeded(o: NormalizedOptions): void {
  if (o.abortSignal?.aborted) throw new AbortError(o.abortSignal.reason);
}

async function run(pdf: Uint8Array, o: NormalizedOptions, transcript: boolean): Promise<VerificationReport> {
  if (!(pdf instanceof Uint8Array)) throw invalidArgument('pdf must be a Uint8Array');
  const report = baseReport(o, pdf.length);
  abortIfNeeded(o);
  try {
    await runChecks(pdf, o, transcript, report);
  } catch (err) {
    if (isThGovError(err, 'ERR_ABORTED')) throw err;
    // Anything unexpected while reading hostile bytes ends as a format failure, never as a pass.
    const code = isThGovError(err) ? err.code : 'ERR_PDF_FORMAT';
    const message = isThGovError(err)
      ? err.message
      : `The file could not be processed (${(err as Error)?.name ?? 'error'})`;
    report.errorCode = code;
    const id = report.checks.some((c) => c.id === 'input-guards') ? 'structure' : 'input-guards';
    const c =
      code === 'ERR_PDF_FORMAT'
        ? failed(id, 'FORMAT_FAILURE', message)
        : indeterminate(id, code === 'ERR_PDF_LIMIT' ? 'POLICY_PROCESSING_ERROR' : 'FORMAT_FAILURE', message);
    c.evidence = { errorCode: code };
    report.checks.push(c);
    const agg = aggregate(report.checks);
    report.indication = agg.indication;
    if (agg.subIndication) report.subIndication = agg.subIndication;
  }
  return report;
}

/** Step 2: the revisions read and the parser-differential anomalies (errors fail, the rest are warnings). */
function structureCheck(doc: PdfDocument, report: VerificationReport): CheckResult {
  report.revisions = doc.revisions.length;
  report.anomalies = doc.anomalies.map((a) => ({
    code: a.code,
    severity: a.severity,
    message: a.message,
    ...(a.revision !== undefined ? { revision: a.revision } : {}),
  }));
  const errors = doc.anomalies.filter((a) => a.severity === 'error');
  return errors.length
    ? failed(
        'structure',
        'FORMAT_FAILURE',
        `Parser-differential anomalies: ${errors.map((a) => a.code).join(', ')}`,
        {
          evidence: { anomalies: report.anomalies },
        },
      )
    : check('structure', 'PASSED', `${doc.revisions.length} revision(s) read`, {
        warnings: doc.anomalies.map((a) => `${a.code}: ${a.message}`),
        evidence: {
          revisions: doc.revisions.map((r) => ({ index: r.index, end: r.end, objects: r.own.size })),
        },
      });
}

async function runChecks(
  pdf: Uint8Array,
  o: NormalizedOptions,
  transcript: boolean,
  report: VerificationReport,
): Promise<void> {
  const strict = o.policy === 'transcript';
  const budget = new Budget(o.limits);
  // 1. Input guards.
  if (pdf.length > o.limits.maxBytes) {
    report.errorCode = 'ERR_PDF_LIMIT';
    report.checks.push(
      indeterminate(
        'input-guards',
        'POLICY_PROCESSING_ERROR',
        `File larger than ${o.limits.maxBytes} bytes`,
        { evidence: { errorCode: 'ERR_PDF_LIMIT' } },
      ),
    );
    finish(report);
    return;
  }
  const doc = new PdfDocument(pdf, o.limits, budget);
  const js = shadowSignals(doc, doc.last).javascript;
  report.checks.push(
    js && strict
      ? indeterminate(
          'input-guards',
          'SIG_CONSTRAINTS_FAILURE',
          'The document contains JavaScript (never executed; not allowed in a transcript)',
        )
      : check(
          'input-guards',
          'PASSED',
          'Size, object count and encryption within limits; nothing is ever executed',
          {
            warnings: js ? ['The document contains JavaScript (never executed)'] : [],
            evidence: { bytes: pdf.length },
          },
        ),
  );
  // 2. Structure.
  report.checks.push(structureCheck(doc, report));
  abortIfNeeded(o);
  // 3. Discovery.
  const discovery = discoverSignatures(doc);
  report.checks.push(discovery.check);
  const { sigs, signerDers } = await verifySignatures(doc, discovery.found, o, budget);
  // Keep the document order in the report.
  const order = new Map(discovery.found.map((f, i) => [f, i]));
  report.signatures = sigs.sort(
    (a, b) => (order.get(findBy(discovery.found, a)) ?? 0) - (order.get(findBy(discovery.found, b)) ?? 0),
  );
  // 13 + 14.
  if (transcript) await transcriptChecks(doc, o, report, signerDers, strict);
  finish(report);
}

/** Steps 4–12 for every signature, document time-stamps first: they prove when what they cover existed. */
async function verifySignatures(
  doc: PdfDocument,
  found: FoundSignature[],
  o: NormalizedOptions,
  budget: Budget,
): Promise<{ sigs: SignatureReport[]; signerDers: Map<SignatureReport, Uint8Array> }> {
  const strict = o.policy === 'transcript';
  const ordered = [
    ...found.filter((f) => f.kind === 'document-timestamp'),
    ...found.filter((f) => f.kind === 'signature'),
  ];
  if (ordered.length > MAX_SIGNATURES)
    throw new TranscriptError('ERR_PDF_LIMIT', `More than ${MAX_SIGNATURES} signatures`);
  // Shared evidence: /DSS of the final revision, plus whatever the caller supplied.
  const pool = emptyPool();
  const ctx = createTrustContext(o, pool, readDss(doc, pool), strict);
  const shared: Shared = {
    ctx,
    docTs: [],
    certMdp: certificationLevel(doc, found),
    strict,
    signerDers: new Map(),
  };
  const sigs: SignatureReport[] = [];
  try {
    for (const s of ordered) {
      abortIfNeeded(o);
      // Crypto work is asynchronous; the time budget is still enforced between signatures.
      budget.tick();
      sigs.push(await verifyOne(doc, s, shared));
    }
  } finally {
    await ctx.fetcher?.close();
  }
  return { sigs, signerDers: shared.signerDers };
}

function findBy(found: FoundSignature[], r: SignatureReport): FoundSignature {
  return found.find((f) => f.fieldName === r.fieldName) ?? found[0]!;
}

function finish(report: VerificationReport): void {
  const realSigs = report.signatures.filter((s) => s.kind === 'signature');
  const docAgg = aggregate(report.checks);
  let indication: VerificationReport['indication'];
  let sub: SubIndication | undefined;
  if (docAgg.indication === 'TOTAL_FAILED') {
    indication = 'TOTAL_FAILED';
    sub = docAgg.subIndication;
  } else if (realSigs.length === 0 && report.checks.some((c) => c.id === 'signature-discovery')) {
    indication = 'NO_SIGNATURE_FOUND';
  } else {
    const failedSig = report.signatures.find((s) => s.indication === 'TOTAL_FAILED');
    const indSig = report.signatures.find((s) => s.indication === 'INDETERMINATE');
    if (failedSig) {
      indication = 'TOTAL_FAILED';
      sub = failedSig.subIndication;
    } else if (indSig) {
      indication = 'INDETERMINATE';
      sub = indSig.subIndication;
    } else if (docAgg.indication === 'INDETERMINATE') {
      indication = 'INDETERMINATE';
      sub = docAgg.subIndication;
    } else indication = realSigs.length ? 'TOTAL_PASSED' : 'INDETERMINATE';
  }
  report.indication = indication;
  if (sub) report.subIndication = sub;
  else delete report.subIndication;
  report.checks.push(
    check('aggregation', 'PASSED', `Overall ${indication}${sub ? ` / ${sub}` : ''}`, {
      evidence: {
        signatures: report.signatures.map((s) => ({
          field: s.fieldName,
          indication: s.indication,
          subIndication: s.subIndication,
        })),
      },
    }),
  );
}

function readDss(doc: PdfDocument, pool: EvidencePool): Uint8Array[] {
  const rev = doc.last;
  const dss = dictOf(doc.resolve(doc.catalog(rev)?.get('DSS'), rev));
  const certs: Uint8Array[] = [];
  if (!dss) return certs;
  const streams = (key: string): Uint8Array[] => {
    const arr = doc.resolve(dss.get(key), rev);
    if (!Array.isArray(arr)) return [];
    const out: Uint8Array[] = [];
    for (const x of arr.slice(0, 1000)) {
      const st = doc.resolve(x, rev);
      if (st instanceof PdfStream) {
        try {
          out.push(decodeStream(st, doc.budget));
        } catch (err) {
          if ((err as { code?: string }).code === 'ERR_PDF_LIMIT') throw err;
        }
      }
    }
    return out;
  };
  for (const c of streams('Certs')) {
    try {
      certs.push(certFromDer(c).der);
    } catch {
      // skip unreadable certificate
    }
  }
  for (const c of streams('CRLs')) addCrl(pool, c, 'dss');
  for (const c of streams('OCSPs')) addOcsp(pool, c, 'dss');
  return certs;
}

function certificationLevel(doc: PdfDocument, found: FoundSignature[]): 1 | 2 | 3 | undefined {
  const perms = dictOf(doc.resolve(doc.catalog(doc.last)?.get('Perms'), doc.last));
  const ref = perms?.get('DocMDP');
  const s = found.find((f) => ref instanceof PdfRef && f.sigRef?.num === ref.num);
  return s ? docMdpLevel(doc, s) : undefined;
}

interface Shared {
  ctx: TrustContext;
  docTs: ProvenTimes;
  certMdp: 1 | 2 | 3 | undefined;
  strict: boolean;
  signerDers: Map<SignatureReport, Uint8Array>;
}

/** Steps 7–10 of a (non-time-stamp) signature: CMS, signer, proven time, then the signer's path at that time. */
async function signerSteps(
  rep: SignatureReport,
  contents: Uint8Array,
  parts: Uint8Array[],
  subFilter: string,
  revision: number,
  sh: Shared,
): Promise<boolean> {
  // 7 + 8.
  const cms = await verifyCmsSignature(contents, parts, {
    cades: subFilter === 'ETSI.CAdES.detached',
    pool: sh.ctx.pool,
  });
  rep.checks.push(...cms.checks);
  if (cms.digestAlgorithm) rep.digestAlgorithm = cms.digestAlgorithm;
  if (cms.claimedTime) rep.signingTime.claimedCms = cms.claimedTime.toISOString();
  if (!cms.signerCert || cms.checks.some((x) => x.status !== 'PASSED')) return false;
  const signer = cms.signerCert;
  rep.signer = summarizeCert(fromPkijs(signer));
  sh.signerDers.set(rep, certDer(signer));
  // 9.
  const time = await signatureTimeStep(sh.ctx, rep, cms, revision, sh.docTs);
  if (!time) return false;
  // 10. Only a proven time counts; otherwise the validation time (claims never do).
  const path = await checkSignerPath(
    sh.ctx,
    certDer(signer),
    cms.certs.map((c) => certDer(c)),
    time.proven ?? sh.ctx.options.validationTime,
    time.proven !== undefined,
  );
  rep.chain = path.path;
  rep.revocation = revocationEvidence(path);
  const chain = chainCheck(path);
  rep.checks.push(chain);
  return chain.status === 'PASSED';
}

async function verifyOne(doc: PdfDocument, s: FoundSignature, sh: Shared): Promise<SignatureReport> {
  const rep: SignatureReport = {
    fieldName: s.fieldName,
    kind: s.kind,
    indication: 'INDETERMINATE',
    coverage: 'UNCLEAR',
    modification: 'NONE',
    chain: [],
    signingTime: { proof: 'none' },
    revocation: [],
    checks: [],
  };
  const m = s.sig.get('M');
  if (m && typeof m === 'object' && 'text' in m)
    rep.signingTime.claimedPdf = (m as { text(): string }).text();
  const done = () => {
    const agg = aggregate(rep.checks);
    rep.indication = agg.indication;
    if (agg.subIndication) rep.subIndication = agg.subIndication;
    return rep;
  };
  // 4.
  const dictCheck = checkSignatureDictionary(doc, s);
  rep.checks.push(dictCheck.result);
  const g = dictCheck.geometry;
  const f = s.sig.get('Filter');
  const sf = s.sig.get('SubFilter');
  if (isName(f)) rep.filter = f.name;
  if (isName(sf)) rep.subFilter = sf.name;
  if (!g) return done();
  rep.byteRange = [...g.byteRange];
  // 5.
  const br = checkByteRange(doc, g);
  rep.checks.push(br);
  if (br.status !== 'PASSED') return done();
  // 6.
  const cov = checkCoverage(doc, s, g);
  rep.checks.push(cov.result);
  rep.coverage = cov.coverage;
  if (!cov.revision || cov.result.status !== 'PASSED') return done();
  const signedRev = cov.revision;
  rep.revision = signedRev.index;
  const [, b, c, d] = g.byteRange;
  const parts = [doc.bytes.subarray(0, b), doc.bytes.subarray(c, c + d)];
  const contents = g.contents.bytes;
  if (s.kind === 'document-timestamp') {
    // 7–10 for a document time-stamp: the token is the signature.
    if (!(await documentTimeStampStep(sh.ctx, rep, contents, parts, signedRev.index, sh.docTs)))
      return done();
  } else if (!(await signerSteps(rep, contents, parts, g.subFilter, signedRev.index, sh))) return done();
  // 11.
  const mods = modificationsCheck(doc, signedRev, sh.strict ? 'transcript' : sh.certMdp);
  rep.modification = mods.level;
  const docMdp = docMdpLevel(doc, s);
  if (docMdp) rep.docMdp = docMdp;
  rep.checks.push(mods.result);
  // 12.
  rep.checks.push(shadowCheck(doc, signedRev, sh.strict));
  return done();
}

async function transcriptChecks(
  doc: PdfDocument,
  o: NormalizedOptions,
  report: VerificationReport,
  signerDers: Map<SignatureReport, Uint8Array>,
  strict: boolean,
): Promise<void> {
  const covered = report.signatures
    .filter((s) => s.kind === 'signature' && s.revision !== undefined)
    .map((s) => s.revision!)
    .sort((a, b) => a - b);
  const signedRev: Revision | undefined = covered.length ? doc.revisions[covered[0]!] : undefined;
  const files = listEmbeddedFiles(doc, doc.last);
  const xmlFiles = files.filter(isXmlAttachment);
  if (xmlFiles.length === 0) {
    report.checks.push(
      indeterminate('pdfa-attachment', 'SIGNED_DATA_NOT_FOUND', 'No XML attachment in /EmbeddedFiles', {
        evidence: { errorCode: 'ERR_TRANSCRIPT_NO_ATTACHMENT', attachments: files.length },
      }),
    );
    report.checks.push(check('xml', 'NOT_APPLICABLE', 'No XML to check'));
    return;
  }
  const pick = xmlFiles.find((x) => x.inAf) ?? xmlFiles[0]!;
  report.attachment = {
    fileName: pick.fileName,
    size: pick.bytes.length,
    ...(pick.relationship ? { relationship: pick.relationship } : {}),
    ...(pick.mimeType ? { mimeType: pick.mimeType } : {}),
  };
  const problems: { sub: SubIndication; fail: boolean; msg: string }[] = [];
  const warnings: string[] = [];
  if (xmlFiles.length > 1)
    problems.push({
      sub: 'SIG_CONSTRAINTS_FAILURE',
      fail: false,
      msg: `${xmlFiles.length} XML attachments: ambiguous transcript`,
    });
  if (!pick.relationship || !ALLOWED_RELATIONSHIPS.has(pick.relationship))
    problems.push({
      sub: 'SIG_CONSTRAINTS_FAILURE',
      fail: false,
      msg: `AFRelationship /${pick.relationship ?? '(none)'} is not allowed`,
    });
  else if (pick.relationship !== 'Alternative')
    warnings.push(`AFRelationship is /${pick.relationship}, ETDA uses /Alternative`);
  if (!pick.inAf)
    problems.push({
      sub: 'SIG_CONSTRAINTS_FAILURE',
      fail: false,
      msg: 'The file specification is not in the catalog /AF array',
    });
  const names = [pick.treeName, pick.ufName, pick.fSpecName].filter((x): x is string => x !== undefined);
  if (new Set(names).size > 1)
    problems.push({
      sub: 'SIG_CONSTRAINTS_FAILURE',
      fail: false,
      msg: 'Attachment names disagree (name tree, /UF, /F)',
    });
  if (pick.declaredSize !== undefined && pick.declaredSize !== pick.bytes.length) {
    problems.push({
      sub: 'FORMAT_FAILURE',
      fail: true,
      msg: `Declared size ${pick.declaredSize} differs from the actual ${pick.bytes.length}`,
    });
  }
  if (!signedRev)
    problems.push({
      sub: 'SIGNED_DATA_NOT_FOUND',
      fail: false,
      msg: 'No valid signature covers the attachment',
    });
  else {
    for (const num of [pick.fileSpecNum, pick.streamNum]) {
      if (!unchangedSince(doc, num, signedRev)) {
        problems.push({
          sub: 'FORMAT_FAILURE',
          fail: true,
          msg: 'The attachment was not defined in the signed revision or was changed later',
        });
        break;
      }
    }
  }
  const xmp = readXmp(doc, doc.last);
  if (xmp?.pdfaPart !== 3)
    problems.push({
      sub: 'SIG_CONSTRAINTS_FAILURE',
      fail: false,
      msg: `XMP pdfaid:part is ${xmp?.pdfaPart ?? 'missing'}, expected 3`,
    });
  if (xmp?.documentFileName && xmp.documentFileName !== pick.fileName)
    warnings.push('XMP ed:DocumentFileName differs from the attachment name');
  const evidence = {
    fileName: pick.fileName,
    relationship: pick.relationship,
    mimeType: pick.mimeType,
    size: pick.bytes.length,
    inAf: pick.inAf,
    xmp,
  };
  const hard = problems.find((p) => p.fail);
  const soft = problems[0];
  if (hard)
    report.checks.push(
      failed('pdfa-attachment', hard.sub, hard.msg, { evidence, warnings: problems.map((p) => p.msg) }),
    );
  else if (soft && (strict || soft.sub === 'SIGNED_DATA_NOT_FOUND'))
    report.checks.push(
      indeterminate('pdfa-attachment', soft.sub, soft.msg, {
        evidence,
        warnings: problems.map((p) => p.msg),
      }),
    );
  else
    report.checks.push(
      check('pdfa-attachment', 'PASSED', 'PDF/A-3 with the transcript XML attached in the signed revision', {
        evidence,
        warnings: [...warnings, ...problems.map((p) => p.msg)],
      }),
    );
  const first = report.signatures.find((x) => x.kind === 'signature' && signerDers.has(x));
  const pdfSignerDer = first ? signerDers.get(first) : undefined;
  report.checks.push(
    await checkXml(pick.bytes, {
      maxBytes: o.maxXmlBytes,
      maxDepth: o.maxXmlDepth,
      validator: o.xmlValidator,
      schema: o.xmlSchema,
      pdfSigner: pdfSignerDer,
      strict,
    }),
  );
}
