import { join } from 'node:path';
import { modulesResolvedBy } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

// Cold start: importing @thgov/sandbox must not load jose (about 80 ES modules); a digital-ID provider loads it
// when it starts and makes its signing key.
const cwd = join(import.meta.dirname, '..');
const entry = './src/index.ts';
const builtEntry = './dist/index.js';
const isJose = (url: string) => /[\\/]jose[\\/]/.test(url);
// What only some servers use, loaded when they first need it: the XML parser (e-CMS SOAP), esign's root entry (the
// remote-signing service's signatures) and @thgov/transcript (issuing sandbox transcripts).
const isXmldom = (url: string) => /[\\/]@xmldom[\\/]xmldom[\\/]/.test(url);
const isOnDemand = (url: string) =>
  isXmldom(url) ||
  /[\\/]esign[\\/](dist|src)[\\/]index\.(js|ts)$/.test(url) ||
  /[\\/]packages[\\/]transcript[\\/]/.test(url);

describe('lazy imports', () => {
  it('importing @thgov/sandbox does not load jose; starting a digital-ID provider does', () => {
    const atImport = modulesResolvedBy({ cwd, entry });
    expect(atImport.some((url) => url.endsWith('/src/digital-id/oidc-server.ts'))).toBe(true);
    expect(atImport.filter(isJose)).toEqual([]);
    const started = modulesResolvedBy({
      cwd,
      entry,
      code: `
        const provider = await pkg.startThaidProvider({});
        await provider.close();
      `,
    });
    expect(started.some(isJose)).toBe(true);
  });

  // On the built entry: the build defers xmldom (CommonJS only) to its first use (scripts/tsup-shared.ts).
  it('importing @thgov/sandbox loads neither the XML parser, esign nor transcript; the first SOAP message loads xmldom', () => {
    const atImport = modulesResolvedBy({ cwd, entry: builtEntry });
    expect(atImport.filter(isOnDemand)).toEqual([]);
    const used = modulesResolvedBy({
      cwd,
      entry: builtEntry,
      code: `
        const net = await pkg.startEcmsNetwork({});
        const res = await fetch(net.nodes[0].url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a><b/></a>' });
        const text = await res.text();
        await net.close();
        if (!text.includes('not a SOAP envelope')) throw new Error('unexpected answer: ' + text.slice(0, 300));
      `,
    });
    expect(used.some(isXmldom)).toBe(true);
  });
});
