/**
 * Offset paging over a list that loses rows while it is read (a dataset deleted or made private, a DataStore
 * refresh deleting stale rows). Every request after the first starts on the last row read (the anchor): a deletion
 * before it shifts every later row down, the page then opens on a row never read, and a plain offset step would
 * have jumped over rows. The reader then looks for the first unread row between two offsets it knows: `lo` holds
 * a row already read (or is the caller's first offset), `hi` one never read. Each probe halves that span, so the
 * search ends after a few requests however many rows went.
 */
export interface ShiftProbe {
  /** An offset whose row was read already (or the caller's first offset). */
  lo: number;
  /** An offset whose row was never read: the first unread row is at or before it. */
  hi: number;
}

/** The offset to read next while looking: the low end once one page spans the rest, else the middle. */
export function nextProbe(probe: ShiftProbe, pageLength: number): number {
  return probe.hi - probe.lo < Math.max(1, pageLength) ? probe.lo : Math.floor((probe.lo + probe.hi) / 2);
}

/** A page read at `from` opened on a row never read: the first unread row is at or before `from`. */
export function openedPast(probe: ShiftProbe | undefined, from: number, origin: number): ShiftProbe {
  return { lo: probe !== undefined && probe.lo < from ? probe.lo : origin, hi: from };
}

/**
 * A page read at `from` held only rows already read: the first unread row lies past it. Undefined when that
 * contradicts what the catalog answered before (the span would not shrink): the catalog is not consistent.
 */
export function allRead(probe: ShiftProbe, from: number, pageLength: number): ShiftProbe | undefined {
  const lo = from + pageLength - 1;
  return lo > probe.lo && lo < probe.hi ? { lo, hi: probe.hi } : undefined;
}
