import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'src', 'bin.ts');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `thgov …` as a separate process (the source through tsx), with a bounded run time. */
export function thgov(args: string[], env: Record<string, string> = {}, timeoutInMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutInMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'thgov-doctor-'));
}

function track(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

async function listen(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = track(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A real forward proxy that only speaks CONNECT, and records the tunnels it opened (from core's test helpers). */
export async function connectProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const server = createHttpServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    if (host !== '127.0.0.1' && host !== 'localhost') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const l = await listen(server);
  return { url: `http://127.0.0.1:${l.port}`, tunnels, close: l.close };
}

/**
 * A reverse proxy in front of a sandbox platform: https with the given certificate (to test TLS checks on
 * a platform the sandbox serves over http) and/or a Date header shifted by `dateOffsetInMs` (a skewed clock).
 */
export async function frontProxy(
  target: string,
  options: { tls?: { key: string; cert: string }; dateOffsetInMs?: number },
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        const headers = { ...up.headers };
        if (options.dateOffsetInMs)
          headers.date = new Date(Date.now() + options.dateOffsetInMs).toUTCString();
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const server = options.tls
    ? (createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) as unknown as Server)
    : createHttpServer(handler);
  const l = await listen(server);
  return { url: `${options.tls ? 'https' : 'http'}://localhost:${l.port}`, close: l.close };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const l = await listen(createHttpServer());
  await l.close();
  return l.port;
}

export interface Pki {
  dir: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  expiredServerCert: string;
  expiredServerKey: string;
  /** Trusted chain, but issued for elsewhere.example only: a host name mismatch on localhost and 127.0.0.1. */
  otherHostCert: string;
  otherHostKey: string;
  clientCertFile: string;
  clientKeyFile: string;
  expiredClientCertFile: string;
  expiredClientKeyFile: string;
}

const CA_CONFIG = `[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
serial = serial.txt
default_md = sha256
policy = p
unique_subject = no
copy_extensions = copy
[p]
commonName = supplied
`;

/** A throw-away CA with valid and expired server and client certificates, made with openssl. */
export function makePki(): Pki {
  const dir = tempDir();
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'req',
    '-x509',
    ...key,
    '-days',
    '400',
    '-subj',
    '/CN=Doctor Test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial.txt'), '1000\n');
  const leaf = (name: string, ext: string[], dates: string[]) => {
    run(
      'req',
      ...key,
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      ...ext.flatMap((e) => ['-addext', e]),
    );
    run(
      'ca',
      '-batch',
      '-notext',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.crt`,
      ...dates,
    );
  };
  const server = ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'extendedKeyUsage=serverAuth'];
  const client = ['extendedKeyUsage=clientAuth'];
  const valid = ['-days', '365'];
  const past = ['-startdate', '20240101000000Z', '-enddate', '20240301000000Z'];
  leaf('server', server, valid);
  leaf('expired-server', server, past);
  leaf('other-host', ['subjectAltName=DNS:elsewhere.example', 'extendedKeyUsage=serverAuth'], valid);
  leaf('client', client, valid);
  leaf('expired-client', client, past);
  const f = (n: string) => join(dir, n);
  const read = (n: string) => readFileSync(f(n), 'utf8');
  return {
    dir,
    caFile: f('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    expiredServerCert: read('expired-server.crt'),
    expiredServerKey: read('expired-server.key'),
    otherHostCert: read('other-host.crt'),
    otherHostKey: read('other-host.key'),
    clientCertFile: f('client.crt'),
    clientKeyFile: f('client.key'),
    expiredClientCertFile: f('expired-client.crt'),
    expiredClientKeyFile: f('expired-client.key'),
  };
}
