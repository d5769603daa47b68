import { describe, expect, it } from 'vitest';
import {
  createFaultSchedule,
  type Fault,
  FaultPlanError,
  mixedFaults,
  requestKeyOf,
  rewritePartial,
  seededRandom,
} from '../../src/index.ts';

const put = { service: 'Kinesis', operation: 'PutRecords' };
const getItem = { service: 'DynamoDB', operation: 'GetItem' };
const throttle: Fault = { kind: 'throttle' };

describe('fault schedule', () => {
  it('injects into exactly the next N matching requests of a scripted rule, then stops', () => {
    // Prepare
    const schedule = createFaultSchedule({
      rules: [{ operations: ['PutRecords'], fault: throttle, next: 2 }],
    });

    // Act
    const decisions = [put, getItem, put, put, put].map((r) => schedule.decide(r)?.kind);

    // Assess
    expect(decisions).toEqual(['throttle', undefined, 'throttle', undefined, undefined]);
  });

  it('matches qualified names (Service.Operation) and applies partial faults only to batch operations', () => {
    // Prepare
    const schedule = createFaultSchedule({
      rules: [{ operations: ['DynamoDB.GetItem'], fault: throttle }, { fault: { kind: 'partial' } }],
    });

    // Act / Assess
    expect(schedule.decide(getItem)?.kind).toBe('throttle');
    expect(schedule.decide({ service: 'Kinesis', operation: 'GetItem' })).toBeUndefined();
    expect(schedule.decide(put)?.kind).toBe('partial');
    expect(schedule.decide({ service: 'KMS', operation: 'Decrypt' })).toBeUndefined();
  });

  it('makes the same decisions for the same seed and different ones for another', () => {
    // Prepare
    const plan = (seed: number) => ({ seed, rules: [{ fault: throttle, probability: 0.5 }] });
    const run = (seed: number) => {
      const schedule = createFaultSchedule(plan(seed));
      return Array.from({ length: 64 }, () => schedule.decide(put)?.kind ?? '-').join(',');
    };

    // Act / Assess
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
  });

  it('refuses a probability outside [0, 1], a negative count and a non-positive fail fraction', () => {
    expect(() => createFaultSchedule({ rules: [{ fault: throttle, probability: 1.5 }] })).toThrow(
      FaultPlanError,
    );
    expect(() => createFaultSchedule({ rules: [{ fault: throttle, next: -1 }] })).toThrow(FaultPlanError);
    expect(() => createFaultSchedule({ rules: [{ fault: { kind: 'partial', failFraction: 0 } }] })).toThrow(
      FaultPlanError,
    );
  });

  it('spreads a mixed plan over every kind, close to the requested overall probability', () => {
    // Prepare
    const schedule = createFaultSchedule(mixedFaults({ probability: 0.4, seed: 3 }));
    const counts = new Map<string, number>();
    const n = 20_000;

    // Act
    for (let i = 0; i < n; i++) {
      const kind = schedule.decide(put)?.kind ?? 'none';
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }

    // Assess: every kind occurs, and about 40% of requests get a fault
    for (const kind of ['partial', 'throttle', 'serverError', 'reset', 'delay', 'timeout']) {
      expect(counts.get(kind) ?? 0).toBeGreaterThan(n * 0.02);
    }
    expect((n - (counts.get('none') ?? 0)) / n).toBeCloseTo(0.4, 1);
  });
});

describe('request keys', () => {
  it('reads the service and operation from X-Amz-Target, else the method and path', () => {
    expect(requestKeyOf('Kinesis_20131202.PutRecords', 'POST', '/')).toEqual(put);
    expect(requestKeyOf('DynamoDB_20120810.BatchWriteItem', 'POST', '/')).toEqual({
      service: 'DynamoDB',
      operation: 'BatchWriteItem',
    });
    expect(requestKeyOf('TrentService.Decrypt', 'POST', '/')).toEqual({
      service: 'KMS',
      operation: 'Decrypt',
    });
    expect(requestKeyOf(undefined, 'POST', '/v1/batches?x=1')).toEqual({
      service: 'HTTP',
      operation: 'POST /v1/batches',
    });
  });
});

describe('partial batch rewrite', () => {
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('holds back some PutRecords entries and answers for them in place with ErrorCode', () => {
    // Prepare
    const records = Array.from({ length: 20 }, (_, i) => ({ Data: `${i}`, PartitionKey: `k${i}` }));
    const rewrite = rewritePartial(
      'PutRecords',
      body({ StreamName: 's', Records: records }),
      seededRandom(1),
      0.3,
    );

    // Act
    const forwarded = JSON.parse(rewrite?.forwardBody?.toString() ?? '{}') as { Records: typeof records };
    const answer = rewrite?.complete({
      FailedRecordCount: 0,
      Records: forwarded.Records.map((r) => ({ SequenceNumber: `seq-${r.Data}`, ShardId: 'shardId-0' })),
    }) as { FailedRecordCount: number; Records: Array<{ SequenceNumber?: string; ErrorCode?: string }> };

    // Assess: every entry is either forwarded (and answered with its own sequence number) or failed
    expect(rewrite?.heldBack).toBeGreaterThan(0);
    expect(answer.Records).toHaveLength(20);
    expect(answer.FailedRecordCount).toBe(rewrite?.heldBack);
    answer.Records.forEach((result, i) => {
      const wasForwarded = forwarded.Records.some((r) => r.Data === `${i}`);
      expect(result).toEqual(
        wasForwarded
          ? { SequenceNumber: `seq-${i}`, ShardId: 'shardId-0' }
          : expect.objectContaining({ ErrorCode: 'ProvisionedThroughputExceededException' }),
      );
    });
  });

  it('returns held-back BatchWriteItem requests in UnprocessedItems, keeping the service’s own', () => {
    // Prepare
    const items = Array.from({ length: 10 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `${i}` } } } }));
    const rewrite = rewritePartial(
      'BatchWriteItem',
      body({ RequestItems: { t1: items } }),
      seededRandom(2),
      0.5,
    );
    const forwarded = JSON.parse(rewrite?.forwardBody?.toString() ?? '{"RequestItems":{}}') as {
      RequestItems: { t1?: typeof items };
    };

    // Act
    const own = forwarded.RequestItems.t1?.slice(0, 1) ?? [];
    const answer = rewrite?.complete({ UnprocessedItems: { t1: own } }) as {
      UnprocessedItems: { t1: typeof items };
    };

    // Assess
    const keys = (list: typeof items) => list.map((i) => i.PutRequest.Item.pk.S).sort();
    const kept = forwarded.RequestItems.t1 ?? [];
    expect(kept.length + (rewrite?.heldBack ?? 0)).toBe(10);
    expect(keys(answer.UnprocessedItems.t1)).toEqual(
      keys([
        ...own,
        ...items.filter((i) => !kept.some((k) => k.PutRequest.Item.pk.S === i.PutRequest.Item.pk.S)),
      ]),
    );
  });

  it('returns held-back BatchGetItem keys in UnprocessedKeys with the table’s read options', () => {
    // Prepare
    const keys = Array.from({ length: 8 }, (_, i) => ({ pk: { S: `${i}` } }));
    const request = { RequestItems: { t1: { Keys: keys, ConsistentRead: true } } };

    // Act
    const rewrite = rewritePartial('BatchGetItem', body(request), seededRandom(3), 1);
    const answer = rewrite?.complete(undefined) as {
      Responses: object;
      UnprocessedKeys: { t1: { Keys: unknown[]; ConsistentRead: boolean } };
    };

    // Assess: failFraction 1 holds back everything: nothing to forward
    expect(rewrite?.forwardBody).toBeUndefined();
    expect(answer.UnprocessedKeys.t1).toEqual({ Keys: keys, ConsistentRead: true });
    expect(answer.Responses).toEqual({});
  });

  it('leaves other operations and unreadable bodies alone', () => {
    expect(rewritePartial('PutItem', body({}), seededRandom(1))).toBeUndefined();
    expect(rewritePartial('PutRecords', Buffer.from('{not json'), seededRandom(1))).toBeUndefined();
    expect(rewritePartial('PutRecords', body({ Records: [] }), seededRandom(1))).toBeUndefined();
  });
});
