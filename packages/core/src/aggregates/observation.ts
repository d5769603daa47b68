import type { OutboundRecord } from '../model/outbound.ts';
import { type AggregateGroup, createGroupInterner, type GroupInterner } from './group.ts';
import type { AggregateSpec } from './spec.ts';
import { type AggregateWindow, windowOf } from './window.ts';

/** One event's contribution to aggregates. Holds no identifier: the subject is a vault token. */
export interface Observation {
  /** Kinesis sequence number of the event's record, the fence that makes redelivery harmless. */
  readonly sequenceNumber: string;
  /**
   * The event's id (a random UUID, public: it is the outbound record's `recordId`). A producer that
   * sends an event again after an ambiguous failure puts the same id under a new sequence number;
   * the id is what lets aggregates count it once. Absent only for observations built by hand.
   */
  readonly eventId?: string;
  readonly window: AggregateWindow;
  readonly group: AggregateGroup;
  /** The subject's token, for distinct counts. Absent when the event type has no subject. */
  readonly subject?: string;
  /** Values of the event's metric fields that are present, with their histogram bounds, by name. */
  readonly metrics: Readonly<Record<string, MetricValue>>;
}

/** One metric value of an event and the histogram bounds of its metric (shared, not copied). */
export interface MetricValue {
  readonly value: number;
  readonly bounds: readonly number[];
}

/** What {@link observationOf} needs besides the spec. */
export interface ObservationInput {
  /** The event's outbound record (dimensions are read from it, already generalized). */
  record: OutboundRecord;
  /** The event time, epoch millis (the validated event's `occurredAtMillis`). */
  occurredAtMillis: number;
  sequenceNumber: string;
  /** Window length in seconds (see `DEFAULT_WINDOW_SECONDS`). */
  windowSeconds: number;
}

// Each spec's group interner.
const interners = new WeakMap<AggregateSpec, GroupInterner>();

function internerOf(spec: AggregateSpec): GroupInterner {
  let interner = interners.get(spec);
  if (interner === undefined) {
    interner = createGroupInterner(spec.dimensions);
    interners.set(spec, interner);
  }
  return interner;
}

/**
 * The observation of one event: its window, group and metric values. Dimensions come from the
 * outbound record, so a cell can only ever be keyed by values that are allowed to leave. Events of
 * one window share its object, and events of one group share theirs (see `GroupInterner`).
 *
 * @example observationOf(aggregateSpecOf(def), { record, occurredAtMillis, sequenceNumber, windowSeconds: 60 })
 */
export function observationOf(spec: AggregateSpec, input: ObservationInput): Observation {
  const { record } = input;
  const { attributes } = record;
  const group = internerOf(spec).groupOf(record.catalog, record.type, record.tenantId, attributes);
  const metrics: Record<string, MetricValue> = {};
  for (const metric of spec.metrics) {
    const value = attributes[metric.name];
    if (typeof value === 'number' && Number.isFinite(value))
      metrics[metric.name] = { value, bounds: metric.bounds };
  }
  return {
    sequenceNumber: input.sequenceNumber,
    eventId: record.recordId,
    window: windowOf(input.occurredAtMillis, input.windowSeconds),
    group,
    ...(record.subject ? { subject: record.subject } : {}),
    metrics,
  };
}
