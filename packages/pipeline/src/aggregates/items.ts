import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type {
  AggregateGroup,
  AggregateWindow,
  CellPartial,
  FencedLateCount,
  FencedPartial,
  MetricSummary,
  PartialWrite,
} from '@residency/core/aggregates';
import { isAfter, windowStartIso } from '@residency/core/aggregates';
import { packInOrder } from '../support/pack.ts';
import { pageKey } from './keys.ts';

/**
 * One cell's partial aggregate in a (window, shard), fenced by `lastSequence`: what a page holds per
 * cell. The window and shard are the page's.
 */
export interface PartialEntry {
  cellId: string;
  catalog: string;
  type: string;
  tenantId: string;
  dimensions: Record<string, string>;
  /** Sequence number of the last event applied; the fence. */
  lastSequence: string;
  count: number;
  /**
   * Distinct subject tokens, sorted (absent when empty): those this entry adds to the cell. The
   * cell's subjects are those of its counted sealed chunks and of all its entries since the last
   * seal, on every page of the (window, shard) (see {@link latestOf}). A writer puts the subjects
   * its earlier entries of the cell did not hold, so a batch writes what is new, not every subject
   * again; an entry that holds them all (pages of an older writer, a compaction) reads the same.
   */
  subjects?: string[];
  /** How many chunks of subjects were sealed (chunks 0 to this - 1 count); absent: none. */
  sealedSubjects?: number;
  /**
   * The seal of each counted chunk, by number: chunk `n` counts when its `seal` is
   * `chunkSeals[n]` (see {@link countsChunk}). Two deliveries of the same events that both seal
   * number their chunks alike, so the number alone does not say which delivery put a chunk.
   * Absent on entries written before seals had ids: their chunks (without `seal`) count by number.
   */
  chunkSeals?: string[];
  metrics: Record<string, { sum: number; min: number; max: number; bounds: number[]; counts: number[] }>;
}

/**
 * The partials one batch put in a (window, shard): the touched cells' entries, whole, as JSON in one
 * binary attribute, so that a batch writes a few items of up to {@link PAGE_MAX_BYTES} of JSON
 * instead of one item per cell (the SDK's per-item and per-attribute work was the largest cost of
 * the hot path). Pages are never updated: each batch writes new ones, and a cell's partial is its
 * entry with the greatest fence over all pages of the (window, shard) (see {@link latestEntries}).
 *
 * The JSON is stored compressed ({@link PAGE_ENCODING}): its keys, dimension values and histogram
 * bounds repeat from entry to entry, so a page takes about a quarter of the write units, the
 * storage (kept for the retention, superseded or not) and the closer's read units it would as text.
 */
export interface PartialPageItem {
  pk: string;
  sk: string;
  kind: 'partials';
  shardId: string;
  windowStart: string;
  windowSeconds: number;
  /** How many entries `cells` holds. */
  count: number;
  /** UTF-8 JSON of a {@link PartialEntry} array, compressed as `encoding` says. */
  cells: Uint8Array;
  /** `br`: `cells` is Brotli-compressed. Absent: plain JSON (pages written before compression). */
  encoding?: typeof PAGE_ENCODING;
  writtenAt: string;
  /** When the table's TTL may delete the item, epoch seconds (see the store's `retentionDays`). */
  expiresAt?: number;
}

/**
 * Bytes of entries one page holds at most: DynamoDB's item limit is 400 KB, names and the other
 * attributes included. One entry is far below it (its unsealed subjects are bounded by
 * `SEAL_SUBJECT_BYTES`), so it always fits a page of its own.
 */
export const PAGE_MAX_BYTES = 320 * 1024;

/**
 * How pages are compressed: Brotli at quality 1, which on ClinicBook's partials gives about 4.3×
 * in 1.6 ms per 260 KB page (quality 4 gives 4.6× in 4.6 ms; zlib's deflate 3.4× in 3.2 ms),
 * and decompresses in under 1 ms. Node's own zlib, so no dependency. Compressed JSON is never
 * larger than the JSON by more than a few bytes, so a page within {@link PAGE_MAX_BYTES} of JSON
 * stays within DynamoDB's item limit.
 */
export const PAGE_ENCODING = 'br';

/** The most JSON a page may decompress to: more is not a page this store wrote. */
const MAX_PAGE_JSON_BYTES = PAGE_MAX_BYTES;

/**
 * Ids (see {@link eventFingerprint}) of events a batch applied in one (window, shard), written once
 * after its partials, so that a producer's repeat is known later: the event log the store reads
 * when it takes a shard over. The closer does not read it.
 */
export interface EventLogItem {
  pk: string;
  sk: string;
  kind: 'events';
  shardId: string;
  windowStart: string;
  windowSeconds: number;
  /**
   * The ids that are a UUID's fingerprint, each as its 16 bytes, one after another: one binary
   * value costs the SDK and the table far less than a set of as many strings (see `packIds`).
   */
  packed?: Uint8Array;
  /** Any other ids, as they are (none while every event id is a UUID). Items logged before `packed` hold them all. */
  ids?: Set<string>;
  loggedAt: string;
  /** When the table's TTL may delete the item, epoch seconds: a day after the allowed lateness. */
  expiresAt?: number;
}

/**
 * Subjects a partial sealed, so that the partial item stays far below DynamoDB's 400 KB however
 * many distinct subjects its cell has: written once, before the partial that counts it. A chunk
 * the latest entry does not count (see {@link countsChunk}) is left from an attempt that did not
 * finish, or from a delivery that another replaced, and is not read. Subjects may repeat across
 * chunks and the partial; readers take the union.
 */
export interface SubjectsChunkItem {
  pk: string;
  sk: string;
  kind: 'subjects';
  cellId: string;
  n: number;
  /** The seal that put it (a random id, see `newSealId`). Absent on chunks written before seals had ids. */
  seal?: string;
  subjects: Set<string>;
  /** As the partial's. */
  expiresAt?: number;
}

/** A window's item: its state for the closer and for late-event detection. */
export interface WindowItem {
  pk: string;
  sk: string;
  kind: 'window';
  windowStart: string;
  windowSeconds: number;
  status: 'open' | 'closed';
  openedAt: string;
  closedAt?: string;
  releasedCells?: number;
  suppressedCells?: number;
  suppressedEvents?: number;
  lateEvents?: number;
  epsilon?: number;
}

/** A shard's item in a window: registration for the closer, and the shard's late counter. */
export interface ShardItem {
  pk: string;
  sk: string;
  kind: 'shard';
  shardId: string;
  windowStart: string;
  windowSeconds: number;
  registeredAt: string;
  lateCount?: number;
  lateLastSequence?: string;
  /**
   * The claim of the writer that last took this shard's partials of the window (a random token,
   * set before its first put). A writer trusts the partials it cached only while this is its claim.
   */
  writer?: string;
}

/** A window's epsilon ledger entry: written once, before the first noisy release. */
export interface LedgerItem {
  pk: string;
  sk: string;
  kind: 'ledger';
  mechanism: string;
  epsilon: number;
  k: number;
  /** How the budget is spent per cell. */
  composition: string;
  /** Secret seed of the noise (so a retried release draws the same noise). Never leaves the region. */
  seed: Uint8Array;
  recordedAt: string;
}

/**
 * How the event log keeps an event id, so that a producer's repeat is not counted again: a UUID's 16
 * bytes in base64url (22 characters instead of 36), anything else as it is. Exact, not a hash.
 * Event ids are random and public (each outbound record carries its own).
 */
export function eventFingerprint(eventId: string): string {
  // Asked for every event: decoded by hand into one buffer, without a regular expression, slices
  // and a hex string (a third of the time; the same result, property-tested).
  if (eventId.length !== 36) return eventId;
  let j = 0;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (eventId.charCodeAt(i) !== 45) return eventId;
      i += 1;
      continue;
    }
    const high = hexDigit(eventId.charCodeAt(i));
    const low = hexDigit(eventId.charCodeAt(i + 1));
    if (high < 0 || low < 0) return eventId;
    uuidBytes[j++] = (high << 4) | low;
    i += 2;
  }
  return uuidBytes.toString('base64url');
}

const uuidBytes = Buffer.alloc(16);

// The value of a hex digit's character code, either case; -1 for any other character.
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * The entry a planned partial write stores, holding `subjects` (sorted): the subjects it adds to
 * the cell (see {@link PartialEntry.subjects}). Default: all of the partial's.
 */
export function partialEntryOf(
  write: PartialWrite,
  subjects: readonly string[] = write.state.partial.subjects,
): PartialEntry {
  const { partial } = write.state;
  const metrics: PartialEntry['metrics'] = {};
  for (const [name, m] of Object.entries(partial.metrics)) {
    metrics[name] = { sum: m.sum, min: m.min, max: m.max, bounds: [...m.bounds], counts: [...m.counts] };
  }
  return {
    cellId: write.cellId,
    catalog: write.group.catalog,
    type: write.group.type,
    tenantId: write.group.tenantId,
    dimensions: { ...write.group.dimensions },
    lastSequence: write.state.lastSequenceNumber,
    count: partial.count,
    ...(subjects.length > 0 ? { subjects: [...subjects] } : {}),
    metrics,
  };
}

/** A page item, the entries it holds (with the bytes of each one's JSON) and the bytes of its JSON. */
export interface PageOf<T> {
  item: PartialPageItem;
  held: Array<{ value: T; bytes: number }>;
  /** Bytes of the page's JSON, before compression. */
  bytes: number;
}

/**
 * The page items that hold `entries` (their JSON, at most `maxBytes` of it per page, in order),
 * each with the entries it holds and their bytes. `first` and `suffix` name the batch's pages:
 * `suffix` is new for every write, so a page is never replaced. An entry whose JSON alone is more
 * than a page holds is not paged but returned in `oversized`: compressed, it might fit an item,
 * but no reader would then accept the page (see {@link decodePage}).
 */
export function pageItemsOf<T extends { entry: PartialEntry }>(
  window: AggregateWindow,
  shardId: string,
  first: string,
  suffix: string,
  entries: readonly T[],
  nowMillis: number,
  expiresAt: number,
  maxBytes = PAGE_MAX_BYTES,
): { pages: Array<PageOf<T>>; oversized: T[] } {
  const texts = entries.map((value) => {
    const text = JSON.stringify(value.entry);
    return { value, text, bytes: Buffer.byteLength(text) };
  });
  // A page is a JSON array: its entries, a comma between two, and the brackets.
  const fits = texts.filter((t) => t.bytes <= maxBytes - 2);
  const oversized = texts.filter((t) => t.bytes > maxBytes - 2).map((t) => t.value);
  const groups = packInOrder(fits, (t) => t.bytes, { maxBytes: maxBytes - 2, separatorBytes: 1 });
  const pages = groups.map((page, n): PageOf<T> => {
    const json = Buffer.from(`[${page.map((t) => t.text).join(',')}]`, 'utf8');
    const cells = brotliCompressSync(json, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 1,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: json.byteLength,
      },
    });
    return {
      item: {
        ...pageKey(window, shardId, first, `${suffix}.${n}`),
        kind: 'partials',
        shardId,
        windowStart: windowStartIso(window),
        windowSeconds: window.seconds,
        count: page.length,
        cells,
        encoding: PAGE_ENCODING,
        writtenAt: new Date(nowMillis).toISOString(),
        expiresAt,
      },
      held: page.map(({ value, bytes }) => ({ value, bytes })),
      bytes: json.byteLength,
    };
  });
  return { pages, oversized };
}

/**
 * The entries a page holds and the bytes of their JSON (uncompressed). Throws on a page that is
 * not a JSON array, or in an encoding this store does not write (a bug, or tampering).
 */
export function decodePage(page: Pick<PartialPageItem, 'cells' | 'encoding'>): {
  entries: PartialEntry[];
  bytes: number;
} {
  const { encoding } = page as { encoding?: unknown };
  if (encoding !== undefined && encoding !== PAGE_ENCODING)
    throw new TypeError(`a partials page has an unknown encoding (${String(encoding).slice(0, 16)})`);
  const json =
    encoding === PAGE_ENCODING
      ? brotliDecompressSync(page.cells, { maxOutputLength: MAX_PAGE_JSON_BYTES })
      : Buffer.from(page.cells);
  const entries: unknown = JSON.parse(json.toString('utf8'));
  if (!Array.isArray(entries)) throw new TypeError('a partials page does not hold an array');
  return { entries: entries as PartialEntry[], bytes: json.byteLength };
}

/** The entries a page holds (see {@link decodePage}). */
export function entriesOf(page: Pick<PartialPageItem, 'cells' | 'encoding'>): PartialEntry[] {
  return decodePage(page).entries;
}

/**
 * Each cell's partial over the pages of one (window, shard): the entry with the greatest fence,
 * holding the subjects of the cell's entries since its last seal (see {@link latestOf}). A cell's entries are all written by the
 * shard's batches in order, and each counts every event up to its fence, so the greatest fence is
 * the latest state; a page that a retry wrote again, or a late put of an older state, loses to it.
 */
export function latestEntries(
  pages: Iterable<Pick<PartialPageItem, 'cells' | 'encoding'>>,
): Map<string, PartialEntry> {
  return latestOf([...pages].map(entriesOf));
}

/**
 * {@link latestEntries} over pages already decoded: each page's entries.
 *
 * The latest entry's subjects are the union over the cell's entries of its seal, those with its
 * `sealedSubjects`: an entry in the table was put by a batch that applied its events (a page not
 * written holds nothing), and every later entry counts those events too (a fence only moves on),
 * so each of its subjects is a subject of counted events, and an entry that adds subjects need not
 * repeat the earlier ones. Entries of an earlier seal are left out: the seal put every subject the
 * writer held into the chunks it counts, and the writer held the union of the entries since the
 * seal before (read this way after a takeover) and every subject it added since.
 */
export function latestOf(pages: Iterable<readonly PartialEntry[]>): Map<string, PartialEntry> {
  const latest = new Map<string, PartialEntry>();
  // The entries that hold subjects, by cell: most cells have one or two.
  const holding = new Map<string, PartialEntry[]>();
  for (const entries of pages) {
    for (const entry of entries) {
      const held = latest.get(entry.cellId);
      if (!held || isAfter(entry.lastSequence, held.lastSequence)) latest.set(entry.cellId, entry);
      if (!entry.subjects || entry.subjects.length === 0) continue;
      const list = holding.get(entry.cellId);
      if (list) list.push(entry);
      else holding.set(entry.cellId, [entry]);
    }
  }
  for (const [cellId, entry] of latest) {
    const seal = entry.sealedSubjects ?? 0;
    const ofSeal = (holding.get(cellId) ?? []).filter((e) => (e.sealedSubjects ?? 0) === seal);
    if (ofSeal.length === 1 && ofSeal[0] === entry) continue;
    const { subjects: _own, ...rest } = entry;
    if (ofSeal.length === 0) {
      latest.set(cellId, rest);
      continue;
    }
    const union = new Set<string>();
    for (const e of ofSeal) for (const subject of e.subjects ?? []) union.add(subject);
    latest.set(cellId, { ...rest, subjects: [...union].sort() });
  }
  return latest;
}

/** The fenced partial an entry holds. */
export function fencedPartialOf(entry: PartialEntry): FencedPartial {
  const metrics: Record<string, MetricSummary> = {};
  for (const name of Object.keys(entry.metrics ?? {}).sort()) {
    const m = entry.metrics[name] as PartialEntry['metrics'][string];
    metrics[name] = { sum: m.sum, min: m.min, max: m.max, bounds: m.bounds, counts: m.counts };
  }
  return {
    lastSequenceNumber: entry.lastSequence,
    // Distinct and sorted, as a partial's subjects must be (the planner merges into them).
    partial: { count: entry.count, subjects: [...new Set(entry.subjects ?? [])].sort(), metrics },
  };
}

/**
 * Whether `entry` counts `chunk`: one of its cell's, numbered below its `sealedSubjects`, and put
 * by the seal the entry names for that number (an entry and a chunk written before seals had ids
 * name none).
 */
export function countsChunk(
  entry: Pick<PartialEntry, 'cellId' | 'sealedSubjects' | 'chunkSeals'>,
  chunk: Pick<SubjectsChunkItem, 'cellId' | 'n' | 'seal'>,
): boolean {
  return (
    chunk.cellId === entry.cellId &&
    chunk.n < (entry.sealedSubjects ?? 0) &&
    (entry.chunkSeals?.[chunk.n] ?? '') === (chunk.seal ?? '')
  );
}

/**
 * The cell partial an entry holds, as the closer merges it: with the subjects of its sealed chunks
 * that count (see {@link countsChunk}; others are left from unfinished or replaced writes).
 */
export function cellPartialOf(
  window: AggregateWindow,
  entry: PartialEntry,
  chunks: readonly SubjectsChunkItem[] = [],
): CellPartial {
  const group: AggregateGroup = {
    catalog: entry.catalog,
    type: entry.type,
    tenantId: entry.tenantId,
    dimensions: entry.dimensions ?? {},
  };
  const { partial } = fencedPartialOf(entry);
  const counted = chunks.filter((c) => countsChunk(entry, c));
  if (counted.length === 0) return { cellId: entry.cellId, window, group, partial };
  const subjects = new Set(partial.subjects);
  for (const chunk of counted) for (const subject of chunk.subjects) subjects.add(subject);
  return { cellId: entry.cellId, window, group, partial: { ...partial, subjects: [...subjects].sort() } };
}

/** The late counter a shard item holds. */
export function fencedLateOf(item: ShardItem | undefined): FencedLateCount | undefined {
  if (!item?.lateLastSequence) return undefined;
  return { lastSequenceNumber: item.lateLastSequence, count: item.lateCount ?? 0 };
}
