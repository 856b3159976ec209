/** One line of the usage log GDX keeps for every call: who called what, for whom, about whom, with what result. */
export interface GdxUsageEntry {
  at: string;
  /** 'gdx' for the /ws gateway, 'xroad' for /r1 calls. */
  via: 'gdx' | 'xroad';
  /** Consumer name (or X-Road client identifier); undefined when the caller could not be identified. */
  consumer: string | undefined;
  agentId: string | undefined;
  /** GDX service name, 'auth/validate', or the path when the route is unknown. */
  service: string;
  /** Citizen or juristic ID the call was about, when there is one. */
  subject: string | undefined;
  status: number;
  /** Provider business code (Linkage Code, laser `[n]`), when the call failed with one. */
  providerCode: string | undefined;
  requestId: string | undefined;
}

/** Every request the GDX emulator served, as GDX logs it for billing: consumer, AgentID, service, status. */
export class GdxUsageLog {
  #entries: GdxUsageEntry[] = [];
  readonly #limit: number;

  constructor(limit = 100_000) {
    this.#limit = limit;
  }

  record(entry: Omit<GdxUsageEntry, 'at'>): void {
    if (this.#entries.length >= this.#limit) this.#entries.shift();
    this.#entries.push({ at: new Date().toISOString(), ...entry });
  }

  entries(
    filter?: Partial<Pick<GdxUsageEntry, 'via' | 'consumer' | 'agentId' | 'service' | 'subject' | 'status'>>,
  ): GdxUsageEntry[] {
    if (!filter) return [...this.#entries];
    return this.#entries.filter((e) =>
      Object.entries(filter).every(([k, v]) => v === undefined || e[k as keyof GdxUsageEntry] === v),
    );
  }

  /** Count of entries for a service (e.g. 'auth/validate'), optionally with a status. */
  count(service: string, status?: number): number {
    let n = 0;
    for (const e of this.#entries)
      if (e.service === service && (status === undefined || e.status === status)) n++;
    return n;
  }

  clear(): void {
    this.#entries = [];
  }
}
