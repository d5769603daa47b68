import { type FaultProxy, startFaultProxy } from '../../packages/testing/src/index.ts';

// What the grants tests share: the stack's resources and their local counterparts, and proxies
// that record the AWS operations a function's own wiring makes.

/** Stack tables (logical id prefix) and their local counterparts (role in `LocalResources`). */
export const TABLES = {
  Vault: 'vault',
  Audit: 'audit',
  Aggregates: 'aggregates',
  Quarantine: 'quarantine',
  EgressLog: 'egressLog',
} as const;
/** Stack streams (logical id prefix) and their local counterparts. */
export const STREAMS = { Events: 'events', Outbox: 'outbox' } as const;

/** `service:Operation`s seen on the wire, per resource a request names. */
export type Calls = Map<string, Set<string>>;

/** The resources an AWS JSON request names: its table(s), stream or key. */
export function resourcesOf(body: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const field of ['TableName', 'StreamName', 'KeyId']) {
    if (typeof body[field] === 'string') names.push(body[field] as string);
  }
  if (typeof body.StreamARN === 'string') names.push((body.StreamARN as string).split('/').pop() ?? '');
  const batch = body.RequestItems;
  if (typeof batch === 'object' && batch !== null) names.push(...Object.keys(batch));
  return names;
}

/**
 * The calls a BatchWriteItem stands for besides itself, per table: `writeBatch` (packages/aws) sends
 * the requests of a call DynamoDB refuses as invalid again one by one, a put as PutItem and a delete
 * as DeleteItem. No test run meets such a refusal, yet on AWS a function without those grants would
 * then fail every item of the call, so the grants tests count them as calls it makes. The vault
 * store's own BatchWriteItem (which has no such fallback) is counted the same way; the ingest, which
 * makes it, puts vault items one by one anyway.
 *
 * @example writeBatchFallbacks('BatchWriteItem', { RequestItems: { t: [{ DeleteRequest: {} }] } }) // t → dynamodb:DeleteItem
 */
export function writeBatchFallbacks(operation: string, input: Record<string, unknown>): Calls {
  const fallbacks: Calls = new Map();
  if (operation !== 'BatchWriteItem') return fallbacks;
  const batch = (input.RequestItems ?? {}) as Record<string, Array<Record<string, unknown>>>;
  for (const [table, requests] of Object.entries(batch)) {
    const operations = new Set<string>();
    for (const request of requests) {
      if (request.PutRequest !== undefined) operations.add('dynamodb:PutItem');
      if (request.DeleteRequest !== undefined) operations.add('dynamodb:DeleteItem');
    }
    fallbacks.set(table, operations);
  }
  return fallbacks;
}

/**
 * A transparent fault proxy (no faults) in front of one endpoint that records `service:Operation`
 * per resource each request names, from `X-Amz-Target` and the JSON body (`namesOf`, by default
 * {@link resourcesOf}), and the item-by-item calls a BatchWriteItem may fall back to
 * ({@link writeBatchFallbacks}). A request that is not AWS JSON, or names nothing, is recorded
 * under `(none)`, which the grants tests refuse.
 */
export function startRecordingProxy(
  target: string,
  calls: Calls,
  namesOf: (service: string, body: Record<string, unknown>) => string[] = (_service, body) =>
    resourcesOf(body),
): Promise<FaultProxy> {
  return startFaultProxy({
    target,
    onRequest: (key, body) => {
      const input =
        key.service === 'HTTP' ? {} : (JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>);
      const names = key.service === 'HTTP' ? [] : namesOf(key.service, input);
      const record = (name: string, operation: string) => {
        const operations = calls.get(name) ?? new Set<string>();
        operations.add(operation);
        calls.set(name, operations);
      };
      for (const name of names.length > 0 ? names : ['(none)'])
        record(name, `${key.service.toLowerCase()}:${key.operation}`);
      if (key.service === 'DynamoDB') {
        for (const [table, operations] of writeBatchFallbacks(key.operation, input))
          for (const operation of operations) record(table, operation);
      }
    },
  });
}
