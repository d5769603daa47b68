/**
 * Stage configuration for the SST stacks, read from `RESIDENCY_*` environment variables.
 *
 * Everything that differs between deployments (regions, the control-plane origin the forwarder may
 * talk to, the signing key, who may detokenize) comes from here and never from code. Each value is
 * validated when the stage is loaded, so a bad setting fails `sst deploy` before anything is created.
 * docs/deploy.md lists every variable.
 */

import { createPublicKey } from 'node:crypto';
// The forwarder's own rule for its allowlisted origin, so a stage is refused at deploy for exactly
// what the forwarder would refuse at cold start. Imported by path: the stacks depend on no
// workspace package (the file imports nothing but node:net).
import { checkControlPlaneOrigin } from '../../packages/policy/src/control-plane-origin.ts';

/** Which half of the system a stage deploys. */
export type Plane = 'data' | 'control';

/** Validated stage configuration. */
export interface StageConfig {
  /** The plane this stage deploys, from the stage name suffix (`-data`, `-control`) or `RESIDENCY_PLANE`. */
  readonly plane: Plane;
  /** Region that holds personal data (`RESIDENCY_DATA_REGION`). Default `ap-south-1`. */
  readonly dataRegion: string;
  /** Region of the control plane (`RESIDENCY_CONTROL_REGION`). Default `eu-central-1`. */
  readonly controlRegion: string;
  /** The only origin the forwarder may send to (`RESIDENCY_CONTROL_PLANE_ORIGIN`), `https://host[:port]`. Required for data stages. */
  readonly controlPlaneOrigin: string;
  /** SSM SecureString parameter (in the data region) holding the forwarder's Ed25519 private key PEM (`RESIDENCY_SIGNING_KEY_PARAMETER`). Default `/residency/<stage>/forwarder/signing-key`. */
  readonly signingKeyParameter: string;
  /** Key id the forwarder signs with, one of the control plane's keys (`RESIDENCY_SIGNING_KEY_ID`). Default: the forwarder's own default. */
  readonly signingKeyId: string | undefined;
  /** JSON map keyId → public key PEM the control plane accepts (`RESIDENCY_SIGNING_PUBLIC_KEYS`). Required for control stages. */
  readonly signingPublicKeys: string;
  /** IAM role names in this account allowed to invoke vault-admin, i.e. to detokenize (`RESIDENCY_DETOKENIZE_ROLES`, comma-separated). Default none. */
  readonly detokenizeRoleNames: readonly string[];
  /**
   * IAM role ARNs of this account whose apps write events to the events stream
   * (`RESIDENCY_PRODUCER_ROLES`, comma-separated): the key policy and the stream's resource policy
   * admit them for exactly that. Default none: nobody can write to the events stream.
   */
  readonly producerRoleArns: readonly string[];
  /** CloudWatch Logs retention for every log group (`RESIDENCY_LOG_RETENTION_DAYS`). Default 30. */
  readonly logRetentionDays: number;
  /** Kinesis retention for both streams (`RESIDENCY_STREAM_RETENTION_HOURS`). Default 24. */
  readonly streamRetentionHours: number;
  /** Provisioned shards per stream (`RESIDENCY_STREAM_SHARDS`). Default 1. */
  readonly streamShardCount: number;
  /**
   * MaximumRetryAttempts of the ingest's event source mapping (`RESIDENCY_MAX_RETRY_ATTEMPTS`).
   * Default 5. The forwarder's mapping retries until records expire, whatever this is.
   */
  readonly maxRetryAttempts: number;
  /**
   * MaximumRecordAgeInSeconds of the ingest's event source mapping
   * (`RESIDENCY_MAX_RECORD_AGE_SECONDS`). Default 21600 (6 hours). The forwarder's mapping has no
   * age limit, whatever this is.
   */
  readonly maxRecordAgeSeconds: number;
  /**
   * Records per ingest invocation (`RESIDENCY_INGEST_BATCH_SIZE`). Default 2500, the load test's
   * batch size. The aggregates put each touched cell once per batch (measured: 0.28 cells per
   * event at 1,000, 0.15 at 2,500, 0.09 at 5,000), so bigger batches write less per event.
   */
  readonly ingestBatchSize: number;
  /**
   * Longest the ingest mapping waits to fill a batch (`RESIDENCY_INGEST_BATCHING_WINDOW_SECONDS`).
   * Default 3: a shard takes at most 1,000 records/s, so a full batch of 2,500 needs 2.5 s. It adds
   * at most this much latency.
   */
  readonly ingestBatchingWindowSeconds: number;
  /**
   * Memory of the ingest function, MB (`RESIDENCY_INGEST_MEMORY_MB`). Default 1769: Lambda gives a
   * function one full vCPU at 1,769 MB and a share of one below it, and the ingest is CPU-bound, so
   * less memory makes each batch proportionally slower for about the same GB-seconds. The load
   * test measures one core for the handler and prices it at this size (`--lambda-memory`), and the
   * capacity note's Lambda concurrency assumes it. From 512 to 10,240.
   */
  readonly ingestMemoryMegabytes: number;
  /**
   * Event ids the aggregates keep per (window, shard) to recognise a producer's repeat
   * (`RESIDENCY_AGGREGATE_RECENT_EVENTS`, the ingest's `AGGREGATE_RECENT_EVENTS`). Default 20,000,
   * from 1,000 to 200,000. More keep a repeat known longer, for more ingest memory and a longer read
   * of the event log when an environment takes a shard over.
   */
  readonly aggregateRecentEvents: number;
  /**
   * Days after a window's end that its partials and sealed subjects stay in the aggregates table
   * (`RESIDENCY_AGGREGATE_RETENTION_DAYS`, the ingest's `AGGREGATE_RETENTION_DAYS`; the table's TTL
   * deletes them after). The window closer must have released the window by then. Default 35.
   */
  readonly aggregateRetentionDays: number;
  /**
   * Days a quarantined record is kept after its latest delivery (`RESIDENCY_QUARANTINE_RETENTION_DAYS`,
   * the ingest's `QUARANTINE_RETENTION_DAYS`; the table's TTL deletes it after). Default 30.
   */
  readonly quarantineRetentionDays: number;
  /**
   * Days the control plane keeps a record, its rows and a released cell after its event time, and
   * a batch summary after receipt (`RESIDENCY_CONTROL_RETENTION_DAYS`, the control plane's
   * `RETENTION_DAYS`; the tables' TTL deletes them after). 0, the default, keeps them.
   */
  readonly controlRetentionDays: number;
  /** Iterator age that raises the alarm (`RESIDENCY_ITERATOR_AGE_ALARM_SECONDS`). Default 300. */
  readonly iteratorAgeAlarmSeconds: number;
  /** How often the window-closer runs (`RESIDENCY_WINDOW_CLOSE_MINUTES`). Default 5. */
  readonly windowCloseMinutes: number;
  /** Auth of the query API / dashboard function URL (`RESIDENCY_QUERY_AUTH`: `iam` or `none`). Default `iam`. */
  readonly queryAuth: 'iam' | 'none';
  /**
   * Table class of the vault (`RESIDENCY_VAULT_TABLE_CLASS`: `standard` or `standard-ia`). The vault
   * keeps a set of items per identifier until erasure and the ingest reads it mostly through its
   * cache, so storage soon outweighs requests: Standard-IA stores for about 60% less and charges
   * about 25% more per request. Default `standard`.
   */
  readonly vaultTableClass: 'standard' | 'standard-ia';
  /**
   * How the vault table is billed (`RESIDENCY_VAULT_CAPACITY`: `on-demand` or `provisioned`).
   * Default `on-demand`. Provisioned capacity costs less for a steady load (docs/capacity.md prices
   * both and gives the settings for each rate) and needs `RESIDENCY_VAULT_READ_UNITS` and
   * `RESIDENCY_VAULT_WRITE_UNITS` (`MIN-MAX` each): the table starts at the minimum and auto scaling
   * keeps its consumed capacity near {@link VAULT_TARGET_UTILIZATION_PERCENT}% between the two. A
   * burst of new identifiers faster than auto scaling (a backfill, a re-index) is throttled and
   * retried by the ingest meanwhile (up to `maxRetryAttempts`, then the batch goes to the failure
   * queue), so the maximum should cover the backfill rate.
   */
  readonly vaultCapacity: VaultCapacity;
  /** Removal policy of keys, tables and log groups (`RESIDENCY_REMOVAL`: `retain` or `destroy`). Default `retain`. */
  readonly removal: 'retain' | 'destroy';
  /** CDK bootstrap qualifier, to name the CloudFormation execution role in the key policy (`RESIDENCY_CDK_QUALIFIER`). Default `hnb659fds`. */
  readonly cdkQualifier: string;
}

/** Capacity units of one kind a provisioned table scales between. */
export interface CapacityRange {
  readonly min: number;
  readonly max: number;
}

/** The vault table's billing: on demand, or provisioned with auto scaling between a range of units. */
export type VaultCapacity =
  | { readonly mode: 'on-demand' }
  | { readonly mode: 'provisioned'; readonly read: CapacityRange; readonly write: CapacityRange };

/**
 * The consumed share of its provisioned capacity that auto scaling keeps the vault table at, in
 * percent: the headroom for a rise before the next scale-up. The capacity note sizes its suggested
 * minimum by it.
 */
export const VAULT_TARGET_UTILIZATION_PERCENT = 70;

/** Thrown when a `RESIDENCY_*` variable is missing or invalid. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

const REGION = /^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-\d$/;
/** Values CloudWatch Logs accepts for RetentionInDays. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The plane of a stage: `<name>-data` and `<name>-control`, or `RESIDENCY_PLANE` when the stage
 * name says neither. Fails closed: a stage that names no plane is an error, never a guess.
 *
 * @example planeOf('prod-data', process.env) // 'data'
 */
export function planeOf(stage: string | undefined, env: Env): Plane {
  if (stage?.endsWith('-data')) return 'data';
  if (stage?.endsWith('-control')) return 'control';
  const plane = env.RESIDENCY_PLANE;
  if (plane === 'data' || plane === 'control') return plane;
  throw new StageConfigError(
    `stage "${stage ?? '(none)'}" names no plane; use --stage <name>-data or <name>-control, or set RESIDENCY_PLANE=data|control`,
    'RESIDENCY_PLANE',
  );
}

/**
 * The two regions, validated. Used by sst.config.ts before the stage is known in full. Fails
 * closed when they are one region: the control plane exists to hold what may leave the data
 * region, so in the data region it would keep nothing apart.
 */
export function loadRegions(env: Env): { dataRegion: string; controlRegion: string } {
  const dataRegion = region(env, 'RESIDENCY_DATA_REGION', 'ap-south-1');
  const controlRegion = region(env, 'RESIDENCY_CONTROL_REGION', 'eu-central-1');
  if (controlRegion === dataRegion) {
    throw new StageConfigError(
      `"${controlRegion}" is also the data region (RESIDENCY_DATA_REGION); the control plane must run in another region`,
      'RESIDENCY_CONTROL_REGION',
    );
  }
  return { dataRegion, controlRegion };
}

/**
 * Loads and validates the whole stage configuration.
 *
 * @example const config = loadStageConfig('prod-data', process.env);
 */
export function loadStageConfig(stage: string, env: Env): StageConfig {
  const plane = planeOf(stage, env);
  const regions = loadRegions(env);
  const config: StageConfig = {
    plane,
    ...regions,
    controlPlaneOrigin: env.RESIDENCY_CONTROL_PLANE_ORIGIN ?? '',
    signingKeyParameter: env.RESIDENCY_SIGNING_KEY_PARAMETER ?? `/residency/${stage}/forwarder/signing-key`,
    signingKeyId: env.RESIDENCY_SIGNING_KEY_ID || undefined,
    signingPublicKeys: env.RESIDENCY_SIGNING_PUBLIC_KEYS ?? '',
    detokenizeRoleNames: list(env.RESIDENCY_DETOKENIZE_ROLES),
    producerRoleArns: [...new Set(list(env.RESIDENCY_PRODUCER_ROLES))],
    logRetentionDays: integer(env, 'RESIDENCY_LOG_RETENTION_DAYS', 30, 1, 3653),
    streamRetentionHours: integer(env, 'RESIDENCY_STREAM_RETENTION_HOURS', 24, 24, 8760),
    streamShardCount: integer(env, 'RESIDENCY_STREAM_SHARDS', 1, 1, 500),
    maxRetryAttempts: integer(env, 'RESIDENCY_MAX_RETRY_ATTEMPTS', 5, 0, 10_000),
    maxRecordAgeSeconds: integer(env, 'RESIDENCY_MAX_RECORD_AGE_SECONDS', 21_600, 60, 604_800),
    ingestBatchSize: integer(env, 'RESIDENCY_INGEST_BATCH_SIZE', 2500, 1, 10_000),
    ingestBatchingWindowSeconds: integer(env, 'RESIDENCY_INGEST_BATCHING_WINDOW_SECONDS', 3, 0, 300),
    ingestMemoryMegabytes: integer(env, 'RESIDENCY_INGEST_MEMORY_MB', 1769, 512, 10_240),
    aggregateRecentEvents: integer(env, 'RESIDENCY_AGGREGATE_RECENT_EVENTS', 20_000, 1_000, 200_000),
    aggregateRetentionDays: integer(env, 'RESIDENCY_AGGREGATE_RETENTION_DAYS', 35, 2, 3_650),
    quarantineRetentionDays: integer(env, 'RESIDENCY_QUARANTINE_RETENTION_DAYS', 30, 1, 3_650),
    controlRetentionDays: integer(env, 'RESIDENCY_CONTROL_RETENTION_DAYS', 0, 0, 3_650),
    iteratorAgeAlarmSeconds: integer(env, 'RESIDENCY_ITERATOR_AGE_ALARM_SECONDS', 300, 1, 604_800),
    windowCloseMinutes: integer(env, 'RESIDENCY_WINDOW_CLOSE_MINUTES', 5, 1, 1440),
    queryAuth: oneOf(env, 'RESIDENCY_QUERY_AUTH', ['iam', 'none'] as const, 'iam'),
    removal: oneOf(env, 'RESIDENCY_REMOVAL', ['retain', 'destroy'] as const, 'retain'),
    vaultTableClass: oneOf(
      env,
      'RESIDENCY_VAULT_TABLE_CLASS',
      ['standard', 'standard-ia'] as const,
      'standard',
    ),
    vaultCapacity: vaultCapacity(env),
    cdkQualifier: cdkQualifier(env),
  };
  return validateStageConfig(config);
}

/** Checks the cross-field invariants of a configuration and returns it unchanged. */
export function validateStageConfig(config: StageConfig): StageConfig {
  if (!LOG_RETENTION_DAYS.includes(config.logRetentionDays)) {
    throw new StageConfigError(
      `${config.logRetentionDays} is not a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(', ')})`,
      'RESIDENCY_LOG_RETENTION_DAYS',
    );
  }
  if (config.plane === 'data') {
    assertOrigin(config.controlPlaneOrigin, config.dataRegion);
    if (config.signingKeyId !== undefined && !/^[\w.-]{1,64}$/.test(config.signingKeyId)) {
      throw new StageConfigError(
        'must be 1-64 letters, digits, dots, dashes or underscores',
        'RESIDENCY_SIGNING_KEY_ID',
      );
    }
    if (!config.signingKeyParameter.startsWith('/')) {
      throw new StageConfigError(
        'must be an SSM parameter name starting with /',
        'RESIDENCY_SIGNING_KEY_PARAMETER',
      );
    }
    for (const name of config.detokenizeRoleNames) {
      if (!/^[\w+=,.@/-]{1,64}$/.test(name)) {
        throw new StageConfigError(`"${name}" is not an IAM role name`, 'RESIDENCY_DETOKENIZE_ROLES');
      }
    }
    for (const arn of config.producerRoleArns) assertProducerRole(arn, config.dataRegion);
  } else {
    assertPublicKeys(config.signingPublicKeys);
  }
  return config;
}

/** `arn:<partition>:iam::<account>:role/<path/><name>`: no wildcard, no user, no account root. */
const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** The partition of a region: `cn-*` in aws-cn, `us-gov-*` in aws-us-gov, and so on. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

function assertProducerRole(arn: string, dataRegion: string): void {
  const variable = 'RESIDENCY_PRODUCER_ROLES';
  const match = ROLE_ARN.exec(arn);
  if (match === null) {
    throw new StageConfigError(
      `"${arn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>, no wildcards)`,
      variable,
    );
  }
  if (match[1] !== partitionOf(dataRegion)) {
    throw new StageConfigError(`"${arn}" is not in the partition of ${dataRegion}`, variable);
  }
}

/**
 * Refuses producer roles of any account but the stage's: the events stream takes personal data,
 * and the key and stream policies must not reach outside the account. A stage whose account is
 * not known when it is synthesized (`undefined`) cannot be checked, so it may name none.
 *
 * @example assertProducerRolesInAccount(config, stack.account)
 */
export function assertProducerRolesInAccount(config: StageConfig, account: string | undefined): void {
  for (const arn of config.producerRoleArns) {
    const roleAccount = arn.split(':')[4];
    if (account === undefined) {
      throw new StageConfigError(
        `"${arn}" cannot be checked against the stage's account, which is not known at synthesis`,
        'RESIDENCY_PRODUCER_ROLES',
      );
    }
    if (roleAccount !== account) {
      throw new StageConfigError(
        `"${arn}" is a role of account ${roleAccount}, not of the stage's account ${account}`,
        'RESIDENCY_PRODUCER_ROLES',
      );
    }
  }
}

function assertOrigin(origin: string, dataRegion: string): void {
  const variable = 'RESIDENCY_CONTROL_PLANE_ORIGIN';
  if (origin === '')
    throw new StageConfigError('required for a data stage (the forwarder allowlist)', variable);
  // The forwarder talks TLS only; plain http exists in local mode, never in a deployed stage.
  const verdict = checkControlPlaneOrigin(origin, { localMode: false, dataRegion, deployed: true });
  if (!verdict.ok) throw new StageConfigError(verdict.problem, variable);
}

function assertPublicKeys(json: string): void {
  const variable = 'RESIDENCY_SIGNING_PUBLIC_KEYS';
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new StageConfigError(
      'required for a control stage: a JSON object keyId → public key PEM',
      variable,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StageConfigError('must be a JSON object keyId → public key PEM', variable);
  }
  for (const [keyId, pem] of Object.entries(parsed)) {
    // As the control plane reads it at cold start: an Ed25519 public key (a private key is refused).
    let type: string | undefined;
    try {
      type =
        typeof pem === 'string' && pem.includes('PUBLIC KEY')
          ? createPublicKey(pem).asymmetricKeyType
          : undefined;
    } catch {
      type = undefined;
    }
    if (type !== 'ed25519') {
      throw new StageConfigError(`key "${keyId}" is not an Ed25519 public key PEM`, variable);
    }
  }
}

/** The non-empty, trimmed items of a comma-separated setting. */
function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function region(env: Env, variable: string, fallback: string): string {
  const value = env[variable] ?? fallback;
  if (!REGION.test(value)) throw new StageConfigError(`"${value}" is not an AWS region`, variable);
  return value;
}

function integer(env: Env, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  // Decimal digits only: Number() would also take ' 5', '1e3', '0x10' and '5.0'.
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new StageConfigError(`"${raw}" must be an integer from ${min} to ${max}`, variable);
  }
  return value;
}

// Capacity units a provisioned table may be given here: DynamoDB's default table quota is 40,000 of
// each kind, and an account can have it raised, so the upper bound only catches a typo.
const MAX_CAPACITY_UNITS = 1_000_000;

function vaultCapacity(env: Env): VaultCapacity {
  const mode = oneOf(env, 'RESIDENCY_VAULT_CAPACITY', ['on-demand', 'provisioned'] as const, 'on-demand');
  const units = ['RESIDENCY_VAULT_READ_UNITS', 'RESIDENCY_VAULT_WRITE_UNITS'] as const;
  if (mode === 'on-demand') {
    for (const variable of units) {
      if (env[variable] !== undefined && env[variable] !== '')
        throw new StageConfigError('is only read with RESIDENCY_VAULT_CAPACITY=provisioned', variable);
    }
    return { mode };
  }
  return { mode, read: capacityRange(env, units[0]), write: capacityRange(env, units[1]) };
}

// `MIN-MAX` in whole capacity units, 1 <= MIN <= MAX; required.
function capacityRange(env: Env, variable: string): CapacityRange {
  const raw = env[variable];
  const match = raw === undefined ? null : /^(\d{1,7})-(\d{1,7})$/.exec(raw);
  const min = Number(match?.[1]);
  const max = Number(match?.[2]);
  if (match === null || min < 1 || max < min || max > MAX_CAPACITY_UNITS) {
    throw new StageConfigError(
      `${raw === undefined ? 'is required with RESIDENCY_VAULT_CAPACITY=provisioned' : `"${raw}" is not a range`}: ` +
        `MIN-MAX capacity units, 1 <= MIN <= MAX <= ${MAX_CAPACITY_UNITS.toLocaleString('en-US')} (docs/capacity.md suggests both for each rate)`,
      variable,
    );
  }
  return { min, max };
}

// The CDK bootstrap qualifier names the deploy role in the key policy: what `cdk bootstrap` accepts
// (letters and digits, at most 10), so that '*' or 'x/../admin' cannot widen the principal.
function cdkQualifier(env: Env): string {
  const raw = env.RESIDENCY_CDK_QUALIFIER;
  if (raw === undefined) return 'hnb659fds';
  if (!/^[A-Za-z0-9]{1,10}$/.test(raw))
    throw new StageConfigError(
      `"${raw}" must be 1 to 10 letters and digits (a CDK bootstrap qualifier)`,
      'RESIDENCY_CDK_QUALIFIER',
    );
  return raw;
}

function oneOf<const T extends string>(env: Env, variable: string, allowed: readonly T[], fallback: T): T {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const found = allowed.find((value) => value === raw);
  if (found === undefined)
    throw new StageConfigError(`"${raw}" must be one of ${allowed.join(', ')}`, variable);
  return found;
}
