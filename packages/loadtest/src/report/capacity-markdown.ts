import { PRICE_TABLES } from '../pricing/prices.ts';
import {
  DEFAULT_AGGREGATE_RETENTION_DAYS,
  MAX_INSTANCE_UTILIZATION,
  NETWORK_ALLOWANCE_MILLIS_PER_INVOCATION,
  VAULT_HORIZON_MONTHS,
  VAULT_TARGET_UTILIZATION,
} from './capacity.ts';
import { fmt, phaseList } from './goals.ts';
import { semiSpaceText } from './machine.ts';
import type { LoadtestReport } from './types.ts';

/**
 * DynamoDB's default per-table throughput quota (read and write units per second each, on demand
 * or provisioned); higher needs a quota increase.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 */
export const DYNAMODB_DEFAULT_TABLE_UNITS_PER_SECOND = 40_000;

/**
 * docs/capacity.md from a run: shards, Lambda concurrency, vault capacity and monthly cost at
 * each planned rate, with every measured input and every assumption written next to the figures
 * so the note can be checked and regenerated (`pnpm residency loadtest bench --capacity FILE`).
 */
export function renderCapacityMarkdown(report: LoadtestReport): string {
  const hot = report.hotpath;
  const lines: string[] = [];
  const m = report.machine;
  lines.push('# Capacity');
  lines.push('');
  lines.push(
    'Shards, Lambda concurrency, vault capacity and monthly cost for sustained ingest rates, derived from a',
    'load-test run (`pnpm residency loadtest bench --capacity docs/capacity.md` writes this file). Every',
    'figure below comes from the measurements listed under "Inputs" and the assumptions under "Assumptions".',
  );
  lines.push('');
  lines.push(
    `Run: ${report.startedAt}, ${report.target.mode === 'local' ? 'local emulators' : 'AWS'} (${report.target.region}), ` +
      `${m.availableParallelism} × ${m.cpuModel}, Node ${m.nodeVersion}${semiSpaceText(m.maxSemiSpaceMb)}; ${fmt(report.workload.events)} events, seed ${report.workload.seed}.`,
  );
  lines.push('');
  if (!hot || report.capacity.length === 0) {
    lines.push(
      hot
        ? 'The hot path ran without its cold pass (`--no-cold`), which measures what a new identifier costs the vault, so there is no plan: run it with the cold pass.'
        : 'The hot path did not run, so there is no plan: run the hotpath scenario.',
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push('## Plan (steady state)');
  lines.push('');
  lines.push(
    ...markdownTable(
      [
        'events/s',
        'shards (events + outbox)',
        'Lambda concurrency (busy)',
        'vault RRU/s',
        'vault WRU/s',
        'backfill vault WRU/s',
        'KMS req/s',
        'Kinesis $/mo',
        'DynamoDB $/mo',
        'storage $/mo',
        'KMS $/mo',
        'Lambda $/mo',
        'total $/mo',
      ],
      report.capacity.map((row) => [
        fmt(row.eventsPerSecond),
        `${row.shards.events} + ${row.shards.outbox}`,
        `${row.lambda.concurrency} (${fmt(row.lambda.utilization * 100)}%)`,
        fmt(row.vault.readUnitsPerSecond),
        fmt(row.vault.writeUnitsPerSecond),
        fmt(row.vault.backfillWriteUnitsPerSecond),
        fmt(row.kmsRequestsPerSecond),
        fmt(row.monthlyUsd.kinesis),
        fmt(row.monthlyUsd.dynamodb),
        row.storage ? fmt(row.monthlyUsd.storage) : '-',
        fmt(row.monthlyUsd.kms),
        fmt(row.monthlyUsd.lambda),
        `**${fmt(row.monthlyUsd.total)}**`,
      ]),
    ),
  );
  lines.push('');
  lines.push(...provisionedLines(report));
  const over = report.capacity.filter(
    (row) =>
      row.vault.backfillWriteUnitsPerSecond > DYNAMODB_DEFAULT_TABLE_UNITS_PER_SECOND ||
      row.dynamodb.writeUnitsPerSecond > DYNAMODB_DEFAULT_TABLE_UNITS_PER_SECOND,
  );
  lines.push('Reading the plan:');
  lines.push('');
  lines.push(
    '- Shards: Kinesis takes 1,000 records/s or 1 MiB/s per shard for writes. Input records are small, so their',
    '  count decides. The outbox packs many events into one record (up to 25,000 bytes), so its bytes decide; its',
    '  shards come from the records and bytes the hot path put on it.',
    '- Lambda concurrency is one instance per input shard (ParallelizationFactor 1: each shard is the only writer of its aggregate partials).',
    hot.eventsPerSecond * MAX_INSTANCE_UTILIZATION >= 1000
      ? `  Each instance is mostly idle: one core does ${fmt(hot.eventsPerSecond)} events/s warm, a shard brings at most 1,000, so shards, not CPU, set the concurrency.`
      : `  One core does ${fmt(hot.eventsPerSecond)} events/s warm; at most ${fmt(MAX_INSTANCE_UTILIZATION * 100)}% of that (${fmt(hot.eventsPerSecond * MAX_INSTANCE_UTILIZATION)}/s) is less than a full shard (1,000/s), so the plan adds shards: CPU, not the stream's write limits, sets the shard count.`,
    ...storageLines(report),
    '- Vault capacity is on-demand request units on the vault table (see above for provisioned). Known identifiers cost nothing (the LRU cache',
    '  answers); every new identifier costs a conditional PutItem, a pointer write and its links, which cannot be batched.',
    '  "Backfill" is the cold pass: every identifier new at first sight.',
  );
  if (over.length > 0) {
    lines.push(
      `- At ${over.map((r) => fmt(r.eventsPerSecond)).join(', ')} events/s a backfill needs more than DynamoDB's default`,
      `  ${fmt(DYNAMODB_DEFAULT_TABLE_UNITS_PER_SECOND)} write units/s per on-demand table: raise the table quota or throttle the backfill.`,
    );
  }
  lines.push(
    '- Check the account quotas in the data region: shards per account, Lambda concurrency, KMS request rate.',
  );
  lines.push('');
  lines.push(...dominant(report));
  lines.push('## Inputs (measured in the run)');
  lines.push('');
  const warmUnits = hot.units;
  const per = (value: number, events: number) => fmt(value / Math.max(1, events));
  lines.push(
    `- Warm hot path: ${fmt(hot.eventsPerSecond)} events/s on one core, ${fmt(hot.cpuMicrosPerEvent)} µs CPU/event, handler: ${hot.handler}, outbox: ${hot.outbox}.`,
  );
  lines.push(
    `- Warm units per event: ${per(warmUnits.dynamodbReadUnits, hot.events)} RRU, ${per(warmUnits.dynamodbWriteUnits, hot.events)} WRU, ` +
      `${per(warmUnits.kmsRequests, hot.events)} KMS requests, ${per(warmUnits.kinesisPutPayloadUnits, hot.events)} outbox PUT units.`,
  );
  const stored = report.hotpath?.storage;
  if (stored) {
    lines.push(
      `- Stored (scanned from the run's tables, item sizes plus DynamoDB's 100 bytes per item): vault ${fmt(stored.vaultBytesPerIdentifier)} B per identifier created; ` +
        `aggregates ${fmt(stored.aggregatesBytesPerEvent)} B per event kept for the retention, ${fmt(stored.eventLogBytesPerEvent)} B per event of event logs kept a day.`,
    );
  }
  if (hot.cold) {
    const c = hot.cold.units;
    lines.push(
      `- Cold (backfill) units per event: ${per(c.dynamodbReadUnits, hot.cold.events)} RRU, ${per(c.dynamodbWriteUnits, hot.cold.events)} WRU, ` +
        `${per(c.kmsRequests, hot.cold.events)} KMS requests; ${fmt(hot.vaultStats.created)} identifiers created for ${fmt(hot.cold.events)} events.`,
    );
  }
  lines.push(
    `- Record sizes: input ${fmt(report.workload.meanRecordBytes)} B, outbound ${fmt(report.ceiling?.meanOutboundBytes ?? report.workload.meanRecordBytes)} B.`,
  );
  lines.push('');
  lines.push('## Assumptions');
  lines.push('');
  lines.push(
    `- Prices: ${report.costPerMillion.region} list prices as of ${report.costPerMillion.pricesAsOf}${report.costPerMillion.pricesVerified ? '' : ', written from memory and not verified'}: ${report.costPerMillion.note}`,
    `  Sources: ${report.costPerMillion.sources.join(', ')}`,
    "- Steady state = warm + f × (cold − warm) per event, with f = the workload's steady-state new identifiers per event",
    "  (a new patient and contacts per registration; a keyed appointment id makes no entry) / the cold pass's.",
    `- Lambda: one invocation per shard per second or per batch of ${fmt(report.workload.batchSize)}; billed time = measured in-process time`,
    `  plus ${NETWORK_ALLOWANCE_MILLIS_PER_INVOCATION} ms of network waiting per invocation (an assumption); 1,769 MB (one vCPU).`,
    '- Kinesis provisioned mode, two streams (events and outbox), shards billed whole hours; 730 hours a month.',
    `- Storage: the aggregates at the pipeline's default retention (${DEFAULT_AGGREGATE_RETENTION_DAYS} days; TTL deletes after), event logs a day;`,
    `  the vault as it stands after ${VAULT_HORIZON_MONTHS} months at the rate (its tokens stay until erased), at the Standard table class's`,
    "  price per GB-month; DynamoDB's free 25 GB are not subtracted.",
    '- Not included: DynamoDB backups (point-in-time recovery is billed per GB stored too), CloudWatch, data transfer, the forwarder and control plane.',
  );
  return `${lines.join('\n')}\n`;
}

// The vault on provisioned capacity: the settings for each rate and what they save.
function provisionedLines(report: LoadtestReport): string[] {
  const lines = [
    '### The vault on provisioned capacity',
    '',
    'The same plan with the vault table provisioned (`RESIDENCY_VAULT_CAPACITY=provisioned`, docs/deploy.md) and every other',
    'table on demand. The settings are the ranges to deploy with; the vault is priced at their minimum all month.',
    '',
    ...markdownTable(
      [
        'events/s',
        '`RESIDENCY_VAULT_READ_UNITS`',
        '`RESIDENCY_VAULT_WRITE_UNITS`',
        'vault requests on demand $/mo',
        'vault provisioned $/mo',
        'total $/mo',
        'saved',
      ],
      report.capacity.map((row) => {
        const p = row.vaultProvisioned;
        return [
          fmt(row.eventsPerSecond),
          `\`${p.readUnits.min}-${p.readUnits.max}\``,
          `\`${p.writeUnits.min}-${p.writeUnits.max}\``,
          fmt(p.onDemandUsd),
          fmt(p.provisionedUsd),
          `**${fmt(p.totalUsd)}**`,
          `${fmt(((row.monthlyUsd.total - p.totalUsd) / Math.max(1e-9, row.monthlyUsd.total)) * 100)}%`,
        ];
      }),
    ),
    '',
    `- MIN is the steady state's units per second over auto scaling's target of ${fmt(VAULT_TARGET_UTILIZATION * 100)}% consumed; MAX is a backfill's at the`,
    '  same rate (every identifier new), the most a new tenant or a replay from the start of the stream asks for.',
    '- Auto scaling follows a load that swings within the day (clinic hours) within minutes, and is billed for what it',
    '  provisions, so a peaky day costs more than this column; on demand costs the same per request at any hour.',
    '  Scaling up is not instant: a burst above what is provisioned is throttled and retried by the ingest meanwhile',
    '  (the iterator-age alarm shows the lag), and a throttle that outlasts its retries sends the batch to its failure queue.',
  ];
  const quota = report.capacity.filter(
    (row) =>
      row.vaultProvisioned.writeUnits.max > DYNAMODB_DEFAULT_TABLE_UNITS_PER_SECOND ||
      row.vaultProvisioned.readUnits.max > DYNAMODB_DEFAULT_TABLE_UNITS_PER_SECOND,
  );
  if (quota.length > 0) {
    lines.push(
      `- At ${quota.map((r) => fmt(r.eventsPerSecond)).join(', ')} events/s MAX is above DynamoDB's default ${fmt(DYNAMODB_DEFAULT_TABLE_UNITS_PER_SECOND)} units per table:`,
      '  raise the table quota, or set a lower MAX and let a backfill take longer.',
    );
  }
  lines.push('');
  return lines;
}

// How the plan's storage column comes about, at the lowest rate.
function storageLines(report: LoadtestReport): string[] {
  const row = report.capacity[0];
  if (!row?.storage) {
    return [
      '- Storage: not measured (the run scans its own tables on the local emulators only), and not in the totals.',
    ];
  }
  return [
    `- Storage at ${fmt(row.eventsPerSecond)} events/s: the aggregates hold about ${fmt(row.storage.aggregatesGb)} GB (every batch writes its touched cells again, with`,
    `  the subjects it adds; superseded pages stay until their TTL). The vault grows by ${fmt(row.storage.vaultGbPerMonth)} GB a month, one set of items per new identifier,`,
    `  and is priced at ${fmt(row.storage.vaultGb)} GB, its size after ${VAULT_HORIZON_MONTHS} months. Erasure and a shorter retention are what shrink them.`,
  ];
}

/**
 * DynamoDB's Standard-IA table class against Standard: storage about 60% cheaper, requests about
 * 25% dearer (the ratios on https://aws.amazon.com/dynamodb/pricing/on-demand/ as last read; like
 * the prices, not verified for the region).
 */
const STANDARD_IA = { storage: 0.4, requests: 1.25 } as const;

// What the vault would cost in the Standard-IA class (RESIDENCY_VAULT_TABLE_CLASS), at the lowest rate.
function vaultClassLines(report: LoadtestReport): string[] {
  const row = report.capacity[0];
  if (!row?.storage) return [];
  const p = report.costPerMillion;
  const prices = PRICE_TABLES[p.region];
  if (!prices) return [];
  // The vault's requests on demand, as the plan priced them (beside its provisioned price).
  const requests = row.vaultProvisioned.onDemandUsd;
  const storage = row.storage.vaultGb * prices.dynamodb.storageGbMonthUsd;
  const ia = requests * STANDARD_IA.requests + storage * STANDARD_IA.storage;
  return [
    `- The vault's table class: at ${fmt(row.eventsPerSecond)} events/s the vault costs about $${fmt(requests + storage)} a month in the Standard class`,
    `  ($${fmt(requests)} requests, $${fmt(storage)} storage after ${VAULT_HORIZON_MONTHS} months); in Standard-IA (\`RESIDENCY_VAULT_TABLE_CLASS=standard-ia\`,`,
    `  storage about 60% cheaper, requests about 25% dearer) about $${fmt(ia)}.`,
  ];
}

/** What dominates the bill and the CPU, in figures from the run. */
function dominant(report: LoadtestReport): string[] {
  const hot = report.hotpath;
  const row = report.capacity[0];
  if (!hot || !row) return [];
  const lines = ['## What dominates', ''];
  const share = (part: number) => `${fmt((part / Math.max(1e-9, row.monthlyUsd.total)) * 100)}%`;
  lines.push(
    `- The bill: at ${fmt(row.eventsPerSecond)} events/s DynamoDB requests are ${share(row.monthlyUsd.dynamodb)} of it, DynamoDB storage ${share(row.monthlyUsd.storage)}, Kinesis ${share(row.monthlyUsd.kinesis)}, ` +
      `Lambda ${share(row.monthlyUsd.lambda)}, KMS ${share(row.monthlyUsd.kms)}.`,
  );
  const vault = hot.cold?.units.dynamodbByTable[report.target.vaultTable];
  if (vault && hot.vaultStats.created > 0) {
    lines.push(
      `- Vault writes: each new identifier cost ${fmt(vault.writeUnits / hot.vaultStats.created)} write units in the cold pass (entry, pointer, links).`,
      "  New identifiers keep coming in steady state: every registration's patient and contacts (ClinicBook's appointment",
      `  ids are keyed tokens, with no vault entry), so ${fmt(row.vault.writeUnitsPerSecond / row.eventsPerSecond)} vault write units per event remain after the cache.`,
    );
  }
  lines.push(...vaultClassLines(report));
  const busiest = Object.entries(hot.units.dynamodbByTable).sort((a, b) => b[1].calls - a[1].calls)[0];
  const sdk = report.ceiling?.primitives.dynamodbCallSdk?.microsPerCall;
  if (hot.phases) {
    lines.push(
      `- Lambda CPU: the warm hot path spends ${fmt(hot.cpuMicrosPerEvent)} µs of CPU per event, by phase ${phaseList(hot.phases)};`,
      `  the ceiling's primitives are ${fmt(report.ceiling?.warmMicrosPerEvent ?? 0)} µs. The aggregates plan and put every touched partial once per batch, and log the batch's event ids once.`,
    );
  } else if (busiest && sdk) {
    const perEvent = busiest[1].calls / Math.max(1, hot.events);
    lines.push(
      `- Lambda CPU: the warm hot path spends ${fmt(hot.cpuMicrosPerEvent)} µs of CPU per event; ${fmt(perEvent)} DynamoDB calls per event to ${busiest[0]}`,
      `  at ${fmt(sdk)} µs of SDK CPU each (measured in the same run) are about ${fmt(perEvent * sdk)} µs of it; the ceiling's primitives are ${fmt(report.ceiling?.warmMicrosPerEvent ?? 0)} µs.`,
    );
  }
  lines.push('');
  return lines;
}

/** A right-aligned Markdown table, padded the way the repository's formatter (Biome) writes tables. */
function markdownTable(headers: readonly string[], rows: readonly string[][]): string[] {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => `${'-'.repeat(w - 1)}:`).join(' | ')} |`, ...rows.map(line)];
}
