import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AggregateWindow, type Observation, windowOf } from '@residency/core/aggregates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readShardItems } from '../src/aggregates/pages.ts';
import {
  countsChunk,
  createDynamoAggregateStore,
  createDynamoWindowStore,
  latestEntries,
  PAGE_SK_PREFIX,
  type PartialPageItem,
  type SubjectsChunkItem,
} from '../src/index.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

// The page of a timed-out invocation can land after its bisected retry wrote a smaller fence. Two
// losses this allowed, each found by fault-injection runs (subject-deltas-faults.test.ts):
//
// - Sealed subjects. Two deliveries that both seal a cell from the same stored partial number
//   their chunks alike (on from its `sealedSubjects`) but hold different subjects. The late page
//   must count its own chunks, not the retry's: chunks carry their seal's id (in the key and in
//   `seal`), and an entry lists the seal of each chunk it counts (`chunkSeals`). Before seals had
//   ids, the subjects only the timed-out delivery sealed were in no chunk and on no entry.
// - Events found applied. A store that reads the late page finds events applied at or before its
//   fence; if it then cannot claim the shard, the holder goes on from its own history, which
//   never counted them. Such events are now retried (seed 5074 counted two events short).

/** Event `i` of one cell of `tenantId`, by the subject `subject(i)`. */
function event(
  window: AggregateWindow,
  tenantId: string,
  i: number,
  sequence: number,
  subject: (i: number) => string,
): Observation {
  return {
    sequenceNumber: String(sequence),
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    window,
    group: { catalog: 'clinicbook', type: 'note.added', tenantId, dimensions: {} },
    subject: subject(i),
    metrics: {},
  };
}

/**
 * A client that, while `holding()` is true, never answers a BatchWriteItem of pages (as a call of
 * an invocation that timed out) and keeps it in `held`, for the test to land later.
 */
function timingOut(env: TestStack, tableName: string, holding: () => boolean) {
  const held: BatchWriteCommand[] = [];
  const client = {
    send: (command: unknown) => {
      const requests =
        command instanceof BatchWriteCommand ? (command.input.RequestItems?.[tableName] ?? []) : [];
      const isPage = requests.some((r) => String(r.PutRequest?.Item?.sk ?? '').startsWith(PAGE_SK_PREFIX));
      if (holding() && isPage) {
        held.push(command as BatchWriteCommand);
        return new Promise(() => undefined);
      }
      return env.documentClient.send(command as BatchWriteCommand);
    },
  } as unknown as DynamoDBDocumentClient;
  const hung = async () => {
    for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    return held.length;
  };
  return { client, held, hung };
}

describe('late pages of timed-out invocations', () => {
  let env: TestStack;
  beforeAll(async () => {
    env = await startTestStack();
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('a late page of a timed-out seal does not count the chunks its bisected retry sealed again with fewer subjects', async () => {
    // Prepare: one cell of 560 subjects (not sealed: 128 KB is about 593 of them), written by
    // environment A. Then A's next delivery (100 new subjects) seals all 660 into chunks 0 and 1
    // and its page hangs: the invocation times out, and the page lands later. A's client holds
    // back the pages of that delivery (it never answers, as a timed-out call).
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const window = windowOf(Date.UTC(2026, 5, 20, 9, 0, 10), 60);
    const now = { nowMillis: Date.UTC(2026, 5, 20, 9, 1) };
    const shard = 'shardId-000000000301';
    // a subject with a 220-character token: about 593 fill a chunk
    const events = Array.from({ length: 660 }, (_, i) =>
      event(window, 'sealed-late', i, 300_000 + i, (n) => `pat_${String(n).padStart(216, '0')}`),
    );
    let holdPages = false;
    const { client: hanging, held, hung } = timingOut(env, tableName, () => holdPages);
    const options = { documentClient: env.documentClient, tableName };
    const a = createDynamoAggregateStore({ ...options, documentClient: hanging });
    expect((await a.apply(shard, events.slice(0, 560), now)).applied).toBe(560);

    // Act: A's delivery of events 560-659 times out with its chunks stored and its page in flight.
    // The mapping bisects the batch: environment B applies 560-609 (610 subjects: it seals them
    // into chunks 0 and 1 again, the keys A's page counts). A's page lands. Environment C (A's,
    // reset after the timeout, or any other) gets 610-659.
    holdPages = true;
    const timedOut = a.apply(shard, events.slice(560), now);
    expect(await hung()).toBe(1);
    const firstHalf = await createDynamoAggregateStore(options).apply(shard, events.slice(560, 610), now);
    for (const late of held) await env.documentClient.send(late);
    const secondHalf = await createDynamoAggregateStore(options).apply(shard, events.slice(610), now);

    // Assess: every event once (A's late page counts 560-659, so C finds 610-659 applied), and
    // every subject once. A's page counts chunks 0 and 1 of its own seal; B's chunks 0 and 1
    // (610 subjects) are beside them under keys of B's seal, and not counted.
    expect([firstHalf.applied, secondHalf.applied, secondHalf.duplicates]).toEqual([50, 0, 50]);
    void timedOut;
    const pages = await readShardItems<PartialPageItem>(
      env.documentClient,
      tableName,
      window,
      shard,
      PAGE_SK_PREFIX,
    );
    const chunks = await readShardItems<SubjectsChunkItem>(
      env.documentClient,
      tableName,
      window,
      shard,
      'S#',
    );
    const [head] = [...latestEntries(pages).values()];
    expect([head?.lastSequence, head?.sealedSubjects]).toEqual([String(300_659), 2]);
    expect(chunks.map((chunk) => chunk.n).sort()).toEqual([0, 0, 1, 1]);
    const counted = chunks.filter((chunk) => head && countsChunk(head, chunk));
    expect(counted.map((chunk) => chunk.n).sort()).toEqual([0, 1]);
    expect(
      counted.reduce((sum, chunk) => sum + chunk.subjects.size, 0),
      'subjects in the chunks the late page counts',
    ).toBe(660);
    const [cell] = await createDynamoWindowStore(options).readPartials(window, [shard]);
    expect(cell?.partial.count).toBe(660);
    expect(cell?.partial.subjects.length, 'distinct subjects the closer reads').toBe(660);
  }, 60_000);

  it('events found applied on a late page are retried, not settled, by a store that cannot claim the shard', async () => {
    // Arrange: environment A applies events 0-9. B's delivery of 10-19 times out with its page in
    // flight; the retry is bisected, and C applies 10-14 (it takes the shard over). B's page lands.
    const tableName = env.stack.endpointsFile.tables.aggregates ?? '';
    const window = windowOf(Date.UTC(2026, 6, 1, 9, 0, 10), 60);
    const now = { nowMillis: Date.UTC(2026, 6, 1, 9, 1) };
    const shard = 'shardId-000000000401';
    const events = Array.from({ length: 25 }, (_, i) =>
      event(window, 'late-page', i, 700_000 + i, (n) => `pat_${String(n % 7).padStart(26, '0')}`),
    );
    const options = { documentClient: env.documentClient, tableName };
    const { client: hanging, held, hung } = timingOut(env, tableName, () => true);
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
    void createDynamoAggregateStore({ ...options, documentClient: hanging }).apply(
      shard,
      events.slice(10, 20),
      now,
    );
    expect(await hung()).toBe(1);
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
