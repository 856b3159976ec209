import { stat } from 'node:fs/promises';
import { formatPath } from './env.js';
import type { ThgovConfig, TransportConfig } from './schema.js';

type Key = string | number;

/** One secret of the configuration: where it sits, and its value (a database URL's password for a URL). */
export interface ConfigSecret {
  keys: Key[];
  value: string | undefined;
}

function passphrase(keys: Key[], t: TransportConfig | undefined): ConfigSecret {
  return { keys: [...keys, 'transport', 'tls', 'passphrase'], value: t?.tls?.passphrase };
}

function providerSecrets(config: ThgovConfig): ConfigSecret[] {
  const d = config.digitalId;
  const providers: Array<[Key[], NonNullable<typeof d>['thaid']]> = [
    [['digitalId', 'thaid'], d?.thaid],
    [['digitalId', 'dga'], d?.dga],
    ...Object.entries(d?.providers ?? {}).map(([k, p]): [Key[], typeof p] => [
      ['digitalId', 'providers', k],
      p,
    ]),
  ];
  return providers.flatMap(([keys, p]) => [
    { keys: [...keys, 'clientSecret'], value: p?.clientSecret },
    { keys: [...keys, 'apiKey'], value: p?.apiKey },
    passphrase(keys, p?.transport),
  ]);
}

function databaseSecrets(config: ThgovConfig): ConfigSecret[] {
  const store = config.ecms?.store;
  const dbs: Array<[Key[], { url: string } | undefined]> = [
    [['ecms', 'store', 'postgres'], store && 'postgres' in store ? store.postgres : undefined],
    [['audit', 'postgres'], config.audit?.postgres],
    [['digitalId', 'stateStore', 'postgres'], config.digitalId?.stateStore?.postgres],
  ];
  return dbs.map(([keys, db]) => ({
    keys: [...keys, 'url'],
    value: db ? new URL(db.url).password || undefined : undefined,
  }));
}

/**
 * Every secret the configuration holds, by key path: what is registered for redaction, and what must not sit in
 * clear in a file every local user can read.
 */
export function configSecrets(config: ThgovConfig): ConfigSecret[] {
  const a = config.audit;
  return [
    { keys: ['exchange', 'consumerKey'], value: config.exchange?.consumerKey },
    { keys: ['exchange', 'consumerSecret'], value: config.exchange?.consumerSecret },
    { keys: ['catalog', 'apiToken'], value: config.catalog?.apiToken },
    { keys: ['audit', 'hmacSecret'], value: a?.hmacSecret },
    { keys: ['audit', 'chainKey', 'secret'], value: a?.chainKey.secret },
    ...(a?.previousChainKeys ?? []).map((k, i) => ({
      keys: ['audit', 'previousChainKeys', i, 'secret'],
      value: k.secret,
    })),
    passphrase([], config.transport),
    passphrase(['exchange'], config.exchange?.transport),
    passphrase(['ecms'], config.ecms?.transport),
    passphrase(['catalog'], config.catalog?.transport),
    ...providerSecrets(config),
    ...databaseSecrets(config),
  ].filter((s) => s.value !== undefined && s.value !== '');
}

function rawAt(root: unknown, keys: readonly Key[]): unknown {
  let v = root;
  for (const k of keys) v = typeof v === 'object' && v !== null ? (v as Record<Key, unknown>)[k] : undefined;
  return v;
}

/** The password of a database URL as written: `postgres://user:PASSWORD@host/db`. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]*)@/i;

/** Written in the file itself, not taken from the environment by a `${NAME}` reference. */
function inClear(raw: unknown, keys: readonly Key[]): boolean {
  if (typeof raw !== 'string') return false;
  const value = keys.at(-1) === 'url' ? URL_PASSWORD.exec(raw)?.[1] : raw;
  return value !== undefined && value !== '' && !value.includes('${');
}

/** A warning about the configuration file: its `process.emitWarning` code, and the text (keys, never values). */
export interface ConfigFileWarning {
  code: 'THGOV_CONFIG_READABLE' | 'THGOV_CONFIG_WRITABLE';
  message: string;
}

/** Who besides the owner may read a file of mode `mode`, as the warning says it; undefined for no one. */
function readers(mode: number): string | undefined {
  if (mode & 0o004) return 'every user of this machine';
  if (mode & 0o040) return 'its group';
  return undefined;
}

/**
 * The warnings about the configuration file at `path` (`raw` is its JSON before `${NAME}` substitution), as ssh
 * and kubectl judge such files: readable by others (mode g+r or o+r) while it holds secrets in clear, naming
 * their keys, never their values; writable by every user (o+w), with or without secrets, since whoever edits it
 * chooses the URLs thgov sends credentials (also those from the environment) and data to. None for a pipe, or
 * on Windows, where the mode bits mean nothing.
 */
export async function configFileWarnings(
  path: string,
  raw: unknown,
  config: ThgovConfig,
): Promise<ConfigFileWarning[]> {
  if (process.platform === 'win32') return [];
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) return [];
  const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
  const out: ConfigFileWarning[] = [];
  const who = readers(st.mode);
  const keys = who
    ? configSecrets(config)
        .filter((s) => inClear(rawAt(raw, s.keys), s.keys))
        .map((s) => formatPath(s.keys))
    : [];
  if (keys.length)
    out.push({
      code: 'THGOV_CONFIG_READABLE',
      message:
        `${path} is readable by ${who} (mode ${mode}) and holds secrets in clear: ${keys.join(', ')}. ` +
        `Run chmod 600 ${path}, or take them from the environment (\${THGOV_…}).`,
    });
  if (st.mode & 0o002)
    out.push({
      code: 'THGOV_CONFIG_WRITABLE',
      message:
        `${path} can be changed by every user of this machine (mode ${mode}): whoever edits it chooses where thgov ` +
        `sends its credentials and data. Run chmod go-w ${path}.`,
    });
  return out;
}
