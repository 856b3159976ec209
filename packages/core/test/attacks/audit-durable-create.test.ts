// Crash quirk: a new log file is not durable until its directory is. With `fsync: 'always'` an append resolves only
// after the batch was fsync'ed (datasync of the log, then the anchor), the promise of "survives a crash". But the
// first batch also creates the log file (and maybe its folders), and fsync of a file does not make its directory
// entry durable (POSIX; ext4/XFS after a power cut): the directory of the log was never synced. With the anchor
// on another disk, as the guide advises, the anchor survived a power cut while the new log's entry did not: the
// acknowledged records were gone, and the next open refused the empty log as cut ("the newest records were
// removed"). The sink now syncs the directories it created or added the file to before the first append resolves;
// FileAnchorStore likewise syncs the folders it creates for a new anchor (it synced only the anchor's own folder), and
// `onBrokenTail: 'recover'` makes the fragment it sets aside durable before it cuts it from the log.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FileAnchorStore } from '../../src/audit/anchor-file.js';
import { auditDir, auditEvent, sinkAt, verifyAnchored } from '../helpers/audit.js';

const dirs = auditDir('audit-durable');
afterAll(() => dirs.cleanup());
afterEach(() => vi.restoreAllMocks());

/** Every path whose handle was fsync'ed (sync or datasync), in order, through the module the sink uses. */
function recordSyncs(): string[] {
  const fsp = process.getBuiltinModule('node:fs/promises');
  const synced: string[] = [];
  const realOpen = fsp.open;
  vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof realOpen>) => {
    const handle: FileHandle = await realOpen(...args);
    const path = String(args[0]);
    const sync = handle.sync.bind(handle);
    const datasync = handle.datasync.bind(handle);
    handle.sync = async () => {
      synced.push(path);
      return sync();
    };
    handle.datasync = async () => {
      synced.push(path);
      return datasync();
    };
    return handle;
  });
  return synced;
}

describe('the first append to a new log, anchor on another disk', () => {
  it('syncs the directory that holds the new log file before it resolves', async () => {
    const logDir = join(dirs.dir, 'logs');
    mkdirSync(logDir);
    const path = join(logDir, 'gdx.jsonl');
    const anchor = new FileAnchorStore({ path: join(dirs.dir, 'anchors', 'gdx.anchor') });
    const synced = recordSyncs();
    const sink = sinkAt(path, { anchor });
    await sink.append(auditEvent(1));
    expect(synced).toContain(path);
    expect(synced).toContain(logDir);
    await sink.close();
  });

  it('syncs every folder it created for the log, up to the one that existed', async () => {
    const path = join(dirs.dir, 'new-a', 'new-b', 'gdx.jsonl');
    const anchor = new FileAnchorStore({ path: join(dirs.dir, 'anchors-2', 'gdx.anchor') });
    const synced = recordSyncs();
    const sink = sinkAt(path, { anchor });
    await sink.append(auditEvent(1));
    // new-b holds the file, new-a holds new-b, the existing folder holds new-a.
    for (const dir of [dirname(path), join(dirs.dir, 'new-a'), dirs.dir]) expect(synced).toContain(dir);
    await sink.close();
  });

  it('a new anchor folder is durable too: FileAnchorStore syncs the folders it created', async () => {
    const path = join(dirs.dir, 'anchor-a', 'anchor-b', 'gdx.anchor');
    const sink = sinkAt(join(dirs.dir, 'logs', 'with-new-anchor-dir.jsonl'), {
      anchor: new FileAnchorStore({ path }),
    });
    const synced = recordSyncs();
    await sink.append(auditEvent(1));
    for (const dir of [dirname(path), join(dirs.dir, 'anchor-a'), dirs.dir]) expect(synced).toContain(dir);
    await sink.close();
  });

  it("onBrokenTail: 'recover' makes the set-aside fragment durable before cutting it from the log", async () => {
    const path = join(dirs.dir, 'logs', 'torn.jsonl');
    const first = sinkAt(path);
    await first.append(auditEvent(1));
    await first.close();
    // A crash mid-write: half a record, ending inside a UTF-8 sequence (ก is e0 b8 81).
    appendFileSync(path, Buffer.concat([Buffer.from('{"v":2,"seq":2,"who":"'), Buffer.from([0xe0, 0xb8])]));
    const synced = recordSyncs();
    const sink = sinkAt(path, { onBrokenTail: 'recover' });
    await sink.append(auditEvent(2));
    await sink.close();
    const aside = synced.filter((p) => p.startsWith(`${path}.partial-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(aside[0] as string).subarray(-2)).toEqual(Buffer.from([0xe0, 0xb8]));
    const dirSync = synced.indexOf(dirname(path), synced.indexOf(aside[0] as string));
    expect(dirSync).toBeGreaterThan(-1);
    expect((await verifyAnchored(path)).ok).toBe(true);
  });

  it('later batches sync the log only, not its directory again (guard: one directory sync per new file)', async () => {
    const path = join(dirs.dir, 'logs', 'again.jsonl');
    const anchor = new FileAnchorStore({ path: join(dirs.dir, 'anchors-3', 'again.anchor') });
    const sink = sinkAt(path, { anchor });
    await sink.append(auditEvent(1));
    const synced = recordSyncs();
    await sink.append(auditEvent(2));
    expect(synced).toContain(path);
    expect(synced).not.toContain(dirname(path));
    await sink.close();
  });
});
