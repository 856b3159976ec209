import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FileAnchorStore, verifyAuditLog } from '@thgov/core';
import { type Sandbox, startSandbox } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createPersonLookup } from '../src/lookup.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sb = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), 'gdx-lookup-'));
  const c = sb.gdx.consumers[0]!;
  env = {
    GDX_BASE_URL: sb.gdx.url,
    GDX_CONSUMER_KEY: c.consumerKey,
    GDX_CONSUMER_SECRET: c.consumerSecret,
    GDX_AGENT_ID: sb.gdx.officers[0]!,
    AUDIT_LOG_PATH: join(dir, 'audit.jsonl'),
    AUDIT_HMAC_SECRET: 'example-agency-secret-123456',
    AUDIT_CHAIN_KEY: 'example-agency-chain-key-0123456789abcdef',
  };
});
afterAll(async () => {
  await sb.close();
  await rm(dir, { recursive: true, force: true });
});

describe('gdx-person-lookup example', () => {
  it('looks a person up and records the purpose in a verifiable audit log (citizen ID hashed)', async () => {
    const lookup = await createPersonLookup(loadConfig(env));
    const p = sb.population.people[42]!;
    const summary = await lookup.lookup({
      citizenId: p.citizenId,
      purpose: 'verify applicant identity',
      caseRef: 'APP-2569-77',
    });
    await lookup.close();
    expect(summary.fullNameTh).toBe(`${p.title.th}${p.firstName.th} ${p.lastName.th}`);
    expect(summary.fullNameEn).toBe(`${p.title.en} ${p.firstName.en} ${p.lastName.en}`);
    expect(summary.birthDate).toBe(p.birthDate);
    expect(summary.address).toContain(p.address.province.th);

    const log = await readFile(env.AUDIT_LOG_PATH!, 'utf8');
    expect(log).not.toContain(p.citizenId);
    const verified = await verifyAuditLog(
      { path: env.AUDIT_LOG_PATH! },
      {
        keys: [{ id: '1', secret: env.AUDIT_CHAIN_KEY! }],
        anchor: await new FileAnchorStore({ path: `${env.AUDIT_LOG_PATH}.anchor` }).read(),
      },
    );
    expect(verified).toMatchObject({ ok: true, warnings: [] });
    expect(verified.records).toHaveLength(2); // person + address
    for (const r of verified.records) {
      expect(r).toMatchObject({
        purpose: 'verify applicant identity',
        caseRef: 'APP-2569-77',
        status: 'ok',
        client: 'gdx-person-lookup',
      });
      expect(r.subject).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    }
  });

  it('refuses a lookup without a purpose, and explains a missing DOPA session', async () => {
    const lookup = await createPersonLookup(loadConfig(env));
    const p = sb.population.people[43]!;
    await expect(lookup.lookup({ citizenId: p.citizenId, purpose: ' ' })).rejects.toThrow(/purpose/);
    const noSession = sb.population.people[44]!.citizenId;
    await expect(
      lookup.lookup({ citizenId: p.citizenId, purpose: 'check', officerId: noSession }),
    ).rejects.toThrow(/GovAMI/);
    await lookup.close();
  });

  it('configuration errors name the variable, not its value', () => {
    expect(() => loadConfig({ ...env, AUDIT_HMAC_SECRET: 'short' })).toThrow(/AUDIT_HMAC_SECRET/);
    expect(() => loadConfig({ ...env, AUDIT_CHAIN_KEY: 'short-chain-key' })).toThrow(/AUDIT_CHAIN_KEY must/);
    expect(() => loadConfig({ ...env, AUDIT_CHAIN_KEY: env.AUDIT_HMAC_SECRET })).toThrow(/must differ/);
    expect(() => loadConfig({ ...env, GDX_BASE_URL: undefined })).toThrow(/GDX_BASE_URL/);
    let message = '';
    try {
      loadConfig({ ...env, GDX_CONSUMER_SECRET: '' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/GDX_CONSUMER_SECRET/);
    expect(message).not.toContain(env.GDX_CONSUMER_KEY);
  });

  it('the CLI prints the summary as JSON', async () => {
    const p = sb.population.people[45]!;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', p.citizenId, '--purpose', 'cli test', '--case', 'CLI-1'],
      {
        env: { ...process.env, ...env, AUDIT_LOG_PATH: join(dir, 'cli-audit.jsonl') },
        cwd: new URL('..', import.meta.url).pathname,
        timeout: 30_000,
      },
    );
    expect(JSON.parse(stdout).fullNameTh).toContain(p.firstName.th);
  });
});
