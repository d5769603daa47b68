import {
  assertAwsRegion,
  assertEndpointInRegion,
  assertKeyArnInRegion,
  assertOneAccount,
  assertRegion,
  ConfigurationError,
  configuredEndpoint,
} from '@residency/aws';
import {
  DEFAULT_ALLOWED_LATENESS_SECONDS,
  DEFAULT_K,
  DEFAULT_WINDOW_SECONDS,
} from '@residency/core/aggregates';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { DEFAULT_CLOSE_GRACE_SECONDS } from '../closer/create-window-closer.ts';
import { type ResourceRef, resourceRef } from './resource-ref.ts';

/** Environment variables the functions read. Names are a contract with the stacks. */
export type PipelineEnv = Readonly<Record<string, string | undefined>>;

/** The smallest k the window closer accepts (see `K_THRESHOLD`). */
export const MIN_K_THRESHOLD = 2;

/**
 * Shortest aggregate window, seconds. Every window is a release of its cells (and, with noise, a
 * spend of `NOISE_EPSILON`), so shorter windows mean more, thinner cells; a minute is also the
 * finest schedule of the window closer (EventBridge).
 */
export const MIN_WINDOW_SECONDS = 60;
/** Seconds in a day: the longest aggregate window, and what every window length must divide. */
export const SECONDS_PER_DAY = 86_400;
/**
 * Longest allowed lateness, seconds: a day. The event log of a window expires a day after its
 * lateness, and partials (`AGGREGATE_RETENTION_DAYS`, at least 2) must outlive the close.
 */
export const MAX_ALLOWED_LATENESS_SECONDS = SECONDS_PER_DAY;
/** Longest close grace, seconds: an hour, four times Lambda's longest timeout (900 s). */
export const MAX_CLOSE_GRACE_SECONDS = 3_600;

/**
 * A whole-number setting, written in decimal digits only: `Number()` would read an empty or blank
 * value as 0 (a lateness or grace of none, silently) and `1e3`, `0x3c` or ` 60 ` as numbers
 * nobody wrote. Anything else is refused with `must be <rule>` (never the value).
 */
const int = (
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  rule = max === Number.MAX_SAFE_INTEGER
    ? `a whole number of at least ${min}`
    : `a whole number from ${min} to ${max}`,
  holds: (value: number) => boolean = () => true,
) =>
  z.string().transform((raw, ctx) => {
    const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isInteger(value) && value >= min && value <= max && holds(value)) return value;
    ctx.addIssue({ code: 'custom', message: `must be ${rule}` });
    return z.NEVER;
  });

/** What an aggregate window length must be, for messages. */
export const WINDOW_SECONDS_RULE = `whole seconds from ${MIN_WINDOW_SECONDS} to ${SECONDS_PER_DAY} that divide a day (${SECONDS_PER_DAY}) evenly, e.g. 60, 300, 900 or 3600`;

/**
 * Whether `seconds` is a usable aggregate window length. Windows are aligned to the epoch
 * (`windowOf`), so a length that divides a day starts a window at every midnight UTC and none
 * spans two days.
 */
export function isWindowSeconds(seconds: number): boolean {
  return (
    Number.isInteger(seconds) &&
    seconds >= MIN_WINDOW_SECONDS &&
    seconds <= SECONDS_PER_DAY &&
    SECONDS_PER_DAY % seconds === 0
  );
}

/** The aggregate window length (see {@link isWindowSeconds}). */
const WindowSecondsSchema = int(MIN_WINDOW_SECONDS, SECONDS_PER_DAY, WINDOW_SECONDS_RULE, isWindowSeconds);

const EndpointEnvSchema = z.object({
  /** A data directory (or its `endpoints.json`) written by `residency up`: local mode. */
  RESIDENCY_ENDPOINTS_FILE: z.string().min(1).optional(),
  /**
   * The SDK's endpoint variables, read here instead of by the SDK (its clients ignore them) so each
   * is checked: loopback, or an AWS endpoint of the data region. `AWS_ENDPOINT_URL` is the fallback
   * of every service, as in the SDK.
   */
  AWS_ENDPOINT_URL: z.string().url().optional(),
  AWS_ENDPOINT_URL_KINESIS: z.string().url().optional(),
  AWS_ENDPOINT_URL_DYNAMODB: z.string().url().optional(),
  AWS_ENDPOINT_URL_KMS: z.string().url().optional(),
});

const BaseEnvSchema = EndpointEnvSchema.extend({
  /** The data region. */
  DATA_REGION: z.string().min(1),
  /** The region the function runs in (Lambda sets it). */
  AWS_REGION: z.string().min(1),
  /** Full ARN of the in-region customer managed key (`arn:aws:kms:<region>:<account>:key/<id>`). */
  KEY_ARN: z.string().min(1),
  /** Aggregate window length, seconds. Default 60; 60 to 86,400, dividing a day evenly. */
  WINDOW_SECONDS: WindowSecondsSchema.default(DEFAULT_WINDOW_SECONDS),
  /** Seconds after a window's end that its events still count. Default 120; 0 to 86,400. */
  ALLOWED_LATENESS_SECONDS: int(0, MAX_ALLOWED_LATENESS_SECONDS).default(DEFAULT_ALLOWED_LATENESS_SECONDS),
});

const COUNTRY_RULE = 'a region code libphonenumber-js supports (two capitals, e.g. BD or IN)';

/** A country of tenants, for reading local phone formats: one libphonenumber-js knows (not `ZZ`). */
const CountrySchema = z.string().refine((code) => /^[A-Z]{2}$/.test(code) && isSupportedCountry(code), {
  message: `must be ${COUNTRY_RULE}`,
});

/**
 * `prefix:CC` pairs, comma-separated, into prefix → country. Refused: a pair that is not
 * `prefix:CC` (an empty prefix included), a country libphonenumber-js does not support, and one
 * prefix given two countries (which one would win is an accident of the order).
 */
const CountryByPrefixSchema = z.string().transform((raw, ctx) => {
  // No prototype: a prefix named `constructor` or `__proto__` is a prefix like any other.
  const byPrefix: Record<string, string> = Object.create(null);
  for (const pair of raw.split(',')) {
    const match = /^([A-Za-z0-9._-]+):([A-Z]{2})$/.exec(pair);
    const [, prefix, country] = match ?? [];
    if (prefix === undefined || country === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be comma-separated prefix:CC pairs, e.g. kol-:IN,dhk-:BD',
      });
      return z.NEVER;
    }
    if (!isSupportedCountry(country)) {
      ctx.addIssue({ code: 'custom', message: `gives "${prefix}" ${country}, which is not ${COUNTRY_RULE}` });
      return z.NEVER;
    }
    const earlier = byPrefix[prefix];
    if (earlier !== undefined && earlier !== country) {
      ctx.addIssue({ code: 'custom', message: `gives "${prefix}" two countries, ${earlier} and ${country}` });
      return z.NEVER;
    }
    byPrefix[prefix] = country;
  }
  return byPrefix;
});

/** The ingest function's environment. */
export const IngestEnvSchema = BaseEnvSchema.extend({
  EVENTS_STREAM_NAME: z.string().min(1),
  OUTBOX_STREAM_NAME: z.string().min(1),
  VAULT_TABLE: z.string().min(1),
  AUDIT_TABLE: z.string().min(1),
  AGGREGATES_TABLE: z.string().min(1),
  QUARANTINE_TABLE: z.string().min(1),
  /** Country of tenants for local phone formats. Default BD. */
  DEFAULT_COUNTRY: CountrySchema.default('BD'),
  /** Tenant id prefixes and their countries, e.g. `kol-:IN,dhk-:BD`. Default none. */
  TENANT_COUNTRY_PREFIXES: CountryByPrefixSchema.optional(),
  /**
   * Ids of applied events the aggregates keep per (window, shard) to recognise a producer's repeat:
   * a repeat is recognised while fewer events of its window and shard came after the original.
   * They are held in memory (about 64 bytes each) and read from the event log when an environment
   * takes a shard over. Default 20,000 (20 s of a shard at its 1,000 records/s); 1,000 to 200,000.
   */
  AGGREGATE_RECENT_EVENTS: int(1_000, 200_000).default(20_000),
  /**
   * Days after a window's end that its partials and sealed subjects are kept (the table's TTL
   * deletes them after; the event log goes a day after the allowed lateness). The window closer
   * must have released the window by then. Default 35; 2 to 3,650.
   */
  AGGREGATE_RETENTION_DAYS: int(2, 3_650).default(35),
  /**
   * Days a quarantined record (sealed payload and issues) is kept after its latest delivery; the
   * table's TTL deletes it after. Default 30; 1 to 3,650.
   */
  QUARANTINE_RETENTION_DAYS: int(1, 3_650).default(30),
});

/** The window closer's environment. Other tables and streams, when set, are checked too. */
export const WindowCloserEnvSchema = BaseEnvSchema.extend({
  OUTBOX_STREAM_NAME: z.string().min(1),
  AGGREGATES_TABLE: z.string().min(1),
  EVENTS_STREAM_NAME: z.string().min(1).optional(),
  VAULT_TABLE: z.string().min(1).optional(),
  AUDIT_TABLE: z.string().min(1).optional(),
  QUARANTINE_TABLE: z.string().min(1).optional(),
  /**
   * Minimum distinct subjects of a released cell. Default 10; at least 2, since a k of 1 releases
   * every one-person cell, which is suppression turned off.
   */
  K_THRESHOLD: int(MIN_K_THRESHOLD).default(DEFAULT_K),
  /**
   * Per-window epsilon of the discrete Laplace noise; unset means no noise. A decimal of at most six
   * places from 0.000001 to 100, so that the sampler uses exactly the epsilon configured (and the
   * cells and the ledger say): not `Number()`, which reads `0x10`, `1e300` and ` 2 `.
   */
  NOISE_EPSILON: z
    .string()
    .regex(/^\d{1,3}(?:\.\d{1,6})?$/)
    .transform(Number)
    .pipe(z.number().min(0.000001).max(100))
    .optional(),
  /**
   * Seconds the closer waits after a window's lateness has passed, for ingest batches still in
   * flight; keep it above the ingest's timeout. Default 60; 0 to 3,600.
   */
  CLOSE_GRACE_SECONDS: int(0, MAX_CLOSE_GRACE_SECONDS).default(DEFAULT_CLOSE_GRACE_SECONDS),
});

/** Settings common to both functions, after the static residency checks. */
export interface BaseConfig {
  dataRegion: string;
  keyArn: string;
  windowSeconds: number;
  allowedLatenessSeconds: number;
  /** Tables and streams by env variable name. */
  tables: Record<string, ResourceRef>;
  streams: Record<string, ResourceRef>;
  endpointEnv: z.infer<typeof EndpointEnvSchema>;
}

/** The ingest function's configuration. */
export interface IngestConfig extends BaseConfig {
  function: 'ingest';
  defaultCountry: string;
  countryByPrefix: Record<string, string>;
  /** Event ids the aggregates keep per (window, shard) to recognise repeats (`AGGREGATE_RECENT_EVENTS`). */
  aggregateRecentEvents: number;
  /** Days a window's partials are kept after its end (`AGGREGATE_RETENTION_DAYS`). */
  aggregateRetentionDays: number;
  /** Days a quarantined record is kept after its latest delivery (`QUARANTINE_RETENTION_DAYS`). */
  quarantineRetentionDays: number;
}

/** The window closer's configuration. */
export interface WindowCloserConfig extends BaseConfig {
  function: 'window-closer';
  k: number;
  noiseEpsilon?: number;
  closeGraceSeconds: number;
}

/**
 * Reads the ingest function's environment and runs the static residency checks: the function's
 * region, the KMS key ARN and every table or stream given as an ARN must be in `DATA_REGION`, all
 * ARNs in one account, `KEY_ARN` the ARN of a KMS key, and every endpoint variable loopback or an
 * AWS endpoint of `DATA_REGION`. Fails closed: a missing variable is a `ConfigurationError` (naming every missing one, never a
 * value), a region mismatch a `RegionMismatchError`, both before any AWS call.
 */
export function loadIngestConfig(env: PipelineEnv): IngestConfig {
  const parsed = parse(IngestEnvSchema, env);
  return {
    function: 'ingest',
    ...base(parsed, env),
    defaultCountry: parsed.DEFAULT_COUNTRY,
    countryByPrefix: parsed.TENANT_COUNTRY_PREFIXES ?? {},
    aggregateRecentEvents: parsed.AGGREGATE_RECENT_EVENTS,
    aggregateRetentionDays: parsed.AGGREGATE_RETENTION_DAYS,
    quarantineRetentionDays: parsed.QUARANTINE_RETENTION_DAYS,
  };
}

/** Reads the window closer's environment; same checks as {@link loadIngestConfig}. */
export function loadWindowCloserConfig(env: PipelineEnv): WindowCloserConfig {
  const parsed = parse(WindowCloserEnvSchema, env);
  return {
    function: 'window-closer',
    ...base(parsed, env),
    k: parsed.K_THRESHOLD,
    closeGraceSeconds: parsed.CLOSE_GRACE_SECONDS,
    ...(parsed.NOISE_EPSILON !== undefined ? { noiseEpsilon: parsed.NOISE_EPSILON } : {}),
  };
}

/** The data plane's services: endpoint prefix → the SDK's service id (its `AWS_ENDPOINT_URL_<ID>`). */
export const SDK_SERVICE_IDS = { kinesis: 'Kinesis', dynamodb: 'DynamoDB', kms: 'KMS' } as const;

const TABLE_VARS = ['VAULT_TABLE', 'AUDIT_TABLE', 'AGGREGATES_TABLE', 'QUARANTINE_TABLE'] as const;
const STREAM_VARS = ['EVENTS_STREAM_NAME', 'OUTBOX_STREAM_NAME'] as const;

function base(parsed: z.infer<typeof BaseEnvSchema>, env: PipelineEnv): BaseConfig {
  const dataRegion = assertAwsRegion(parsed.DATA_REGION, 'DATA_REGION');
  assertRegion(parsed.AWS_REGION, dataRegion, 'the function (AWS_REGION)');
  assertKeyArnInRegion(parsed.KEY_ARN, dataRegion, 'KEY_ARN');
  const tables: Record<string, ResourceRef> = {};
  const streams: Record<string, ResourceRef> = {};
  for (const name of TABLE_VARS) {
    const value = env[name];
    if (value) tables[name] = resourceRef(value, dataRegion, name);
  }
  for (const name of STREAM_VARS) {
    const value = env[name];
    if (value) streams[name] = resourceRef(value, dataRegion, name);
  }
  assertOneAccount({
    KEY_ARN: parsed.KEY_ARN,
    ...Object.fromEntries(Object.entries({ ...tables, ...streams }).map(([name, ref]) => [name, ref.arn])),
  });
  const {
    RESIDENCY_ENDPOINTS_FILE,
    AWS_ENDPOINT_URL,
    AWS_ENDPOINT_URL_KINESIS,
    AWS_ENDPOINT_URL_DYNAMODB,
    AWS_ENDPOINT_URL_KMS,
  } = parsed;
  const endpointEnv = {
    RESIDENCY_ENDPOINTS_FILE,
    AWS_ENDPOINT_URL,
    AWS_ENDPOINT_URL_KINESIS,
    AWS_ENDPOINT_URL_DYNAMODB,
    AWS_ENDPOINT_URL_KMS,
  };
  for (const [service, serviceId] of Object.entries(SDK_SERVICE_IDS)) {
    const configured = configuredEndpoint(endpointEnv, serviceId);
    if (configured)
      assertEndpointInRegion(configured.url, dataRegion, service, { setting: configured.setting });
  }
  return {
    dataRegion,
    keyArn: parsed.KEY_ARN,
    windowSeconds: parsed.WINDOW_SECONDS,
    allowedLatenessSeconds: parsed.ALLOWED_LATENESS_SECONDS,
    tables,
    streams,
    endpointEnv,
  };
}

function parse<S extends z.ZodType>(schema: S, env: PipelineEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '(env)')))];
  // What the settings' own checks say (`must be ...`): a rule, quoting at most a tenant prefix or a
  // country code, never a secret.
  const rules = parsed.error.issues
    .filter((issue) => issue.code === 'custom')
    .map((issue) => `${String(issue.path[0])} ${issue.message}`);
  throw new ConfigurationError(
    `missing or invalid environment variables: ${names.join(', ')}${rules.length > 0 ? ` (${rules.join('; ')})` : ''}`,
    names.join(','),
  );
}
