import { assertArnInRegion, assertRegion } from '@residency/aws';
import { z } from 'zod';
import { ControlPlaneConfigurationError } from '../errors.ts';
import type { ControlPlaneTables } from '../store/tables.ts';

/** The control-plane functions' environment. Table ARNs are optional and, when set, must name the control region. */
export const ControlPlaneEnvSchema = z.object({
  CONTROL_REGION: z.string().min(1),
  AWS_REGION: z.string().min(1).optional(),
  /** JSON object: key id → Ed25519 public key (SPKI PEM). */
  SIGNING_PUBLIC_KEYS: z.string().min(2),
  /** Comma-separated key ids no longer accepted. */
  RETIRED_KEY_IDS: z.string().optional(),
  MAX_SKEW_SECONDS: z.coerce.number().int().positive().max(3600).optional(),
  /** Days records, their rows and released cells are kept after their event time; unset keeps them. */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  RECORDS_TABLE: z.string().min(3),
  AGGREGATES_TABLE: z.string().min(3),
  COUNTERS_TABLE: z.string().min(3),
  BATCHES_TABLE: z.string().min(3),
  ALERTS_TABLE: z.string().min(3),
  RECORDS_TABLE_ARN: z.string().startsWith('arn:').optional(),
  AGGREGATES_TABLE_ARN: z.string().startsWith('arn:').optional(),
  COUNTERS_TABLE_ARN: z.string().startsWith('arn:').optional(),
  BATCHES_TABLE_ARN: z.string().startsWith('arn:').optional(),
  ALERTS_TABLE_ARN: z.string().startsWith('arn:').optional(),
});

/** The parsed environment, ready to wire. */
export interface ControlPlaneConfig {
  region: string;
  publicKeys: Record<string, string>;
  retiredKeyIds: string[];
  maxSkewMillis: number | undefined;
  /** See `RETENTION_DAYS`; undefined keeps everything. */
  retentionDays: number | undefined;
  tables: ControlPlaneTables;
}

/**
 * Parses and checks the environment at cold start: the function runs in the control region and
 * every table ARN it was given is there too (fail closed).
 */
export function loadControlPlaneConfig(env: NodeJS.ProcessEnv = process.env): ControlPlaneConfig {
  const parsed = ControlPlaneEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ControlPlaneConfigurationError(`invalid environment: ${z.prettifyError(parsed.error)}`, 'env');
  }
  const e = parsed.data;
  assertRegion(e.AWS_REGION, e.CONTROL_REGION, 'control-plane function');
  for (const arn of [
    e.RECORDS_TABLE_ARN,
    e.AGGREGATES_TABLE_ARN,
    e.COUNTERS_TABLE_ARN,
    e.BATCHES_TABLE_ARN,
    e.ALERTS_TABLE_ARN,
  ]) {
    if (arn) assertArnInRegion(arn, e.CONTROL_REGION, 'control-plane table');
  }
  const keys = z.record(z.string().min(1).max(64), z.string().includes('PUBLIC KEY')).safeParse(
    (() => {
      try {
        return JSON.parse(e.SIGNING_PUBLIC_KEYS);
      } catch {
        return undefined;
      }
    })(),
  );
  if (!keys.success || Object.keys(keys.data).length === 0) {
    throw new ControlPlaneConfigurationError(
      'SIGNING_PUBLIC_KEYS must be a JSON object of key id to public key PEM',
      'SIGNING_PUBLIC_KEYS',
    );
  }
  return {
    region: e.CONTROL_REGION,
    publicKeys: keys.data,
    retiredKeyIds: (e.RETIRED_KEY_IDS ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    maxSkewMillis: e.MAX_SKEW_SECONDS === undefined ? undefined : e.MAX_SKEW_SECONDS * 1000,
    retentionDays: e.RETENTION_DAYS,
    tables: {
      records: e.RECORDS_TABLE,
      aggregates: e.AGGREGATES_TABLE,
      counters: e.COUNTERS_TABLE,
      batches: e.BATCHES_TABLE,
      alerts: e.ALERTS_TABLE,
    },
  };
}
