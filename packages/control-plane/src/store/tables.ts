import { z } from 'zod';

/**
 * The control plane's own DynamoDB tables (in the control region), each with string keys `pk`, `sk`:
 * - `records`: `REC#<recordId>`/`REC` (the record), `TOKEN#<token>`/`REC#<recordId>` and
 *   `TOKEN#<token>`/`DISTINCT#<tenant>#<day>` (what to delete on erasure),
 *   `DISTINCT#<tenant>#<day>`/`<subject token>` (distinct patients), `ERASED#<token>`/`ERASED` (tombstones).
 * - `aggregates`: `SERIES#<tenant>#<type>`/`<windowStart>#<cellId>` (released cells),
 *   `TYPES`/`<type>` and `TENANTS#<type>`/`<tenant>` (what series exist).
 * - `counters`: `COUNT#<scope>#<by>`/`<value>` with `n` (running totals; scope `*` or a tenant)
 *   and `ops` (marks of deliveries not yet recorded as stored).
 * - `batches`: `BATCH#<batchId>`/`BATCH` (a delivery's claim, then dedupe and reconciliation
 *   with the egress log).
 * - `alerts`: `ALERT#<yyyy-mm-dd>`/`<time>#<id>` (refused batches, canaries; never values).
 */
export const ControlPlaneTablesSchema = z.object({
  records: z.string().min(3),
  aggregates: z.string().min(3),
  counters: z.string().min(3),
  batches: z.string().min(3),
  alerts: z.string().min(3),
});

/** See {@link ControlPlaneTablesSchema}. */
export type ControlPlaneTables = z.infer<typeof ControlPlaneTablesSchema>;

/** Table names used when none are given: `residency-cp-<role>`. */
export const DEFAULT_CONTROL_PLANE_TABLES: ControlPlaneTables = {
  records: 'residency-cp-records',
  aggregates: 'residency-cp-aggregates',
  counters: 'residency-cp-counters',
  batches: 'residency-cp-batches',
  alerts: 'residency-cp-alerts',
};
