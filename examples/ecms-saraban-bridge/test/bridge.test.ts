import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Letter } from '@thgov/ecms';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSarabanBridge, type SarabanBridge } from '../src/bridge.js';
import { loadConfig } from '../src/config.js';

let net: EcmsNetwork;
let dir: string;
let sender: SarabanBridge;
let receiver: SarabanBridge;
const filed: { letter: Letter; registrationNumber: string }[] = [];
const changes: { state: string; acceptId: string | undefined }[] = [];

beforeAll(async () => {
  net = await startEcmsNetwork({ seed: 8 });
  dir = mkdtempSync(join(tmpdir(), 'saraban-bridge-test-'));
  const [a, b] = net.nodes;
  sender = await createSarabanBridge(
    loadConfig({
      ECMS_NODE_URL: a!.url,
      ECMS_ORGANIZATION_ID: a!.organizationId,
      ECMS_DB_PATH: join(dir, 'a.db'),
    }),
    {
      fileIncoming: () => undefined,
      outgoingChanged: ({ state, acceptId }) => void changes.push({ state, acceptId }),
    },
  );
  receiver = await createSarabanBridge(
    loadConfig({
      ECMS_NODE_URL: b!.url,
      ECMS_ORGANIZATION_ID: b!.organizationId,
      ECMS_DB_PATH: join(dir, 'b.db'),
      ECMS_REGISTER: 'สารบรรณกลาง',
    }),
    { fileIncoming: (x) => void filed.push(x) },
  );
});
afterAll(async () => {
  await sender.stop();
  await receiver.stop();
  await net.close();
  rmSync(dir, { recursive: true, force: true });
});

const letter = (id: string, subject = 'ขอความอนุเคราะห์ข้อมูล') => ({
  id,
  correspondenceDate: '2026-11-27',
  subject,
  sender: { departmentId: net.nodes[0]!.organizationId },
  receiver: { departmentId: net.nodes[1]!.organizationId },
  mainLetter: { mimeCode: 'application/pdf', content: Buffer.from('%PDF-1.4 example') },
});

describe('saraban bridge against the sandbox', () => {
  it('sends, files the incoming letter with a registration number, and reports it back to the sender', async () => {
    const sent = await sender.send(letter('สพร 0105/10'));
    expect(sent.state).toBe('submitted');
    expect(await receiver.pollOnce()).toBe(1);
    expect(filed).toHaveLength(1);
    expect(filed[0]?.letter.id).toBe('สพร 0105/10');
    expect(filed[0]?.registrationNumber).toMatch(/^1\/25\d\d$/);
    await sender.pollOnce();
    expect((await sender.status(sent.journalId))?.state).toBe('registered');
    expect(changes.map((c) => c.state)).toEqual(['received', 'registered']);
    expect(changes[1]?.acceptId).toBe(filed[0]?.registrationNumber);
    // Polling again files nothing twice.
    await receiver.pollOnce();
    expect(filed).toHaveLength(1);
  });

  it('refuses bad configuration without echoing values', () => {
    expect(() => loadConfig({ ECMS_NODE_URL: 'nope', ECMS_ORGANIZATION_ID: '1' })).toThrow(
      /ECMS_NODE_URL must be a URL; ECMS_ORGANIZATION_ID must be a 10-digit department code/,
    );
  });
});
