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

/**
 * A whole-number setting in decimal digits only: `z.coerce` would read `0x10`, `1e3`, ` 60 ` and
 * `1.0` as numbers nobody wrote.
 */
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** The control-plane functions' environment. Table ARNs are optional and, when set, must name the control region. */
export const ControlPlaneEnvSchema = z.object({
  CONTROL_REGION: z.string().min(1),
  AWS_REGION: z.string().min(1).optional(),
  /** JSON object: key id → Ed25519 public key (SPKI PEM). */
  SIGNING_PUBLIC_KEYS: z.string().min(2),
  /** Comma-separated key ids no longer accepted. */
  RETIRED_KEY_IDS: z.string().optional(),
  MAX_SKEW_SECONDS: int(1, 3600).optional(),
  /** Days records, their rows and released cells are kept after their event time; unset keeps them. */
  RETENTION_DAYS: int(1, 3650).optional(),
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
  const retiredKeyIds = (e.RETIRED_KEY_IDS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  // Key ids are compared exactly: a retired id that names no key ('K1' for 'k1') retires nothing,
  // while the operator believes the key is refused. And a set with every key retired accepts nothing.
  const unknown = retiredKeyIds.filter((id) => !Object.hasOwn(publicKeys, id));
  if (unknown.length > 0)
    throw new ControlPlaneConfigurationError(
      `RETIRED_KEY_IDS names ${unknown.length} key id(s) that SIGNING_PUBLIC_KEYS does not have (ids are case-sensitive)`,
      'RETIRED_KEY_IDS',
    );
  if (Object.keys(publicKeys).every((id) => retiredKeyIds.includes(id)))
    throw new ControlPlaneConfigurationError('RETIRED_KEY_IDS retires every signing key', 'RETIRED_KEY_IDS');
  return {
    region: e.CONTROL_REGION,
    publicKeys,
    retiredKeyIds,
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
