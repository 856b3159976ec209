import { createHash } from 'node:crypto';

/**
 * GDX consumers: the agencies DGA has issued a Consumer-Key and Consumer-Secret to, each allowed a set of
 * catalog services (the data owner's permission). Names are GDX service names as used by the usage log.
 */
export const GDX_SERVICES = [
  'dopa/linkage/001',
  'dopa/linkage/027',
  'dopa/linkage/007',
  'dopa/linkage/008',
  'dopa/agent-permission',
  'dopa/laser-verification',
  'dbd/juristic/profile',
  'dbd/juristic/profile-pdf',
  'dga/payment',
] as const;

/** The services the GDX emulator serves (`GDX_SERVICES`). */
export type GdxServiceName = (typeof GDX_SERVICES)[number];

/** A consumer registered at the GDX emulator: its test Consumer-Key and secret and the services it may call. */
export interface GdxConsumer {
  /** Label shown in the usage log (never the key). */
  name: string;
  consumerKey: string;
  consumerSecret: string;
  /** Service names or prefixes ("dopa/", "*") this consumer may call. */
  services: string[];
}

/** A consumer to register at the GDX emulator: its name and the services it may call. */
export interface GdxConsumerSpec {
  name: string;
  consumerKey?: string;
  consumerSecret?: string;
  services?: string[];
}

/** Deterministic, secret-looking values, so a seeded sandbox prints the same credentials every run. */
function derive(seed: number, label: string, length: number): string {
  return createHash('sha256').update(`thgov-sandbox:${seed}:${label}`).digest('hex').slice(0, length);
}

function uuidLike(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const DEFAULT_CONSUMER_SPECS: GdxConsumerSpec[] = [
  { name: 'agency-full', services: ['*'] },
  // An agency that was granted DOPA data only: DBD calls answer 401 (no right to the data).
  { name: 'agency-dopa-only', services: ['dopa/'] },
];

export function createConsumers(
  seed: number,
  specs: GdxConsumerSpec[] = DEFAULT_CONSUMER_SPECS,
): GdxConsumer[] {
  return specs.map((s) => ({
    name: s.name,
    consumerKey: s.consumerKey ?? uuidLike(derive(seed, `${s.name}:key`, 32)),
    consumerSecret: s.consumerSecret ?? derive(seed, `${s.name}:secret`, 40),
    services: s.services ?? ['*'],
  }));
}

export function consumerMayCall(consumer: { services: string[] }, service: string): boolean {
  return consumer.services.some(
    (p) => p === '*' || p === service || (p.endsWith('/') && service.startsWith(p)),
  );
}
