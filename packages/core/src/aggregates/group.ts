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
 * sort and its nested JSON: the ingest builds a group for every event.
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
 * A memo of {@link cellIdOf} for one batch: windows, then group keys, so that an event's lookup
 * hashes two strings that are computed once and cached (a window's key, a group's key) instead
 * of building and hashing their concatenation per event.
 *
 * @example const cellIdFor = createCellIdMemo(); cellIdFor(o.window, o.group)
 */
export function createCellIdMemo(): (window: AggregateWindow, group: AggregateGroup) => string {
  const byWindow = new Map<string, Map<string, string>>();
  return (window, group) => {
    const windowKey = windowKeyOf(window);
    let inWindow = byWindow.get(windowKey);
    if (inWindow === undefined) {
      inWindow = new Map();
      byWindow.set(windowKey, inWindow);
    }
    const groupKey = groupKeyOf(group);
    let cellId = inWindow.get(groupKey);
    if (cellId === undefined) {
      cellId = cellIdOf(window, group);
      inWindow.set(groupKey, cellId);
    }
    return cellId;
  };
}
