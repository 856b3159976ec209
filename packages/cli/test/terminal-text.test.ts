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
