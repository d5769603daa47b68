import { describe, expect, it } from 'vitest';
import {
  assertEndpointInRegion,
  ConfigurationError,
  configuredEndpoint,
  isAwsEndpointOf,
  RegionMismatchError,
  redactUrl,
  validateTarget,
} from '../src/index.ts';

const REGION = 'ap-south-1';

describe('assertEndpointInRegion', () => {
  it.each([
    'http://127.0.0.1:4566',
    'https://127.0.0.1:8443',
    'http://127.8.9.10:1234',
    'http://localhost:9000',
    'http://[::1]:9000',
    'http://127.0.0.1:4566/some/prefix',
  ])('accepts loopback %s (the local runtime)', (endpoint) => {
    expect(() => assertEndpointInRegion(endpoint, REGION, 'kms')).not.toThrow();
  });

  it.each([
    ['kms', 'https://kms.ap-south-1.amazonaws.com'],
    ['kms', 'https://kms-fips.ap-south-1.amazonaws.com'],
    ['kms', 'https://kms.ap-south-1.api.aws'],
    ['dynamodb', 'https://dynamodb.ap-south-1.amazonaws.com/'],
    ['kinesis', 'https://vpce-0a1b2c3d4e5f67890-abcdefgh.kinesis.ap-south-1.vpce.amazonaws.com'],
    ['kinesis', 'https://vpce-0a1b2c3d4e5f67890-abcdefgh-ap-south-1a.kinesis.ap-south-1.vpce.amazonaws.com'],
    ['ssm', 'https://ssm.ap-south-1.amazonaws.com'],
  ])('accepts the %s endpoint %s of the data region', (service, endpoint) => {
    expect(() => assertEndpointInRegion(endpoint, REGION, service)).not.toThrow();
  });

  it('accepts the China forms in a China region', () => {
    for (const endpoint of [
      'https://kms.cn-north-1.amazonaws.com.cn',
      'https://kms.cn-north-1.api.amazonwebservices.com.cn',
      'https://vpce-0123abcd.kms.cn-north-1.vpce.amazonaws.com.cn',
    ]) {
      expect(() => assertEndpointInRegion(endpoint, 'cn-north-1', 'kms'), endpoint).not.toThrow();
    }
    // ... and not the commercial domain there.
    expect(() => assertEndpointInRegion('https://kms.cn-north-1.amazonaws.com', 'cn-north-1', 'kms')).toThrow(
      ConfigurationError,
    );
  });

  it.each([
    ['a proxy', 'https://kms-proxy.attacker.example'],
    ['a look-alike suffix', 'https://kms.ap-south-1.amazonaws.com.attacker.example'],
    ['a look-alike prefix', 'https://evilkms.ap-south-1.amazonaws.com'],
    ['a raw address', 'https://203.0.113.7'],
    ['another service of the region', 'https://dynamodb.ap-south-1.amazonaws.com'],
    ['a vpce name with extra labels', 'https://a.vpce-0123.kms.ap-south-1.vpce.amazonaws.com'],
    ['a vpce name without the vpce- label', 'https://x.kms.ap-south-1.vpce.amazonaws.com'],
    ['plain http to AWS', 'http://kms.ap-south-1.amazonaws.com'],
    ['another port', 'https://kms.ap-south-1.amazonaws.com:8443'],
    ['a path', 'https://kms.ap-south-1.amazonaws.com/proxy'],
    ['a trailing dot', 'https://kms.ap-south-1.amazonaws.com.'],
    ['not http(s)', 'ftp://127.0.0.1/'],
    ['a loopback look-alike', 'http://127.0.0.1.attacker.example'],
    ['a zero address', 'http://0.0.0.0:4566'],
  ])('refuses %s (%s)', (_what, endpoint) => {
    expect(() => assertEndpointInRegion(endpoint, REGION, 'kms')).toThrow(ConfigurationError);
  });

  it.each([
    'https://kms.eu-west-1.amazonaws.com',
    'https://kms-fips.us-east-1.amazonaws.com',
    'https://kms.eu-central-1.api.aws',
    'https://vpce-0123.kms.eu-west-1.vpce.amazonaws.com',
  ])('refuses an AWS endpoint of another region (%s) as a region mismatch', (endpoint) => {
    expect(() => assertEndpointInRegion(endpoint, REGION, 'kms')).toThrow(RegionMismatchError);
  });

  it('refuses credentials in the URL and never prints them', () => {
    for (const endpoint of [
      'http://svc:hunter2-SECRET@127.0.0.1:4566',
      'https://svc:hunter2-SECRET@kms.ap-south-1.amazonaws.com',
      'https://svc:hunter2-SECRET@attacker.example',
    ]) {
      const error = catchError(() => assertEndpointInRegion(endpoint, REGION, 'kms'));
      expect(error, endpoint).toBeInstanceOf(ConfigurationError);
      expect(error.message).not.toContain('hunter2');
      expect(error.message).not.toContain('svc');
    }
  });

  it('names the setting and the region the endpoint must be in', () => {
    const error = catchError(() =>
      assertEndpointInRegion('https://kms.eu-west-1.amazonaws.com', 'eu-central-1', 'kms', {
        setting: 'AWS_ENDPOINT_URL_KMS',
        role: 'control',
      }),
    );
    expect(error.message).toMatch(/^AWS_ENDPOINT_URL_KMS: .*the control region is 'eu-central-1'/);
    const unparsable = catchError(() => assertEndpointInRegion('not a url hunter2', REGION, 'kms'));
    expect(unparsable.message).not.toContain('hunter2');
  });
});

describe('isAwsEndpointOf', () => {
  it('compares exact names, whatever the case', () => {
    expect(isAwsEndpointOf('KMS.AP-SOUTH-1.AMAZONAWS.COM', 'kms', REGION)).toBe(true);
    expect(isAwsEndpointOf('kms.ap-south-1.amazonaws.com', 'kms', 'ap-south')).toBe(false);
    expect(isAwsEndpointOf('kms.us-iso-east-1.c2s.ic.gov', 'kms', 'us-iso-east-1')).toBe(false);
  });
});

describe('validateTarget', () => {
  it('refuses a target whose endpoint is off loopback and not of the data region', () => {
    expect(() =>
      validateTarget({
        region: REGION,
        endpoints: { dynamodb: 'https://dynamodb.ap-south-1.amazonaws.com.x.io' },
      }),
    ).toThrow(ConfigurationError);
    expect(validateTarget({ region: REGION, endpoints: { kms: 'http://127.0.0.1:1' } }).endpoints?.kms).toBe(
      'http://127.0.0.1:1',
    );
  });
});

describe('redactUrl', () => {
  it('drops the user name, the password, the query and the fragment', () => {
    expect(redactUrl('https://svc:hunter2@cp.example.com:8443/x?X-Amz-Signature=abc#f')).toBe(
      'https://***@cp.example.com:8443/x',
    );
    expect(redactUrl('https://cp.example.com')).toBe('https://cp.example.com');
    expect(redactUrl('svc:hunter2@cp')).not.toContain('hunter2');
  });
});

describe('configuredEndpoint', () => {
  it('reads the variables the SDK reads: the service-specific one first, then AWS_ENDPOINT_URL', () => {
    expect(
      configuredEndpoint({ AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_SSM: 'http://b' }, 'SSM'),
    ).toEqual({
      setting: 'AWS_ENDPOINT_URL_SSM',
      url: 'http://b',
    });
    expect(configuredEndpoint({ AWS_ENDPOINT_URL: 'http://a' }, 'DynamoDB')).toEqual({
      setting: 'AWS_ENDPOINT_URL',
      url: 'http://a',
    });
    expect(configuredEndpoint({}, 'KMS')).toBeUndefined();
  });
});

function catchError(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
