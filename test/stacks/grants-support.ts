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
 * A transparent fault proxy (no faults) in front of one endpoint that records `service:Operation`
 * per resource each request names, from `X-Amz-Target` and the JSON body (`namesOf`, by default
 * {@link resourcesOf}). A request that is not AWS JSON, or names nothing, is recorded under
 * `(none)`, which the grants tests refuse.
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
      const names =
        key.service === 'HTTP'
          ? []
          : namesOf(key.service, JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>);
      for (const name of names.length > 0 ? names : ['(none)']) {
        const operations = calls.get(name) ?? new Set<string>();
        operations.add(`${key.service.toLowerCase()}:${key.operation}`);
        calls.set(name, operations);
      }
    },
  });
}
