import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { type AwsClients, createAwsClients } from '@residency/aws';
import { compositeKey, ensureTable, type RunningEmulator, startDynalite } from '@residency/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoEgressLog, createDynamoQuarantine } from '../../src/logs/dynamo-logs.ts';
import type { QuarantineEntry } from '../../src/logs/quarantine.ts';

const REGION = 'ap-south-1';
let dynalite: RunningEmulator;
let clients: AwsClients;

async function createTable(name: string) {
  await ensureTable(clients.dynamodb, compositeKey(name));
  return name;
}

beforeAll(async () => {
  dynalite = await startDynalite({ region: REGION });
  clients = createAwsClients({ region: REGION, endpoints: { dynamodb: dynalite.url } });
});
afterAll(async () => {
  clients.destroy();
  await dynalite.close();
});

describe('DynamoDB egress log', () => {
  it('spreads a day over its partitions by batch id, and reads the day back whole, in time order', async () => {
    // Prepare: one DynamoDB partition takes ~1,000 write units a second; a busy day must not be one.
    const tableName = await createTable('egress-spread');
    const log = createDynamoEgressLog({ dynamodb: clients.dynamodb, tableName });
    const entries = Array.from({ length: 48 }, (_, i) => ({
      batchId: crypto.randomUUID(),
      kind: 'records' as const,
      count: 1,
      sha256: 'a'.repeat(64),
      itemsSha256: 'c'.repeat(64),
      itemIds: ['0e9b6a3c-4f1d-4c2a-9b7e-5d8f1a2b3c4d'],
      destination: 'https://cp.example.com',
      sentAt: new Date(Date.UTC(2025, 2, 4, 0, 0, 47 - i)).toISOString(),
    }));
    // Act
    await Promise.all(entries.map((entry) => log.begin(entry)));
    const day = await log.listDay('2025-03-04');
    const scanned = await clients.dynamodb.send(new ScanCommand({ TableName: tableName }));
    // Assess
    expect(day.map((e) => e.batchId)).toEqual(entries.map((e) => e.batchId).reverse());
    const partitions = new Set(scanned.Items?.map((item) => item.pk?.S));
    expect(partitions.size).toBeGreaterThan(8);
    for (const pk of partitions) expect(pk).toMatch(/^EGRESS#2025-03-04#[0-9a-f]$/);
    expect(await log.listDay('2025-03-05')).toEqual([]);
  });

  it('keeps one entry per batch, from sending to acknowledged, readable by day', async () => {
    // Prepare
    const log = createDynamoEgressLog({
      dynamodb: clients.dynamodb,
      tableName: await createTable('egress-a'),
    });
    const entry = {
      batchId: 'b-1',
      kind: 'records' as const,
      count: 3,
      sha256: 'a'.repeat(64),
      itemsSha256: 'c'.repeat(64),
      itemIds: ['0e9b6a3c-4f1d-4c2a-9b7e-5d8f1a2b3c4d', 'r-2', 'r-3'],
      destination: 'https://cp.example.com',
      sentAt: '2025-03-04T05:06:07.000Z',
    };
    // Act
    await log.begin(entry);
    const during = await log.listDay('2025-03-04');
    await log.finish(entry, {
      status: 'acknowledged',
      attempts: 2,
      httpStatus: 200,
      stored: 3,
      duplicates: 0,
      sha256: entry.sha256,
    });
    const after = await log.listDay('2025-03-04');
    // Assess
    expect(during).toEqual([{ ...entry, status: 'sending' }]);
    expect(after).toEqual([
      { ...entry, status: 'acknowledged', attempts: 2, httpStatus: 200, stored: 3, duplicates: 0 },
    ]);
  });
});

describe('DynamoDB quarantine', () => {
  it('stores reason and paths by stream position, idempotently, across BatchWrite pages', async () => {
    // Prepare
    const quarantine = createDynamoQuarantine({
      dynamodb: clients.dynamodb,
      tableName: await createTable('quarantine-a'),
    });
    const entries: QuarantineEntry[] = Array.from({ length: 30 }, (_, n) => ({
      stream: 'outbox' as const,
      shardId: 'shardId-000000000000',
      sequenceNumber: String(1000 + n),
      reason: 'pii:email',
      rules: ['email'],
      paths: ['$.record.attributes.department'],
      kind: 'record',
      arrivedAt: '2025-03-04T05:06:07.000Z',
      receivedAt: '2025-03-04T05:06:08.000Z',
    }));
    // Act
    await quarantine.put(entries);
    await quarantine.put(entries.slice(0, 5));
    const stored = await quarantine.listDay('2025-03-04');
    // Assess
    expect(stored).toHaveLength(30);
    expect(stored.every((entry) => entry.reason === 'pii:email')).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('@');
  });
});
