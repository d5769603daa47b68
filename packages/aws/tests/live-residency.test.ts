import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.ts';
import { verifyLiveResidency } from '../src/live-residency.ts';

const KEY = 'arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

// The local KMS refuses to create multi-Region keys (data residency), so what DescribeKey reports
// for one is given by a stand-in client here; the other checks run against the emulators in the
// pipeline's and the forwarder's tests.
function clientsDescribing(keyMetadata: Record<string, unknown>) {
  const unused = { send: async () => Promise.reject(new Error('not called')) };
  return {
    region: 'ap-south-1',
    dynamodb: unused,
    kinesis: unused,
    kms: { send: async () => ({ KeyMetadata: keyMetadata }) },
  } as unknown as Parameters<typeof verifyLiveResidency>[1];
}

describe('verifyLiveResidency: the key', () => {
  const resources = { dataRegion: 'ap-south-1', keyArn: KEY, tables: {}, streams: {} };

  it('accepts a single-Region key in the data region', async () => {
    await expect(
      verifyLiveResidency(resources, clientsDescribing({ Arn: KEY, MultiRegion: false })),
    ).resolves.toEqual({ KEY_ARN: KEY });
  });

  it('refuses a key that reports itself multi-Region, whatever its id looks like', async () => {
    const refused = verifyLiveResidency(resources, clientsDescribing({ Arn: KEY, MultiRegion: true }));
    await expect(refused).rejects.toThrow(ConfigurationError);
    await expect(refused).rejects.toThrow(/multi-Region/);
  });
});
