import { ConfigurationError, RegionMismatchError } from '@residency/aws';
import { describe, expect, it } from 'vitest';
import {
  createIngestFromEnv,
  createInMemoryMetrics,
  loadIngestConfig,
  loadWindowCloserConfig,
  resolveAwsTarget,
  silentLogger,
} from '../src/index.ts';

const REGION = 'ap-south-1';
const env = {
  DATA_REGION: REGION,
  AWS_REGION: REGION,
  KEY_ARN: `arn:aws:kms:${REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  EVENTS_STREAM_NAME: 'residency-events',
  OUTBOX_STREAM_NAME: 'residency-outbox',
  VAULT_TABLE: 'residency-vault',
  AUDIT_TABLE: 'residency-audit',
  AGGREGATES_TABLE: 'residency-aggregates',
  QUARANTINE_TABLE: 'residency-quarantine',
};

describe('loadIngestConfig', () => {
  it('reads the environment with defaults', () => {
    const config = loadIngestConfig(env);
    expect(config).toMatchObject({ dataRegion: REGION, windowSeconds: 60, allowedLatenessSeconds: 120 });
    expect(config.tables.VAULT_TABLE).toEqual({ name: 'residency-vault' });
  });

  const BOUNDED_SETTINGS = [
    {
      what: 'how many event ids the aggregates keep per window and shard',
      variable: 'AGGREGATE_RECENT_EVENTS',
      field: 'aggregateRecentEvents',
      defaultValue: 20_000,
      valid: ['5000', 5_000],
      invalid: ['999', '200001', 'many'],
    },
    {
      what: 'how many days aggregate partials are kept',
      variable: 'AGGREGATE_RETENTION_DAYS',
      field: 'aggregateRetentionDays',
      defaultValue: 35,
      valid: ['400', 400],
      invalid: ['1', '3651', 'forever'],
    },
    {
      what: 'how many days quarantined records are kept',
      variable: 'QUARANTINE_RETENTION_DAYS',
      field: 'quarantineRetentionDays',
      defaultValue: 30,
      valid: ['7', 7],
      invalid: ['0', '3651'],
    },
  ] as const;

  it.each(BOUNDED_SETTINGS)(
    'reads $what, within bounds',
    ({ variable, field, defaultValue, valid, invalid }) => {
      expect(loadIngestConfig(env)[field]).toBe(defaultValue);
      expect(loadIngestConfig({ ...env, [variable]: valid[0] })[field]).toBe(valid[1]);
      for (const value of invalid)
        expect(() => loadIngestConfig({ ...env, [variable]: value }), value).toThrow(new RegExp(variable));
    },
  );

  it('fails closed when variables are missing, naming each and no value', () => {
    const { KEY_ARN: _, QUARANTINE_TABLE: __, ...partial } = env;
    expect(() => loadIngestConfig(partial)).toThrow(ConfigurationError);
    expect(() => loadIngestConfig(partial)).toThrow(/KEY_ARN, QUARANTINE_TABLE/);
  });

  it('refuses a KMS key in another region (RegionMismatchError)', () => {
    const foreign = { ...env, KEY_ARN: env.KEY_ARN.replace(REGION, 'eu-west-1') };
    expect(() => loadIngestConfig(foreign)).toThrow(RegionMismatchError);
  });

  it('refuses a table ARN in another region, and reads the name from an ARN in region', () => {
    const foreign = {
      ...env,
      AGGREGATES_TABLE: 'arn:aws:dynamodb:us-east-1:123456789012:table/residency-aggregates',
    };
    expect(() => loadIngestConfig(foreign)).toThrow(RegionMismatchError);
    const local = { ...env, AGGREGATES_TABLE: `arn:aws:dynamodb:${REGION}:123456789012:table/agg` };
    expect(loadIngestConfig(local).tables.AGGREGATES_TABLE?.name).toBe('agg');
  });

  it('refuses to run in another region than the data region', () => {
    expect(() => loadIngestConfig({ ...env, AWS_REGION: 'us-east-1' })).toThrow(RegionMismatchError);
  });

  it('refuses a KEY_ARN that is not the ARN of a KMS key', () => {
    for (const KEY_ARN of [
      `arn:aws:dynamodb:${REGION}:123456789012:table/residency-vault`,
      `arn:aws:kms:${REGION}:123456789012:alias/data`,
    ]) {
      expect(() => loadIngestConfig({ ...env, KEY_ARN }), KEY_ARN).toThrow(
        /^KEY_ARN must be the ARN of a KMS key/,
      );
    }
  });

  it('refuses ARNs of more than one account', () => {
    const other = { ...env, VAULT_TABLE: `arn:aws:dynamodb:${REGION}:999999999999:table/residency-vault` };
    expect(() => loadIngestConfig(other)).toThrow(ConfigurationError);
    expect(() => loadIngestConfig(other)).toThrow(/VAULT_TABLE is in account '999999999999' but KEY_ARN/);
    const same = { ...env, VAULT_TABLE: `arn:aws:dynamodb:${REGION}:123456789012:table/residency-vault` };
    expect(loadIngestConfig(same).tables.VAULT_TABLE?.name).toBe('residency-vault');
  });

  it.each([
    ['AWS_ENDPOINT_URL_KMS', 'https://kms-proxy.attacker.example'],
    ['AWS_ENDPOINT_URL_DYNAMODB', 'https://dynamodb.ap-south-1.amazonaws.com.attacker.example'],
    ['AWS_ENDPOINT_URL_KINESIS', 'https://203.0.113.7'],
    ['AWS_ENDPOINT_URL', 'https://collector.attacker.example'],
    ['AWS_ENDPOINT_URL_KMS', 'http://kms.ap-south-1.amazonaws.com'],
  ])('refuses %s=%s: neither loopback nor an AWS endpoint of the data region', (name, value) => {
    expect(() => loadIngestConfig({ ...env, [name]: value })).toThrow(ConfigurationError);
    expect(() => loadIngestConfig({ ...env, [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it('refuses an endpoint of another region, and accepts loopback and the region own endpoints', () => {
    expect(() =>
      loadIngestConfig({ ...env, AWS_ENDPOINT_URL_KMS: 'https://kms.eu-west-1.amazonaws.com' }),
    ).toThrow(RegionMismatchError);
    for (const value of ['http://127.0.0.1:4566', `https://kms-fips.${REGION}.amazonaws.com`]) {
      expect(loadIngestConfig({ ...env, AWS_ENDPOINT_URL_KMS: value }).endpointEnv.AWS_ENDPOINT_URL_KMS).toBe(
        value,
      );
    }
  });

  it('never prints a password in an endpoint URL', () => {
    const withPassword = {
      ...env,
      AWS_ENDPOINT_URL_KMS: 'https://svc:hunter2-SECRET@kms.ap-south-1.amazonaws.com',
    };
    expect(() => loadIngestConfig(withPassword)).toThrow(ConfigurationError);
    try {
      loadIngestConfig(withPassword);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('resolveAwsTarget', () => {
  it('takes AWS_ENDPOINT_URL for every service without its own variable, as the SDK does', async () => {
    const config = loadIngestConfig({
      ...env,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:4567',
    });
    expect(await resolveAwsTarget(config)).toEqual({
      region: REGION,
      endpoints: {
        kinesis: 'http://127.0.0.1:4566',
        dynamodb: 'http://127.0.0.1:4566',
        kms: 'http://127.0.0.1:4567',
      },
    });
  });
});

describe('tenant countries', () => {
  /** The message of the refusal of `overrides`, after checking it is a ConfigurationError naming `setting`. */
  function refusal(overrides: Record<string, string>, setting: string): string {
    try {
      loadIngestConfig({ ...env, ...overrides });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).setting).toBe(setting);
      return (error as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(overrides)} to be refused`);
  }

  it('reads a default country and prefixes of countries libphonenumber-js supports', () => {
    const config = loadIngestConfig({
      ...env,
      DEFAULT_COUNTRY: 'IN',
      TENANT_COUNTRY_PREFIXES: 'kol-:IN,dhk-:BD,x:XK',
    });
    expect(config.defaultCountry).toBe('IN');
    expect(config.countryByPrefix).toEqual({ 'kol-': 'IN', 'dhk-': 'BD', x: 'XK' });
    // A prefix named like an Object member is a prefix like any other.
    const named = loadIngestConfig({ ...env, TENANT_COUNTRY_PREFIXES: 'constructor:IN,__proto__:BD' });
    expect(Object.entries(named.countryByPrefix)).toEqual([
      ['constructor', 'IN'],
      ['__proto__', 'BD'],
    ]);
    // One prefix given the same country twice says one thing.
    expect(loadIngestConfig({ ...env, TENANT_COUNTRY_PREFIXES: 'kol-:IN,kol-:IN' }).countryByPrefix).toEqual({
      'kol-': 'IN',
    });
  });

  it.each(['ZZ', 'UK', 'EU', 'AA', 'bd', 'BGD'])(
    'refuses DEFAULT_COUNTRY=%s, which is no region to read phones in',
    (code) => {
      expect(refusal({ DEFAULT_COUNTRY: code }, 'DEFAULT_COUNTRY')).toMatch(
        /DEFAULT_COUNTRY must be a region code libphonenumber-js supports/,
      );
    },
  );

  it.each([
    [
      'a country that is not one',
      'kol-:IN,dhk-:ZZ',
      /TENANT_COUNTRY_PREFIXES gives "dhk-" ZZ, which is not a region code libphonenumber-js supports/,
    ],
    [
      'one prefix given two countries',
      'kol-:IN,dhk-:BD,kol-:BD',
      /TENANT_COUNTRY_PREFIXES gives "kol-" two countries, IN and BD/,
    ],
    ['an empty prefix', ':IN', /TENANT_COUNTRY_PREFIXES must be comma-separated prefix:CC pairs/],
    ['an empty pair', 'kol-:IN,,dhk-:BD', /TENANT_COUNTRY_PREFIXES must be comma-separated prefix:CC pairs/],
    ['an empty list', '', /TENANT_COUNTRY_PREFIXES must be comma-separated prefix:CC pairs/],
  ])('refuses TENANT_COUNTRY_PREFIXES with %s', (_what, value, message) => {
    expect(refusal({ TENANT_COUNTRY_PREFIXES: value }, 'TENANT_COUNTRY_PREFIXES')).toMatch(message);
  });
});

describe('time settings of the aggregates', () => {
  // Each accepted value, then refusals: a digit string up to 15 long was accepted before.
  const TIME_SETTINGS = [
    {
      variable: 'WINDOW_SECONDS',
      load: loadIngestConfig,
      field: 'windowSeconds',
      valid: [60, 300, 900, 3_600, 86_400],
      invalid: ['59', '1', '0', '7', '61', '3599', '86401', '172800', '999999999999999'],
      rule: /WINDOW_SECONDS must be whole seconds from 60 to 86400 that divide a day \(86400\) evenly/,
    },
    {
      variable: 'ALLOWED_LATENESS_SECONDS',
      load: loadIngestConfig,
      field: 'allowedLatenessSeconds',
      valid: [0, 86_400],
      invalid: ['86401', '999999999999999'],
      rule: /ALLOWED_LATENESS_SECONDS must be a whole number from 0 to 86400/,
    },
    {
      variable: 'CLOSE_GRACE_SECONDS',
      load: loadWindowCloserConfig,
      field: 'closeGraceSeconds',
      valid: [0, 3_600],
      invalid: ['3601', '999999999999999'],
      rule: /CLOSE_GRACE_SECONDS must be a whole number from 0 to 3600/,
    },
  ] as const;

  it.each(TIME_SETTINGS)('$variable takes its range', ({ variable, load, field, valid }) => {
    for (const value of valid)
      expect((load({ ...env, [variable]: String(value) }) as unknown as Record<string, number>)[field]).toBe(
        value,
      );
  });

  it.each(TIME_SETTINGS)(
    '$variable refuses values outside it, naming the setting and its rule, never the value',
    ({ variable, load, invalid, rule }) => {
      for (const value of invalid) {
        let error: unknown;
        try {
          load({ ...env, [variable]: value });
        } catch (e) {
          error = e;
        }
        expect(error, value).toBeInstanceOf(ConfigurationError);
        expect((error as ConfigurationError).setting).toBe(variable);
        expect((error as Error).message, value).toMatch(rule);
        expect((error as Error).message, value).not.toContain('999999999999999');
      }
    },
  );
});

describe('loadWindowCloserConfig', () => {
  it('reads k and the noise epsilon', () => {
    const config = loadWindowCloserConfig({ ...env, K_THRESHOLD: '20', NOISE_EPSILON: '0.5' });
    expect(config).toMatchObject({ k: 20, noiseEpsilon: 0.5, closeGraceSeconds: 60 });
  });
});

describe('createIngestFromEnv', () => {
  it('refuses to start with a KMS key in another region, before any AWS call', async () => {
    // An endpoint nobody listens on: any call would fail with a connection error instead.
    const foreign = {
      ...env,
      KEY_ARN: env.KEY_ARN.replace(REGION, 'eu-central-1'),
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    };
    await expect(
      createIngestFromEnv(foreign, { logger: silentLogger, metrics: createInMemoryMetrics() }),
    ).rejects.toBeInstanceOf(RegionMismatchError);
  });
});
