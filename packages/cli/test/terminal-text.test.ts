// biome-ignore-all lint/suspicious/noControlCharactersInRegex: control characters are what these tests are about
import { describe, expect, it } from 'vitest';
import { escapeControls, terminalSafeIo } from '../src/index.js';

const EVIL = 'Mallory\r\x1b[2KAll files   TOTAL_PASSED\u009b1A\u202eDESSAP\u202c\x07';
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('escapeControls and terminalSafeIo', () => {
  it('escape C0, DEL, C1 and bidi controls visibly; lines mode keeps LF and TAB only', () => {
    expect(escapeControls('a\rb\x1b[2Kc\u007f\u009b\u202e\u2066\u200f\u2028d\n\t')).toBe(
      'a\\u000db\\u001b[2Kc\\u007f\\u009b\\u202e\\u2066\\u200f\\u2028d\\u000a\\u0009',
    );
    expect(escapeControls('x\ny\tz\r', { keepLines: true })).toBe('x\ny\tz\\u000d');
    expect(escapeControls('ไทย ✓ é')).toBe('ไทย ✓ é');
  });

  it('JSON written through the guarded stream parses to the same value (nothing to escape twice)', () => {
    let out = '';
    const io = terminalSafeIo({
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
    });
    const value = { name: EVIL, file: 'a\u009b\u202e.pdf' };
    io.stdout.write(JSON.stringify(value, null, 2));
    expect(out).not.toMatch(RAW_CONTROLS);
    expect(JSON.parse(out)).toEqual(value);
  });
});

describe('invisible format characters and backslashes', () => {
  it('escapes zero-width and other format (Cf) characters, in cells and in lines', () => {
    const hidden = 'TOTAL\u200bPASSED\u200c\u200d\u2060\ufeff\u00ad\u2062\u{e0041}';
    expect(escapeControls(hidden)).toBe(
      'TOTAL\\u200bPASSED\\u200c\\u200d\\u2060\\ufeff\\u00ad\\u2062\\udb40\\udc41',
    );
    expect(escapeControls(hidden, { keepLines: true })).toBe(
      'TOTAL\\u200bPASSED\\u200c\\u200d\\u2060\\ufeff\\u00ad\\u2062\\udb40\\udc41',
    );
  });

  it('keeps Thai text, its combining vowels and tone marks (Mn), as it is', () => {
    const thai = 'นายสมชาย ใจดี ผู้อำนวยการ มหาวิทยาลัย ก่ำ ที่ นี้ ปี่';
    expect(escapeControls(thai)).toBe(thai);
    expect(escapeControls(thai, { keepLines: true })).toBe(thai);
  });

  it('a backslash is escaped where escapes are produced, so a literal "\\u001b" cannot pass for a real ESC', () => {
    const literal = 'b\\u001b[2K.pdf';
    const real = 'b\u001b[2K.pdf';
    expect(escapeControls(literal)).toBe('b\\\\u001b[2K.pdf');
    expect(escapeControls(real)).toBe('b\\u001b[2K.pdf');
    expect(escapeControls(literal)).not.toBe(escapeControls(real));
    expect(escapeControls('C:\\transcripts\\a.pdf')).toBe('C:\\\\transcripts\\\\a.pdf');
  });

  it('the guarded stream leaves backslashes alone: JSON written through it parses to the same value', () => {
    let out = '';
    const io = terminalSafeIo({
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
    });
    const value = { file: 'b\\u001b[2K.pdf', real: 'b\u001b[2K\u200b.pdf', thai: 'ผู้อำนวยการ' };
    io.stdout.write(JSON.stringify(value));
    expect(JSON.parse(out)).toEqual(value);
    expect(out).not.toContain('\u200b');
  });

  it('a table shows a file literally named with a backslash differently from one with a real ESC', async () => {
    const { renderTable } = await import('../src/table.js');
    const table = renderTable(['FILE'], [['b\\u001b[2K.pdf'], ['b\u001b[2K.pdf'], ['ใบ\u200bแสดง.pdf']]);
    const [, , literal, real, zw] = table.trimEnd().split('\n');
    expect(literal).toBe('b\\\\u001b[2K.pdf');
    expect(real).toBe('b\\u001b[2K.pdf');
    expect(zw).toBe('ใบ\\u200bแสดง.pdf');
  });
});
