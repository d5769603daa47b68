import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Observation, windowOf } from '@residency/core/aggregates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoAggregateStore, createDynamoWindowStore, PAGE_SK_PREFIX } from '../src/index.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

// The late page of a timed-out invocation can land after its bisected retry wrote a smaller fence:
// the table then shows a state the shard's writer does not hold. A store that reads that page may
// find events applied (at or before the late page's fence); if it then cannot claim the shard, the
// writer goes on from its own history, which never counted them. Found by fault-injection runs
// (subject-deltas-faults.test.ts, seed 5074): the count came out two events short.

function event(window: ReturnType<typeof windowOf>, i: number): Observation {
  return {
    sequenceNumber: String(700_000 + i),
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    window,
    group: { catalog: 'clinicbook', type: 'note.added', tenantId: 'late-page', dimensions: {} },
    subject: `pat_${String(i % 7).padStart(26, '0')}`,
    metrics: {},
  };
}

describe('events found applied on a late page', () => {
  let env: TestStack;
  beforeAll(async () => {
    env = await startTestStack();
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('are retried, not settled, by a store that reads the late page but cannot claim the shard', async () => {
    // Arrange: environment A applies events 0-9. B's delivery of 10-19 times out with its page in
    // flight; the retry is bisected, and C applies 10-14 (it takes the shard over). B's page lands.
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const window = windowOf(Date.UTC(2026, 6, 1, 9, 0, 10), 60);
    const now = { nowMillis: Date.UTC(2026, 6, 1, 9, 1) };
    const shard = 'shardId-000000000401';
    const events = Array.from({ length: 25 }, (_, i) => event(window, i));
    const options = { documentClient: env.documentClient, tableName };
    const held: BatchWriteCommand[] = [];
    const timingOut = {
      send: (command: unknown) => {
        const requests =
          command instanceof BatchWriteCommand ? (command.input.RequestItems?.[tableName] ?? []) : [];
        if (requests.some((r) => String(r.PutRequest?.Item?.sk ?? '').startsWith(PAGE_SK_PREFIX))) {
          held.push(command as BatchWriteCommand);
          return new Promise(() => undefined);
        }
        return env.documentClient.send(command as BatchWriteCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    const cannotClaim = {
      send: (command: unknown) =>
        command instanceof UpdateCommand
          ? Promise.reject(Object.assign(new Error('injected'), { name: 'InternalServerError' }))
          : env.documentClient.send(command as UpdateCommand),
    } as unknown as DynamoDBDocumentClient;
    const c = createDynamoAggregateStore(options);
    expect((await createDynamoAggregateStore(options).apply(shard, events.slice(0, 10), now)).applied).toBe(
      10,
    );
    void createDynamoAggregateStore({ ...options, documentClient: timingOut }).apply(
      shard,
      events.slice(10, 20),
      now,
    );
    for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(held).toHaveLength(1);
    expect((await c.apply(shard, events.slice(10, 15), now)).applied).toBe(5);
    for (const late of held) await env.documentClient.send(late);

    // Act: D gets 15-19, finds them at or before the late page's fence, and cannot claim the shard
    const found = await createDynamoAggregateStore({
      ...options,
      documentClient: cannotClaim,
      retry: { maxAttempts: 1 },
    }).apply(shard, events.slice(15, 20), now);
    // the mapping redelivers from the lowest record D retried; C holds the shard still
    const lowest = events.findIndex((e) => found.retry.includes(e.sequenceNumber));
    const next = await c.apply(shard, events.slice(lowest === -1 ? 20 : lowest), now);

    // Assert: D settled nothing; C applied 15-24 on its own history, and the cell counts 25 events
    expect([found.duplicates, found.applied, found.retry.length]).toEqual([0, 0, 5]);
    expect([lowest, next.applied]).toEqual([15, 10]);
    const [cell] = await createDynamoWindowStore(options).readPartials(window, [shard]);
    expect(cell?.partial.count).toBe(25);
    expect(cell?.partial.subjects).toHaveLength(7);
  }, 60_000);
});
