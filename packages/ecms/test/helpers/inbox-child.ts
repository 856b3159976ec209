// The inbox worker as a separate process, so the crash-safety test can SIGKILL it at any instruction.
import { EcmsClient, EcmsInboxWorker } from '../../src/index.js';
import { SqliteLetterStore } from '../../src/sqlite.js';

const [nodeUrl, organizationId, filename] = process.argv.slice(2);
if (!nodeUrl || !organizationId || !filename)
  throw new Error('usage: inbox-child <nodeUrl> <organizationId> <db>');

const client = new EcmsClient({ nodeUrl, organizationId, retry: { maxRetries: 1, baseDelayInMs: 5 } });
const store = new SqliteLetterStore({ filename, synchronous: 'NORMAL' });
const worker = new EcmsInboxWorker({
  client,
  store,
  autoRegister: { register: 'crash-test' },
  batchSize: 5,
  pollIntervalInMs: 10,
  backoff: { baseInMs: 5, maxInMs: 50 },
  // The same replica restarted: it takes its own leases back at once instead of waiting for them to expire.
  workerId: 'crash-test-replica',
});
process.on('SIGTERM', () => {
  void worker.stop().then(async () => {
    await store.close();
    await client.close();
    process.exit(0);
  });
});
await worker.start();
process.stdout.write('ready\n');
