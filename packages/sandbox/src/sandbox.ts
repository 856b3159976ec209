import { type AgencyCatalog, type AgencyCatalogOptions, startAgencyCatalog } from './catalog/catalog.js';
import { type CscService, type CscServiceOptions, startCscService } from './csc/service.js';
import { type DgaProvider, type DgaProviderOptions, startDgaProvider } from './digital-id/dga-provider.js';
import {
  startThaidProvider,
  type ThaidProvider,
  type ThaidProviderOptions,
} from './digital-id/thaid-provider.js';
import { type EcmsNetwork, type EcmsNetworkOptions, startEcmsNetwork } from './ecms/network.js';
import { type GdxGateway, type GdxGatewayOptions, startGdxGateway } from './gdx/gateway.js';
import { generatePopulation, type Population, type PopulationOptions } from './people.js';
import { type SandboxPki, type SandboxPkiOptions, startSandboxPki } from './pki/sandbox-pki.js';

/**
 * One call starts every emulated platform in-process on 127.0.0.1. Each platform is a module under
 * src/<platform>/ with a `start<Platform>(options)` returning a handle that has `close()`; it is started
 * here, exposed on the Sandbox handle, and closed by `sandbox.close()` in reverse order.
 * To add a platform: an option key, one `start(...)` line below, one field on `Sandbox`.
 */
export interface SandboxOptions {
  /** Seed for people, companies, credentials and faults. Same seed, same sandbox. */
  seed?: number;
  population?: Omit<PopulationOptions, 'seed'>;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** GDX gateway options (ports, consumers, token idle timeout, faults, quirks). */
  gdx?: Omit<GdxGatewayOptions, 'population' | 'seed' | 'host'>;
  /** ThaID-like OpenID provider options (port, redirect URIs of its test clients, API key). */
  thaid?: Omit<ThaidProviderOptions, 'population' | 'seed' | 'host'>;
  /** DGA-Digital-ID-like OpenID provider options (port, redirect URIs of its test clients). */
  dga?: Omit<DgaProviderOptions, 'population' | 'seed' | 'host'>;
  /** e-CMS nodes: organisations (default two), faults, redelivery, clock skew. */
  ecms?: Omit<EcmsNetworkOptions, 'seed' | 'host'>;
  /** Test PKI: root, issuing CA, university signer, TSA, CRL and OCSP endpoints. */
  pki?: Omit<SandboxPkiOptions, 'host'>;
  /** Remote signing service (CSC v2): port, number of officers, SAD and OTP lifetimes. */
  csc?: Omit<CscServiceOptions, 'pki' | 'dga' | 'people' | 'seed' | 'host'>;
  /** Agency CKAN catalog (thai_gdc) and GD Catalog harvester: flavour 2.10/2.9, limits, faults. */
  catalog?: Omit<AgencyCatalogOptions, 'seed' | 'host'>;
}

/** Every sandbox platform, started by `startSandbox` on ephemeral 127.0.0.1 ports. */
export interface Sandbox {
  /** The synthetic people and companies every platform serves. */
  population: Population;
  gdx: GdxGateway;
  /** ThaID-like OpenID provider: the same people as GDX can log in. */
  thaid: ThaidProvider;
  /** DGA-Digital-ID-like OpenID provider: the same people as GDX can log in. */
  dga: DgaProvider;
  /** e-CMS nodes, one per organisation, routing letters to each other by `wsa:To`. */
  ecms: EcmsNetwork;
  /** Test PKI and the sandbox university, which issues signed transcripts for the test people. */
  pki: SandboxPki;
  /** Remote signing service (CSC v2): officers' keys, authorised at the DGA-like provider or with PIN + OTP. */
  csc: CscService;
  /** Agency data catalog (CKAN + thai_gdc) with its GD Catalog harvester. */
  catalog: AgencyCatalog;
  /** Stops every platform (idempotent). */
  close(): Promise<void>;
}

interface Closable {
  close(): Promise<void>;
}

/**
 * Starts every sandbox platform (GDX, ThaID, DGA Digital ID, e-CMS, PKI, remote signing, data catalog) on 127.0.0.1.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox({ seed: 7 });
 * try {
 *   console.log(sandbox.gdx.url, sandbox.thaid.issuer);
 * } finally {
 *   await sandbox.close();
 * }
 * ```
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? 2026;
  const population = generatePopulation({ seed, ...options.population });
  const started: Closable[] = [];
  const start = async <T extends Closable>(platform: Promise<T>): Promise<T> => {
    const handle = await platform;
    started.push(handle);
    return handle;
  };
  const closeAll = async () => {
    for (const p of started.splice(0).reverse()) await p.close().catch(() => undefined);
  };

  try {
    const gdx = await start(startGdxGateway({ ...options.gdx, population, seed, host: options.host }));
    const host = options.host === undefined ? {} : { host: options.host };
    const thaid = await start(startThaidProvider({ ...options.thaid, population, ...host }));
    const dga = await start(startDgaProvider({ ...options.dga, population, ...host }));
    const ecms = await start(startEcmsNetwork({ ...options.ecms, seed, ...host }));
    const pki = await start(startSandboxPki({ ...options.pki, ...host }));
    const csc = await start(
      startCscService({ ...options.csc, pki, dga, people: population.people, seed, ...host }),
    );
    const catalog = await start(startAgencyCatalog({ ...options.catalog, seed, ...host }));
    return { population, gdx, thaid, dga, ecms, pki, csc, catalog, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
