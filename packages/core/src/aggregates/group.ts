import { createHash } from 'node:crypto';
import { type AggregateWindow, windowKeyOf } from './window.ts';

/** What a cell is grouped by, besides its window: tenant, event type and public dimension values. */
export interface AggregateGroup {
  readonly catalog: string;
  readonly type: string;
  readonly tenantId: string;
  /** Dimension values by outbound attribute name; a dimension the event does not carry is left out. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A canonical string of a group: equal groups give equal keys whatever the order of their dimensions. */
export function groupKeyOf(group: AggregateGroup): string {
  // Groups are immutable; the ingest asks for the key of each event's group more than once.
  let key = keyByGroup.get(group);
  if (key === undefined) {
    const names = Object.keys(group.dimensions);
    if (!isSorted(names)) names.sort();
    key = groupKeyFrom(group, names);
    keyByGroup.set(group, key);
  }
  return key;
}

/**
 * Builds `group` with its key already known: `names` are its dimension names, sorted (an
 * aggregate spec's, sorted once). The key is the one {@link groupKeyOf} would build, without its
 * sort and its nested JSON.
 */
export function keyedGroup(
  catalog: string,
  type: string,
  tenantId: string,
  dimensions: Readonly<Record<string, string>>,
  names: readonly string[],
): AggregateGroup {
  const group: AggregateGroup = { catalog, type, tenantId, dimensions };
  keyByGroup.set(group, groupKeyFrom(group, names));
  return group;
}

/** Groups a {@link GroupInterner} holds before it starts afresh: far more than a catalog's cells. */
export const MAX_INTERNED_GROUPS = 65_536;

/**
 * The groups of one aggregate spec, one object per distinct group: the ingest asks for the group
 * of every event, and most events fall in a group an earlier one did. Looking it up by its values
 * (catalog, type, tenant, then each dimension's value) costs a few lookups of short strings;
 * building the group and its key per event cost more than the rest of the planning, and kept the
 * garbage collector busy. Whoever holds interned groups may compare them by identity.
 */
export interface GroupInterner {
  /**
   * The group of an event with these `attributes`: each dimension's value as a string, a dimension
   * it does not carry left out (as `observationOf` always built them).
   */
  groupOf(
    catalog: string,
    type: string,
    tenantId: string,
    attributes: Readonly<Record<string, unknown>>,
  ): AggregateGroup;
}

// One level of the table: the next value (or `undefined`, a dimension the event lacks) to the
// next level, and the last level to the group.
type InternNode = Map<string | undefined, InternNode | AggregateGroup>;

/**
 * A {@link GroupInterner} for groups of these dimension names (a spec's, in its order: a new
 * group's dimensions are built in that order). Bounded: past `maxGroups` it forgets every group
 * and starts again, which costs speed, never correctness.
 *
 * @example const interner = createGroupInterner(['department', 'channel']);
 */
export function createGroupInterner(
  dimensionNames: readonly string[],
  maxGroups: number = MAX_INTERNED_GROUPS,
): GroupInterner {
  const names = [...dimensionNames].sort();
  let root: InternNode = new Map();
  let count = 0;
  const child = (node: InternNode, key: string | undefined): InternNode => {
    let next = node.get(key) as InternNode | undefined;
    if (next === undefined) {
      next = new Map();
      node.set(key, next);
    }
    return next;
  };
  const dimensionValue = (attributes: Readonly<Record<string, unknown>>, name: string) => {
    const value = attributes[name];
    return value === undefined ? undefined : String(value);
  };
  const groupOf: GroupInterner['groupOf'] = (catalog, type, tenantId, attributes) => {
    let node = child(child(root, catalog), type);
    let key: string | undefined = tenantId;
    for (const name of names) {
      node = child(node, key);
      key = dimensionValue(attributes, name);
    }
    const known = node.get(key) as AggregateGroup | undefined;
    if (known !== undefined) return known;
    if (count >= maxGroups) {
      root = new Map();
      count = 0;
      return groupOf(catalog, type, tenantId, attributes);
    }
    count += 1;
    const dimensions: Record<string, string> = {};
    for (const name of dimensionNames) {
      const value = dimensionValue(attributes, name);
      if (value !== undefined) dimensions[name] = value;
    }
    const group = keyedGroup(catalog, type, tenantId, dimensions, names);
    node.set(key, group);
    return group;
  };
  return { groupOf };
}

// `JSON.stringify([catalog, type, tenantId, [[name, value], ...]])`, by hand: the names are sorted
// and only those present in `dimensions` are taken.
function groupKeyFrom(group: AggregateGroup, names: readonly string[]): string {
  let dims = '';
  for (const name of names) {
    const value = group.dimensions[name];
    if (value === undefined) continue;
    dims += `${dims === '' ? '' : ','}[${JSON.stringify(name)},${JSON.stringify(value)}]`;
  }
  return `[${JSON.stringify(group.catalog)},${JSON.stringify(group.type)},${JSON.stringify(group.tenantId)},[${dims}]]`;
}

function isSorted(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if ((names[i - 1] as string) >= (names[i] as string)) return false;
  return true;
}

const keyByGroup = new WeakMap<AggregateGroup, string>();
const lastCellOf = new WeakMap<AggregateGroup, { windowKey: string; cellId: string }>();

/**
 * The stable id of a cell (window + group): `c` and 32 base64url characters of a SHA-256 of the
 * window and the group. The same cell always gets the same id, so a redelivered release dedupes.
 *
 * @example cellIdOf({ startMillis: 0, seconds: 60 }, { catalog: 'clinicbook', type: 'note.added', tenantId: 't1', dimensions: {} })
 */
export function cellIdOf(window: AggregateWindow, group: AggregateGroup): string {
  const digest = createHash('sha256')
    .update(`${windowKeyOf(window)}\n${groupKeyOf(group)}`)
    .digest('base64url');
  return `c${digest.slice(0, 32)}`;
}

/**
 * A memo of {@link cellIdOf} for one batch. Windows and groups are usually shared objects (`windowOf`
 * and {@link GroupInterner} give them), so it looks a cell up by their identity first; for
 * objects it has not seen, by their keys (computed once and cached), so that equal groups built
 * apart still get one id without building and hashing their concatenation per event.
 *
 * @example const cellIdFor = createCellIdMemo(); cellIdFor(o.window, o.group)
 */
export function createCellIdMemo(): (window: AggregateWindow, group: AggregateGroup) => string {
  const byObjects = new Map<AggregateWindow, Map<AggregateGroup, string>>();
  const byWindow = new Map<string, Map<string, string>>();
  const byKeys = (window: AggregateWindow, group: AggregateGroup) => {
    const windowKey = windowKeyOf(window);
    let inWindow = byWindow.get(windowKey);
    if (inWindow === undefined) {
      inWindow = new Map();
      byWindow.set(windowKey, inWindow);
    }
    const groupKey = groupKeyOf(group);
    let cellId = inWindow.get(groupKey);
    if (cellId === undefined) {
      // A group's cell in the window it was last asked for: the next batch's events of a group
      // are mostly in the same window, and the id is a SHA-256.
      const last = lastCellOf.get(group);
      if (last !== undefined && last.windowKey === windowKey) cellId = last.cellId;
      else {
        cellId = cellIdOf(window, group);
        lastCellOf.set(group, { windowKey, cellId });
      }
      inWindow.set(groupKey, cellId);
    }
    return cellId;
  };
  return (window, group) => {
    let ofWindow = byObjects.get(window);
    if (ofWindow === undefined) {
      ofWindow = new Map();
      byObjects.set(window, ofWindow);
    }
    let cellId = ofWindow.get(group);
    if (cellId === undefined) {
      cellId = byKeys(window, group);
      ofWindow.set(group, cellId);
    }
    return cellId;
  };
}
