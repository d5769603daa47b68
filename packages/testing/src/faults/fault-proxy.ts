import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { crc32 } from 'node:zlib';
import { type CannedResponse, requestKeyOf, serverErrorResponse, throttlingResponse } from './aws-wire.ts';
import { rewritePartial } from './partial-batch.ts';
import {
  createFaultSchedule,
  type Fault,
  type FaultPlan,
  type FaultSchedule,
  NO_FAULTS,
  type RequestKey,
} from './plan.ts';
import { countRequest, emptyStats, type FaultStats } from './stats.ts';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where requests go, e.g. `http://127.0.0.1:4567` (an emulator, the control plane). */
  target: string;
  /** Port on 127.0.0.1; 0 picks a free one. Default: 0. */
  port?: number;
  /** Faults from the start. Default: none (a transparent proxy). */
  plan?: FaultPlan;
  /** Sees each request (its key and body) before its fault is decided, e.g. to record what is called. */
  onRequest?: (key: RequestKey, body: Buffer) => void;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** Base URL to give clients instead of the target's. */
  readonly url: string;
  readonly port: number;
  /** Current target. */
  readonly target: string;
  /** Replaces the plan (scripted counts start again). */
  setFaults(plan: FaultPlan): void;
  /** Back to a transparent proxy. */
  clearFaults(): void;
  /** Points the proxy at another target (a component restarted on another port). */
  setTarget(url: string): void;
  stats(): FaultStats;
  resetStats(): void;
  /** Resolves when no request is being forwarded to the target. */
  idle(): Promise<void>;
  /**
   * Stops listening and drops every client connection and pending fault at once (clients see
   * resets); requests already passed to the target finish there, their answers are lost. Resolves
   * once those have finished too. Idempotent.
   */
  close(): Promise<void>;
}

interface Upstream {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'upgrade',
]);
const DEFAULT_TIMEOUT_HOLD_MILLIS = 5_000;

/**
 * A loopback HTTP/1.1 proxy in front of one emulator (or the control plane) that injects faults
 * per a seeded {@link FaultPlan}: throttling errors in the service's own wire format, 5xx before or
 * after the request is applied, connection resets, delays, held requests (timeouts) and partial
 * batch failures. The operation is read from `X-Amz-Target`, so a rule can target `PutRecords` or
 * `KMS.GenerateDataKey` only. The SDK then sees exactly what it would see from AWS under load.
 *
 * @example
 * const proxy = await startFaultProxy({ target: stack.endpointsFile.endpoints.kinesis });
 * proxy.setFaults({ seed: 7, rules: [{ operations: ['PutRecords'], fault: { kind: 'throttle' }, next: 2 }] });
 * const kinesis = createAwsClients({ region, endpoints: { kinesis: proxy.url } }).kinesis;
 * // ...
 * await proxy.close();
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let target = new URL(options.target);
  let schedule: FaultSchedule = createFaultSchedule(options.plan ?? NO_FAULTS);
  let stats = emptyStats();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;
  let closed: Promise<void> | undefined;
  const idle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  const wait = (millis: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, millis);
      timers.add(timer);
    });

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> => {
    if (closing) return Promise.reject(new Error('the proxy is closed'));
    const pending = send(req, body);
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending)).catch(() => undefined);
    return pending;
  };

  const send = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      headers['content-length'] = String(body.length);
      headers.host = target.host;
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name))
                out[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ statusCode: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const reply = (res: ServerResponse, answer: CannedResponse | Upstream) => {
    if (res.destroyed) return;
    res.writeHead(answer.statusCode, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const key = requestKeyOf(headerOf(req, 'x-amz-target'), req.method ?? 'GET', req.url ?? '/');
    options.onRequest?.(key, body);
    const fault = schedule.decide(key);
    countRequest(stats, key, fault);
    const passOn = async (payload = body) => {
      stats.forwarded += 1;
      return forward(req, payload);
    };
    switch (fault?.kind) {
      case undefined:
        return reply(res, await passOn());
      case 'throttle':
        return reply(res, throttlingResponse(key));
      case 'serverError':
        if (fault.afterForwarding) await passOn();
        return reply(res, serverErrorResponse(key, fault.status ?? 500));
      case 'delay':
        await wait(fault.millis);
        return reply(res, await passOn());
      case 'reset':
        if (fault.afterForwarding) await passOn();
        req.socket.destroy();
        return;
      case 'timeout':
        await wait(fault.holdMillis ?? DEFAULT_TIMEOUT_HOLD_MILLIS);
        req.socket.destroy();
        return;
      case 'partial':
        return reply(res, await partial(key, fault, body, passOn));
    }
  };

  const partial = async (
    key: RequestKey,
    fault: Extract<Fault, { kind: 'partial' }>,
    body: Buffer,
    passOn: (payload?: Buffer) => Promise<Upstream>,
  ): Promise<CannedResponse | Upstream> => {
    const rewrite = rewritePartial(key.operation, body, schedule.random, fault.failFraction);
    if (!rewrite) return passOn();
    let upstream: Upstream | undefined;
    if (rewrite.forwardBody) {
      upstream = await passOn(rewrite.forwardBody);
      if (upstream.statusCode !== 200) return upstream;
    }
    const answer = Buffer.from(
      JSON.stringify(
        rewrite.complete(
          upstream ? (JSON.parse(upstream.body.toString('utf8')) as Record<string, unknown>) : undefined,
        ),
      ),
    );
    const headers: Record<string, string> = upstream
      ? { ...upstream.headers }
      : {
          'content-type':
            key.service === 'DynamoDB' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
        };
    // DynamoDB answers carry a CRC32 of the body; keep it true for the rewritten body.
    if (upstream?.headers['x-amz-crc32'] !== undefined || key.service === 'DynamoDB')
      headers['x-amz-crc32'] = String(crc32(answer));
    return { statusCode: 200, headers, body: answer };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => {
        // The target is down or dropped us: the client sees its connection dropped, as it would.
        stats.upstreamErrors += 1;
        req.socket.destroy();
      });
    });
  });
  // Idle keep-alive sockets closed by the proxy would show up as resets nobody injected.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get target() {
      return target.origin;
    },
    setFaults(plan) {
      schedule = createFaultSchedule(plan);
    },
    clearFaults() {
      schedule = createFaultSchedule(NO_FAULTS);
    },
    setTarget(url) {
      target = new URL(url);
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = emptyStats();
    },
    idle,
    close() {
      closed ??= (async () => {
        closing = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        const listening = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await idle();
        agent.destroy();
        await listening;
      })();
      return closed;
    },
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
