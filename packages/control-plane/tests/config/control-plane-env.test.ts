import { RegionMismatchError } from '@residency/aws';
import { describe, expect, it } from 'vitest';
import { ControlPlaneConfigurationError, loadControlPlaneConfig } from '../../src/index.ts';
import { testSigner } from '../fixtures/signing.ts';

const base = () => ({
  CONTROL_REGION: 'eu-central-1',
  AWS_REGION: 'eu-central-1',
  SIGNING_PUBLIC_KEYS: JSON.stringify(testSigner().publicKeys),
  RECORDS_TABLE: 'records',
  AGGREGATES_TABLE: 'aggregates',
  COUNTERS_TABLE: 'counters',
  BATCHES_TABLE: 'batches',
  ALERTS_TABLE: 'alerts',
});

describe('control-plane configuration at cold start', () => {
  it('reads keys, tables and the region', () => {
    // Prepare
    const env = { ...base(), RETIRED_KEY_IDS: 'old-1, old-2', MAX_SKEW_SECONDS: '120' };
    // Act
    const config = loadControlPlaneConfig(env);
    // Assess
    expect(config).toMatchObject({
      region: 'eu-central-1',
      retiredKeyIds: ['old-1', 'old-2'],
      maxSkewMillis: 120_000,
    });
    expect(config.tables.records).toBe('records');
    expect(config.retentionDays).toBeUndefined();
  });

  it('reads a retention in days, and refuses one outside 1 to 3650', () => {
    // Act
    const config = loadControlPlaneConfig({ ...base(), RETENTION_DAYS: '400' });
    // Assess
    expect(config.retentionDays).toBe(400);
    for (const days of ['0', '3651', '1.5', 'forever'])
      expect(() => loadControlPlaneConfig({ ...base(), RETENTION_DAYS: days }), days).toThrow(
        ControlPlaneConfigurationError,
      );
  });

  it('refuses to run outside the control region or with a table ARN elsewhere', () => {
    // Prepare
    const wrongFunction = { ...base(), AWS_REGION: 'us-east-1' };
    const wrongTable = {
      ...base(),
      RECORDS_TABLE_ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/records',
    };
    // Act, Assess
    expect(() => loadControlPlaneConfig(wrongFunction)).toThrow(RegionMismatchError);
    expect(() => loadControlPlaneConfig(wrongTable)).toThrow(RegionMismatchError);
  });

  it('refuses unusable public keys', () => {
    // Prepare
    const env = { ...base(), SIGNING_PUBLIC_KEYS: '{"k":"not a key"}' };
    // Act, Assess
    expect(() => loadControlPlaneConfig(env)).toThrow(ControlPlaneConfigurationError);
  });
});
