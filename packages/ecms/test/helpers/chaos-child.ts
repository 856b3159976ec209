// One replica process of the chaos test and the inbox bench:
//   chaos-child.ts inbox|outbox NODE_URL ORG_ID STORE SLOT
// STORE is `postgres:<url>#<schema>` (with `#prepared` after it: prepared statements) or `sqlite:<file>`. The
// inbox worker appends one audit record per received letter (idempotency key: its ProcessID) when
// THGOV_CHAOS_AUDIT_URL is set. Prints `ready`, then a JSON line of counters (`stats`) on SIGTERM after a
// graceful stop. With THGOV_CHILD_WAIT=1 it works only when told on stdin, one command per line: `go` starts
// (or restarts) the worker and opens a new measured window (CPU, letters and store calls count from there);
// `pause` stops it gracefully and answers `paused` (the bench's warm-up phase ends so).
import { PostgresAuditSink } from '@thgov/core/postgres';
import { EcmsClient, EcmsInboxWorker, EcmsOutbox, type LetterStore } from '../../src/index.js';
import { PostgresLetterStore } from '../../src/postgres.js';
import { SqliteLetterStore } from '../../src/sqlite.js';
import { countingStore } from './counting-store.js';

const [role, nodeUrl, organizationId, storeSpec, slot] = process.argv.slice(2);
if (!role || !nodeUrl || !organizationId || !storeSpec || !slot)
  throw new Error('usage: chaos-child inbox|outbox NODE_URL ORG_ID STORE SLOT');

function openStore(spec: string): LetterStore {
  if (spec.startsWith('sqlite:'))
    return new SqliteLetterStore({ filename: spec.slice(7), synchronous: 'NORMAL' });
  const [connectionString, schema, flag] = spec.slice('postgres:'.length).split('#');
  return new PostgresLetterStore({
    connectionString: connectionString!,
    schema: schema!,
    poolSize: 3,
    preparedStatements: flag === 'prepared',
  });
}

const client = new EcmsClient({ nodeUrl, organizationId, retry: { maxRetries: 2, baseDelayInMs: 5 } });
// Calls per store method (what the bench reports as where the work goes); the store itself is untouched.
const opened = openStore(storeSpec);
const { store, calls: storeCalls } = countingStore(opened);
const auditUrl = process.env.THGOV_CHAOS_AUDIT_URL;
const audit = auditUrl
  ? new PostgresAuditSink({
      connectionString: auditUrl,
      chain: 'chaos',
      hmacSecret: 'chaos-subject-secret-0123456789',
      chainKey: { id: 'chaos-1', secret: 'chaos-chain-key-0123456789abcdef0123456789' },
      poolSize: 2,
    })
  : undefined;
// A stable id per slot: a replica restarted in the same slot takes its own leases back at once.
const workerId = `${role}-${slot}`;
const leaseInMs = Number(process.env.THGOV_CHAOS_LEASE_IN_MS ?? 3_000);
const started = process.cpuUsage();
let errors = 0;
// Letters this worker handed to onLetter, and its CPU when the first WARM_UP_LETTERS were done.
const WARM_UP_LETTERS = 20;
let letters = 0;
let warmedUp: NodeJS.CpuUsage | undefined;
let working: NodeJS.CpuUsage | undefined;

let stop: () => Promise<void>;
let start: () => Promise<void>;
if (role === 'inbox') {
  const worker = new EcmsInboxWorker({
    client,
    store,
    workerId,
    leaseInMs,
    autoRegister: { register: 'central' },
    batchSize: 10,
    pollIntervalInMs: Number(process.env.THGOV_CHILD_POLL_IN_MS ?? 20),
    backoff: { baseInMs: 20, maxInMs: 300 },
    onError: () => {
      errors++;
    },
    onLetter: async ({ record }) => {
      letters++;
      if (letters === WARM_UP_LETTERS) warmedUp = process.cpuUsage(working ?? started);
      await audit?.append(
        {
          who: workerId,
          service: 'ecms',
          operation: 'letter.received',
          caseRef: record.letterId,
          status: 'ok',
        },
        { idempotencyKey: `received:${record.processId}` },
      );
    },
  });
  stop = () => worker.stop();
  start = () => worker.start();
} else {
  const outbox = new EcmsOutbox({ client, store, workerId, leaseInMs });
  let running = true;
  let loop: Promise<void> = Promise.resolve();
  start = async () => {
    running = true;
    loop = run();
  };
  const run = async () => {
    while (running) {
      try {
        const sent = await outbox.runOnce({ limit: 10 });
        if (sent.length === 0) await new Promise((r) => setTimeout(r, 20));
      } catch {
        errors++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  stop = async () => {
    running = false;
    await loop;
  };
}

process.on('SIGTERM', () => {
  void stop().then(async () => {
    const cpu = process.cpuUsage(started);
    const work = process.cpuUsage(working ?? started);
    // cpuInUs: since the imports; workCpuInUs: since the go (the bench's measured window).
    const stats = {
      errors,
      cpuInUs: cpu.user + cpu.system,
      workCpuInUs: work.user + work.system,
      workSystemCpuInUs: work.system,
      letters,
      warmUpCpuInUs: warmedUp ? warmedUp.user + warmedUp.system : undefined,
      storeCalls,
    };
    process.stdout.write(`stats ${JSON.stringify(stats)}\n`);
    await audit?.close();
    await store.close();
    await client.close();
    process.exit(0);
  });
});
if (process.env.THGOV_CHILD_WAIT === '1') {
  // Connected before `ready`, as a replica is once it runs: the pool and its driver, the migration check
  // and the HTTP client to the node are start-up work, outside the bench's measured window.
  await opened.isProcessed('warm-up');
  await client.timeCheck();
}
process.stdout.write('ready\n');
async function go(): Promise<void> {
  working = process.cpuUsage();
  letters = 0;
  warmedUp = undefined;
  for (const name of Object.keys(storeCalls)) delete storeCalls[name];
  await start();
}

if (process.env.THGOV_CHILD_WAIT === '1') {
  let pending = '';
  let queue = Promise.resolve();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const command = line.trim();
      queue = queue.then(async () => {
        if (command === 'go') await go();
        else if (command === 'pause') {
          await stop();
          process.stdout.write('paused\n');
        }
      });
    }
  });
} else await go();
