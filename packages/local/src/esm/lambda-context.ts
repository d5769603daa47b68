import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** What a Lambda `Context` is made from. */
export interface LambdaContextOptions {
  /** `functionName`, also used for the log group. */
  functionName: string;
  /** `invokedFunctionArn`. */
  functionArn: string;
  /** Epoch millis at which the invocation times out. */
  deadlineMillis: number;
  /** Memory size reported in `memoryLimitInMB`. Default: 128. */
  memoryLimitInMB?: number;
  /** `awsRequestId`. Default: a random UUID. */
  requestId?: string;
}

/**
 * A Lambda `Context` for one invocation, as the Node.js runtime builds it: a fresh
 * `awsRequestId`, `$LATEST`, the function's log group, and `getRemainingTimeInMillis()` counting
 * down to the function timeout. The deprecated `done`/`fail`/`succeed` throw: the local mapping
 * supports async handlers only.
 *
 * @example createLambdaContext({ functionName: 'ingest', functionArn, deadlineMillis: Date.now() + 60_000 })
 */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const requestId = options.requestId ?? randomUUID();
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported by the local event source mapping: return a promise`);
  };
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: options.functionArn,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 128),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${day}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, options.deadlineMillis - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
