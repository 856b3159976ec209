import { randomUUID } from 'node:crypto';
import { consumerMayCall } from './consumers.js';
import type { Caller, Reply, Route } from './routes.js';

/**
 * DGA e-Payment behind GDX: `POST /ws/dga[/uat|/dev]/payment/{create,close,void}` and `GET .../payment/status`,
 * every answer the envelope `{status (0 = success), errorCode, message, data}`, failures in a 200 as well.
 * DGA publishes the envelope, not the request fields: the emulator takes a JSON body with `ref` (also spelled
 * `ref1` / `refNo`) and a positive `amount` to create, and `paymentId` or `ref` for the other operations.
 * Each environment segment ("", "uat", "dev") has its own ledger: a UAT payment does not exist in production.
 * No idempotency key is honoured (GDX documents none): a repeated create is a second payment, which is why a
 * client must never retry create/void blindly but read the status first.
 */

/** A payment in the emulator's ledger. */
export interface PaymentRecord {
  paymentId: string;
  ref: string;
  amount: number;
  state: 'CREATED' | 'CLOSED' | 'VOIDED';
  /** Consumer name that created it. */
  consumer: string;
  createdAt: string;
}

/** The e-Payment ledgers (one per environment segment) and the switches tests use. */
export class PaymentLedger {
  readonly #byEnv = new Map<string, PaymentRecord[]>();
  /**
   * Lose the answer of the next N create/close/void calls after they took effect (the socket is cut): the
   * ambiguous timeout after which only the status call tells whether the payment exists.
   */
  loseReplies = 0;

  /** Payments of one environment ('' = production, 'uat', 'dev'), oldest first. */
  list(env = ''): PaymentRecord[] {
    return (this.#byEnv.get(env) ?? []).map((p) => ({ ...p }));
  }

  /** The ledger of an environment, created on first use. */
  ledger(env: string): PaymentRecord[] {
    let l = this.#byEnv.get(env);
    if (!l) {
      l = [];
      this.#byEnv.set(env, l);
    }
    return l;
  }
}

type Op = 'create' | 'close' | 'void' | 'status';

const ENVS = ['', 'uat', 'dev'] as const;
const OPS: readonly Op[] = ['create', 'close', 'void', 'status'];

const envelope = (status: number, errorCode: string | null, message: string, data: unknown): Reply => ({
  status: 200,
  json: { status, errorCode, message, data },
  providerCode: errorCode ?? undefined,
});
const failure = (errorCode: string, message: string): Reply => envelope(1, errorCode, message, null);

function bodyObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return {};
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function refOf(o: Record<string, unknown>): string | undefined {
  const v = o.ref ?? o.ref1 ?? o.refNo;
  return typeof v === 'string' && v.trim() !== '' && v.length <= 64 ? v.trim() : undefined;
}

function find(ledger: PaymentRecord[], o: Record<string, unknown>): PaymentRecord | undefined {
  const id = o.paymentId;
  if (typeof id === 'string') return ledger.find((p) => p.paymentId === id);
  const ref = refOf(o);
  return ref === undefined ? undefined : ledger.find((p) => p.ref === ref);
}

function create(ledger: PaymentRecord[], o: Record<string, unknown>, caller: Caller): Reply {
  const ref = refOf(o);
  const amount = typeof o.amount === 'string' ? Number(o.amount) : o.amount;
  if (ref === undefined) return failure('E101', 'ref is required');
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
    return failure('E103', 'amount must be a positive number');
  }
  // A reference is unique among the payments still open: a blind second create is refused only while the
  // first is open, so a retry after a close or void makes a second payment.
  if (ledger.some((p) => p.ref === ref && p.state === 'CREATED')) return failure('E102', 'duplicate ref');
  const rec: PaymentRecord = {
    paymentId: randomUUID(),
    ref,
    amount,
    state: 'CREATED',
    consumer: caller.name,
    createdAt: new Date().toISOString(),
  };
  ledger.push(rec);
  return envelope(0, null, 'success', { ...rec, consumer: undefined });
}

function transition(ledger: PaymentRecord[], o: Record<string, unknown>, to: 'CLOSED' | 'VOIDED'): Reply {
  const rec = find(ledger, o);
  if (!rec) return failure('E201', 'payment not found');
  if (rec.state !== 'CREATED') return failure('E202', `payment is ${rec.state.toLowerCase()}`);
  rec.state = to;
  return envelope(0, null, 'success', { ...rec, consumer: undefined });
}

function handler(ledgers: PaymentLedger, env: string, op: Op): Route['handle'] {
  return (_state, caller, q, body, method): Reply => {
    if (!consumerMayCall(caller, 'dga/payment')) return { status: 401, text: '', noRight: true };
    const wanted = op === 'status' ? 'GET' : 'POST';
    if (method !== wanted) return { status: 405, text: 'Method Not Allowed' };
    const ledger = ledgers.ledger(env);
    if (op === 'status') {
      const rec = find(ledger, Object.fromEntries(q));
      return rec
        ? envelope(0, null, 'success', { ...rec, consumer: undefined })
        : failure('E201', 'payment not found');
    }
    const o = bodyObject(body);
    if (!o) return failure('E100', 'invalid JSON body');
    const reply =
      op === 'create'
        ? create(ledger, o, caller)
        : transition(ledger, o, op === 'close' ? 'CLOSED' : 'VOIDED');
    if (ledgers.loseReplies > 0 && (reply.json as { status: number }).status === 0) {
      ledgers.loseReplies--;
      return { ...reply, drop: true };
    }
    return reply;
  };
}

/** The e-Payment routes of every environment segment, by GDX path. */
export function paymentRoutes(ledgers: PaymentLedger): Record<string, Route> {
  const out: Record<string, Route> = {};
  for (const env of ENVS) {
    for (const op of OPS) {
      out[`/ws/dga${env ? `/${env}` : ''}/payment/${op}`] = {
        service: 'dga/payment',
        handle: handler(ledgers, env, op),
        // The gateway refuses another verb itself, before the consumer's rights are looked at.
        methods: op === 'status' ? ['GET'] : ['POST'],
      };
    }
  }
  return out;
}
