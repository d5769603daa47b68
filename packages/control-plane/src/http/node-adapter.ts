import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler } from './http-types.ts';

/** Largest request body the local server reads before answering 413. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** Node's request callback, and a way to wait for the requests still being handled. */
export interface NodeListener {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Resolves when every request handled so far has finished (its storage writes included). */
  idle(): Promise<void>;
}

// Only the path and query of a request target are used, read against a base that never changes.
const BASE = 'http://control-plane.invalid';

/**
 * The request target as a URL, or undefined when it is not origin-form (`/path?query`): `*`,
 * absolute-form and anything `new URL` refuses (`http://[`, which once threw out of the event
 * handler and took the process down). Origin-form is appended to the base rather than resolved
 * against it, so `//records` stays the path `//records` and never names a host.
 */
function requestUrl(target: string | undefined): URL | undefined {
  if (!target?.startsWith('/')) return undefined;
  try {
    return new URL(`${BASE}${target}`);
  } catch {
    return undefined;
  }
}

// An answer given before the body was read: the connection closes after it (Node discards the
// rest of the body meanwhile, and destroys the socket once the answer is written), so whatever
// the client still sends is never buffered.
function refuseEarly(res: ServerResponse, status: number, reason: string): void {
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      connection: 'close',
    })
    .end(JSON.stringify({ ok: false, reason }));
}

/**
 * Adapts an {@link HttpHandler} to Node's `http.createServer` callback. Tracks handlers in flight
 * so a server can stop without cutting a batch's writes in half. A body over
 * {@link MAX_REQUEST_BYTES} is answered 413 as soon as it is known to be too large (from
 * `content-length`, or while it streams in), never after reading it all.
 */
export function nodeListener(handler: HttpHandler, onError: (error: unknown) => void): NodeListener {
  const inFlight = new Set<Promise<unknown>>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req.url);
    if (!url) {
      refuseEarly(res, 400, 'bad-request');
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_REQUEST_BYTES) {
      refuseEarly(res, 413, 'too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= MAX_REQUEST_BYTES) {
        chunks.push(chunk);
        return;
      }
      refused = true;
      chunks.length = 0;
      req.off('data', onData);
      refuseEarly(res, 413, 'too-large');
    };
    req.on('data', onData);
    req.on('end', () => {
      if (refused) return;
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const handling: Promise<void> = handler({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: Buffer.concat(chunks),
      })
        .then((response) => {
          res.writeHead(response.status, response.headers);
          res.end(req.method === 'HEAD' ? undefined : response.body);
        })
        .catch((error: unknown) => {
          onError(error);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"ok":false,"reason":"internal"}');
        })
        .finally(() => inFlight.delete(handling));
      inFlight.add(handling);
    });
  };
  return Object.assign(listener, {
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  });
}
