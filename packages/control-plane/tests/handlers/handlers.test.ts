import { afterEach, describe, expect, it, vi } from 'vitest';
import { testSigner } from '../fixtures/signing.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

function stubControlPlaneEnv() {
  const env = {
    CONTROL_REGION: 'eu-central-1',
    AWS_REGION: 'eu-central-1',
    SIGNING_PUBLIC_KEYS: JSON.stringify(testSigner().publicKeys),
    RECORDS_TABLE: 'records',
    AGGREGATES_TABLE: 'aggregates',
    COUNTERS_TABLE: 'counters',
    BATCHES_TABLE: 'batches',
    ALERTS_TABLE: 'alerts',
    // No credentials and no instance metadata: storage calls fail at once, never leave the machine.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: 'residency-test-none',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
}

describe('control-plane Lambda handlers', () => {
  it('load from the environment and answer function URL events without touching storage', async () => {
    // Prepare
    stubControlPlaneEnv();
    const ingest = await import('../../src/handlers/ingest.ts');
    const query = await import('../../src/handlers/query.ts');
    const event = (method: string, rawPath: string) =>
      ({
        rawPath,
        rawQueryString: '',
        headers: {},
        requestContext: { http: { method } },
        isBase64Encoded: false,
      }) as never;
    // Act
    const unsigned = await ingest.handler(event('POST', '/ingest'));
    const health = await query.handler(event('GET', '/api/health'));
    const page = await query.handler(event('GET', '/'));
    // Assess
    expect(unsigned).toMatchObject({ statusCode: 401 });
    expect(health).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expect(page).toMatchObject({ statusCode: 200 });
  });
});
