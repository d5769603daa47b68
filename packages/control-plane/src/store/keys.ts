import type { OutboundRecord } from '@residency/core';

/** Key builders of the control-plane tables; see `ControlPlaneTablesSchema` for the layout. */
export const keys = {
  record: (recordId: string) => ({ pk: `REC#${recordId}`, sk: 'REC' }),
  tokenIndex: (token: string, target: string) => ({ pk: `TOKEN#${token}`, sk: target }),
  distinct: (tenant: string, day: string, subject: string) => ({
    pk: `DISTINCT#${tenant}#${day}`,
    sk: subject,
  }),
  tombstone: (token: string) => ({ pk: `ERASED#${token}`, sk: 'ERASED' }),
  series: (tenant: string, type: string, windowStart: string, cellId: string) => ({
    pk: `SERIES#${tenant}#${type}`,
    sk: `${windowStart}#${cellId}`,
  }),
  aggregateType: (type: string) => ({ pk: 'TYPES', sk: type }),
  aggregateTenant: (type: string, tenant: string) => ({ pk: `TENANTS#${type}`, sk: tenant }),
  counter: (scope: string, by: string, value: string) => ({ pk: `COUNT#${scope}#${by}`, sk: value }),
  batch: (batchId: string) => ({ pk: `BATCH#${batchId}`, sk: 'BATCH' }),
  alert: (at: string, id: string) => ({ pk: `ALERT#${at.slice(0, 10)}`, sk: `${at}#${id}` }),
};

/** The UTC day (`yyyy-mm-dd`) of a record: the day of its generalized hour. */
export function recordDay(record: OutboundRecord): string {
  return record.occurredHour.slice(0, 10);
}

/** Every token in a record: its subject and each token field. */
export function recordTokens(record: OutboundRecord): string[] {
  return [...new Set([...(record.subject ? [record.subject] : []), ...Object.values(record.tokens)])];
}

/**
 * The counters one record moves: by tenant, type, day and each string or boolean attribute (a
 * dimension), globally (`*`) and within its tenant. Numbers are metrics, not dimensions.
 */
export function counterKeysOf(record: OutboundRecord): Array<{ scope: string; by: string; value: string }> {
  const day = recordDay(record);
  const dims = Object.entries(record.attributes)
    .filter(([, value]) => typeof value === 'string' || typeof value === 'boolean')
    .map(([name, value]) => ({ by: `dim:${name}`, value: String(value) }));
  const scoped = [{ by: 'type', value: record.type }, { by: 'day', value: day }, ...dims];
  return [
    { scope: '*', by: 'tenant', value: record.tenantId },
    ...scoped.map((entry) => ({ scope: '*', ...entry })),
    ...scoped.map((entry) => ({ scope: record.tenantId, ...entry })),
  ];
}
