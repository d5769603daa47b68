import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { queryAll } from '@residency/aws';
import type { CellPartial } from '@residency/core/aggregates';
import type { EpsilonLedgerEntry, OpenWindow, WindowState, WindowStore } from '../ports.ts';
import {
  cellPartialOf,
  type LedgerItem,
  latestEntries,
  type PartialPageItem,
  type ShardItem,
  type SubjectsChunkItem,
  type WindowItem,
} from './items.ts';
import {
  LEDGER_SK,
  ledgerKey,
  OPEN_PK,
  openKey,
  PAGE_SK_PREFIX,
  parseWindowKey,
  SHARD_SK_PREFIX,
  SUBJECTS_SK_PREFIX,
  WINDOW_SK,
  windowItemKey,
  windowPk,
} from './keys.ts';
import { readShardItems } from './pages.ts';

/** Options of {@link createDynamoWindowStore}. */
export interface DynamoWindowStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * The window closer's side of the aggregates table (layout in `keys.ts`): the open index (with
 * each window's last failed close, as `closeFailures` and `retryAfter`), the window and shard
 * items, the partials (each cell's entry with the greatest fence over its (window, shard)'s
 * pages), and the epsilon ledger. Reads are strongly consistent.
 *
 * @example const windows = createDynamoWindowStore({ documentClient, tableName: 'residency-aggregates' });
 */
export function createDynamoWindowStore(options: DynamoWindowStoreOptions): WindowStore {
  const { documentClient: client, tableName } = options;
  const queryTable = <T>(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> =>
    queryAll<T>(client, { ...input, TableName: tableName, ConsistentRead: true });

  return {
    async listOpenWindows() {
      const items = await queryTable<OpenIndexItem>({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': OPEN_PK },
      });
      return items
        .map(openWindowOf)
        .filter((w): w is OpenWindow => w !== undefined)
        .sort((a, b) => a.startMillis - b.startMillis);
    },

    async readWindow(window): Promise<WindowState> {
      const items = await queryTable<WindowItem | ShardItem | LedgerItem>({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': windowPk(window) },
      });
      const windowItem = items.find((i): i is WindowItem => i.sk === WINDOW_SK);
      const shards = items.filter((i): i is ShardItem => i.sk.startsWith(SHARD_SK_PREFIX));
      return {
        status: windowItem?.status ?? 'missing',
        shardIds: shards.map((s) => s.shardId).sort(),
        lateEvents: shards.reduce((sum, s) => sum + (s.lateCount ?? 0), 0),
      };
    },

    async readPartials(window, shardIds): Promise<CellPartial[]> {
      const perShard = await Promise.all(
        shardIds.map(async (shardId) => {
          const [pages, chunks] = await Promise.all([
            readShardItems<PartialPageItem>(client, tableName, window, shardId, PAGE_SK_PREFIX),
            readShardItems<SubjectsChunkItem>(client, tableName, window, shardId, SUBJECTS_SK_PREFIX),
          ]);
          const chunksOf = new Map<string, SubjectsChunkItem[]>();
          for (const chunk of chunks) {
            const ofCell = chunksOf.get(chunk.cellId) ?? [];
            ofCell.push(chunk);
            chunksOf.set(chunk.cellId, ofCell);
          }
          return [...latestEntries(pages).values()].map((entry) =>
            cellPartialOf(window, entry, chunksOf.get(entry.cellId)),
          );
        }),
      );
      return perShard.flat();
    },

    async recordLedger(window, entry): Promise<EpsilonLedgerEntry> {
      const item: LedgerItem = {
        ...ledgerKey(window),
        kind: 'ledger',
        mechanism: entry.mechanism,
        epsilon: entry.epsilon,
        k: entry.k,
        composition: entry.composition,
        seed: entry.seed,
        recordedAt: new Date(entry.recordedAtMillis).toISOString(),
      };
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return entry;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const output = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: windowPk(window), sk: LEDGER_SK },
          ConsistentRead: true,
        }),
      );
      const stored = output.Item as LedgerItem;
      return {
        mechanism: stored.mechanism,
        epsilon: stored.epsilon,
        k: stored.k,
        composition: stored.composition,
        seed: stored.seed,
        recordedAtMillis: Date.parse(stored.recordedAt),
      };
    },

    async markClosed(window, summary) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: windowItemKey(window),
          UpdateExpression:
            'SET #kind = :kind, #status = :closed, closedAt = :closedAt, releasedCells = :released, suppressedCells = :suppressed, suppressedEvents = :suppressedEvents, lateEvents = :late, windowStart = :start, windowSeconds = :seconds, openedAt = if_not_exists(openedAt, :closedAt)' +
            (summary.epsilon === undefined ? '' : ', epsilon = :epsilon'),
          ExpressionAttributeNames: { '#kind': 'kind', '#status': 'status' },
          ExpressionAttributeValues: {
            ':kind': 'window',
            ':closed': 'closed',
            ':closedAt': new Date(summary.closedAtMillis).toISOString(),
            ':released': summary.releasedCells,
            ':suppressed': summary.suppressedCells,
            ':suppressedEvents': summary.suppressedEvents,
            ':late': summary.lateEvents,
            ':start': new Date(window.startMillis).toISOString(),
            ':seconds': window.seconds,
            ...(summary.epsilon === undefined ? {} : { ':epsilon': summary.epsilon }),
          },
        }),
      );
    },

    async removeOpen(window) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: openKey(window) }));
    },

    async recordCloseFailure(window, failure) {
      try {
        // One UpdateItem (dynalite has no transactions); the condition keeps a window that
        // another run closed meanwhile out of the index.
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: openKey(window),
            UpdateExpression: 'SET closeFailures = :failures, retryAfter = :retryAfter',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':failures': failure.closeFailures,
              ':retryAfter': new Date(failure.retryAfterMillis).toISOString(),
            },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}

// An entry of the open index: the window in its sort key, and its last failed close if any.
interface OpenIndexItem {
  sk: string;
  closeFailures?: number;
  retryAfter?: string;
}

// An unreadable failure record is dropped rather than the window: it is only an order hint.
function openWindowOf(item: OpenIndexItem): OpenWindow | undefined {
  const window = parseWindowKey(item.sk);
  if (!window) return undefined;
  const retryAfterMillis = Date.parse(item.retryAfter ?? '');
  const closeFailures = item.closeFailures;
  if (!Number.isFinite(retryAfterMillis) || !Number.isSafeInteger(closeFailures)) return window;
  return { ...window, closeFailures: closeFailures as number, retryAfterMillis };
}
