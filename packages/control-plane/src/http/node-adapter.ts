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

/**
 * Adapts an {@link HttpHandler} to Node's `http.createServer` callback. Tracks handlers in flight
 * so a server can stop without cutting a batch's writes in half.
 */
export function nodeListener(handler: HttpHandler, onError: (error: unknown) => void): NodeListener {
  const inFlight = new Set<Promise<unknown>>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        res.writeHead(413, { 'content-type': 'application/json' }).end('{"ok":false,"reason":"too-large"}');
        return;
      }
      const url = new URL(req.url ?? '/', 'http://control-plane.invalid');
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
