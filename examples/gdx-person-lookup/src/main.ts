import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { createPersonLookup } from './lookup.js';

/**
 * node --import tsx src/main.ts <citizenId> --purpose "..." [--case REF] [--officer CID]
 * Prints the person's name, birth date and address as JSON; the lookup is in the audit log.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { purpose: { type: 'string' }, case: { type: 'string' }, officer: { type: 'string' } },
});
const citizenId = positionals[0];
if (!citizenId || !values.purpose) {
  process.stderr.write('usage: gdx-person-lookup <citizenId> --purpose "why" [--case REF] [--officer CID]\n');
  process.exit(2);
}

const lookup = await createPersonLookup(loadConfig());
try {
  const person = await lookup.lookup({
    citizenId,
    purpose: values.purpose,
    caseRef: values.case,
    officerId: values.officer,
  });
  process.stdout.write(`${JSON.stringify(person, null, 2)}\n`);
} catch (err) {
  // thgov errors are already redacted: safe to print.
  const e = err as Error & { code?: string };
  process.stderr.write(`lookup failed${e.code ? ` (${e.code})` : ''}: ${e.message}\n`);
  process.exitCode = 1;
} finally {
  await lookup.close();
}
