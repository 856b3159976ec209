import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cpuMsOf, cpuMsOfAsync } from '../src/index.js';

describe('cpuMsOf and cpuMsOfAsync', () => {
  it('count work done, not time spent waiting', async () => {
    // Hashing 64 MB costs CPU on any machine; a 300 ms sleep costs almost none however loaded the machine is.
    const work = cpuMsOf(() => {
      const h = createHash('sha256');
      const block = Buffer.alloc(1024 * 1024, 7);
      for (let i = 0; i < 64; i++) h.update(block);
      h.digest();
    });
    expect(work).toBeGreaterThan(0);
    const waiting = await cpuMsOfAsync(() => sleep(300));
    expect(waiting).toBeLessThan(150);
  });
});
