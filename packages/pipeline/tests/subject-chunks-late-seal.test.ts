import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Observation, windowOf } from '@residency/core/aggregates';
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

// Two deliveries of the same events that both seal a cell from the same stored partial number
// their chunks alike (on from its `sealedSubjects`) but hold different subjects. When a timed-out
// delivery's page lands after its bisected retry sealed again with fewer subjects, the late page
// must count its own chunks, not the retry's: chunks carry their seal's id (in the key and in
// `seal`), and an entry lists the seal of each chunk it counts (`chunkSeals`). Before seals had
// ids the late page counted the retry's chunks, and the subjects only the timed-out delivery
// sealed were in no chunk and on no entry (found by fault-injection runs).

/** Event `i` of one cell, by a subject with a 220-character token (about 593 fill a chunk). */
function crowded(window: ReturnType<typeof windowOf>, i: number, sequence: number): Observation {
  return {
    sequenceNumber: String(sequence),
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    window,
    group: { catalog: 'clinicbook', type: 'note.added', tenantId: 'sealed-late', dimensions: {} },
    subject: `pat_${String(i).padStart(216, '0')}`,
    metrics: {},
  };
}

describe('subject deltas: a seal, a timed-out delivery and its bisected retry', () => {
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
    const events = Array.from({ length: 660 }, (_, i) => crowded(window, i, 300_000 + i));
    let holdPages = false;
    const held: BatchWriteCommand[] = [];
    const hanging = {
      send: (command: unknown) => {
        const requests =
          command instanceof BatchWriteCommand ? (command.input.RequestItems?.[tableName] ?? []) : [];
        const isPage = requests.some((r) => String(r.PutRequest?.Item?.sk ?? '').startsWith(PAGE_SK_PREFIX));
        if (holdPages && isPage) {
          held.push(command as BatchWriteCommand);
          return new Promise(() => undefined);
        }
        return env.documentClient.send(command as BatchWriteCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    const options = { documentClient: env.documentClient, tableName };
    const a = createDynamoAggregateStore({ ...options, documentClient: hanging });
    expect((await a.apply(shard, events.slice(0, 560), now)).applied).toBe(560);

    // Act: A's delivery of events 560-659 times out with its chunks stored and its page in flight.
    // The mapping bisects the batch: environment B applies 560-609 (610 subjects: it seals them
    // into chunks 0 and 1 again, the keys A's page counts). A's page lands. Environment C (A's,
    // reset after the timeout, or any other) gets 610-659.
    holdPages = true;
    const timedOut = a.apply(shard, events.slice(560), now);
    for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(held).toHaveLength(1);
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
});
