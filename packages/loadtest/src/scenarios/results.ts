import type { CallCounts } from '@residency/aws';
import type { BillableUnits } from '../measure/billing-counter.ts';
import type { LatencySummary } from '../measure/latency.ts';

/** Where the outbox records of a scenario went. */
export type OutboxMode =
  /** A real SDK Kinesis client whose HTTP handler answers locally: SDK CPU counted, no emulator in the way. */
  | 'null-http'
  /** kinesalite, the local Kinesis emulator. */
  | 'kinesalite'
  /** A real Kinesis stream. */
  | 'aws';

/** One measured pass of a scenario that pushes events through a design (hot path, naive, e2e). */
export interface ThroughputResult {
  /** e.g. `hotpath.warm`. */
  name: string;
  /** Events in the measured pass. */
  events: number;
  /** Events the design rejected as invalid (the generator makes none; not zero means a bug). */
  invalidEvents: number;
  /** Lambda invocations (batches) in the pass. */
  batches: number;
  elapsedMillis: number;
  eventsPerSecond: number;
  /** What one latency value is: a handler invocation (`batch`) or one event from send to stored (`event`). */
  latencyUnit: 'batch' | 'event';
  latencyMillis: LatencySummary;
  /** CPU time of this process per event, microseconds (the emulators run in another process). */
  cpuMicrosPerEvent: number;
  /**
   * Wall time per event, microseconds, in which the handler's thread had nothing to run: its event
   * loop idle, waiting for answers (the emulators' or AWS's). Wall time less this is what the
   * thread worked. Measured for the handler's passes (not e2e, whose pipeline runs elsewhere).
   */
  waitMicrosPerEvent?: number;
  /** Highest RSS of this process sampled during the pass, bytes. */
  peakRssBytes: number;
  /** AWS API calls by `Service.Operation`, counted by SDK middleware. */
  apiCalls: CallCounts;
  /** Billable units counted by SDK middleware. */
  units: BillableUnits;
  /** Sum of invocation durations rounded up to whole milliseconds, as Lambda bills them. */
  lambdaBilledMillis: number;
  outbox: OutboxMode;
  /**
   * Where the pass's time went, when the design's ports were timed (the pipeline's hot path): per
   * port (`vault`, `outbox`, `quarantine`, `aggregates`) and `handler`, what is left of the pass
   * (decode, validate, map, observations, logs, metrics).
   */
  phases?: Record<string, PhaseCost>;
  /**
   * Events/s of every measurement, in run order, when the pass is the median of several (the warm
   * hot path); the pass's other figures are the median measurement's own.
   */
  measurements?: number[];
  /**
   * Where the calls and units were counted: the design's own clients (the default), or only the
   * producer's puts on the input stream (e2e: the pipeline in the stack process uses its own).
   */
  countedAt?: 'design' | 'producer';
  notes: string[];
}

/** Time spent in one phase of a pass. */
export interface PhaseCost {
  /** Calls of the port in the pass (for `handler`: invocations). */
  calls: number;
  cpuMicrosPerEvent: number;
  wallMicrosPerEvent: number;
}

/** One primitive of the ceiling. */
export interface PrimitiveCost {
  /** Mean microseconds per event (all of the event's identifiers, for per-identifier primitives). */
  microsPerEvent: number;
  /** Mean microseconds per call. */
  microsPerCall: number;
  /** Calls per event (identifiers per event for HMAC and cache lookup). */
  callsPerEvent: number;
  /** Part of the warm ceiling sum. */
  inWarmCeiling: boolean;
  /** Part of the cold ceiling sum. */
  inColdCeiling: boolean;
}

/** The ceiling scenario: primitive costs on the same events, summed. */
export interface CeilingResult {
  events: number;
  identifiersPerEvent: number;
  /**
   * By primitive: `decodeParse`, `validate`, `hmac`, `cacheLookup`, `serialize`, `outboxSdk` (per
   * record) and `dynamodbCallSdk` (per call, no network; `microsPerEvent` 0: it depends on the design).
   */
  primitives: Record<string, PrimitiveCost>;
  /** Sum of the warm-path primitives, µs per event. */
  warmMicrosPerEvent: number;
  /** 1e6 / warmMicrosPerEvent: what one core could do if the hot path did nothing but its primitives. */
  eventsPerSecond: number;
  /** Sum of the cold-path primitives (an HMAC per identifier instead of only a cache lookup), µs per event. */
  coldMicrosPerEvent: number;
  coldEventsPerSecond: number;
  /** Mean size of an outbound record as the outbox stores it, bytes. */
  meanOutboundBytes: number;
  /** Highest RSS sampled, bytes. */
  peakRssBytes: number;
  notes: string[];
  /**
   * Events/s of every ceiling measurement, in run order, when it was measured before each of the
   * warm hot path's (the median one is reported): the hot path / ceiling ratio then pairs each
   * hot-path measurement with the ceiling measured just before it.
   */
  measurements?: number[];
}

/** The e2e scenario: producer to control plane. */
export interface E2eResult extends ThroughputResult {
  /** Events per second the producer aimed at; absent when flat out. */
  targetRate?: number;
  sent: number;
  stored: number;
}
