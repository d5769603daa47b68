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
  /** Whole-request timeout, name lookup to last response byte (not an idle timeout). Default: 10000. */
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
  /**
   * This request's own whole-request timeout, when shorter than the transport's (a caller with a
   * deadline: an attempt must not outlive it). Default: the transport's `timeoutMillis`.
   */
  timeoutMillis?: number;
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
      // One deadline for the whole request, name lookup included: a peer that trickles headers or
      // body a byte at a time, or a resolver that never answers, would reset an idle timer forever.
      const deadline = deadlineOf(
        Math.max(1, Math.min(timeoutMillis, request.timeoutMillis ?? timeoutMillis)),
      );
      try {
        // In local mode `localhost` is resolved like any name: a hosts-file entry or a DNS answer must
        // not turn local mode into a way out. Resolve once, check, and connect to what was checked.
        const pinned =
          url.protocol === 'http:'
            ? await Promise.race([resolveLoopbackOnly(lookup, url.hostname), deadline.expired])
            : undefined;
        if (pinned === 'timeout') return { kind: 'network-error', reason: deadline.reason };
        if (pinned && !pinned.ok) return { kind: 'network-error', reason: pinned.reason };
        return await new Promise<TransportResponse>((resolve, reject) => {
          let settled = false;
          const finish = (result: TransportResponse) => {
            if (settled) return;
            settled = true;
            resolve(result);
          };
          let req: ClientRequest;
          const onResponse = (response: IncomingMessage) =>
            readBounded(response, maxResponseBytes, (result) => {
              if (result.kind === 'network-error') req.destroy();
              finish(result);
            });
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
          deadline.expired.then(() => {
            finish({ kind: 'network-error', reason: deadline.reason });
            req.destroy();
          }, noop);
          // A 101 answer hands the socket over to another protocol: nothing the control plane says.
          // Without this listener Node leaves the request pending forever.
          req.on('upgrade', (_response, socket) => {
            socket.destroy();
            finish({ kind: 'network-error', reason: 'protocol upgrade refused' });
          });
          req.on('error', (error) => {
            if (error instanceof EgressRefusedError && !settled) {
              settled = true;
              reject(error);
            } else finish({ kind: 'network-error', reason: error.message });
          });
          req.end(body);
        });
      } finally {
        deadline.clear();
      }
    },
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

const noop = () => undefined;

/** A timer as a promise that resolves (never rejects) with `'timeout'` when it fires. */
function deadlineOf(timeoutMillis: number) {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMillis);
  });
  return { expired, reason: `timed out after ${timeoutMillis} ms`, clear: () => clearTimeout(timer) };
}

/**
 * Reads a response body up to `maxBytes`, then reports it once: the body, or a network error when it
 * is larger (a declared length over the limit is refused before reading; a body that grows past it
 * is cut off at once, never buffered) or fails (a body cut short by a closed or reset connection is
 * no answer, whatever its status).
 */
function readBounded(response: IncomingMessage, maxBytes: number, done: (result: TransportResponse) => void) {
  const chunks: Buffer[] = [];
  let size = 0;
  let reported = false;
  const report = (result: TransportResponse) => {
    if (reported) return;
    reported = true;
    done(result);
  };
  const declared = Number(response.headers['content-length']);
  if (declared > maxBytes) {
    response.destroy();
    return report({ kind: 'network-error', reason: 'response too large' });
  }
  response.on('data', (chunk: Buffer) => {
    size += chunk.byteLength;
    if (size > maxBytes) {
      response.destroy();
      report({ kind: 'network-error', reason: 'response too large' });
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () =>
    report({
      kind: 'response',
      status: response.statusCode ?? 0,
      body: Buffer.concat(chunks).toString('utf8'),
    }),
  );
  response.on('error', (error) => report({ kind: 'network-error', reason: error.message }));
}
