/**
 * Attack class: inputs that are not files, given to the commands other than verify. `thgov pdf sign|extend`,
 * `catalog validate|publish`, `sandbox --config-out`, `doctor` (its trust anchors and TLS files) read what the
 * command line or the configuration names; a FIFO without a writer blocked them forever and /dev/zero grew
 * memory until Node gave up at 2 GiB. A document must be a regular file within its kind's limit. A secret
 * (`--pin-file`, `--passphrase-file`) and the configuration file may still come through a pipe
 * (`--pin-file <(pass show x)`, `--config /dev/stdin`), read up to a small limit: /dev/zero ends as too large.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificate, createPkcs12, generateSigningKeyPair } from '@thgov/pki/testing';
import { buildSimplePdf } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRun, type Run, thgov } from '../doctor-helpers.js';
import { makeFixtures } from '../helpers.js';

const posix = process.platform !== 'win32';
const BIN = join(import.meta.dirname, '..', '..', 'src', 'bin.ts');
/** A safety net for a hang, not a timing assertion: a hung child is killed and its exit code (-1) fails the test. */
const KILL_AFTER = 45_000;
const LONG = 120_000;
const PASSPHRASE = 'fifo-Passphrase-2291';
const PIN = 'fifo-Pin-66120';

const fx = await makeFixtures(1);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));
const at = (name: string) => join(fx.dir, name);

/** The FIFO nobody writes to. */
const fifo = at('pipe.in');
let fifoCount = 0;
/** A new FIFO (for a test that writes into it). */
function newFifo(): string {
  const path = at(`feed-${++fifoCount}.fifo`);
  execFileSync('mkfifo', [path]);
  return path;
}

/**
 * A writer for `path`: a shell that opens the FIFO (waiting for the reader, as `pass show x > fifo` does) and
 * writes `data`. `done` is its exit code, or -1 once `stop()` killed it because nobody read.
 */
function feed(path: string, data: string): { done: Promise<number>; stop: () => void } {
  const child: ChildProcess = spawn('sh', ['-c', 'printf "%s" "$DATA" > "$1"', 'sh', path], {
    stdio: 'ignore',
    env: { ...process.env, DATA: data },
  });
  const done = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER);
  void done.then(() => clearTimeout(timer));
  return { done, stop: () => child.kill('SIGKILL') };
}

/** Runs `thgov` while `writer` feeds the FIFO; the writer is killed if the command never read it. */
async function withWriter(writer: ReturnType<typeof feed>, run: Promise<Run>): Promise<[Run, number]> {
  try {
    const r = await run;
    const timeout = new Promise<number>((r) => setTimeout(() => r(-2), 5_000));
    return [r, await Promise.race([writer.done, timeout])];
  } finally {
    writer.stop();
  }
}

/** `thgov … ` under bash, with `--passphrase-file <(printf …)` appended: process substitution, a /dev/fd/N pipe. */
function thgovWithSubstitution(args: string[], secret: string): Promise<Run> {
  const script = 'exec "$NODE" --import tsx "$BIN" "$@" --passphrase-file <(printf "%s\\n" "$SECRET")';
  const child = spawn('bash', ['-c', script, 'bash', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE: process.execPath, BIN, SECRET: secret },
  });
  return collectRun(child, KILL_AFTER);
}

/** A sparse file of `bytes` bytes: nothing of it is on disk. */
function sparse(name: string, bytes: number): string {
  const path = at(name);
  closeSync(openSync(path, 'w'));
  truncateSync(path, bytes);
  return path;
}

const json = (name: string, value: unknown) => {
  writeFileSync(at(name), JSON.stringify(value));
  return at(name);
};

let p12: string;
let letter: string;
let metadata: string;

beforeAll(async () => {
  if (posix) execFileSync('mkfifo', [fifo]);
  const kp = await generateSigningKeyPair();
  const cert = await createCertificate({
    subject: { commonName: 'FIFO Signer', country: 'TH' },
    publicKey: kp.publicKey,
    signingKey: kp.privateKey,
    serialNumber: 7,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  });
  p12 = at('signer.p12');
  writeFileSync(p12, await createPkcs12(kp.privateKey, [cert], PASSPHRASE));
  letter = at('letter.pdf');
  writeFileSync(letter, buildSimplePdf('Letter 9/2569', ['FIFO test']));
  metadata = json('dataset.json', { name: 'fifo-test', title: 'FIFO test' });
}, 60_000);

/** Each command with a document input at `X`: the arguments, and what stderr says when `X` is refused. */
const documents: Array<[string, (x: string) => string[], (x: string) => string]> = [
  [
    'pdf sign IN',
    (x) => ['pdf', 'sign', x, at('out.pdf'), '--skip-chain-check', '--pkcs12', at('none.p12')],
    (x) => `cannot read the PDF ${x}: `,
  ],
  ['pdf extend IN', (x) => ['pdf', 'extend', x, at('out.pdf'), '--level', 'B-LT'], (x) => `the PDF ${x}: `],
  [
    'pdf sign --trust',
    (x) => ['pdf', 'sign', letter, at('out.pdf'), '--trust', x, '--pkcs12', at('none.p12')],
    (x) => `cannot read --trust file ${x}: `,
  ],
  ['catalog validate', (x) => ['catalog', 'validate', x], (x) => `cannot read ${x} as JSON: `],
  ['catalog publish', (x) => ['catalog', 'publish', x], (x) => `cannot read ${x} as JSON: `],
  [
    'catalog publish --resource',
    (x) => ['catalog', 'publish', metadata, '--resource', x],
    (x) => `cannot read ${x}: `,
  ],
  ['sandbox --config-out', (x) => ['sandbox', '--config-out', x], (x) => `${x} exists and is `],
];

describe.skipIf(!posix)('documents: a FIFO or a device is refused, and the command ends', () => {
  it.each(documents)(
    '%s: a FIFO without a writer and /dev/zero are usage errors (exit 2), nothing read',
    async (_name, args, says) => {
      for (const [special, kind] of [
        [fifo, 'FIFO'],
        ['/dev/zero', 'character device'],
      ] as const) {
        const r = await thgov(args(special), { THGOV_PKCS12_PASSPHRASE: PASSPHRASE }, KILL_AFTER);
        expect(r.code, `${special}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain('ERR_INVALID_ARG');
        expect(r.stderr).toContain(`${says(special)}`);
        expect(r.stderr).toContain(`not a regular file (${kind})`);
      }
    },
    LONG,
  );

  it(
    'a PDF to sign over the 50 MiB limit, and catalog metadata over 4 MiB, are refused by their size',
    async () => {
      const pdf = sparse('huge-in.pdf', 50 * 1024 * 1024 + 1);
      const sign = await thgov(documents[0]![1](pdf), {}, KILL_AFTER);
      expect(sign.code, sign.stderr).toBe(2);
      expect(sign.stderr).toContain(`cannot read the PDF ${pdf}: larger than 52428800 bytes`);
      const meta = sparse('huge.json', 4 * 1024 * 1024 + 1);
      const validate = await thgov(['catalog', 'validate', meta], {}, KILL_AFTER);
      expect(validate.code, validate.stderr).toBe(2);
      expect(validate.stderr).toContain(`cannot read ${meta} as JSON: larger than 4194304 bytes`);
    },
    LONG,
  );

  it(
    'doctor: a trust anchor or a TLS file the configuration names that is a FIFO or /dev/zero fails its check',
    async () => {
      for (const [special, kind] of [
        [fifo, 'FIFO'],
        ['/dev/zero', 'character device'],
      ] as const) {
        const config = json('doctor.json', {
          transcript: { trustAnchors: [special] },
          ecms: {
            nodeUrl: 'https://127.0.0.1:9/ecms',
            organizationId: '0000000001',
            transport: { tls: { caFile: special } },
          },
        });
        const r = await thgov(
          ['doctor', '--config', config, '--json', '--only', 'ecms,transcript'],
          {},
          KILL_AFTER,
        );
        expect(r.code, `${special}: ${r.stderr}`).toBe(1);
        const checks = (JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string }[] })
          .checks;
        const anchor = checks.find((c) => c.id === 'transcript.trustAnchor.0');
        expect(anchor).toMatchObject({
          status: 'fail',
          message: `cannot read ${special}: not a regular file (${kind})`,
        });
        const tls = checks.find((c) => c.id === 'ecms.config');
        expect(tls?.status).toBe('fail');
        expect(tls?.message).toContain(
          `ecms.transport.tls.caFile: cannot read ${special}: not a regular file`,
        );
      }
    },
    LONG,
  );
});

describe.skipIf(!posix)('secrets and the configuration: a pipe is read, up to a small limit', () => {
  it(
    '--pin-file /dev/zero and --passphrase-file /dev/zero end as too large (64 KiB), without printing any of it',
    async () => {
      const base = ['pdf', 'sign', letter, at('never.pdf'), '--skip-chain-check'];
      const pin = await thgov(
        [
          ...base,
          '--pkcs11',
          '/nowhere.so',
          '--token-label',
          't',
          '--key-label',
          'k',
          '--pin-file',
          '/dev/zero',
        ],
        {},
        KILL_AFTER,
      );
      expect(pin.code, pin.stderr).toBe(2);
      expect(pin.stderr).toContain('cannot read the token PIN file /dev/zero: larger than 65536 bytes');
      const pass = await thgov([...base, '--pkcs12', p12, '--passphrase-file', '/dev/zero'], {}, KILL_AFTER);
      expect(pass.code, pass.stderr).toBe(2);
      expect(pass.stderr).toContain(
        'cannot read the PKCS#12 passphrase file /dev/zero: larger than 65536 bytes',
      );
    },
    LONG,
  );

  it(
    '--pin-file naming a FIFO a writer feeds: the PIN is read (the command goes on to the PKCS#11 library)',
    async () => {
      const pipe = newFifo();
      const writer = feed(pipe, `${PIN}\n`);
      const args = ['pdf', 'sign', letter, at('never.pdf'), '--skip-chain-check', '--pkcs11', '/nowhere.so'];
      const [r, wrote] = await withWriter(
        writer,
        thgov([...args, '--token-label', 't', '--key-label', 'k', '--pin-file', pipe], {}, KILL_AFTER),
      );
      expect(wrote).toBe(0);
      expect(r.stderr).not.toContain('PIN file');
      expect(r.stderr).not.toContain('is empty');
      expect(r.stderr).toContain('ERR_ESIGN_PKCS11_LIBRARY');
      expect(r.code, r.stderr).toBe(1);
      expect(`${r.stdout}${r.stderr}`).not.toContain(PIN);
    },
    LONG,
  );

  it(
    '--passphrase-file naming a FIFO a writer feeds, and <(…) process substitution: the PDF is signed',
    async () => {
      const pipe = newFifo();
      const out = at('signed-fifo.pdf');
      const args = ['pdf', 'sign', letter, out, '--skip-chain-check', '--pkcs12', p12];
      const [r, wrote] = await withWriter(
        feed(pipe, `${PASSPHRASE}\n`),
        thgov([...args, '--passphrase-file', pipe], {}, KILL_AFTER),
      );
      expect(wrote).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`signed ${letter} -> ${out}`);
      const subst = await thgovWithSubstitution(
        ['pdf', 'sign', letter, at('signed-subst.pdf'), ...args.slice(4)],
        PASSPHRASE,
      );
      expect(subst.stderr).toBe('');
      expect(subst.code).toBe(0);
      expect(`${r.stdout}${subst.stdout}`).not.toContain(PASSPHRASE);
    },
    LONG,
  );

  it(
    'audit verify --key-file /dev/zero ends as too large (64 KiB), a usage error (exit 2)',
    async () => {
      const log = at('audit-empty.jsonl');
      writeFileSync(log, '');
      const r = await thgov(['audit', 'verify', log, '--key-file', '/dev/zero'], {}, KILL_AFTER);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('cannot read --key-file /dev/zero: larger than 65536 bytes');
    },
    LONG,
  );

  it(
    '--config /dev/zero ends as too large (1 MiB), a usage error (exit 2)',
    async () => {
      const r = await thgov(['doctor', '--config', '/dev/zero', '--json'], {}, KILL_AFTER);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('ERR_CLI_CONFIG_READ');
      expect(r.stderr).toContain('/dev/zero: larger than 1048576 bytes');
    },
    LONG,
  );

  it(
    '--config naming a FIFO a writer feeds: the configuration is read and used',
    async () => {
      const pipe = newFifo();
      const config = JSON.stringify({ transcript: { trustAnchors: [fx.root] } });
      const [r, wrote] = await withWriter(
        feed(pipe, config),
        thgov(['doctor', '--config', pipe, '--json', '--only', 'transcript'], {}, KILL_AFTER),
      );
      expect(wrote).toBe(0);
      expect(r.code, r.stderr).toBe(0);
      const checks = (JSON.parse(r.stdout) as { checks: { id: string; status: string }[] }).checks;
      expect(checks.find((c) => c.id === 'transcript.trustAnchor.0')?.status).toBe('pass');
    },
    LONG,
  );

  it(
    'a directory is refused as a secret and as the configuration',
    async () => {
      const folder = at('a-folder');
      mkdirSync(folder, { recursive: true });
      const pass = await thgov(
        [
          'pdf',
          'sign',
          letter,
          at('never.pdf'),
          '--skip-chain-check',
          '--pkcs12',
          p12,
          '--passphrase-file',
          folder,
        ],
        {},
        KILL_AFTER,
      );
      expect(pass.code, pass.stderr).toBe(2);
      expect(pass.stderr).toContain(`passphrase file ${folder}: not a regular file (directory)`);
      const config = await thgov(['doctor', '--config', folder], {}, KILL_AFTER);
      expect(config.code, config.stderr).toBe(2);
      expect(config.stderr).toContain(`${folder}: not a regular file (directory)`);
    },
    LONG,
  );
});
