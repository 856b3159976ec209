// Runnable demo: `pnpm --filter @thgov-examples/ecms-saraban-bridge start`.
// It starts two sandbox e-CMS nodes and runs two agencies' bridges against them; against a real node,
// build the bridge from loadConfig() (process.env) instead.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcmsNetwork } from '@thgov/sandbox';
import { createSarabanBridge } from './bridge.js';
import { loadConfig } from './config.js';

const net = await startEcmsNetwork();
const [dga, dopa] = net.nodes;
if (!dga || !dopa) throw new Error('the sandbox needs two organisations');
const dir = mkdtempSync(join(tmpdir(), 'saraban-bridge-'));

const sender = await createSarabanBridge(
  loadConfig({
    ECMS_NODE_URL: dga.url,
    ECMS_ORGANIZATION_ID: dga.organizationId,
    ECMS_DB_PATH: join(dir, 'dga.db'),
  }),
  {
    fileIncoming: () => undefined,
    outgoingChanged: ({ state, acceptId }) =>
      console.log(`[${dga.nameTh}] outgoing letter is now ${state}${acceptId ? ` (เลขรับ ${acceptId})` : ''}`),
  },
);
const receiver = await createSarabanBridge(
  loadConfig({
    ECMS_NODE_URL: dopa.url,
    ECMS_ORGANIZATION_ID: dopa.organizationId,
    ECMS_DB_PATH: join(dir, 'dopa.db'),
  }),
  {
    fileIncoming: ({ letter, registrationNumber }) =>
      console.log(
        `[${dopa.nameTh}] filed "${letter.subject}" from ${letter.id} as เลขทะเบียนรับ ${registrationNumber}`,
      ),
  },
);

const sent = await sender.send({
  id: `${dga.bookPrefix} 0105/1`,
  correspondenceDate: new Date().toISOString().slice(0, 10),
  subject: 'ขอเชิญประชุมคณะทำงานขับเคลื่อนรัฐบาลดิจิทัล',
  speed: 'urgent',
  sender: { jobTitle: 'ผู้อำนวยการ', departmentId: dga.organizationId },
  receiver: { jobTitle: 'อธิบดีกรมการปกครอง', departmentId: dopa.organizationId },
  mainLetter: { mimeCode: 'application/pdf', content: Buffer.from('%PDF-1.4\n% demo letter\n') },
});
console.log(`[${dga.nameTh}] sent ${sent.letterId}: ${sent.state} (ProcessID ${sent.processId})`);
await receiver.pollOnce();
await sender.pollOnce();
console.log(`[${dga.nameTh}] final state: ${(await sender.status(sent.journalId))?.state}`);
await sender.stop();
await receiver.stop();
await net.close();
