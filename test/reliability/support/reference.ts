import { aggregates, core, type pipeline } from './deps.ts';

/** A cell as the oracle compares it: counts and metrics exactly, subjects as the events they came from. */
export interface ReferenceCell {
  window: aggregates.AggregateWindow;
  group: aggregates.AggregateGroup;
  count: number;
  distinctSubjects: number;
  /** Event ids of the cell's events (the subjects are their outbox `subject` tokens). */
  eventIds: string[];
  metrics: Record<string, aggregates.MetricSummary>;
}

/**
 * The aggregates of `events`, each counted exactly once, computed straight from the input with
 * the pure functions of `@residency/core` (validate, map with an in-memory token port, observe,
 * add): no stream, no table, no fence, no redelivery. Keyed by cell id.
 */
export async function referenceAggregates(
  events: ReadonlyArray<Record<string, unknown>>,
  options: { windowSeconds: number; validateOptions?: core.ValidateOptions },
): Promise<Map<string, ReferenceCell>> {
  const validated = events.map((input) => {
    const result = core.validateEvent(core.clinicbook, input, options.validateOptions ?? {});
    if (!result.ok) throw new Error(`reference input is not valid: ${result.reason}`);
    return result.event;
  });
  const records = await core.outboundRecordsOf(core.createInMemoryTokenPort(), validated);
  const cells = new Map<
    string,
    {
      window: aggregates.AggregateWindow;
      group: aggregates.AggregateGroup;
      partial: aggregates.PartialAggregate;
      eventIds: string[];
    }
  >();
  for (const [i, event] of validated.entries()) {
    const record = records[i] as core.OutboundRecord;
    const observation = aggregates.observationOf(aggregates.aggregateSpecOf(event.def), {
      record,
      occurredAtMillis: event.occurredAtMillis,
      sequenceNumber: '1',
      windowSeconds: options.windowSeconds,
    });
    const cellId = aggregates.cellIdOf(observation.window, observation.group);
    const cell = cells.get(cellId) ?? {
      window: observation.window,
      group: observation.group,
      partial: aggregates.EMPTY_PARTIAL,
      eventIds: [],
    };
    cells.set(cellId, {
      ...cell,
      partial: aggregates.addObservations(cell.partial, [observation]),
      eventIds: [...cell.eventIds, event.data.eventId as string],
    });
  }
  return new Map(
    [...cells].map(([cellId, { window, group, partial, eventIds }]) => [
      cellId,
      {
        window,
        group,
        count: partial.count,
        distinctSubjects: partial.subjects.length,
        eventIds,
        metrics: { ...partial.metrics },
      },
    ]),
  );
}

/** What the pipeline stored, merged over shards and batches, by cell id. */
export async function storedAggregates(
  windows: pipeline.WindowStore,
): Promise<Map<string, aggregates.CellPartial>> {
  const out = new Map<string, aggregates.CellPartial>();
  for (const window of await windows.listOpenWindows()) {
    const state = await windows.readWindow(window);
    for (const cell of aggregates.mergeCellPartials(await windows.readPartials(window, state.shardIds))) {
      out.set(cell.cellId, cell);
    }
  }
  return out;
}

/**
 * Differences between stored and reference aggregates (empty when equal): the same cells; per
 * cell the same count, metrics, and subjects equal to the outbox tokens of the cell's events.
 */
export function compareAggregates(
  stored: ReadonlyMap<string, aggregates.CellPartial>,
  reference: ReadonlyMap<string, ReferenceCell>,
  subjectOf: (eventId: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  for (const cellId of new Set([...stored.keys(), ...reference.keys()])) {
    const actual = stored.get(cellId);
    const expected = reference.get(cellId);
    if (!actual || !expected) {
      problems.push(`${cellId}: ${actual ? 'not in the reference' : 'missing'}`);
      continue;
    }
    const { partial } = actual;
    if (partial.count !== expected.count)
      problems.push(`${cellId}: count ${partial.count} != ${expected.count}`);
    const subjects = [...new Set(expected.eventIds.map((id) => subjectOf(id) ?? `?${id}`))].sort();
    if (subjects.length !== expected.distinctSubjects)
      problems.push(`${cellId}: ${subjects.length} subject tokens for ${expected.distinctSubjects} patients`);
    if (JSON.stringify(partial.subjects) !== JSON.stringify(subjects))
      problems.push(`${cellId}: subjects differ`);
    if (JSON.stringify(sortKeys(partial.metrics)) !== JSON.stringify(sortKeys(expected.metrics)))
      problems.push(`${cellId}: metrics differ`);
  }
  return problems;
}

function sortKeys(metrics: Readonly<Record<string, aggregates.MetricSummary>>): unknown {
  return Object.keys(metrics)
    .sort()
    .map((name) => {
      const m = metrics[name] as aggregates.MetricSummary;
      return [name, m.sum, m.min, m.max, [...m.bounds], [...m.counts]];
    });
}

/**
 * What the window closer must release for the reference (no noise): the cells with at least `k`
 * distinct subjects, subjects being the tokens the vault gave the cell's events (from the outbox).
 */
export function referenceRelease(
  reference: ReadonlyMap<string, ReferenceCell>,
  subjectOf: (eventId: string) => string | undefined,
  k: number,
): aggregates.WindowRelease {
  const cells = [...reference].map(([cellId, cell]) => ({
    cellId,
    window: cell.window,
    group: cell.group,
    partial: {
      count: cell.count,
      subjects: [...new Set(cell.eventIds.map((id) => subjectOf(id) ?? `?${id}`))].sort(),
      metrics: cell.metrics,
    },
  }));
  return aggregates.releaseCells(
    cells.sort((a, b) => (a.cellId < b.cellId ? -1 : 1)),
    { k },
  );
}
