import type { Client } from '@smithy/smithy-client';

/** Counts of AWS API calls by service and operation, e.g. `{ 'DynamoDB.BatchGetItem': 12 }`. */
export type CallCounts = Record<string, number>;

/**
 * Counts AWS API calls made through SDK v3 clients, by service and operation, using middleware
 * (so the figures are what the code really sent, not an estimate). Attach it to every client
 * whose calls should count; one counter can serve many clients.
 *
 * @example
 * const counter = createCallCounter();
 * counter.attach(clients.dynamodb);
 * // ... run the workload ...
 * counter.snapshot(); // { 'DynamoDB.BatchGetItem': 10, 'KMS.Decrypt': 1 }
 */
export interface CallCounter {
  /** Adds the counting middleware to a client (idempotent per client). */
  attach<C extends AnyClient>(client: C): C;
  /** A copy of the counts so far. */
  snapshot(): CallCounts;
  /** Sum of all counts, or of those whose key starts with `prefix` (e.g. `KMS.`). */
  total(prefix?: string): number;
  /** Sets every count back to zero. */
  reset(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: SDK clients differ in their input/output unions.
type AnyClient = Client<any, any, any, any>;

const MIDDLEWARE_NAME = 'residencyCallCounter';

/**
 * The service and operation of a call, from a middleware's context: `DynamoDB` and `PutItem` for
 * a `PutItemCommand` sent by a `DynamoDBClient`.
 */
export function callNameOf(context: { clientName?: unknown; commandName?: unknown }): {
  service: string;
  operation: string;
} {
  return {
    service: String(context.clientName ?? 'Unknown').replace(/Client$/, ''),
    operation: String(context.commandName ?? 'Unknown').replace(/Command$/, ''),
  };
}

/** Creates a {@link CallCounter}. */
export function createCallCounter(): CallCounter {
  let counts = new Map<string, number>();
  const attached = new WeakSet<object>();
  return {
    attach(client) {
      if (attached.has(client)) return client;
      attached.add(client);
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const { service, operation } = callNameOf(context);
          const key = `${service}.${operation}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return next(args);
        },
        { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
      );
      return client;
    },
    snapshot() {
      return Object.fromEntries(counts);
    },
    total(prefix = '') {
      let sum = 0;
      for (const [key, value] of counts) if (key.startsWith(prefix)) sum += value;
      return sum;
    },
    reset() {
      counts = new Map();
    },
  };
}
