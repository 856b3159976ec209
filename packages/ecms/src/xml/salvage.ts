import { utf16Encoding } from './encoding.js';
import { toBuffer } from './scan.js';
import { sameName } from './tree.js';

/** The queue bookkeeping of a fetch answer whose item cannot be parsed. */
export interface LocatedQueueItem {
  processId: string;
  processTime: string | undefined;
  /** Local name of the item element (`GovernmentDocument`, a notifier…), when one follows. */
  element: string | undefined;
}

const QUEUE_PATH = ['Envelope', 'Body', 'CorrespondenceLetterInboundResponse'] as const;
const PROCESS_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function localOf(qname: string): string {
  const i = qname.indexOf(':');
  return i === -1 ? qname : qname.slice(i + 1);
}

/**
 * The answer as text in which its ASCII markup can be read: UTF-16 decoded (leniently: the bytes may be what
 * made the answer unreadable), any other encoding byte for byte as Latin-1 (ASCII-compatible, all of them).
 */
function markupText(buf: Buffer, contentType: string | undefined): string {
  const utf16 = utf16Encoding(buf, contentType);
  return utf16 ? new TextDecoder(utf16).decode(buf) : buf.toString('latin1');
}

/** Index of the `>` that closes the start tag opened at `lt`, skipping quoted attribute values; -1 if none. */
function tagEnd(s: string, lt: number): number {
  let quote = '';
  for (let i = lt + 1; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
    else if (c === '<') return -1;
  }
  return -1;
}

/**
 * Reads only the tag structure of an inbound answer, in one linear pass and without building a tree, to find
 * the queue's `ProcessID` when the whole document cannot be parsed (a character XML forbids inside a letter,
 * a letter past the element limit…). Without it such an item could never be dequeued and would block the
 * queue for ever. Only `Envelope/Body/CorrespondenceLetterInboundResponse/ProcessID` counts — the place the
 * node writes it, outside the item — and exactly once: any doubt returns `undefined` (nothing is dequeued).
 */
export function locateQueueItem(
  input: string | Uint8Array,
  contentType?: string,
): LocatedQueueItem | undefined {
  const s = markupText(toBuffer(input), contentType);
  const path: string[] = [];
  const ids: string[] = [];
  let time: string | undefined;
  let element: string | undefined;
  let capture: { name: string; from: number } | undefined;
  let pos = 0;
  for (;;) {
    const lt = s.indexOf('<', pos);
    if (lt === -1) break;
    const next = s[lt + 1];
    if (s.startsWith('<!--', lt) || next === '?' || s.startsWith('<![CDATA[', lt)) {
      const close = s.startsWith('<!--', lt) ? '-->' : next === '?' ? '?>' : ']]>';
      const end = s.indexOf(close, lt + 2);
      if (end === -1) return undefined;
      pos = end + close.length;
      continue;
    }
    if (next === '!') return undefined; // DOCTYPE or another declaration: refuse to guess
    const gt = tagEnd(s, lt);
    if (gt === -1) return undefined;
    pos = gt + 1;
    if (next === '/') {
      const name = localOf(s.slice(lt + 2, gt).trim());
      if (path.at(-1) !== name) return undefined;
      if (capture && path.length === 4) {
        const text = s.slice(capture.from, lt).trim();
        if (capture.name === 'ProcessID') ids.push(text);
        else time = text;
      }
      capture = undefined;
      path.pop();
      continue;
    }
    const selfClosing = s[gt - 1] === '/';
    const name = localOf(s.slice(lt + 1, selfClosing ? gt - 1 : gt).split(/[\s]/, 1)[0] ?? '');
    capture = undefined;
    if (path.length === 3 && QUEUE_PATH.every((want, i) => sameName(path[i], want))) {
      if (sameName(name, 'ProcessID')) capture = { name: 'ProcessID', from: gt + 1 };
      else if (sameName(name, 'ProcessTime')) capture = { name: 'ProcessTime', from: gt + 1 };
      else element ??= name;
    }
    if (!selfClosing) path.push(name);
  }
  const [processId] = ids;
  if (path.length !== 0 || ids.length !== 1 || processId === undefined || !PROCESS_ID.test(processId)) {
    return undefined;
  }
  return { processId, processTime: time, element };
}
