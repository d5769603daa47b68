import type { Readable } from 'node:stream';
import { requestKeyOf, serverErrorResponse, throttlingResponse } from './aws-wire.ts';
import { rewritePartial } from './partial-batch.ts';
import { createFaultSchedule, type FaultPlan, type FaultSchedule, NO_FAULTS } from './plan.ts';
import { countRequest, emptyStats, type FaultStats } from './stats.ts';

/** The part of an SDK v3 client the injector needs (any `@aws-sdk/client-*` client fits). */
export interface MiddlewareClient {
  middlewareStack: {
    // biome-ignore lint/suspicious/noExplicitAny: SDK middleware types differ per client.
    add(middleware: any, options: any): void;
    remove(name: string): boolean;
  };
}

/** Faults injected into one SDK client. */
export interface SdkFaultInjector {
  setFaults(plan: FaultPlan): void;
  clearFaults(): void;
  stats(): FaultStats;
  /** Takes the middleware off the client. */
  remove(): void;
}

interface HttpRequestLike {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

interface HttpResponseLike {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

const MIDDLEWARE_NAME = 'residencyFaultInjection';

/**
 * Fault injection inside an SDK v3 client, the lighter alternative to {@link startFaultProxy}:
 * a middleware at the innermost position (after signing, inside the retry loop) answers with the
 * service's own error responses, so the SDK parses them into its real exception classes and
 * retries them as it would against AWS. Same plans and kinds as the proxy; `reset` and `timeout`
 * raise the Node.js errors the HTTP handler would (ECONNRESET, ETIMEDOUT).
 *
 * @example
 * const faults = injectSdkFaults(clients.kms, { rules: [{ fault: { kind: 'throttle' }, next: 2 }] });
 * await clients.kms.send(new GenerateDataKeyCommand(...)); // throttled twice, then succeeds on the SDK's third attempt
 * faults.remove();
 */
export function injectSdkFaults(client: MiddlewareClient, plan: FaultPlan = NO_FAULTS): SdkFaultInjector {
  let schedule: FaultSchedule = createFaultSchedule(plan);
  let stats = emptyStats();
  client.middlewareStack.add(
    // biome-ignore lint/suspicious/noExplicitAny: generic over every client's input and output.
    (next: (args: any) => Promise<{ response: HttpResponseLike }>) =>
      async (args: { request: HttpRequestLike }) => {
        const request = args.request;
        const key = requestKeyOf(header(request.headers, 'x-amz-target'), request.method, request.path);
        const fault = schedule.decide(key);
        countRequest(stats, key, fault);
        const passOn = async (body?: Buffer) => {
          stats.forwarded += 1;
          return next(body ? { ...args, request: withBody(request, body) } : args);
        };
        switch (fault?.kind) {
          case undefined:
            return passOn();
          case 'throttle':
            return { response: throttlingResponse(key) };
          case 'serverError':
            if (fault.afterForwarding) discard(await passOn());
            return { response: serverErrorResponse(key, fault.status ?? 500) };
          case 'delay':
            await sleep(fault.millis);
            return passOn();
          case 'reset':
            if (fault.afterForwarding) discard(await passOn());
            throw networkError('socket hang up', 'ECONNRESET', 'Error');
          case 'timeout':
            await sleep(fault.holdMillis ?? 5_000);
            throw networkError('connection timed out', 'ETIMEDOUT', 'TimeoutError');
          case 'partial': {
            const body =
              typeof request.body === 'string' || request.body instanceof Uint8Array
                ? Buffer.from(request.body)
                : undefined;
            const rewrite = body && rewritePartial(key.operation, body, schedule.random, fault.failFraction);
            if (!rewrite) return passOn();
            let upstream: Record<string, unknown> | undefined;
            let headers: Record<string, string> = {};
            if (rewrite.forwardBody) {
              const out = await passOn(rewrite.forwardBody);
              if (out.response.statusCode !== 200) return out;
              headers = out.response.headers;
              upstream = JSON.parse((await readBody(out.response.body)).toString('utf8')) as Record<
                string,
                unknown
              >;
            }
            const answer = Buffer.from(JSON.stringify(rewrite.complete(upstream)));
            const { 'x-amz-crc32': _dropped, ...rest } = headers;
            return {
              response: {
                statusCode: 200,
                headers: { ...rest, 'content-length': String(answer.length) },
                body: answer,
              },
            };
          }
        }
      },
    { step: 'deserialize', priority: 'low', name: MIDDLEWARE_NAME, override: true },
  );
  return {
    setFaults(next) {
      schedule = createFaultSchedule(next);
    },
    clearFaults() {
      schedule = createFaultSchedule(NO_FAULTS);
    },
    stats: () => structuredClone(stats),
    remove() {
      client.middlewareStack.remove(MIDDLEWARE_NAME);
      stats = emptyStats();
    },
  };
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function withBody(request: HttpRequestLike, body: Buffer): HttpRequestLike {
  // Keep the request's class (the HTTP handler may check it); only the body and its length change.
  const copy = Object.assign(
    Object.create(Object.getPrototypeOf(request) as object),
    request,
  ) as HttpRequestLike;
  copy.body = typeof request.body === 'string' ? body.toString('utf8') : new Uint8Array(body);
  copy.headers = { ...request.headers, 'content-length': String(body.length) };
  return copy;
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function discard(result: { response: HttpResponseLike }): void {
  const body = result.response.body as { resume?: () => void } | undefined;
  body?.resume?.();
}

function networkError(message: string, code: string, name: string): Error {
  return Object.assign(new Error(message), { code, name });
}

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));
