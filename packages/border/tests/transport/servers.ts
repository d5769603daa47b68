import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A loopback server that counts TCP connections and requests. */
export interface CountingServer {
  url: string;
  port: number;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

type Respond = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function listen(
  server: Server,
  state: { connections: number; requests: number },
  scheme: 'http' | 'https',
): Promise<CountingServer> {
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.defineProperties(
    {
      url: `${scheme}://127.0.0.1:${port}`,
      port,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    } as CountingServer,
    {
      connections: { get: () => state.connections },
      requests: { get: () => state.requests },
    },
  );
}

function handler(state: { requests: number }, respond: Respond) {
  return (req: IncomingMessage, res: ServerResponse) => {
    state.requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => respond(req, res, Buffer.concat(chunks).toString('utf8')));
  };
}

/** Starts an http server on 127.0.0.1 that answers with `respond`. */
export function startCountingServer(respond: Respond): Promise<CountingServer> {
  const state = { connections: 0, requests: 0 };
  return listen(createServer(handler(state, respond)), state, 'http');
}

/** Starts an https server on 127.0.0.1 with the given TLS options. */
export function startCountingHttpsServer(tls: ServerOptions, respond: Respond): Promise<CountingServer> {
  const state = { connections: 0, requests: 0 };
  return listen(createHttpsServer(tls, handler(state, respond)), state, 'https');
}

/** True when the openssl CLI is there to make a throwaway certificate. */
export const hasOpenssl = existsSync('/usr/bin/openssl');

/** A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'border-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
