import { describe, expect, it } from 'vitest';
import { buildReport, GOAL_TARGETS, renderCapacityMarkdown, renderHtml, renderTable } from '../src/index.ts';
import { noUnits } from '../src/measure/billing-counter.ts';
import { pass, reportInputs } from './fixtures.ts';

const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | null)?.[key], value);

describe('buildReport', () => {
  it('has the JSON fields other tools read, at the documented paths', () => {
    // Prepare
    const inputs = reportInputs({
      e2e: { ...pass({ name: 'e2e', latencyUnit: 'event' }), sent: 3000, stored: 3000 },
    });
    // Act
    const report = JSON.parse(JSON.stringify(buildReport(inputs)));
    // Assess
    for (const path of [
      'hotpath.eventsPerSecond',
      'ceiling.eventsPerSecond',
      'naive.eventsPerSecond',
      'apiCallsPerMillion.ours',
      'apiCallsPerMillion.naive',
      'kmsCallsPerMillion.ours',
      'e2e.latencyMillis.p99',
    ]) {
      expect(typeof get(report, path), path).toBe('number');
    }
    expect(report.machine.cpus).toBe(2);
    expect(report.schema).toBe('residency.loadtest.v1');
  });

  it('computes the ratios from the same run', () => {
    const report = buildReport(reportInputs());
    // 60,000 / 80,000; 60,000 / 500; naive 3,000,000 calls/M over ours 2,000 calls/M.
    expect(report.ratios.hotpathToCeiling).toBe(0.75);
    expect(report.ratios.hotpathToNaive).toBe(120);
    expect(report.apiCallsPerMillion).toMatchObject({ ours: 2000, naive: 3_000_000 });
    expect(report.ratios.apiCallsNaiveToOurs).toBe(1500);
    expect(report.hotpath?.apiCallsPerMillionByOperation).toEqual({ 'Kinesis.PutRecords': 2000 });
  });

  it('marks every goal met when the figures clear the targets', () => {
    const report = buildReport(reportInputs());
    expect(report.goals.map((g) => [g.id, g.met])).toEqual([
      ['hotpathEventsPerSecond', true],
      ['hotpathToCeiling', true],
      ['hotpathToNaive', true],
      ['apiCallsNaiveToOurs', true],
      ['kmsCallsPerEvent', true],
      ['durationSeconds', true],
    ]);
    expect(report.goals.every((g) => g.shortBy === null && g.why === null)).toBe(true);
  });

  it('says by how much and why a goal is missed', () => {
    // Prepare: 40,000 events/s on 25 µs of CPU per event
    const inputs = reportInputs();
    const hotpath = inputs.hotpath as NonNullable<typeof inputs.hotpath>;
    hotpath.warm = pass({ name: 'hotpath warm', eventsPerSecond: 40_000, cpuMicrosPerEvent: 25 });
    // Act
    const report = buildReport(inputs);
    // Assess
    const goal = report.goals.find((g) => g.id === 'hotpathEventsPerSecond');
    expect(goal).toMatchObject({ met: false, measured: 40_000, target: GOAL_TARGETS.hotpathEventsPerSecond });
    expect(goal?.shortBy).toBe('20% below (40,000 vs 50,000)');
    expect(goal?.why).toContain('25 µs CPU per event');
    expect(goal?.why).toContain('warm ceiling is 12.5 µs');
    const toCeiling = report.goals.find((g) => g.id === 'hotpathToCeiling');
    expect(toCeiling).toMatchObject({ met: false, measured: 0.5 });
  });

  it('says which phase of the hot path the CPU went to, when the ports were timed', () => {
    // Prepare: 25 µs per event, 15 of them in the aggregates
    const inputs = reportInputs();
    const hotpath = inputs.hotpath as NonNullable<typeof inputs.hotpath>;
    const phase = (cpuMicrosPerEvent: number) => ({
      calls: 40,
      cpuMicrosPerEvent,
      wallMicrosPerEvent: cpuMicrosPerEvent,
    });
    hotpath.warm = pass({
      name: 'hotpath warm',
      eventsPerSecond: 40_000,
      cpuMicrosPerEvent: 25,
      phases: { aggregates: phase(15), outbox: phase(4), vault: phase(1), handler: phase(5) },
      units: {
        ...noUnits(),
        dynamodbByTable: { 'residency-aggregates': { calls: 600, readUnits: 9_000, writeUnits: 40_000 } },
      },
    });
    // Act
    const report = buildReport(inputs);
    const table = renderTable(report);
    // Assess
    const why = report.goals.find((g) => g.id === 'hotpathEventsPerSecond')?.why;
    expect(why).toContain('vault 1 + outbox 4 + handler 5 + aggregates 15 = 25 CPU (wall 25)');
    expect(why).toContain(
      'the aggregates (plan and put of the touched partials, the event log) are 60% of it',
    );
    expect(why).toContain('about 1,000 KB per batch'); // 40,000 write units over 40 batches
    expect(table).toContain(
      'hot path warm µs/event by phase: vault 1 + outbox 4 + handler 5 + aggregates 15',
    );
    expect(report.hotpath?.phases?.aggregates?.cpuMicrosPerEvent).toBe(15);
    const html = renderHtml(report);
    for (const name of ['vault', 'outbox', 'handler', 'aggregates']) expect(html).toContain(`>${name}<`);
  });

  it('says what the hot path does with the aggregates port a no-op, when that was measured', () => {
    // Prepare: 25,000 events/s (40 µs wall per event); 40,000 without the aggregates (25 µs)
    const inputs = reportInputs();
    const hotpath = inputs.hotpath as NonNullable<typeof inputs.hotpath>;
    hotpath.warm = pass({ name: 'hotpath warm', eventsPerSecond: 25_000, cpuMicrosPerEvent: 40 });
    hotpath.withoutAggregates = pass({
      name: 'hotpath warm, no aggregates',
      eventsPerSecond: 40_000,
      cpuMicrosPerEvent: 24,
      measurements: [39_000, 40_000, 41_000],
    });
    // Act
    const report = buildReport(inputs);
    const without = buildReport({ ...inputs, hotpath: { ...hotpath, withoutAggregates: undefined } });
    // Assess
    expect(report.hotpath?.withoutAggregates).toEqual({
      eventsPerSecond: 40_000,
      cpuMicrosPerEvent: 24,
      measurements: [39_000, 40_000, 41_000],
    });
    const why = report.goals.find((g) => g.id === 'hotpathEventsPerSecond')?.why;
    expect(why).toContain(
      'with the aggregates port a no-op, the same handler did 40,000/s (80% of the goal): the aggregates cost 15 µs wall per event, and the rest of the handler alone is short of the goal too',
    );
    expect(renderTable(report)).toContain(
      'hot path warm with the aggregates port a no-op (a counterfactual): 40,000 events/s',
    );
    expect(renderHtml(report)).toContain('aggregates a no-op');
    expect(without.hotpath).not.toHaveProperty('withoutAggregates');
    expect(without.goals.find((g) => g.id === 'hotpathEventsPerSecond')?.why).not.toContain('a no-op');
  });

  it('reports null, not zero, for what did not run', () => {
    const report = buildReport(reportInputs({ naive: null, ceiling: null }));
    expect(report.naive).toBeNull();
    expect(report.ratios).toMatchObject({
      hotpathToNaive: null,
      apiCallsNaiveToOurs: null,
      hotpathToCeiling: null,
    });
    expect(report.goals.find((g) => g.id === 'hotpathToNaive')).toMatchObject({ met: null, measured: null });
  });

  it('prices every pass and plans capacity from the hot path', () => {
    const report = buildReport(reportInputs());
    expect(report.costPerMillion.ours).toBeGreaterThan(0);
    expect(report.costPerMillion.naive).toBeGreaterThan(report.costPerMillion.ours as number);
    expect(report.capacity.map((row) => row.eventsPerSecond)).toEqual([1000, 10_000, 100_000]);
    expect(report.capacity.map((row) => row.shards.events)).toEqual([1, 10, 100]);
  });

  it('renders the table and a self-contained HTML report', () => {
    const report = buildReport(
      reportInputs({ skipped: [{ scenario: 'e2e', reason: `needs ${'a long explanation '.repeat(12)}` }] }),
    );
    const table = renderTable(report);
    expect(table).toContain('hotpath warm');
    expect(table).toContain('naive warm');
    expect(table.split('\n').every((line) => line.length <= 120)).toBe(true);
    const html = renderHtml(report);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script(?![^>]*application\/json)/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org|aws\.amazon\.com)/);
  });

  it('writes the capacity note from the measurements, with a table the formatter keeps as is', () => {
    const markdown = renderCapacityMarkdown(buildReport(reportInputs()));
    const rows = markdown.split('\n').filter((line) => line.startsWith('|'));
    // The plan, then the vault on provisioned capacity: a header, a rule and a row per rate each.
    expect(rows).toHaveLength(10);
    const [table, provisioned] = [rows.slice(0, 5), rows.slice(5)];
    // Every row as wide as the header: padded cells, right-aligned.
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
    expect(new Set(provisioned.map((line) => line.length)).size).toBe(1);
    expect(table[2]).toMatch(/^\| +1,000 \| +1 \+ 1 \|/);
    expect(provisioned[0]).toContain('`RESIDENCY_VAULT_WRITE_UNITS`');
    // The ranges as the stack reads them (MIN-MAX), in code so that they can be pasted.
    expect(provisioned[2]).toMatch(/^\| +1,000 \| +`\d+-\d+` \| +`\d+-\d+` \|/);
    expect(markdown).toContain('## What dominates');
    expect(markdown).toContain('2 write units in the cold pass');
    // Without stored bytes there is no storage column figure and no table-class comparison
    expect(table[2]).toContain('|            - |');
    expect(markdown).not.toContain('Standard-IA');
  });

  it('plans no capacity from a warm pass alone, which would price new identifiers at nothing', () => {
    // Prepare: the hot path ran with --no-cold
    const inputs = reportInputs();
    const hotpath = inputs.hotpath as NonNullable<typeof inputs.hotpath>;
    // Act
    const report = buildReport({ ...inputs, hotpath: { ...hotpath, cold: null } });
    // Assess: no rows, and every output says why
    expect(report.capacity).toEqual([]);
    expect(renderTable(report)).toContain('capacity: no plan without the cold pass (--no-cold)');
    expect(renderCapacityMarkdown(report)).toContain('ran without its cold pass');
    expect(renderCapacityMarkdown(report)).not.toContain('## Plan');
    // With the cold pass, the plan has the vault's steady-state writes
    expect(buildReport(inputs).capacity[0]?.vault.writeUnitsPerSecond).toBeGreaterThan(0);
  });

  it('prices storage and compares the vault in Standard-IA when the run measured what it stored', () => {
    // Prepare: 1,000 B per identifier, 0.3 new identifiers per event (the fixture's workload)
    const inputs = reportInputs();
    const hotpath = inputs.hotpath as NonNullable<typeof inputs.hotpath>;
    const storage = { vaultBytesPerIdentifier: 1000, aggregatesBytesPerEvent: 0, eventLogBytesPerEvent: 0 };
    // Act
    const report = buildReport({ ...inputs, hotpath: { ...hotpath, storage } });
    const markdown = renderCapacityMarkdown(report);
    // Assess: 300 identifiers/s × 1,000 B for a 730-hour month, twelve months
    const row = report.capacity[0];
    expect(row?.storage?.vaultGbPerMonth).toBeCloseTo((300 * 730 * 3600 * 1000) / 1e9, 2);
    const price = inputs.prices.dynamodb;
    const month = 730 * 3600;
    const requests =
      ((row?.vault.writeUnitsPerSecond ?? 0) * month * price.writeRequestUnitsPerMillionUsd +
        (row?.vault.readUnitsPerSecond ?? 0) * month * price.readRequestUnitsPerMillionUsd) /
      1e6;
    const stored = (row?.storage?.vaultGb ?? 0) * price.storageGbMonthUsd;
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    expect(markdown).toContain(
      `the vault costs about $${fmt(requests + stored)} a month in the Standard class`,
    );
    expect(markdown).toContain(
      `storage about 60% cheaper, requests about 25% dearer) about $${fmt(requests * 1.25 + stored * 0.4)}.`,
    );
  });
});
