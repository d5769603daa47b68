import {
  assertArnInRegion,
  assertEndpointInRegion,
  assertOneAccount,
  assertRegion,
  configuredEndpoint,
} from '@residency/aws';
import { z } from 'zod';
import { ControlPlaneConfigurationError } from '../errors.ts';
import type { ControlPlaneTables } from '../store/tables.ts';
import { parsePublicKeys } from './public-keys.ts';

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
  /** The SDK's DynamoDB endpoint variables: checked here (loopback or of the control region). */
  AWS_ENDPOINT_URL: z.string().url().optional(),
  AWS_ENDPOINT_URL_DYNAMODB: z.string().url().optional(),
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
  /** DynamoDB endpoint from `AWS_ENDPOINT_URL_DYNAMODB` (else `AWS_ENDPOINT_URL`), checked; unset on AWS. */
  dynamodbEndpoint: string | undefined;
}

/**
 * Parses and checks the environment at cold start: the function runs in the control region, every
 * table ARN it was given is there too and in one account, the DynamoDB endpoint variables are
 * loopback or of the control region, and every signing public key is an Ed25519 SPKI PEM (fail
 * closed).
 */
export function loadControlPlaneConfig(env: NodeJS.ProcessEnv = process.env): ControlPlaneConfig {
  const parsed = ControlPlaneEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ControlPlaneConfigurationError(`invalid environment: ${z.prettifyError(parsed.error)}`, 'env');
  }
  const e = parsed.data;
  assertRegion(e.AWS_REGION, e.CONTROL_REGION, 'control-plane function', 'control');
  const tableArns = {
    RECORDS_TABLE_ARN: e.RECORDS_TABLE_ARN,
    AGGREGATES_TABLE_ARN: e.AGGREGATES_TABLE_ARN,
    COUNTERS_TABLE_ARN: e.COUNTERS_TABLE_ARN,
    BATCHES_TABLE_ARN: e.BATCHES_TABLE_ARN,
    ALERTS_TABLE_ARN: e.ALERTS_TABLE_ARN,
  };
  for (const [setting, arn] of Object.entries(tableArns)) {
    if (arn) assertArnInRegion(arn, e.CONTROL_REGION, `control-plane table ${setting}`, 'control');
  }
  assertOneAccount(tableArns);
  const { AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB } = e;
  const dynamodb = configuredEndpoint({ AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB }, 'DynamoDB');
  if (dynamodb) {
    assertEndpointInRegion(dynamodb.url, e.CONTROL_REGION, 'dynamodb', {
      setting: dynamodb.setting,
      role: 'control',
    });
  }
  const publicKeys = parsePublicKeys(e.SIGNING_PUBLIC_KEYS);
  return {
    region: e.CONTROL_REGION,
    publicKeys,
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
    dynamodbEndpoint: dynamodb?.url,
  };
}
