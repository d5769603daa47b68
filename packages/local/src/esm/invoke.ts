import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { FunctionTimeoutError } from '../errors.ts';
import { createLambdaContext } from './lambda-context.ts';
import type { KinesisHandler } from './options.ts';

/** What came back from one invocation. */
export type InvocationResult =
  | { kind: 'returned'; response: unknown }
  | { kind: 'functionError'; error: unknown; timedOut: boolean };

/** One synchronous invocation, as Lambda performs it for a stream batch. */
export interface InvocationRequest {
  handler: KinesisHandler;
  event: KinesisStreamEvent;
  functionName: string;
  functionArn: string;
  timeoutMillis: number;
}

/**
 * Invokes the handler with a fresh context and a timeout. A throw, a rejection, an error passed to
 * the callback, a timeout, or a response JSON cannot serialize is a function error (`Unhandled`). The response is passed through
 * JSON as Lambda does, so the mapping sees what AWS would see (class instances become plain
 * objects, `undefined` becomes null). A timed-out handler keeps running in the background: a
 * promise cannot be cancelled (on AWS the sandbox is frozen instead).
 */
export async function invokeHandler(request: InvocationRequest): Promise<InvocationResult> {
  const context = createLambdaContext({
    functionName: request.functionName,
    functionArn: request.functionArn,
    deadlineMillis: Date.now() + request.timeoutMillis,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<InvocationResult>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          kind: 'functionError',
          error: new FunctionTimeoutError(request.timeoutMillis),
          timedOut: true,
        }),
      request.timeoutMillis,
    );
  });
  const run = (async (): Promise<InvocationResult> => {
    try {
      const value = await callHandler(request, context);
      const json = JSON.stringify(value);
      return { kind: 'returned', response: json === undefined ? null : JSON.parse(json) };
    } catch (error) {
      return { kind: 'functionError', error, timedOut: false };
    }
  })();
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// An async handler finishes with its promise; any other finishes when it calls the callback.
function callHandler(request: InvocationRequest, context: Context): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const callback = (error?: Error | string | null, result?: unknown) => {
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    const returned = request.handler(request.event, context, callback);
    if (isThenable(returned)) Promise.resolve(returned).then(resolve, reject);
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
