import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePage,
  entriesOf,
  latestEntries,
  type PartialEntry,
  type PartialPageItem,
  pageItemsOf,
} from '../src/aggregates/items.ts';
import { packInOrder } from '../src/support/pack.ts';

describe('packInOrder', () => {
  it('keeps the order, closes a group when the next item would not fit, and puts an oversized item alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 6 }),
        (sizes, maxBytes, separatorBytes, maxItems) => {
          const groups = packInOrder(sizes, (s) => s, { maxBytes, separatorBytes, maxItems });
          const bytesOf = (group: number[]) =>
            group.reduce((sum, s) => sum + s, 0) + separatorBytes * (group.length - 1);
          expect(groups.flat()).toEqual(sizes);
          groups.forEach((group, i) => {
            expect(group.length).toBeGreaterThan(0);
            expect(group.length).toBeLessThanOrEqual(maxItems);
            if (group.length > 1) expect(bytesOf(group)).toBeLessThanOrEqual(maxBytes);
            // Greedy: the next group's first item did not fit in this one.
            const next = groups[i + 1]?.[0];
            if (next !== undefined && group.length < maxItems)
              expect(bytesOf([...group, next])).toBeGreaterThan(maxBytes);
          });
        },
      ),
    );
  });
});

describe('pageItemsOf', () => {
  const window = { startMillis: Date.UTC(2026, 2, 1, 10), seconds: 60 };
  const entry = (i: number): PartialEntry => ({
    cellId: `c${String(i).padStart(32, '0')}`,
    catalog: 'clinicbook',
    type: 'note.added',
    tenantId: 't1',
    dimensions: {},
    lastSequence: String(100 + i),
    count: i,
    subjects: Array.from({ length: i % 7 }, (_, s) => `pat_${String(s).padStart(26, '0')}`),
    metrics: {},
  });

  it('puts the entries, in order, on pages whose JSON stays within the limit', () => {
    const entries = Array.from({ length: 40 }, (_, i) => ({ entry: entry(i) }));
    const maxBytes = 2_000;
    const { pages } = pageItemsOf(window, 'shardId-000000000000', '100', 'abcd', entries, 0, 1, maxBytes);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flatMap((page) => entriesOf(page.item))).toEqual(entries.map((e) => e.entry));
    for (const page of pages) {
      expect(page.bytes).toBeLessThanOrEqual(maxBytes);
      expect(page.bytes).toBe(decodePage(page.item).bytes);
      expect(page.item.count).toBe(page.held.length);
      for (const { value, bytes } of page.held)
        expect(bytes).toBe(Buffer.byteLength(JSON.stringify(value.entry)));
    }
    expect(new Set(pages.map((page) => page.item.sk)).size).toBe(pages.length);
  });

  it('counts the brackets and commas of a page: entries of one size, a byte short of three a page', () => {
    const same = Array.from({ length: 9 }, (_, i) => ({
      entry: { ...entry(3), cellId: `c${String(i).padStart(32, '0')}` },
    }));
    const size = Buffer.byteLength(JSON.stringify(same[0]?.entry));
    // Three entries take 2 + 3 × size + 2 bytes; one byte less fits only two.
    const { pages } = pageItemsOf(window, 'shardId-000000000000', '100', 'abcd', same, 0, 1, 3 * size + 3);
    expect(pages.map((page) => page.item.count)).toEqual([2, 2, 2, 2, 1]);
    for (const page of pages) expect(decodePage(page.item).bytes).toBeLessThanOrEqual(3 * size + 3);
  });

  it('stores the JSON compressed, and reads pages written as plain JSON before compression', () => {
    const entries = Array.from({ length: 200 }, (_, i) => ({ entry: entry(i) }));
    const {
      pages: [page],
    } = pageItemsOf(window, 'shardId-000000000000', '100', 'abcd', entries, 0, 1);
    if (!page) throw new Error('no page');
    expect(page.item.encoding).toBe('br');
    // Entries of one shape repeat their keys: the stored page is a fraction of its JSON
    expect(page.item.cells.byteLength * 3).toBeLessThan(page.bytes);
    const json = Buffer.from(JSON.stringify(entries.map((e) => e.entry)));
    expect(decodePage(page.item)).toEqual({ entries: entries.map((e) => e.entry), bytes: json.byteLength });
    const plain = { ...page.item, cells: json, encoding: undefined };
    expect(entriesOf(plain)).toEqual(entries.map((e) => e.entry));
    // A newer entry of a cell wins whichever encoding holds it
    const newer = { ...entry(5), lastSequence: '999', count: 77 };
    const {
      pages: [later],
    } = pageItemsOf(window, 'shardId-000000000000', '999', 'efgh', [{ entry: newer }], 0, 1);
    expect(latestEntries([later?.item as PartialPageItem, plain]).get(newer.cellId)?.count).toBe(77);
  });

  it('leaves out an entry whose JSON alone is more than a page holds, and keeps the others in order', () => {
    const entries = [1, 2, 3].map((i) => ({ entry: entry(i) }));
    const big = { entry: { ...entry(4), dimensions: { note: 'x'.repeat(5_000) } } };
    const { pages, oversized } = pageItemsOf(
      window,
      'shardId-000000000000',
      '100',
      'abcd',
      [entries[0], big, ...entries.slice(1)] as typeof entries,
      0,
      1,
      4_000,
    );
    expect(oversized).toEqual([big]);
    expect(pages.flatMap((page) => entriesOf(page.item))).toEqual(entries.map((e) => e.entry));
  });

  it('refuses a page in an encoding it does not write, or whose JSON is not an array', () => {
    const {
      pages: [page],
    } = pageItemsOf(window, 'shardId-000000000000', '100', 'abcd', [{ entry: entry(1) }], 0, 1);
    const item = page?.item as PartialPageItem;
    expect(() => decodePage({ ...item, encoding: 'gzip' as 'br' })).toThrow(/unknown encoding \(gzip\)/);
    expect(() => decodePage({ cells: Buffer.from('{"a":1}') })).toThrow(/does not hold an array/);
    expect(() => decodePage({ ...item, cells: Buffer.from('not brotli') })).toThrow();
  });
});
