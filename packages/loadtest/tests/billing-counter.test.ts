import { PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createCallCounter } from '@residency/aws';
import { describe, expect, it } from 'vitest';
import { createBillingCounter } from '../src/index.ts';
import { createNullKinesisClient } from '../src/scenarios/null-clients.ts';

describe('billing counter and null Kinesis client', () => {
  it('counts calls and PUT payload units of what the SDK really sent', async () => {
    // Prepare
    let answered = 0;
    const kinesis = createNullKinesisClient({ region: 'ap-south-1', onRecords: (n) => (answered += n) });
    const calls = createCallCounter();
    const billing = createBillingCounter();
    calls.attach(kinesis);
    billing.attach(kinesis);
    const small = { Data: Buffer.alloc(400), PartitionKey: 'p' };
    const large = { Data: Buffer.alloc(30 * 1024), PartitionKey: 'p' };
    // Act
    const result = await kinesis.send(
      new PutRecordsCommand({ StreamName: 's', Records: [small, small, large] }),
    );
    await kinesis.send(new PutRecordCommand({ StreamName: 's', ...small }));
    // Assess
    expect(result.FailedRecordCount).toBe(0);
    expect(result.Records).toHaveLength(3);
    expect(answered).toBe(4);
    expect(calls.snapshot()).toEqual({ 'Kinesis.PutRecords': 1, 'Kinesis.PutRecord': 1 });
    // 25 KB units: the 30 KB record is two.
    expect(billing.snapshot()).toMatchObject({
      kinesisRecords: 4,
      kinesisPutPayloadUnits: 5,
      kmsRequests: 0,
    });
    billing.reset();
    expect(billing.snapshot().kinesisRecords).toBe(0);
    kinesis.destroy();
  });
});
