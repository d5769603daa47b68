import { FAULT_KINDS, type Fault, type FaultKind, type RequestKey } from './plan.ts';

/** What a fault injector has seen and done since it started (or since its stats were reset). */
export interface FaultStats {
  requests: number;
  /** Requests (or the kept part of them) passed on to the target. */
  forwarded: number;
  /** Requests the target could not be reached for (it was down): the client's connection was dropped. */
  upstreamErrors: number;
  injected: Record<FaultKind, number>;
  /** By `Service.Operation`. */
  byOperation: Record<string, { requests: number; injected: number }>;
}

/** Zeroed {@link FaultStats}. */
export function emptyStats(): FaultStats {
  return {
    requests: 0,
    forwarded: 0,
    upstreamErrors: 0,
    injected: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    byOperation: {},
  };
}

/** Counts one request and the fault it got. */
export function countRequest(stats: FaultStats, key: RequestKey, fault: Fault | undefined): void {
  stats.requests += 1;
  const name = `${key.service}.${key.operation}`;
  const entry = stats.byOperation[name] ?? { requests: 0, injected: 0 };
  stats.byOperation[name] = entry;
  entry.requests += 1;
  if (fault) {
    entry.injected += 1;
    stats.injected[fault.kind] += 1;
  }
}

/** Total injected faults of every kind. */
export function injectedTotal(stats: FaultStats): number {
  return Object.values(stats.injected).reduce((a, b) => a + b, 0);
}
