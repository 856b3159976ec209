import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * The default owner name of a worker's leases: differs per process and per instance, so two workers
 * never share a lease by accident. A replica that should take its own leases back at once after a
 * restart passes a stable `workerId` (e.g. the pod or host name plus a slot number).
 */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
