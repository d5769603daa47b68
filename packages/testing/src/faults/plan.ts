import { FaultPlanError } from './errors.ts';
import { type SeededRandom, seededRandom } from './random.ts';

/**
 * What to do to one request instead of (or on top of) forwarding it.
 *
 * - `throttle`: answer HTTP 400 with the service's throttling error (`ProvisionedThroughputExceededException`
 *   for Kinesis and DynamoDB, `ThrottlingException` for KMS, 429 for plain HTTP); nothing is applied.
 * - `serverError`: answer 500 (`InternalFailure`...) or 503 (`ServiceUnavailable`). With
 *   `afterForwarding` the request is applied first and only the answer is lost: the ambiguous
 *   failure that makes retries produce duplicates.
 * - `delay`: forward after `millis`.
 * - `reset`: destroy the connection (the client sees ECONNRESET), before or after forwarding.
 * - `timeout`: hold the request unanswered for `holdMillis` (default 5000), then drop the connection;
 *   nothing is applied. A client with a shorter request timeout gives up first.
 * - `partial`: for batch operations only (PutRecords, BatchWriteItem, BatchGetItem), a random part
 *   of the entries (`failFraction`, default 0.3, at least one) is not applied and comes back as
 *   failed (`ErrorCode`), `UnprocessedItems` or `UnprocessedKeys`, as the services do under load.
 */
export type Fault =
  | { kind: 'throttle' }
  | { kind: 'serverError'; status?: 500 | 503; afterForwarding?: boolean }
  | { kind: 'delay'; millis: number }
  | { kind: 'reset'; afterForwarding?: boolean }
  | { kind: 'timeout'; holdMillis?: number }
  | { kind: 'partial'; failFraction?: number };

/** The kinds of {@link Fault}. */
export type FaultKind = Fault['kind'];

/** Every fault kind, for counters. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'serverError',
  'delay',
  'reset',
  'timeout',
  'partial',
];

/** Operations whose entries can fail one by one (a `partial` fault applies only to these). */
export const PARTIAL_OPERATIONS: ReadonlySet<string> = new Set([
  'PutRecords',
  'BatchWriteItem',
  'BatchGetItem',
]);

/** When a fault applies. Rules are tried in order; the first that matches and fires wins. */
export interface FaultRule {
  /**
   * Operations the rule applies to: `PutRecords`, or qualified `Kinesis.PutRecords`,
   * `DynamoDB.PutItem`, `KMS.Decrypt`, `HTTP.POST /v1/batches`. Default: every request.
   */
  operations?: readonly string[];
  fault: Fault;
  /** Chance that a matching request gets the fault, 0 to 1. Default: 1. */
  probability?: number;
  /** Scripted: only the next `next` matching requests are considered, then the rule is spent. Default: no limit. */
  next?: number;
}

/** A set of rules and the seed of their random decisions. */
export interface FaultPlan {
  /** Seed of the decisions; the same seed and the same order of requests give the same faults. Default: 1. */
  seed?: number;
  rules: readonly FaultRule[];
}

/** A request as the schedule sees it. */
export interface RequestKey {
  /** `Kinesis`, `DynamoDB`, `KMS`, `SSM` or `HTTP`. */
  service: string;
  /** `PutRecords`, or `POST /path` for plain HTTP. */
  operation: string;
}

/** Decides, request by request, which fault (if any) to inject. */
export interface FaultSchedule {
  decide(request: RequestKey): Fault | undefined;
  /** The schedule's seeded random source (partial faults pick their entries with it). */
  readonly random: SeededRandom;
}

/** No faults. */
export const NO_FAULTS: FaultPlan = Object.freeze({ rules: [] });

/** Validates a plan and returns its schedule; throws {@link FaultPlanError}. */
export function createFaultSchedule(plan: FaultPlan): FaultSchedule {
  plan.rules.forEach(validateRule);
  const random = seededRandom(plan.seed ?? 1);
  const remaining = plan.rules.map((rule) => rule.next ?? Number.POSITIVE_INFINITY);
  return {
    random,
    decide(request) {
      for (let i = 0; i < plan.rules.length; i++) {
        const rule = plan.rules[i] as FaultRule;
        if ((remaining[i] as number) <= 0 || !matches(rule, request)) continue;
        remaining[i] = (remaining[i] as number) - 1;
        if (random() < (rule.probability ?? 1)) return rule.fault;
      }
      return undefined;
    },
  };
}

function matches(rule: FaultRule, { service, operation }: RequestKey): boolean {
  if (rule.fault.kind === 'partial' && !PARTIAL_OPERATIONS.has(operation)) return false;
  if (!rule.operations) return true;
  return rule.operations.some((name) => name === operation || name === `${service}.${operation}`);
}

function validateRule(rule: FaultRule, index: number): void {
  const p = rule.probability ?? 1;
  if (!(p >= 0 && p <= 1)) throw new FaultPlanError(`rule ${index}: probability must be in [0, 1]`, index);
  if (rule.next !== undefined && !(Number.isInteger(rule.next) && rule.next >= 0)) {
    throw new FaultPlanError(`rule ${index}: next must be a non-negative integer`, index);
  }
  const fault = rule.fault;
  if (fault.kind === 'delay' && !(fault.millis >= 0))
    throw new FaultPlanError(`rule ${index}: delay needs millis >= 0`, index);
  if (
    fault.kind === 'partial' &&
    fault.failFraction !== undefined &&
    !(fault.failFraction > 0 && fault.failFraction <= 1)
  )
    throw new FaultPlanError(`rule ${index}: failFraction must be in (0, 1]`, index);
}

/** Options of {@link mixedFaults}. */
export interface MixedFaultsOptions {
  /** Chance that a request gets some fault, split over the kinds. Default: 0.1. */
  probability?: number;
  /** Seed. Default: 1. */
  seed?: number;
  /** Restrict to these operations. Default: every request. */
  operations?: readonly string[];
  /** Upper bound of injected delays. Default: 200. */
  maxDelayMillis?: number;
  /** How long a `timeout` holds the request. Default: 1500. */
  timeoutHoldMillis?: number;
}

/**
 * A plan with every kind of fault at once: partial batch failures, throttling, 5xx before and after
 * the request is applied, connection resets before and after, slow answers and timeouts. For
 * "copy under bounce" runs; each kind gets a share of `probability`.
 *
 * @example proxy.setFaults(mixedFaults({ probability: 0.15, seed: 7 }))
 */
export function mixedFaults(options: MixedFaultsOptions = {}): FaultPlan {
  const p = options.probability ?? 0.1;
  const ops = options.operations ? { operations: options.operations } : {};
  // Each rule sees only requests the rules before it let through, so a share s of the remaining
  // requests gives the kinds roughly equal parts of p.
  const shares: Fault[] = [
    { kind: 'partial', failFraction: 0.3 },
    { kind: 'throttle' },
    { kind: 'serverError', status: 500 },
    { kind: 'serverError', status: 503, afterForwarding: true },
    { kind: 'reset' },
    { kind: 'reset', afterForwarding: true },
    { kind: 'delay', millis: options.maxDelayMillis ?? 200 },
    { kind: 'timeout', holdMillis: options.timeoutHoldMillis ?? 1500 },
  ];
  const each = p / shares.length;
  return {
    seed: options.seed ?? 1,
    rules: shares.map((fault, i) => ({ ...ops, fault, probability: Math.min(1, each / (1 - each * i)) })),
  };
}
