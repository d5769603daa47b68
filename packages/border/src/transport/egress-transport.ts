import { lookup as dnsLookup } from 'node:dns';
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { EgressRefusedError } from '../errors.ts';
import { allowedOrigin, checkDestination } from './origin-policy.ts';
import { type HostLookup, pinnedLookup, resolveLoopbackOnly } from './pinned-lookup.ts';

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
  /**
   * Resolves host names of plain-http (local mode) destinations; each request resolves once, checks
   * every address is loopback and connects to exactly those addresses. Default: `dns.lookup`.
   */
  lookup?: HostLookup;
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
   * the origin is not allowlisted, the body is too large, or (plain http) the host name resolves to
   * any address off loopback; every other failure is a value.
   */
  post(url: string, request: EgressRequest): Promise<TransportResponse>;
  /** Closes pooled sockets. */
  close(): void;
}

/** TLS floor for every https request. */
export const MIN_TLS_VERSION = 'TLSv1.3';

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
  const lookup: HostLookup = options.lookup ?? dnsLookup;

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
      // In local mode `localhost` is resolved like any name: a hosts-file entry or a DNS answer must
      // not turn local mode into a way out. Resolve once, check, and connect to what was checked.
      const pinned = url.protocol === 'http:' ? await resolveLoopbackOnly(lookup, url.hostname) : undefined;
      if (pinned && !pinned.ok) return { kind: 'network-error', reason: pinned.reason };
      return new Promise<TransportResponse>((resolve, reject) => {
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
          // allowedOrigin() admitted http only for loopback in local mode; resolveLoopbackOnly()
          // checked the addresses, and the socket may connect to those only.
          req = httpRequest(
            url,
            {
              method: 'POST',
              headers,
              agent: httpAgent,
              ...(pinned?.ok ? { lookup: pinnedLookup(pinned.addresses) } : {}),
            },
            onResponse,
          );
        }
        req.setTimeout(timeoutMillis, () => req.destroy(new Error(`timed out after ${timeoutMillis} ms`)));
        req.on('error', (error) => {
          if (error instanceof EgressRefusedError && !settled) {
            settled = true;
            reject(error);
          } else finish({ kind: 'network-error', reason: error.message });
        });
        req.end(body);
      });
    },
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}
