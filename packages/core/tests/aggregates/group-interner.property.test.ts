import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGroupInterner } from '../../src/aggregates/group.ts';
import {
  type AggregateGroup,
  cellIdOf,
  createCellIdMemo,
  groupKeyOf,
  windowOf,
} from '../../src/aggregates/index.ts';

// What observationOf built for every event before groups were interned.
function builtGroup(
  names: readonly string[],
  catalog: string,
  type: string,
  tenantId: string,
  attributes: Record<string, unknown>,
): AggregateGroup {
  const dimensions: Record<string, string> = {};
  for (const name of names) {
    const value = attributes[name];
    if (value !== undefined) dimensions[name] = String(value);
  }
  return { catalog, type, tenantId, dimensions };
}

const names = ['department', 'channel', 'ageBand'];
const value = fc.oneof(
  fc.constantFrom('a', 'b', 'undefined', ''),
  fc.string({ maxLength: 3 }),
  fc.integer({ min: 0, max: 3 }),
  fc.constant(undefined),
);
const event = fc.record({
  catalog: fc.constantFrom('clinicbook', 'payroll'),
  type: fc.constantFrom('a.b', 'c.d'),
  tenantId: fc.constantFrom('t1', 't2', ''),
  attributes: fc.record({ department: value, channel: value, ageBand: value, other: value }),
});

describe('createGroupInterner', () => {
  it('gives one object per distinct group, equal to the group built for the event, even past its bound', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), (events, maxGroups) => {
        const interner = createGroupInterner(names, maxGroups);
        const unbounded = createGroupInterner(names);
        const byKey = new Map<string, AggregateGroup>();
        for (const e of events) {
          const group = interner.groupOf(e.catalog, e.type, e.tenantId, e.attributes);
          const expected = builtGroup(names, e.catalog, e.type, e.tenantId, e.attributes);
          expect(group).toEqual(expected);
          // Dimensions in the spec's order, as they were built before.
          expect(Object.keys(group.dimensions)).toEqual(Object.keys(expected.dimensions));
          expect(groupKeyOf(group)).toBe(groupKeyOf(expected));
          const shared = unbounded.groupOf(e.catalog, e.type, e.tenantId, e.attributes);
          const key = groupKeyOf(expected);
          const earlier = byKey.get(key);
          if (earlier) expect(shared).toBe(earlier);
          else {
            for (const other of byKey.values()) expect(shared).not.toBe(other);
            byKey.set(key, shared);
          }
        }
      }),
    );
  });

  it('tells a dimension the event lacks from one whose value is the text "undefined" or empty', () => {
    const interner = createGroupInterner(['channel']);
    const absent = interner.groupOf('c', 't', 'x', {});
    const text = interner.groupOf('c', 't', 'x', { channel: 'undefined' });
    const empty = interner.groupOf('c', 't', 'x', { channel: '' });
    expect(new Set([absent, text, empty]).size).toBe(3);
    expect(absent.dimensions).toEqual({});
    expect(text.dimensions).toEqual({ channel: 'undefined' });
    expect(empty.dimensions).toEqual({ channel: '' });
    expect(interner.groupOf('c', 't', 'x', { channel: undefined })).toBe(absent);
  });
});

describe('createCellIdMemo', () => {
  it('gives every window and group the id cellIdOf gives, whether they are shared objects or copies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(event, fc.integer({ min: 0, max: 4 }), fc.boolean()), { maxLength: 60 }),
        (items) => {
          const interner = createGroupInterner(names);
          const memo = createCellIdMemo();
          for (const [e, minute, copy] of items) {
            const interned = interner.groupOf(e.catalog, e.type, e.tenantId, e.attributes);
            const window = windowOf(Date.UTC(2026, 2, 1, 10, minute, 30), 60);
            const group = copy ? { ...interned, dimensions: { ...interned.dimensions } } : interned;
            const asked = copy ? { ...window } : window;
            expect(memo(asked, group)).toBe(cellIdOf(window, interned));
          }
        },
      ),
    );
  });
});

describe('windowOf', () => {
  it('gives the events of one window one shared object', () => {
    const a = windowOf(Date.UTC(2026, 2, 1, 10, 0, 1), 60);
    const b = windowOf(Date.UTC(2026, 2, 1, 10, 0, 59), 60);
    const longer = windowOf(Date.UTC(2026, 2, 1, 10, 0, 1), 300);
    expect(b).toBe(a);
    expect(longer).not.toBe(a);
    expect(longer).toEqual({ startMillis: Date.UTC(2026, 2, 1, 10, 0, 0), seconds: 300 });
    expect(windowOf(Date.UTC(2026, 2, 1, 10, 0, 2), 60)).toEqual(a);
  });
});
