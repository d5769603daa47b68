import { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createEventSourceMapping, EventSourceMappingConfigurationError } from '../../../src/index.ts';

const kinesis = new KinesisClient({ region: 'ap-south-1' });
const valid = {
  kinesis,
  streamName: 'events',
  handler: async () => undefined,
  startingPosition: 'LATEST' as const,
};

describe('createEventSourceMapping options', () => {
  it.each([
    ['batchSize above 10000', { batchSize: 10_001 }, 'batchSize'],
    ['parallelizationFactor above 10', { parallelizationFactor: 11 }, 'parallelizationFactor'],
    ['maximumRecordAgeSeconds below 60', { maximumRecordAgeSeconds: 30 }, 'maximumRecordAgeSeconds'],
    ['maximumRetryAttempts below -1', { maximumRetryAttempts: -2 }, 'maximumRetryAttempts'],
    ['an unknown function response type', { functionResponseTypes: ['Everything'] }, 'functionResponseTypes'],
  ])('refuses %s, naming the option', (_name, overrides, option) => {
    // Act
    const create = () => createEventSourceMapping({ ...valid, ...(overrides as object) });
    // Assess
    expect(create).toThrow(EventSourceMappingConfigurationError);
    expect(create).toThrow(option);
  });

  it('accepts Lambda defaults: forever retries and no record age limit', () => {
    // Act
    const mapping = createEventSourceMapping(valid);
    // Assess
    expect(mapping.stats().invocations).toBe(0);
  });
});
