// biome-ignore-all lint/suspicious/noControlCharactersInRegex: control characters are what these tests are about
/**
 * Attack class: terminal injection. Text that comes from outside — a signer name in an untrusted PDF, a file
 * name, a server's error body or issuer, a certificate name — carries carriage returns, escape sequences, C1
 * controls or bidi overrides that, printed as-is, erase the real row and paint a fake one ("TOTAL_PASSED") while
 * the exit status stays right. Every text output is checked through a small terminal model: what a person sees.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import {
  type CryptoKey,
  createCertificate,
  createCrl,
  generateSigningKeyPair,
  issueTranscript,
  toPem,
} from '@thgov/transcript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, thgov } from '../doctor-helpers.js';
import { cli } from '../helpers.js';

const xmllint = requireTool('xmllint', { why: 'a second opinion that the JUnit file is well-formed XML' });

const DAY = 86_400_000;
/** Return to the line start, erase it, write a fake verdict; then the same through C1 CSI and a bidi override. */
const EVIL = 'Mallory\r\x1b[2KAll files   TOTAL_PASSED\u009b1A\u202eDESSAP\u202c\x07';
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * What a terminal shows for `text`: CR returns to the line start, LF starts a new line, ESC[nA / CSI nA move up,
 * ESC[2K / ESC[K erase the line, other sequences and controls show nothing. Enough to see a forged row.
 */
function terminalView(text: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const csi = ch === '\u009b' ? 1 : ch === '\x1b' && text[i + 1] === '[' ? 2 : 0;
    if (csi) {
      const m = /^(\d*)([A-Za-z])/.exec(text.slice(i + csi));
      if (m) {
        const n = Number(m[1] || 1);
        if (m[2] === 'A') row = Math.max(0, row - n);
        if (m[2] === 'K') lines[row] = (lines[row] ?? []).slice(0, m[1] === '2' ? 0 : col);
        if (m[2] === 'K' && m[1] === '2') col = 0;
        i += csi + m[0].length - 1;
        continue;
      }
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      lines[row] ??= [];
    } else if (ch >= ' ' && !(ch >= '\u007f' && ch <= '\u009f')) {
      lines[row] ??= [];
      (lines[row] as string[])[col++] = ch;
    }
  }
  return lines.map((l) => Array.from(l, (c) => c ?? ' ').join(''));
}

const dir = tempDir();
let trustedRoot = '';
let evilPdf = '';

beforeAll(async () => {
  const now = Date.now();
  const mk = async (cn: string, ca: boolean, issuer?: { cert: Uint8Array; key: CryptoKey }) => {
    const kp = await generateSigningKeyPair();
    const cert = await createCertificate({
      subject: { commonName: cn, country: 'TH' },
      publicKey: kp.publicKey,
      signingKey: issuer?.key ?? kp.privateKey,
      ...(issuer ? { issuer: { certificate: issuer.cert } } : {}),
      serialNumber: ca ? 1 : 2,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 30 * DAY),
      ...(ca
        ? { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] as const }
        : { keyUsage: ['digitalSignature'] as const }),
    });
    return { cert, key: kp.privateKey };
  };
  const university = await mk('Real University Root', true);
  trustedRoot = join(dir, 'root.pem');
  writeFileSync(trustedRoot, toPem(university.cert));
  // The attacker's own chain: not trusted, so the honest verdict is INDETERMINATE.
  const attackerRoot = await mk('Attacker Root', true);
  const signer = await mk(EVIL, false, attackerRoot);
  const crl = await createCrl({
    issuerCertificate: attackerRoot.cert,
    signingKey: attackerRoot.key,
    thisUpdate: new Date(now - 1000),
    nextUpdate: new Date(now + DAY),
  });
  evilPdf = join(dir, 'transcript.pdf');
  writeFileSync(
    evilPdf,
    await issueTranscript({
      xml: '<t/>',
      signer: { key: signer.key, chain: [signer.cert, attackerRoot.cert] },
      revocation: { crls: [crl] },
    }),
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** No raw control reaches the terminal, and no line a person sees starts as the forged row. */
function expectNoForgery(text: string): void {
  expect(text).not.toMatch(RAW_CONTROLS);
  expect(terminalView(text).filter((l) => l.startsWith('All files'))).toEqual([]);
}

describe('thgov transcript verify', () => {
  it('a signer name from an untrusted PDF cannot erase its INDETERMINATE row or paint a TOTAL_PASSED one', async () => {
    const r = await thgov(['transcript', 'verify', '--trust', trustedRoot, evilPdf]);
    expect(r.code).toBe(1);
    expectNoForgery(r.stdout);
    const view = terminalView(r.stdout);
    const row = view.find((l) => l.startsWith(evilPdf));
    expect(row).toMatch(/INDETERMINATE/);
    expect(row).toContain('Mallory\\u000d\\u001b[2KAll files   TOTAL_PASSED\\u009b1A');
    expect(view.at(-2)).toBe('0 TOTAL_PASSED, 0 TOTAL_FAILED, 1 INDETERMINATE');
  });

  it('--json and --junit keep the name exactly (escaped as JSON and XML are), with no raw control on stdout', async () => {
    const junit = join(dir, 'verify.xml');
    const r = await cli([
      'transcript',
      'verify',
      '--json',
      '--junit',
      junit,
      '--trust',
      trustedRoot,
      evilPdf,
    ]);
    expect(r.stdout).not.toMatch(RAW_CONTROLS);
    const [report] = JSON.parse(r.stdout) as { signatures: { signer?: { subject: string } }[] }[];
    expect(report?.signatures[0]?.signer?.subject).toContain(EVIL.replace(/\x07$/, ''));
    const xml = readFileSync(junit, 'utf8');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  xmllint.it('that JUnit file is well-formed XML: xmllint --noout', () => {
    execFileSync('xmllint', ['--noout', join(dir, 'verify.xml')], { stdio: 'pipe' });
  });

  it('file names are escaped too (a folder holding a file named with controls)', async () => {
    const folder = join(dir, 'inbox');
    mkdirSync(folder, { recursive: true });
    const name = 'x\r\x1b[2KAll files   TOTAL_PASSED\u202e.pdf';
    writeFileSync(join(folder, name), readFileSync(evilPdf));
    const r = await cli(['transcript', 'verify', '--trust', trustedRoot, folder]);
    expect(r.code).toBe(1);
    expectNoForgery(r.stdout);
    expect(r.stdout).toContain('x\\u000d\\u001b[2KAll files   TOTAL_PASSED\\u202e.pdf');
  });
});

describe('thgov audit verify', () => {
  it('a log file named with controls cannot forge a "chain intact" line', async () => {
    const file = join(dir, 'audit\r\x1b[2K\u2713 other.jsonl: 9 records, chain intact\u009b.jsonl');
    writeFileSync(file, '{"seq":1,"broken":"\x1b[2K"}\n');
    const r = await cli(['audit', 'verify', file]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROLS);
    expect(terminalView(r.stdout).some((l) => l.startsWith('\u2713 other.jsonl'))).toBe(false);
  });
});

describe('thgov doctor, text output', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    // A GDX-like gateway that refuses the credentials with a body built to overwrite the report.
    server = createServer((_req, res) => {
      res
        .writeHead(401, { 'content-type': 'text/plain' })
        .end(`Unauthorized\r\x1b[1A\x1b[2K  \u2713 GDX: token validate for the AgentID (3 ms)\u009b2K\u202e`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('an error body and a certificate name from outside are printed escaped', async () => {
    const anchor = join(dir, 'anchor.pem');
    const kp = await generateSigningKeyPair();
    const der = await createCertificate({
      subject: { commonName: `CA\u009b2K\u202eTOTAL_PASSED`, country: 'TH' },
      publicKey: kp.publicKey,
      signingKey: kp.privateKey,
      serialNumber: 9,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 400 * DAY),
      ca: true,
      keyUsage: ['keyCertSign'],
    });
    writeFileSync(anchor, toPem(der));
    const config = join(dir, 'doctor.json');
    writeFileSync(
      config,
      JSON.stringify({
        exchange: {
          baseUrl: url,
          consumerKey: 'key-123456',
          consumerSecret: 'secret-123456',
          agentId: 'sys',
        },
        transcript: { trustAnchors: [anchor] },
        doctor: { checkTimeoutInMs: 5000 },
      }),
    );
    const junit = join(dir, 'doctor.xml');
    const r = await thgov(['doctor', '--config', config, '--junit', junit]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROLS);
    const view = terminalView(r.stdout);
    expect(view.filter((l) => /^ {2}✓ GDX: token validate/.test(l))).toEqual([]);
    expect(view.filter((l) => /^ {2}✗ GDX: token validate/.test(l))).toHaveLength(1);
    expect(r.stdout).toContain('\\u001b[1A\\u001b[2K');
    expect(r.stdout).toContain('CA\\u009b2K\\u202eTOTAL_PASSED');
    const json = await thgov(['doctor', '--config', config, '--json', '--only', 'exchange']);
    expect(json.stdout).not.toMatch(RAW_CONTROLS);
    const validate = (JSON.parse(json.stdout) as { checks: { id: string; message: string }[] }).checks.find(
      (c) => c.id === 'exchange.validate',
    );
    expect(validate?.message).toContain('\r\x1b[1A\x1b[2K');
    expect(readFileSync(junit, 'utf8')).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});
