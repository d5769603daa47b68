import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { EgressRefusedError } from '../errors.ts';
import { allowedOrigin, checkDestination, isLoopbackAddress } from './origin-policy.ts';

/** Options of {@link createEgressTransport}. */
export interface EgressTransportOptions {
  /** The only origins (`scheme://host[:port]`) requests may go to. Validated at creation. */
  allowedOrigins: readonly string[];
  /** Allows plain http, to loopback only (the local runtime). Default: false. */
  localMode?: boolean;
  /** Whole-request timeout, connect to last response byte. Default: 10000. */
  timeoutMillis?: number;
  /** Requests with a larger body are refused before sending. Default: 4194304 (4 MiB). */
  maxRequestBytes?: number;
  /** Responses with a larger body are cut off and count as a network error. Default: 65536. */
  maxResponseBytes?: number;
  /** Extra trust anchors (PEM) for https, e.g. a private CA. Default: Node's bundled roots. */
  ca?: string | Buffer;
}

/** A request's outcome: an HTTP response (any status, redirects included, never followed), or no response. */
export type TransportResponse =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'network-error'; reason: string };

/** One outgoing request. */
export interface EgressRequest {
  headers: Readonly<Record<string, string>>;
  body: Uint8Array | string;
}

/** The only way out of the region: POSTs to allowlisted origins. */
export interface EgressTransport {
  /** Normalized allowlist. */
  readonly allowedOrigins: readonly string[];
  /**
   * POSTs `request` to `url`. Refuses (throws {@link EgressRefusedError}) before opening a socket when
   * the origin is not allowlisted or the body is too large; every other failure is a value.
   */
  post(url: string, request: EgressRequest): Promise<TransportResponse>;
  /** Closes pooled sockets. */
  close(): void;
}

/** TLS floor for every https request. */
export const MIN_TLS_VERSION = 'TLSv1.3';

// In local mode `localhost` is resolved like any name; refuse the connection unless every address
// it resolves to is loopback (a hosts-file entry must not turn local mode into a way out).
const loopbackOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const list = addresses ?? [];
    if (list.length === 0 || !list.every((entry) => isLoopbackAddress(entry.address))) {
      return callback(
        new EgressRefusedError(`${hostname} does not resolve to loopback only`, hostname),
        '',
        0,
      );
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    return callback(null, first.address, first.family);
  });
};

/**
 * Creates the allowlisted egress transport: Node `https.request` with TLS 1.3 minimum and full
 * certificate checks; plain http only to loopback and only with `localMode`. Redirects are
 * returned as responses and never followed.
 *
 * @example
 * const transport = createEgressTransport({ allowedOrigins: ['https://cp.example.com'] });
 * const response = await transport.post('https://cp.example.com/ingest', { headers, body });
 */
export function createEgressTransport(options: EgressTransportOptions): EgressTransport {
  const localMode = options.localMode ?? false;
  const allowed = options.allowedOrigins.map((origin) => allowedOrigin(origin, localMode));
  const allowlist = new Set(allowed);
  const timeoutMillis = options.timeoutMillis ?? 10_000;
  const maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    minVersion: MIN_TLS_VERSION,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const httpAgent = new HttpAgent({ keepAlive: true });

  return {
    allowedOrigins: allowed,
    async post(destination, request) {
      const url = checkDestination(destination, allowlist);
      const body =
        typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body);
      if (body.byteLength > maxRequestBytes) {
        throw new EgressRefusedError(
          `request body of ${body.byteLength} bytes exceeds ${maxRequestBytes}`,
          url.origin,
        );
      }
      const headers = {
        ...request.headers,
        'content-type': 'application/json',
        'content-length': String(body.byteLength),
      };
      return new Promise<TransportResponse>((resolve) => {
        let settled = false;
        const finish = (result: TransportResponse) => {
          if (settled) return;
          settled = true;
          resolve(result);
        };
        const onResponse = (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.byteLength;
            if (size > maxResponseBytes) {
              response.destroy();
              finish({ kind: 'network-error', reason: 'response too large' });
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () =>
            finish({
              kind: 'response',
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', (error) => finish({ kind: 'network-error', reason: error.message }));
        };
        let req: ClientRequest;
        if (url.protocol === 'https:') {
          req = httpsRequest(
            url,
            {
              method: 'POST',
              headers,
              agent: httpsAgent,
              minVersion: MIN_TLS_VERSION,
              rejectUnauthorized: true,
              ...(options.ca ? { ca: options.ca } : {}),
            },
            onResponse,
          );
        } else {
          // allowedOrigin() admitted http only for loopback in local mode.
          req = httpRequest(
            url,
            { method: 'POST', headers, agent: httpAgent, lookup: loopbackOnlyLookup },
            onResponse,
          );
        }
        req.setTimeout(timeoutMillis, () => req.destroy(new Error(`timed out after ${timeoutMillis} ms`)));
        req.on('error', (error) => finish({ kind: 'network-error', reason: error.message }));
        req.end(body);
      });
    },
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}
