import { ecmsError } from './errors.js';
import type { LeaseFence, LetterRecord, LetterStore } from './store/letter-store.js';

/** Options of `allocateRegistrationNumber`: the register and the Buddhist-era year numbers run in. */
export interface RegistrationOptions {
  /** Register name (ทะเบียนหนังสือรับ), e.g. "central" or a unit's code. Numbers run per register and year. */
  register?: string;
  /** Formats the number into the AcceptID; default "<n>/<BE year>" (e.g. "125/2569"). */
  format?: (input: { number: number; beYear: number; register: string }) => string;
  /** Clock for the registration year; default now. */
  now?: () => Date;
}

/** Buddhist-era year of an instant in Thailand (UTC+7): registers restart on 1 January, Thai time. */
export function thaiBuddhistYear(at: Date): number {
  return new Date(at.getTime() + 7 * 3600_000).getUTCFullYear() + 543;
}

/** Date and time of registration as Thai offices record it (ISO, UTC+7). */
export function thaiLocalDateTime(at: Date): string {
  return `${new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

/** Writes a registration number as it is printed on the letter: `number/BE year`. */
export function formatRegistrationNumber(input: {
  number: number;
  beYear: number;
  register: string;
}): string {
  return `${input.number}/${input.beYear}`;
}

/**
 * Gives an inbound letter its registration number (เลขทะเบียนรับ): the next running number of the
 * register for the current Buddhist-era year, allocated atomically in the store. Calling it again for
 * the same letter returns the same number (a crash between allocation and the AcceptLetterNotifier
 * resends that number, never a new one); `renew` replaces a disputed number with a fresh one.
 */
export async function allocateRegistrationNumber(
  store: LetterStore,
  journalId: string,
  options: RegistrationOptions & {
    renew?: boolean;
    fence?: LeaseFence;
    /** The letter as the caller just read or wrote it under `fence` (saves one read); it must be `journalId`. */
    current?: LetterRecord;
  } = {},
): Promise<{ acceptId: string; number: number; beYear: number; register: string }> {
  const register = options.register ?? 'central';
  if (!register || register.length > 100)
    throw ecmsError('ERR_ECMS_MESSAGE', 'register must be 1–100 characters');
  // Under a fence, the caller's copy is the letter as it is: nobody else may change it meanwhile.
  const known = options.fence !== undefined && options.current?.journalId === journalId;
  const letter = known ? options.current : await store.get(journalId);
  if (!letter) throw ecmsError('ERR_ECMS_NOT_FOUND', 'No such letter in the journal');
  const beYear =
    letter.registrationNumber !== undefined && !options.renew && letter.registrationYear !== undefined
      ? letter.registrationYear
      : thaiBuddhistYear((options.now ?? (() => new Date()))());
  const number = await store.allocateRegistrationNumber({
    journalId,
    register,
    year: beYear,
    renew: options.renew,
    ...(options.fence ? { fence: options.fence } : {}),
  });
  // The store keeps a number the letter already has, with its year. Under a fence, `beYear` is that year
  // already (taken from the letter above); otherwise the letter may have been numbered since: read it again.
  const year = known ? beYear : ((await store.get(journalId))?.registrationYear ?? beYear);
  return {
    acceptId: (options.format ?? formatRegistrationNumber)({ number, beYear: year, register }),
    number,
    beYear: year,
    register,
  };
}
