import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { CitizenIdByteCounter, isBinaryContainer } from '../citizen-ids.js';
import { refuseCitizenIds, refuseUnchecked } from '../privacy.js';
import { countInGzip, countInZip, isGzip, isZip, ScanBudget, Uncheckable } from './containers.js';
import { pinnedTo, recordingAccess } from './pinned.js';
import type { UploadSource } from './source.js';

/**
 * The citizen-ID scan of an upload, decided by its content, not its declared format. A gzip is decompressed and a
 * ZIP (XLSX, ODS, DOCX, .zip) read entry by entry, within bounds (see containers.ts); one the guard cannot read to
 * its end is refused as not checked. Other binary containers (OLE2/XLS, PDF, images, 7z, xz) are not read;
 * anything else is read as text, in UTF-8 or UTF-16. In-memory content is read whole before anything is sent.
 * A file on disk can change after it is read, so the bytes scanned are the bytes sent: they are read once, scanned
 * as they go out, and the upload is stopped before its end when an ID shows up (the catalog never receives a
 * complete request, so it keeps nothing); a file whose first bytes differ from the ones the decision was made on
 * is stopped the same way. A ZIP file is read before it is sent (its directory is at its end), and the bytes sent are
 * held to the ranges that read covered (pinned.ts). A stream cannot be
 * read twice: its first bytes (the sample) are read before sending and the rest as it is sent; a ZIP stream cannot
 * be read that way and is refused. Returns the source to send.
 */
export async function scanUpload(source: UploadSource, action: string): Promise<UploadSource> {
  if (source.onDisk) return scanFile(sameStart(source, action), action);
  if (isZip(source.sample) || isGzip(source.sample)) return scanContainer(source, action);
  if (isBinaryContainer(source.sample)) return source;
  if (source.replayable) {
    const counter = new CitizenIdByteCounter(source.sample);
    if (source.readEach) await source.readEach((chunk) => counter.push(chunk));
    else for await (const chunk of source.open()) counter.push(chunk);
    refuseCitizenIds(counter.end(), action, 'the file');
    return source;
  }
  // The sample's last digits may continue after it: only a sample that is the whole stream is read to its end.
  const head = new CitizenIdByteCounter(source.sample);
  const found = head.push(source.sample);
  refuseCitizenIds(source.sampleIsWhole ? head.end() : found, action, 'the stream');
  return source.sampleIsWhole ? source : scannedWhileSent(source, action, 'the stream');
}

const STOPPED = '; the upload was stopped before its end';

/**
 * A file: text scanned as it is sent (one read; a chunk leaves only once it and the one after it are scanned, so no
 * ID does), a ZIP read before. A gzip is read before it is sent and again as it is sent: its compressed bytes leave
 * before the decompressor reaches what they hold, so only the first read keeps an ID from reaching the catalog, and
 * only the second one notices a file swapped since.
 */
async function scanFile(source: UploadSource, action: string): Promise<UploadSource> {
  if (isGzip(source.sample))
    return gunzippedWhileSent(await scanContainer(source, action), action, 'the file');
  if (isZip(source.sample)) return scanContainer(source, action);
  if (isBinaryContainer(source.sample)) return source;
  return scannedWhileSent(source, action, 'the file');
}

/**
 * A file's bytes as sent, stopped when they do not start as the sample read when the file was opened: the scan's
 * choices (container or text, the text's encoding) were made on the sample, and a file rewritten since then would
 * be read by the wrong rules.
 */
function sameStart(source: UploadSource, action: string): UploadSource {
  const { sample } = source;
  return {
    ...source,
    async *open() {
      let at = 0;
      for await (const chunk of source.open()) {
        if (at < sample.length) {
          const n = Math.min(chunk.byteLength, sample.length - at);
          if (!Buffer.from(chunk.buffer, chunk.byteOffset, n).equals(sample.subarray(at, at + n))) {
            refuseUnchecked(action, 'the file', 'it changed while it was being uploaded', STOPPED);
          }
          at += n;
        }
        yield chunk;
      }
      if (at < sample.length)
        refuseUnchecked(action, 'the file', 'it changed while it was being uploaded', STOPPED);
    },
  };
}

/** A gzip or ZIP upload, read before it is sent (a gzip stream: as it is sent). */
async function scanContainer(source: UploadSource, action: string): Promise<UploadSource> {
  if (!source.replayable || !source.random) {
    if (isGzip(source.sample)) return gunzippedWhileSent(source, action, 'the stream');
    refuseUnchecked(action, 'the stream', 'a ZIP stream cannot be read before it is sent');
  }
  const budget = new ScanBudget();
  let n: number;
  let read: ReturnType<typeof recordingAccess> | undefined;
  try {
    if (isGzip(source.sample)) n = await countInGzip(source.open(), 0, budget);
    else {
      read = recordingAccess(await source.random());
      try {
        n = await countInZip(read, 0, budget);
      } finally {
        await read.close();
      }
    }
  } catch (err) {
    if (err instanceof Uncheckable) refuseUnchecked(action, 'the file', err.message);
    throw err;
  }
  refuseCitizenIds(n, action, 'the file');
  // A ZIP file can be rewritten between this scan and the send: what is sent is held to what was read.
  if (read && source.onDisk)
    return pinnedTo(source, read, () =>
      refuseUnchecked(action, 'the file', 'it changed while it was being uploaded', STOPPED),
    );
  return source;
}

/**
 * A gzip stream's source whose bytes are decompressed and scanned as they are sent; the last chunk is held until
 * the whole content has been read, so a stream holding IDs (or one that cannot be read) never completes.
 */
function gunzippedWhileSent(source: UploadSource, action: string, where: string): UploadSource {
  return {
    ...source,
    async *open() {
      const feed = new PassThrough();
      feed.on('error', () => {});
      let failure: unknown;
      const scan = countInGzip(feed, 0, new ScanBudget()).catch((err) => {
        failure = err;
        return 0;
      });
      let held: Uint8Array | undefined;
      try {
        for await (const chunk of source.open()) {
          if (failure === undefined && !feed.write(chunk)) await Promise.race([once(feed, 'drain'), scan]);
          if (failure !== undefined) break;
          if (held) yield held;
          held = chunk;
        }
        feed.end();
        const n = await scan;
        if (failure instanceof Uncheckable) refuseUnchecked(action, where, failure.message, STOPPED);
        if (failure !== undefined) throw failure;
        refuseCitizenIds(n, action, where, STOPPED);
      } finally {
        feed.destroy();
      }
      if (held) yield held;
    },
  };
}

/** A source whose chunks are scanned as they are sent, each held until the one after it is read. */
function scannedWhileSent(source: UploadSource, action: string, where: string): UploadSource {
  return {
    ...source,
    async *open() {
      const counter = new CitizenIdByteCounter(source.sample);
      let held: Uint8Array | undefined;
      for await (const chunk of source.open()) {
        // An ID split between this chunk and the one before is found before the one before is sent.
        refuseCitizenIds(counter.push(chunk), action, where, STOPPED);
        if (held) yield held;
        held = chunk;
      }
      refuseCitizenIds(counter.end(), action, where, STOPPED);
      if (held) yield held;
    },
  };
}
